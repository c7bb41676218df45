//! C ABI of `nuvera-signing`: thin glue over the core, nothing is canonicalized, signed or
//! decided here. One module per domain; `boundary` holds the `c_api!` macro every entry point is
//! declared with, the one panic boundary, and the argument reader and result writer. The
//! conventions every function follows are stated once, in the header's preamble (`cbindgen.toml`).
//!
//! Safety contract of every function: pointers are NULL or valid for the access they describe
//! (NUL-terminated strings, `(ptr, len)` buffers readable for `len` bytes), handles come from this
//! library and are not used after their `_free`.
#![allow(
    non_camel_case_types,
    clippy::missing_safety_doc,
    clippy::too_many_arguments
)]

mod boundary;
pub mod client;
pub mod errors;
pub mod explain;
pub mod keys;
pub mod multipart;
pub mod remote;
pub mod signing;
pub mod verify;

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr;

    use crate::boundary::guard;
    use crate::errors::nuvera_status::*;
    use crate::errors::*;
    use crate::signing::nuvera_request_uri;

    unsafe fn take(err: *mut nuvera_error) -> (nuvera_status, String, String) {
        let e = &*err;
        let out = (
            e.status,
            CStr::from_ptr(e.code).to_str().unwrap().to_owned(),
            CStr::from_ptr(e.message).to_str().unwrap().to_owned(),
        );
        nuvera_error_free(err);
        out
    }

    #[test]
    fn a_panic_becomes_internal_error() {
        let mut err = ptr::null_mut();
        let status = guard::<()>(&mut err, || panic!("boom"));
        assert_eq!(status, NUVERA_INTERNAL_ERROR);
        let (status, code, message) = unsafe { take(err) };
        assert_eq!(
            (status, code.as_str()),
            (NUVERA_INTERNAL_ERROR, "INTERNAL_ERROR")
        );
        assert!(message.contains("boom"), "{message}");
    }

    #[test]
    fn errors_go_nowhere_when_err_is_null() {
        let status = unsafe { nuvera_request_uri(ptr::null(), ptr::null_mut(), ptr::null_mut()) };
        assert_eq!(status, NUVERA_INVALID_ARGUMENT);
    }

    #[test]
    fn core_errors_keep_their_code() {
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        let url = c"ftp://example.com/x";
        let status = unsafe { nuvera_request_uri(url.as_ptr(), &mut out, &mut err) };
        assert_eq!(status, NUVERA_ERROR);
        assert!(out.is_null());
        let (_, code, _) = unsafe { take(err) };
        assert_eq!(code, "INVALID_URL");
    }

    /// C's unsigned times reach the core as its signed seconds; one past `i64::MAX` is refused.
    #[test]
    fn a_time_past_i64_max_is_invalid_argument() {
        let (now, mut out, mut err) = (u64::MAX, ptr::null_mut(), ptr::null_mut());
        let (null, null_bytes) = (ptr::null(), ptr::null());
        let status = unsafe {
            crate::explain::nuvera_support_bundle(
                c"GET".as_ptr(),
                c"https://api.nuvera.test/x".as_ptr(),
                ptr::null(),
                0,
                null,
                null,
                null_bytes,
                0,
                c"a.b.c".as_ptr(),
                401,
                null_bytes,
                0,
                null,
                null,
                &now,
                &mut out,
                &mut err,
            )
        };
        assert_eq!(status, NUVERA_INVALID_ARGUMENT);
        assert!(out.is_null());
        let (_, code, message) = unsafe { take(err) };
        assert_eq!(code, "INVALID_ARGUMENT");
        assert!(message.contains("now"), "{message}");
    }

    /// The list C reports is the one in testdata/error-codes.json, in order, with its families.
    #[test]
    fn the_code_list_is_the_cores() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/error-codes.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let want: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        let got: Vec<(String, String)> = (0..nuvera_error_code_count())
            .map(|i| unsafe {
                let code = CStr::from_ptr(nuvera_error_code_at(i));
                let family = CStr::from_ptr(nuvera_error_code_family(code.as_ptr()));
                (
                    code.to_str().unwrap().to_owned(),
                    family.to_str().unwrap().to_owned(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = want
            .iter()
            .map(|c| {
                (
                    c["code"].as_str().unwrap().to_owned(),
                    c["family"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(got, want);
        assert!(nuvera_error_code_at(want.len()).is_null());
        assert!(unsafe { nuvera_error_code_family(c"INTERNAL_PANIC".as_ptr()) }.is_null());
    }
}
