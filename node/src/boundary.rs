//! The one boundary between JavaScript and the core.
//!
//! Every entry point runs its work through [`guard`] (or [`CoreTask`] on the libuv pool): a core
//! error becomes a JS `Error` whose `.code` is the core's code string, and a panic becomes
//! `INTERNAL_ERROR` instead of aborting the Node process (a panic cannot unwind through napi's
//! `extern "C"` callbacks). Refusals of the verifier (`AUTH_*`) also get `.httpStatus` and
//! `.responseBody`, which napi's status-only errors cannot carry, so they are built on the JS
//! thread by [`js_error`].

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::{Buffer, Either, JsObjectValue, Status, ToNapiValue, TypeName};
use napi::{Env, JsValue, Task};
use nuvera_signing as core;
use nuvera_signing::{Error, ErrorCode};

/// The `.code` of a thrown JS error: always a string of the core's `ErrorCode` list.
pub struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// A core error as the error napi throws (with `.code`).
pub fn fail(e: Error) -> napi::Error<Code> {
    napi::Error::new(Code(e.code().as_str()), e.message().to_owned())
}

/// Runs `work`, turning a panic into `INTERNAL_ERROR`.
pub fn catch<T>(work: impl FnOnce() -> nuvera_signing::Result<T>) -> nuvera_signing::Result<T> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| Err(internal(panic)))
}

/// Runs `work` for a synchronous entry point: core errors and panics become coded JS errors.
pub fn guard<T>(work: impl FnOnce() -> nuvera_signing::Result<T>) -> Result<T, napi::Error<Code>> {
    catch(work).map_err(fail)
}

fn internal(panic: Box<dyn Any + Send>) -> Error {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned());
    Error::new(
        ErrorCode::InternalError,
        format!("internal error in nuvera-signing (please report it): {what}"),
    )
}

/// A JS `Error` with `.code`, plus `.httpStatus` and `.responseBody` for `AUTH_*` codes, built on
/// the JS thread.
pub fn js_error(env: &Env, e: &Error) -> napi::Error {
    let build = || -> napi::Result<napi::Error> {
        let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, e.message()))?;
        obj.set_named_property("code", e.code().as_str())?;
        if let (Some(status), Some(body)) = (e.http_status(), e.response_body()) {
            obj.set_named_property("httpStatus", u32::from(status))?;
            obj.set_named_property("responseBody", body)?;
        }
        Ok(napi::Error::from(obj.to_unknown()))
    };
    build().unwrap_or_else(|e| e)
}

/// A JS number for a count the core keeps as `u64` (saturating: JS numbers are `i64` to napi).
pub fn js_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An HTTP status given by JS, `INVALID_ARGUMENT` unless in 100..=599.
pub fn http_status(status: u32) -> core::Result<u16> {
    u16::try_from(status)
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| invalid(format!("{status} is not an HTTP status")))
}

/// Headers given by JS as `[name, value]` pairs.
pub fn header_pairs(headers: &[Vec<String>]) -> core::Result<Vec<(&str, &str)>> {
    headers
        .iter()
        .map(|pair| match pair.as_slice() {
            [name, value] => Ok((name.as_str(), value.as_str())),
            _ => Err(invalid("each header is a [name, value] pair")),
        })
        .collect()
}

/// A core value (proof, report, bundle) as the JS object its serde form describes.
pub fn to_js_object(what: &str, value: &impl serde::Serialize) -> core::Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| {
        Error::new(
            ErrorCode::InternalError,
            format!("{what} not serializable: {e}"),
        )
    })
}

/// `INVALID_ARGUMENT`: a value JS gave that the core's types cannot hold.
pub fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

/// Bytes of a `Buffer | string` argument (strings as UTF-8).
pub fn bytes_of(data: &Either<Buffer, String>) -> &[u8] {
    match data {
        Either::A(b) => b,
        Either::B(s) => s.as_bytes(),
    }
}

/// Core work run on the libuv thread pool, resolved to `J` on the JS thread. The core error is
/// kept so that `reject` gives it its code: async tasks otherwise only carry napi's own statuses.
pub struct CoreTask<T, J> {
    work: Option<Box<dyn FnOnce() -> nuvera_signing::Result<T> + Send>>,
    to_js: fn(T) -> nuvera_signing::Result<J>,
    failure: Option<Error>,
}

impl<T, J> CoreTask<T, J> {
    /// `work` on the pool, then `to_js` on the JS thread.
    pub fn new(
        work: impl FnOnce() -> nuvera_signing::Result<T> + Send + 'static,
        to_js: fn(T) -> nuvera_signing::Result<J>,
    ) -> Self {
        CoreTask {
            work: Some(Box::new(work)),
            to_js,
            failure: None,
        }
    }

    fn failed(&mut self, e: Error) -> napi::Error {
        let err = napi::Error::from_reason(e.message());
        self.failure = Some(e);
        err
    }
}

impl<T: Send + 'static, J: ToNapiValue + TypeName> Task for CoreTask<T, J> {
    type Output = T;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<T> {
        let Some(work) = self.work.take() else {
            let e = Error::new(ErrorCode::InternalError, "an async task ran twice");
            return Err(self.failed(e));
        };
        catch(work).map_err(|e| self.failed(e))
    }

    fn resolve(&mut self, env: Env, output: T) -> napi::Result<J> {
        let to_js = self.to_js;
        catch(|| to_js(output)).map_err(|e| js_error(&env, &e))
    }

    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<J> {
        Err(match self.failure.take() {
            Some(e) => js_error(&env, &e),
            None => err,
        })
    }
}
