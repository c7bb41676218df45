//! The one boundary between JavaScript and the core, and the crate's prelude. Every entry point
//! runs through [`guard`] (or [`later`] on the libuv pool): a core error becomes a JS `Error`
//! whose `.code` is the core's, a panic `INTERNAL_ERROR` (it cannot unwind through napi's
//! `extern "C"` callbacks), and [`js_error`] adds `.httpStatus`/`.responseBody` to `AUTH_*`.

use std::panic::{catch_unwind, AssertUnwindSafe};

pub use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::bindgen_prelude::{JsObjectValue, Status};
pub use napi::bindgen_prelude::{ToNapiValue, TypeName};
pub use napi::Result;
use napi::{Env, JsValue, Task};
pub use napi_derive::napi;
pub use nuvera_signing as core;
use nuvera_signing::{Error, ErrorCode};

/// One code of the core's list.
#[napi(object, use_nullable = true)]
pub struct ErrorCodeInfo {
    /// The stable code string, e.g. `INVALID_PRIVATE_KEY`.
    pub code: String,
    /// Its family: `key`, `request`, `multipart`, `io`, `registry`, `auth`, `client`, `remote`
    /// or `internal`.
    pub family: String,
    /// The HTTP status a server answers with, for the `AUTH_*` codes; `null` for the others.
    pub http_status: Option<u32>,
}

/// Every error code of the core, in the core's order.
#[napi]
pub fn error_code_list() -> Vec<ErrorCodeInfo> {
    let info = |c: &ErrorCode| ErrorCodeInfo {
        code: c.as_str().to_owned(),
        family: c.family().as_str().to_owned(),
        http_status: c.http_status().map(u32::from),
    };
    ErrorCode::ALL.iter().map(info).collect()
}

/// The `.code` of a thrown JS error: always a string of the core's `ErrorCode` list.
pub type Code = &'static str;

/// Runs `work`, turning a panic into `INTERNAL_ERROR`.
pub fn catch<T>(work: impl FnOnce() -> core::Result<T>) -> core::Result<T> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| Err(Error::from_panic(&*panic)))
}

/// Runs `work` for a synchronous entry point: core errors and panics become coded JS errors.
pub fn guard<T>(work: impl FnOnce() -> core::Result<T>) -> Result<T, Code> {
    catch(work).map_err(|e| napi::Error::new(e.code().as_str(), e.message().to_owned()))
}

/// A JS `Error` with `.code`, plus `.httpStatus` and `.responseBody` for `AUTH_*` codes, built on
/// the JS thread.
pub fn js_error(env: &Env, e: &Error) -> napi::Error {
    let build = || -> Result<napi::Error> {
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

/// Core work run on the libuv thread pool (made by [`later`]). Its result keeps the core error,
/// so that the rejection has its code: napi's own async failures carry only napi's statuses.
pub struct CoreTask<J>(Option<Box<dyn FnOnce() -> core::Result<J> + Send>>);

/// `work` on the libuv thread pool, as a Promise of its result.
pub fn later<J: ToNapiValue + TypeName + Send + 'static>(
    work: impl FnOnce() -> core::Result<J> + Send + 'static,
) -> AsyncTask<CoreTask<J>> {
    AsyncTask::new(CoreTask(Some(Box::new(work))))
}

impl<J: ToNapiValue + TypeName + Send + 'static> Task for CoreTask<J> {
    type Output = core::Result<J>;
    type JsValue = J;

    fn compute(&mut self) -> Result<Self::Output> {
        // A second run would be a bug of napi: `catch` makes its panic INTERNAL_ERROR.
        Ok(catch(|| {
            (self.0.take().expect("an async task runs once"))()
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<J> {
        output.map_err(|e| js_error(&env, &e))
    }
}

/// Milliseconds JS gave as a number, `INVALID_ARGUMENT` if negative (`what` names the field).
pub fn millis(what: &str, value: Option<i64>) -> core::Result<Option<u64>> {
    let negative = |v| {
        invalid(format!(
            "{what} must be a number of milliseconds >= 0, not {v}"
        ))
    };
    value
        .map(|v| u64::try_from(v).map_err(|_| negative(v)))
        .transpose()
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

/// A core value (claims, proof, report, bundle) as the JS-side value its serde form describes
/// (a `serde_json::Value` for a plain JS object): one conversion for every such type.
pub fn convert<T: serde::de::DeserializeOwned>(value: &impl serde::Serialize) -> core::Result<T> {
    let converted = serde_json::to_value(value).and_then(serde_json::from_value);
    converted.map_err(|e| Error::new(ErrorCode::InternalError, format!("not convertible: {e}")))
}

/// `INVALID_ARGUMENT`: a value JS gave that the core's types cannot hold.
pub fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidArgument, message)
}

/// Bytes of a `Buffer | string` argument (strings as UTF-8).
pub fn bytes_of(data: &Bytes) -> &[u8] {
    match data {
        Either::A(b) => b,
        Either::B(s) => s.as_bytes(),
    }
}

/// Bytes of an optional `Buffer | string` argument; none for absent.
pub fn bytes_or_empty(data: &Option<Bytes>) -> &[u8] {
    data.as_ref().map_or(&[], bytes_of)
}

/// A body or text argument: a `Buffer`, or a string used as its UTF-8 bytes.
#[napi]
pub type Bytes = Either<Buffer, String>;

/// `#[napi]` methods of a class, each one expression over `self` (named in the pattern) and its
/// arguments; napi's options (`#[napi(getter)]`, `#[napi(js_name = …)]`) go before `fn`. The
/// return type is matched as a name and its arguments: napi-derive sees a fallible method only
/// in a literal `Result<…>`, which a `$t:ty` is not. Docs are `#[doc = "…"]`: napi-derive reads
/// `///` passed through a macro as `r"…"` text.
macro_rules! methods {
    ($class:ident |$this:ident| { $(
        $(#[doc = $doc:tt])*
        $(#[napi($($option:tt)*)])?
        fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ident$(<$($of:ty),+>)? = $value:expr;
    )* }) => {
        #[napi]
        impl $class {
            $(
                $(#[doc = $doc])*
                #[napi$(($($option)*))?]
                pub fn $name(&self, $($arg: $ty),*) -> $out$(<$($of),+>)? {
                    let $this = self;
                    $value
                }
            )*
        }
    };
}
pub(crate) use methods;
