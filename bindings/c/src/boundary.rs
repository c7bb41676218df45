//! The one boundary between C and Rust: every entry point runs inside [`guard`], which catches
//! panics (they become `INTERNAL_ERROR`, never an unwind into C) and turns failures into a status
//! and a `nuvera_error`. Arguments are read and results written only through the helpers here,
//! and every handle is owned the same way: a `Box` made by [`put_handle`], freed by
//! [`free_handle`].

use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use nuvera::ErrorCode;

use crate::errors::{nuvera_error, nuvera_status};

/// What a failed call reports before it becomes a `nuvera_error`.
pub(crate) struct Failure {
    pub(crate) status: nuvera_status,
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl Failure {
    /// An argument C gave that cannot be used at all (NULL, not UTF-8).
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Failure {
            status: nuvera_status::NUVERA_INVALID_ARGUMENT,
            code: ErrorCode::InvalidArgument,
            message: message.into(),
        }
    }
}

impl From<nuvera::Error> for Failure {
    fn from(e: nuvera::Error) -> Self {
        // A verifier's refusal travels as an error whose code is in the auth family.
        let status = match e.http_status() {
            Some(_) => nuvera_status::NUVERA_REFUSED,
            None => nuvera_status::NUVERA_ERROR,
        };
        Failure {
            status,
            code: e.code(),
            message: e.message().to_owned(),
        }
    }
}

impl From<nuvera::VerifyError> for Failure {
    fn from(e: nuvera::VerifyError) -> Self {
        nuvera::Error::from(e).into()
    }
}

pub(crate) type FfiResult<T = ()> = Result<T, Failure>;

/// A C string from a Rust string; an interior NUL (impossible for our messages and codes, but
/// possible in user data echoed back) is cut there rather than failing.
pub(crate) fn c_string(s: impl Into<Vec<u8>>) -> CString {
    let mut bytes = s.into();
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        bytes.truncate(nul);
    }
    CString::new(bytes).expect("NUL bytes were removed")
}

fn store_error(err: *mut *mut nuvera_error, failure: Failure) -> nuvera_status {
    let status = failure.status;
    if !err.is_null() {
        let boxed = Box::new(nuvera_error {
            status,
            code: c_string(failure.code.as_str()).into_raw(),
            message: c_string(failure.message).into_raw(),
            http_status: failure.code.http_status().unwrap_or(0),
        });
        // SAFETY: `err` is non-NULL and, by the API contract, writable.
        unsafe { *err = Box::into_raw(boxed) };
    }
    status
}

/// Runs one entry point: catches panics and turns failures into a status and an error.
pub(crate) fn guard(err: *mut *mut nuvera_error, f: impl FnOnce() -> FfiResult) -> nuvera_status {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => nuvera_status::NUVERA_OK,
        Ok(Err(failure)) => store_error(err, failure),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            store_error(
                err,
                Failure {
                    status: nuvera_status::NUVERA_INTERNAL_ERROR,
                    code: ErrorCode::InternalError,
                    message: format!("internal error in nuvera_signing (please report): {what}"),
                },
            )
        }
    }
}

/// Frees a handle made by [`put_handle`]; NULL is allowed. A panic in a destructor is swallowed:
/// a `_free` function has no way to report it and must not unwind into C.
pub(crate) unsafe fn free_handle<T>(handle: *mut T) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !handle.is_null() {
            drop(Box::from_raw(handle));
        }
    }));
}

/// A required NUL-terminated UTF-8 string.
pub(crate) unsafe fn req_str<'a>(p: *const c_char, what: &str) -> FfiResult<&'a str> {
    CStr::from_ptr(req_ptr(p, what)?)
        .to_str()
        .map_err(|_| Failure::invalid(format!("{what} is not valid UTF-8")))
}

/// An optional NUL-terminated UTF-8 string (NULL = absent).
pub(crate) unsafe fn opt_str<'a>(p: *const c_char, what: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        req_str(p, what).map(Some)
    }
}

/// Required NUL-terminated bytes (PEM text and passphrases need not be UTF-8).
pub(crate) unsafe fn req_c_bytes<'a>(p: *const c_char, what: &str) -> FfiResult<&'a [u8]> {
    Ok(CStr::from_ptr(req_ptr(p, what)?).to_bytes())
}

/// Optional NUL-terminated bytes (NULL = absent).
pub(crate) unsafe fn opt_c_bytes<'a>(p: *const c_char) -> Option<&'a [u8]> {
    (!p.is_null()).then(|| CStr::from_ptr(p).to_bytes())
}

fn req_ptr<T>(p: *const T, what: &str) -> FfiResult<*const T> {
    if p.is_null() {
        Err(Failure::invalid(format!("{what} is NULL")))
    } else {
        Ok(p)
    }
}

/// A file path: any bytes but NUL (paths need not be UTF-8 on Unix).
pub(crate) unsafe fn req_path(p: *const c_char, what: &str) -> FfiResult<PathBuf> {
    let bytes = CStr::from_ptr(req_ptr(p, what)?).to_bytes();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(bytes)
            .map(PathBuf::from)
            .map_err(|_| Failure::invalid(format!("{what} is not valid UTF-8")))
    }
}

/// An optional file path (NULL = absent).
pub(crate) unsafe fn opt_path(p: *const c_char, what: &str) -> FfiResult<Option<PathBuf>> {
    if p.is_null() {
        Ok(None)
    } else {
        req_path(p, what).map(Some)
    }
}

/// A `(ptr, len)` buffer; NULL is allowed only with `len == 0`.
pub(crate) unsafe fn req_bytes<'a, T>(p: *const T, len: usize, what: &str) -> FfiResult<&'a [T]> {
    if p.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Failure::invalid(format!(
            "{what} is NULL with a length of {len}"
        )));
    }
    Ok(std::slice::from_raw_parts(p, len))
}

/// An optional number given by pointer (NULL = absent).
pub(crate) unsafe fn opt_copy<T: Copy>(p: *const T) -> Option<T> {
    p.as_ref().copied()
}

/// A handle the call only reads.
pub(crate) unsafe fn req_ref<'a, T>(p: *const T, what: &str) -> FfiResult<&'a T> {
    p.as_ref()
        .ok_or_else(|| Failure::invalid(format!("{what} is NULL")))
}

/// A handle the call changes (the caller guarantees exclusive access).
pub(crate) unsafe fn req_mut<'a, T>(p: *mut T, what: &str) -> FfiResult<&'a mut T> {
    p.as_mut()
        .ok_or_else(|| Failure::invalid(format!("{what} is NULL")))
}

/// Checks an out-parameter before any work is done.
pub(crate) fn req_out<T>(p: *mut T, what: &str) -> FfiResult<()> {
    req_ptr(p.cast_const(), what).map(drop)
}

/// Writes a value to an out-parameter checked by [`req_out`] (or known not to be NULL).
pub(crate) unsafe fn put<T>(out: *mut T, value: T) {
    *out = value;
}

/// Writes to an optional out-parameter (NULL = the caller does not want it).
pub(crate) unsafe fn put_opt<T>(out: *mut T, value: T) {
    if !out.is_null() {
        *out = value;
    }
}

/// A new string for a `char **` out-parameter, freed by `nuvera_string_free`.
pub(crate) unsafe fn put_string(out: *mut *mut c_char, s: impl Into<Vec<u8>>) {
    put(out, c_string(s).into_raw());
}

/// A new buffer for a `uint8_t **` out-parameter, freed by `nuvera_bytes_free(ptr, len)`.
pub(crate) unsafe fn put_bytes(out: *mut *mut u8, out_len: *mut usize, bytes: Vec<u8>) {
    let bytes = bytes.into_boxed_slice();
    put(out_len, bytes.len());
    put(out, Box::into_raw(bytes).cast::<u8>());
}

/// A new handle for a `T **` out-parameter, freed by its `_free` through [`free_handle`].
pub(crate) unsafe fn put_handle<T>(out: *mut *mut T, value: T) {
    put(out, Box::into_raw(Box::new(value)));
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
        // SAFETY: `buf` is valid for `buf.len()` bytes; the callback's contract is to write at
        // most that many.
        let n = unsafe { (self.read)(self.ctx, buf.as_mut_ptr(), buf.len()) };
        match usize::try_from(n) {
            Ok(n) if n <= buf.len() => Ok(n),
            Ok(n) => Err(std::io::Error::other(format!(
                "the read callback returned {n} for a buffer of {}",
                buf.len()
            ))),
            Err(_) => Err(std::io::Error::other(
                "the read callback reported a failure",
            )),
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
