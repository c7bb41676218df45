//! Failures at the boundary and the Java exceptions they become (`NuveraSigningException.fromCore`:
//! a `VerificationException` when the core gives a response body); the core's codes only.

use jni::errors::Error as JniError;
use jni::objects::{JObject, JThrowable, JValue};
use jni::{jni_sig, jni_str, Env};
use nuvera_signing::{Error, ErrorCode, VerifyError};

use crate::boundary::native;

/// Why an entry point did not return a value.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A core error, thrown as `NuveraSigningException` (`VerificationException` for `AUTH_*`).
    Core(Error),
    /// A JNI failure; when it is a pending Java exception, that exception is what Java sees.
    Jni(JniError),
}

impl Failure {
    pub(crate) fn argument(message: &str) -> Self {
        Failure::Core(Error::new(ErrorCode::InvalidArgument, message))
    }

    pub(crate) fn closed() -> Self {
        Failure::Core(Error::new(
            ErrorCode::ObjectClosed,
            "this object is closed; create a new one",
        ))
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl From<VerifyError> for Failure {
    fn from(e: VerifyError) -> Self {
        Failure::Core(e.into())
    }
}

impl From<JniError> for Failure {
    fn from(e: JniError) -> Self {
        Failure::Jni(e)
    }
}

/// Throws `failure` in `env` (the native method then returns a default value).
pub(crate) fn throw_failure(env: &mut Env<'_>, failure: Failure) -> jni::errors::Result<()> {
    let (code, message, response_body) = match failure {
        Failure::Core(e) => (e.code(), e.message().to_owned(), e.response_body()),
        Failure::Jni(JniError::JavaException) if env.exception_check() => return Ok(()),
        Failure::Jni(e) => (
            ErrorCode::InternalError,
            format!("JNI call failed in the native core: {e}"),
            None,
        ),
    };
    if env.exception_check() {
        // A Java exception raised inside the call (e.g. by an InputStream) is replaced by ours,
        // whose message already carries its text.
        env.exception_clear();
    }
    let code = env.new_string(code.as_str())?;
    let message = env.new_string(message)?;
    let body = match response_body {
        Some(b) => JObject::from(env.new_string(b)?),
        None => JObject::null(),
    };
    let exception = env
        .call_static_method(
            jni_str!("global/nuvera/signing/NuveraSigningException"),
            jni_str!("fromCore"),
            jni_sig!("(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)Lglobal/nuvera/signing/NuveraSigningException;"),
            &[JValue::Object(&code), JValue::Object(&message), JValue::Object(&body)],
        )?
        .l()?;
    let throwable = env.cast_local::<JThrowable>(exception)?;
    match env.throw(throwable) {
        Ok(()) | Err(JniError::JavaException) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The text of a failed call into Java for the core's error: a caught exception as
/// `Throwable.toString` writes it (its class, then its message if it has one), else `what: e`.
pub(crate) fn java_failure_text(e: JniError, what: &str) -> String {
    match e {
        // jni formats a null message as "<NULL>".
        JniError::CaughtJavaException { name, msg, .. } if msg == "<NULL>" => name,
        JniError::CaughtJavaException { name, msg, .. } => format!("{name}: {msg}"),
        e => format!("{what}: {e}"),
    }
}

native! {
    /// `[family, httpStatus]` (0: none); `[null, 0]` when the core has no such code.
    #[native(infallible)]
    fn errorInfo(code: String) -> Vec<Option<String>> {
        let code = ErrorCode::from_code_str(&code);
        let status = code.and_then(ErrorCode::http_status).unwrap_or(0);
        vec![code.map(|c| c.family().as_str().to_owned()), Some(status.to_string())]
    }

    #[native(infallible)]
    fn errorCodesJson() -> String {
        ErrorCode::list_json()
    }
}
