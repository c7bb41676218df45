//! Statuses, the error object, the core's list of codes as C sees it, and freeing what the
//! library returns.

use std::ffi::CString;
use std::ptr;

use nuvera::ErrorCode;

use crate::boundary::*;

/// Result of every call.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum nuvera_status {
    /// Success.
    NUVERA_OK = 0,
    /// The core refused the operation; the error's code is one of the library's stable codes
    /// (`INVALID_PRIVATE_KEY`, `INVALID_URL`, `MULTIPART_MALFORMED`, `IO_ERROR`, ...).
    NUVERA_ERROR = 1,
    /// A required pointer was NULL, a string was not UTF-8, or a length had no buffer; the
    /// error's code is `INVALID_ARGUMENT`.
    NUVERA_INVALID_ARGUMENT = 2,
    /// Verification refused the request; the error's code is an `AUTH_*` code and its
    /// `http_status` the status to answer with (401, or 403 for `AUTH_PERMISSION_DENIED`).
    NUVERA_REFUSED = 3,
    /// A bug inside the library (a Rust panic, caught at the boundary); the error's code is
    /// `INTERNAL_ERROR`. `NUVERA_PANIC` is kept as a name for the same value.
    NUVERA_INTERNAL_ERROR = 4,
}

/// An error. Free it with `nuvera_error_free`. Its strings never contain a key, API key or token.
#[repr(C)]
pub struct nuvera_error {
    /// The status the call returned.
    pub status: nuvera_status,
    /// Stable code from the core's one list, e.g. `INVALID_URL` or `AUTH_BODY_HASH_MISMATCH`
    /// (NUL-terminated; `nuvera_error_code_at` lists them all).
    pub code: *const c_char,
    /// Human message saying what to change (NUL-terminated).
    pub message: *const c_char,
    /// For `NUVERA_REFUSED`: the HTTP status to answer with. 0 otherwise.
    pub http_status: u16,
}

impl Drop for nuvera_error {
    fn drop(&mut self) {
        // SAFETY: the message comes from `CString::into_raw` (boundary's `Failure`); the code is
        // the core's, static.
        drop(unsafe { CString::from_raw(self.message.cast_mut()) });
    }
}

c_api! {
    /// Frees an error. NULL is allowed.
    free fn nuvera_error_free(err: *mut nuvera_error);
}

/// Frees a string returned through a `char **` out-parameter. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_string_free(s: *mut c_char) {
    if !s.is_null() {
        no_unwind((), || drop(CString::from_raw(s)));
    }
}

/// Frees a buffer returned through a `uint8_t **` out-parameter, with the length returned beside
/// it. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_bytes_free(ptr: *mut u8, len: usize) {
    free_handle(ptr::slice_from_raw_parts_mut(ptr, len));
}

/// The library version, e.g. `"0.1.0"` (static string, do not free).
#[no_mangle]
pub extern "C" fn nuvera_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// How many error codes the library can report (the core's one list).
#[no_mangle]
pub extern "C" fn nuvera_error_code_count() -> usize {
    ErrorCode::ALL.len()
}

/// The `index`-th error code (`0 <= index < nuvera_error_code_count()`), e.g. `"INVALID_URL"`;
/// NULL past the end. Static string, do not free.
#[no_mangle]
pub extern "C" fn nuvera_error_code_at(index: usize) -> *const c_char {
    no_unwind(ptr::null(), || {
        let code = ErrorCode::ALL.get(index);
        code.map_or(ptr::null(), |c| static_c_str(c.as_str()))
    })
}

/// The family of a code (`"key"`, `"request"`, `"multipart"`, `"io"`, `"registry"`, `"auth"`,
/// `"client"`, `"remote"`, `"internal"`), or NULL for a string that is not a code. Static
/// string, do not free.
#[no_mangle]
pub unsafe extern "C" fn nuvera_error_code_family(code: *const c_char) -> *const c_char {
    let code = <Option<&str>>::from_c(code, "code").unwrap_or(None);
    no_unwind(ptr::null(), || {
        let code = code.and_then(ErrorCode::from_code_str);
        code.map_or(ptr::null(), |c| static_c_str(c.family().as_str()))
    })
}
