//! Calling a JavaScript function from a helper thread and waiting for its Promise (a
//! `RemoteKey`'s signatures, a stream part's chunks). The JS thread must be free meanwhile: never
//! from a synchronous method (it would wait for itself).

use napi::bindgen_prelude::{FromNapiValue, Promise, ToNapiValue};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;

/// A JS function as a helper thread calls it: weak (it does not keep the process alive), no
/// error-first argument (the package's JS wrappers settle to an outcome object, never throw).
pub type JsFunction<A, R> = ThreadsafeFunction<A, Promise<R>, A, Status, false, true>;

/// Calls `function(arg)` on the JS thread and waits here until its Promise settles; `Err` is
/// the reason the call could not be made (the environment is closing).
pub fn call_and_wait<A, R>(function: &JsFunction<A, R>, arg: A) -> Result<R, String>
where
    A: ToNapiValue + 'static,
    R: FromNapiValue + Send + 'static,
{
    // No async runtime here: the helper thread parks until napi wakes it with the answer.
    futures_executor::block_on(async { function.call_async_catch(arg).await?.await })
        .map_err(|e| format!("the JavaScript function could not be called: {}", e.reason))
}
