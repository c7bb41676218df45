//! The one boundary between C and Rust, which the other modules import whole: every entry point
//! runs in [`guard`] or [`returning`] (panics become `INTERNAL_ERROR`, failures a status and a
//! `nuvera_error`); arguments are read and results written ([`IntoC`]) only by the helpers here.

use std::collections::BTreeMap;
use std::ffi::{CStr, CString, OsStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

pub(crate) use std::ffi::{c_char, c_void};
pub(crate) use std::path::PathBuf;

use nuvera::ErrorCode;

use crate::client::{nuvera_action, nuvera_attempt, nuvera_client_policy};
use crate::errors::nuvera_status::*;
pub(crate) use crate::errors::{nuvera_error, nuvera_status};

/// What a failed call reports: the status C sees and the error behind it.
pub(crate) struct Failure(nuvera_status, nuvera::Error);

impl Failure {
    /// An argument C gave that cannot be used at all (NULL, not UTF-8).
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        let error = nuvera::Error::new(ErrorCode::InvalidArgument, message);
        Failure(NUVERA_INVALID_ARGUMENT, error)
    }

    /// A panic caught at the boundary: a bug of the library's, `INTERNAL_ERROR` by the core.
    fn panic(payload: Box<dyn std::any::Any + Send>) -> Self {
        Failure(NUVERA_INTERNAL_ERROR, nuvera::Error::from_panic(&*payload))
    }
}

/// A failure as the `nuvera_error` C receives.
impl IntoC<*mut nuvera_error> for Failure {
    fn into_c(self) -> *mut nuvera_error {
        let Failure(status, error) = self;
        let code = error.code();
        let error = nuvera_error {
            status,
            code: static_c_str(code.as_str()),
            message: c_string(error.message()).into_raw(),
            http_status: code.http_status().unwrap_or(0),
        };
        error.into_c()
    }
}

impl From<nuvera::Error> for Failure {
    fn from(error: nuvera::Error) -> Self {
        // A verifier's refusal travels as an error whose code is in the auth family.
        let status = match error.http_status() {
            Some(_) => NUVERA_REFUSED,
            None => NUVERA_ERROR,
        };
        Failure(status, error)
    }
}

pub(crate) type FfiResult<T = ()> = Result<T, Failure>;

/// A C string from a Rust string; an interior NUL (impossible for our messages and codes, but
/// possible in user data echoed back) is cut there rather than failing.
pub(crate) fn c_string(s: impl Into<Vec<u8>>) -> CString {
    let mut bytes = s.into();
    bytes.truncate(bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len()));
    CString::new(bytes).expect("NUL bytes were removed")
}

/// Runs one entry point: catches panics and turns failures into a status and an error. What `f`
/// returns on success (often the core's `&mut Self` of a builder call) is not for C.
pub(crate) fn guard<R>(
    err: *mut *mut nuvera_error,
    f: impl FnOnce() -> FfiResult<R>,
) -> nuvera_status {
    let failure = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(_)) => return NUVERA_OK,
        Ok(Err(failure)) => failure,
        Err(panic) => Failure::panic(panic),
    };
    let status = failure.0;
    // SAFETY: by the API contract `err` is NULL or writable.
    unsafe { put_opt(err, failure) };
    status
}

/// Runs an entry point with one required out-parameter: checked before any work is done, then
/// written with what `f` returns, converted by [`IntoC`].
pub(crate) fn returning<T, V: IntoC<T>>(
    out: *mut T,
    err: *mut *mut nuvera_error,
    f: impl FnOnce() -> FfiResult<V>,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        // SAFETY: checked non-NULL above; by the API contract writable.
        unsafe { put(out, f()?) };
        Ok(())
    })
}

/// A string of the core's that lives as long as the program (a code, a family, a send reason) as
/// a C string that does too: made once per string, so C may keep the pointer.
pub(crate) fn static_c_str(s: &'static str) -> *const c_char {
    static MADE: Mutex<BTreeMap<&str, CString>> = Mutex::new(BTreeMap::new());
    let mut made = MADE.lock().unwrap_or_else(PoisonError::into_inner);
    made.entry(s).or_insert_with(|| c_string(s)).as_ptr()
}

/// Runs `f`, which reports nothing, without letting a panic unwind into C: `fallback` then.
pub(crate) fn no_unwind<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Frees a handle made by [`IntoC`]; NULL is allowed. A panic in a destructor is swallowed:
/// a `_free` function has no way to report it and must not unwind into C.
pub(crate) unsafe fn free_handle<T: ?Sized>(handle: *mut T) {
    if !handle.is_null() {
        no_unwind((), || drop(Box::from_raw(handle)));
    }
}

/// Declares entry points by what is particular to each: every one gets `#[no_mangle] pub unsafe
/// extern "C"`, the last argument `err` and the `nuvera_status` result, and runs in [`guard`]. Its
/// body's value is its result (`?` fails): one written `-> T` also gets the out-parameter
/// `out: *mut T` before `err`, filled with that value by [`returning`]. An argument written
/// `name: C as R` reaches the body as the `R` that [`FromC`] reads from it. A `free fn` frees its
/// handle with [`free_handle`] and makes the type a [`Handle`]. cbindgen reads the functions as
/// rustc expands them (`[parse.expand]` in cbindgen.toml).
macro_rules! c_api {
    () => {};
    (@run $err:ident $body:ident) => {
        $crate::boundary::guard($err, $body)
    };
    (@run $err:ident $body:ident $out:ident: $t:ty) => {
        $crate::boundary::returning($out, $err, $body)
    };
    (
        $(#[doc = $doc:literal])*
        fn $name:ident($($arg:ident: $ty:ty $(as $rust:ty)?),* $(,)?) $(-> $out:ty)? $body:block
        $($rest:tt)*
    ) => {
        $(#[doc = $doc])*
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            $($arg: $ty,)*
            $(out: *mut $out,)?
            err: *mut *mut nuvera_error,
        ) -> nuvera_status {
            let body = || {
                $($(let $arg: $rust = $crate::boundary::FromC::from_c($arg, stringify!($arg))?;)?)*
                Ok($body)
            };
            $crate::boundary::c_api!(@run err body $(out: $out)?)
        }
        $crate::boundary::c_api!($($rest)*);
    };
    (
        $(#[doc = $doc:literal])*
        free fn $name:ident($arg:ident: *mut $handle:ty);
        $($rest:tt)*
    ) => {
        impl $crate::boundary::Handle for $handle {}
        $(#[doc = $doc])*
        #[no_mangle]
        pub unsafe extern "C" fn $name($arg: *mut $handle) {
            $crate::boundary::free_handle($arg)
        }
        $crate::boundary::c_api!($($rest)*);
    };
}
pub(crate) use c_api;

/// A Rust value as the C value an out-parameter of type `T *` receives.
pub(crate) trait IntoC<T> {
    /// The C value; what it points to belongs to the caller from now on.
    fn into_c(self) -> T;
}

/// The library's handle types (opaque to C): each is written out boxed, freed by its `_free`.
pub(crate) trait Handle {}

impl<H: Handle> IntoC<*mut H> for H {
    fn into_c(self) -> *mut H {
        Box::into_raw(Box::new(self))
    }
}

/// A new string for a `char **` out-parameter, freed by `nuvera_string_free`.
impl<S: AsRef<str>> IntoC<*mut c_char> for S {
    fn into_c(self) -> *mut c_char {
        c_string(self.as_ref()).into_raw()
    }
}

/// Values C receives as they are: numbers, flags, borrowed strings, filled structs.
macro_rules! as_they_are {
    ($($t:ty),*) => {$(
        impl IntoC<$t> for $t {
            fn into_c(self) -> $t {
                self
            }
        }
    )*};
}
as_they_are!(bool, usize, u64, i64, *mut u8, *const c_char);
as_they_are!(nuvera_client_policy, nuvera_attempt, nuvera_action);

/// Writes a value to an out-parameter checked by [`req_out`] (or known not to be NULL).
pub(crate) unsafe fn put<T>(out: *mut T, value: impl IntoC<T>) {
    *out = value.into_c();
}

/// Writes to an optional out-parameter (NULL = the caller does not want it).
pub(crate) unsafe fn put_opt<T>(out: *mut T, value: impl IntoC<T>) {
    if !out.is_null() {
        put(out, value);
    }
}

/// Checks an out-parameter before any work is done.
pub(crate) fn req_out<T>(p: *mut T, what: &str) -> FfiResult {
    // SAFETY: only checked for NULL; the reference is dropped at once.
    unsafe { <&mut T>::from_c(p, what).map(drop) }
}

/// An argument as C gives it (`C`) read as the value an entry point uses (`Self`); `what` names
/// it in the error. NULL where a value is required and strings that are not UTF-8 are
/// `INVALID_ARGUMENT`.
pub(crate) trait FromC<C>: Sized {
    /// Reads `c`.
    unsafe fn from_c(c: C, what: &str) -> FfiResult<Self>;
}

/// A handle the call only reads.
impl<T> FromC<*const T> for &T {
    unsafe fn from_c(p: *const T, what: &str) -> FfiResult<Self> {
        p.as_ref()
            .ok_or_else(|| Failure::invalid(format!("{what} is NULL")))
    }
}

/// A handle the call changes (the caller guarantees exclusive access).
impl<T> FromC<*mut T> for &mut T {
    unsafe fn from_c(p: *mut T, what: &str) -> FfiResult<Self> {
        p.as_mut()
            .ok_or_else(|| Failure::invalid(format!("{what} is NULL")))
    }
}

/// A time given by pointer, as the core's signed seconds (past `i64::MAX` is `INVALID_ARGUMENT`).
impl FromC<*const u64> for i64 {
    unsafe fn from_c(p: *const u64, what: &str) -> FfiResult<Self> {
        let n = *<&u64>::from_c(p, what)?;
        i64::try_from(n).map_err(|_| Failure::invalid(format!("{what} is past {}", i64::MAX)))
    }
}

/// An optional argument: NULL is `None`.
impl<C, T: FromC<*const C>> FromC<*const C> for Option<T> {
    unsafe fn from_c(p: *const C, what: &str) -> FfiResult<Self> {
        (!p.is_null()).then(|| T::from_c(p, what)).transpose()
    }
}

/// NUL-terminated bytes (PEM text and passphrases need not be UTF-8).
impl FromC<*const c_char> for &[u8] {
    unsafe fn from_c(p: *const c_char, what: &str) -> FfiResult<Self> {
        Ok(CStr::from_ptr(<&c_char>::from_c(p, what)?).to_bytes())
    }
}

/// A NUL-terminated UTF-8 string.
impl FromC<*const c_char> for &str {
    unsafe fn from_c(p: *const c_char, what: &str) -> FfiResult<Self> {
        std::str::from_utf8(FromC::from_c(p, what)?)
            .map_err(|_| Failure::invalid(format!("{what} is not valid UTF-8")))
    }
}

/// A file path: any bytes but NUL on Unix, where paths need not be UTF-8.
impl FromC<*const c_char> for PathBuf {
    unsafe fn from_c(p: *const c_char, what: &str) -> FfiResult<Self> {
        #[cfg(unix)]
        let path = <OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(FromC::from_c(p, what)?);
        #[cfg(not(unix))]
        let path = OsStr::new(<&str>::from_c(p, what)?);
        Ok(PathBuf::from(path))
    }
}

/// A `(ptr, len)` buffer; NULL is allowed only with `len == 0`.
pub(crate) unsafe fn req_bytes<'a, T>(p: *const T, len: usize, what: &str) -> FfiResult<&'a [T]> {
    match (p.is_null(), len) {
        (true, 0) => Ok(&[]),
        (true, _) => Err(Failure::invalid(format!(
            "{what} is NULL with a length of {len}"
        ))),
        (false, _) => Ok(std::slice::from_raw_parts(p, len)),
    }
}

/// A number where 0 means "the default": `None` then, for the core's `from_optional`.
impl FromC<u32> for Option<i64> {
    unsafe fn from_c(n: u32, _: &str) -> FfiResult<Self> {
        Ok((n != 0).then_some(i64::from(n)))
    }
}

/// Reads up to `len` bytes into `buf`; returns how many (0 at the end), or -1 on failure. `ctx`
/// is the caller's pointer, passed back unchanged.
pub type nuvera_read_fn =
    Option<unsafe extern "C" fn(ctx: *mut c_void, buf: *mut u8, len: usize) -> isize>;

/// A C read callback as `std::io::Read`, for the core's streaming hashers and encoders.
pub(crate) struct CallbackReader {
    read: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> isize,
    ctx: *mut c_void,
}

// SAFETY: the core may move a reader to the thread that hashes or encodes the form; the C
// contract (header and README) says the callback and `ctx` must allow that, as for any handle
// passed between threads.
unsafe impl Send for CallbackReader {}

impl CallbackReader {
    /// A reader over `read` and `ctx`; NULL `read` is `INVALID_ARGUMENT`.
    pub(crate) fn new(read: nuvera_read_fn, ctx: *mut c_void, what: &str) -> FfiResult<Self> {
        let read = read.ok_or_else(|| Failure::invalid(format!("{what} is NULL")))?;
        Ok(CallbackReader { read, ctx })
    }
}

impl std::io::Read for CallbackReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::Error;
        // SAFETY: `buf` is valid for `buf.len()` bytes; the callback's contract is to write at
        // most that many.
        let n = unsafe { (self.read)(self.ctx, buf.as_mut_ptr(), buf.len()) };
        let len = buf.len();
        match usize::try_from(n) {
            Ok(n) if n <= len => Ok(n),
            Ok(n) => Err(Error::other(format!(
                "the read callback returned {n} for {len} bytes"
            ))),
            Err(_) => Err(Error::other("the read callback reported a failure")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interior_nul_is_cut() {
        assert_eq!(c_string("ab\0cd").as_bytes(), b"ab");
    }
}
