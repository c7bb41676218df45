//! C ABI of `nuvera-signing`: thin glue over the core, nothing is canonicalized or signed here.
//!
//! Conventions (repeated in `include/nuvera_signing.h` and `bindings/c/README.md`):
//!
//! - Every function returns a [`nuvera_status`]; `NUVERA_OK` (0) is success.
//! - Every function takes a last `nuvera_error **err` argument, which may be NULL. On failure, when
//!   `err` is not NULL, `*err` receives a new error (code, message, HTTP status for verification
//!   refusals) that the caller frees with `nuvera_error_free`. On success `*err` is left untouched.
//! - Objects are opaque handles created by `nuvera_*_new`/`_from_*` and freed by their `_free`.
//!   `char **`/`uint8_t **` out-parameters receive new allocations (free them with
//!   `nuvera_string_free`/`nuvera_bytes_free`); `const char **` out-parameters receive strings
//!   owned by the handle, valid until the handle is freed.
//! - NULL where a value is required, and strings that are not UTF-8, are errors
//!   (`NUVERA_INVALID_ARGUMENT`), never crashes. Panics are caught at every entry point and
//!   reported as `NUVERA_PANIC`.
//!
//! Safety contract of every function: pointers are NULL or valid for the access they describe
//! (NUL-terminated strings, `(ptr, len)` buffers readable for `len` bytes), handles come from this
//! library and are not used after their `_free`. A handle may be shared between threads for the
//! functions that take it as `const`; functions that take it non-`const` need exclusive access.
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::ptr;
use std::sync::{Arc, OnceLock};

use nuvera::{
    Body, BodyHash, CanonicalForm, MultipartForm, PrivateKey, ReceivedRequest, Registry,
    SignOverrides, SignedRequest, Signer, SignerOptions, Verifier,
};

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
    /// A bug inside the library (a Rust panic, caught); the error's code is `INTERNAL_PANIC`.
    NUVERA_PANIC = 4,
}

use nuvera_status::*;

/// An error. Free it with `nuvera_error_free`. Its strings never contain a key, API key or token.
#[repr(C)]
pub struct nuvera_error {
    /// The status the call returned.
    pub status: nuvera_status,
    /// Stable code, e.g. `INVALID_URL` or `AUTH_BODY_HASH_MISMATCH` (NUL-terminated).
    pub code: *const c_char,
    /// Human message saying what to change (NUL-terminated).
    pub message: *const c_char,
    /// For `NUVERA_REFUSED`: the HTTP status to answer with. 0 otherwise.
    pub http_status: u16,
}

/// A parsed RSA private key.
pub struct nuvera_private_key(Arc<PrivateKey>);

/// A signer: private key, API key and token lifetime. Thread-safe.
pub struct nuvera_signer(Signer);

/// A multipart/form-data body described by fields and files.
pub struct nuvera_multipart_form {
    form: MultipartForm,
    /// The canonical object of the last encoding, while no part was added since: signing then
    /// uses exactly what was encoded (one pass over the files).
    encoded: Option<CanonicalForm>,
}

/// The result of signing: token, header values, claims and proof.
pub struct nuvera_signed_request {
    signed: SignedRequest,
    token: CString,
    api_key: OnceLock<CString>,
    authorization: OnceLock<CString>,
    claims_json: OnceLock<CString>,
    proof_json: OnceLock<CString>,
}

/// The server side: a registry of applications, a replay cache and the system clock.
pub struct nuvera_verifier(Verifier);

/// What a failed call reports before it becomes a `nuvera_error`.
struct Failure {
    status: nuvera_status,
    code: String,
    message: String,
    http_status: u16,
}

impl Failure {
    fn invalid(message: impl Into<String>) -> Self {
        Failure {
            status: NUVERA_INVALID_ARGUMENT,
            code: "INVALID_ARGUMENT".to_owned(),
            message: message.into(),
            http_status: 0,
        }
    }
}

impl From<nuvera::Error> for Failure {
    fn from(e: nuvera::Error) -> Self {
        Failure {
            status: NUVERA_ERROR,
            code: e.code().as_str().to_owned(),
            message: e.message().to_owned(),
            http_status: 0,
        }
    }
}

impl From<nuvera::VerifyError> for Failure {
    fn from(e: nuvera::VerifyError) -> Self {
        Failure {
            status: NUVERA_REFUSED,
            code: e.code().as_str().to_owned(),
            message: e.message().to_owned(),
            http_status: e.http_status(),
        }
    }
}

type FfiResult<T = ()> = Result<T, Failure>;

/// A C string from a Rust string; an interior NUL (impossible for our messages and codes, but
/// possible in user data echoed back) is cut there rather than failing.
fn c_string(s: impl Into<Vec<u8>>) -> CString {
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
            code: c_string(failure.code).into_raw(),
            message: c_string(failure.message).into_raw(),
            http_status: failure.http_status,
        });
        // SAFETY: `err` is non-NULL and, by the API contract, writable.
        unsafe { *err = Box::into_raw(boxed) };
    }
    status
}

/// Runs one entry point: catches panics and turns failures into a status and an error.
fn guard(err: *mut *mut nuvera_error, f: impl FnOnce() -> FfiResult) -> nuvera_status {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => NUVERA_OK,
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
                    status: NUVERA_PANIC,
                    code: "INTERNAL_PANIC".to_owned(),
                    message: format!("internal error in nuvera_signing (please report): {what}"),
                    http_status: 0,
                },
            )
        }
    }
}

/// A required NUL-terminated UTF-8 string.
unsafe fn req_str<'a>(p: *const c_char, what: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(Failure::invalid(format!("{what} is NULL")));
    }
    CStr::from_ptr(p)
        .to_str()
        .map_err(|_| Failure::invalid(format!("{what} is not valid UTF-8")))
}

/// An optional NUL-terminated UTF-8 string (NULL = absent).
unsafe fn opt_str<'a>(p: *const c_char, what: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        req_str(p, what).map(Some)
    }
}

/// A file path: any bytes but NUL (paths need not be UTF-8 on Unix).
unsafe fn req_path(p: *const c_char, what: &str) -> FfiResult<PathBuf> {
    if p.is_null() {
        return Err(Failure::invalid(format!("{what} is NULL")));
    }
    let bytes = CStr::from_ptr(p).to_bytes();
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

/// A `(ptr, len)` buffer; NULL is allowed only with `len == 0`.
unsafe fn req_bytes<'a>(p: *const u8, len: usize, what: &str) -> FfiResult<&'a [u8]> {
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

unsafe fn req_ref<'a, T>(p: *const T, what: &str) -> FfiResult<&'a T> {
    p.as_ref()
        .ok_or_else(|| Failure::invalid(format!("{what} is NULL")))
}

unsafe fn req_mut<'a, T>(p: *mut T, what: &str) -> FfiResult<&'a mut T> {
    p.as_mut()
        .ok_or_else(|| Failure::invalid(format!("{what} is NULL")))
}

/// Checks an out-parameter before any work is done.
fn req_out<T>(p: *mut T, what: &str) -> FfiResult<()> {
    if p.is_null() {
        Err(Failure::invalid(format!("{what} is NULL")))
    } else {
        Ok(())
    }
}

unsafe fn put<T>(out: *mut T, value: T) {
    *out = value;
}

unsafe fn put_string(out: *mut *mut c_char, s: impl Into<Vec<u8>>) {
    put(out, c_string(s).into_raw());
}

unsafe fn put_handle<T>(out: *mut *mut T, value: T) {
    put(out, Box::into_raw(Box::new(value)));
}

// ---------------------------------------------------------------------------------------------
// Memory

/// Frees an error. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_error_free(err: *mut nuvera_error) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !err.is_null() {
            let err = Box::from_raw(err);
            if !err.code.is_null() {
                drop(CString::from_raw(err.code as *mut c_char));
            }
            if !err.message.is_null() {
                drop(CString::from_raw(err.message as *mut c_char));
            }
        }
    }));
}

/// Frees a string returned through a `char **` out-parameter. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_string_free(s: *mut c_char) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !s.is_null() {
            drop(CString::from_raw(s));
        }
    }));
}

/// Frees a buffer returned through a `uint8_t **` out-parameter, with the length returned beside
/// it. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_bytes_free(ptr: *mut u8, len: usize) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !ptr.is_null() {
            drop(Box::from_raw(ptr::slice_from_raw_parts_mut(ptr, len)));
        }
    }));
}

/// The library version, e.g. `"0.1.0"` (static string, do not free).
#[no_mangle]
pub extern "C" fn nuvera_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

// ---------------------------------------------------------------------------------------------
// Keys

/// Parses a PEM private key (PKCS#8, PKCS#1 or encrypted PKCS#8; literal `\n` line breaks are
/// accepted). `passphrase` may be NULL; it is needed for an `ENCRYPTED PRIVATE KEY`.
/// Free the key with `nuvera_private_key_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_private_key_from_pem(
    pem: *const c_char,
    passphrase: *const c_char,
    out: *mut *mut nuvera_private_key,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        if pem.is_null() {
            return Err(Failure::invalid("pem is NULL"));
        }
        let pem = CStr::from_ptr(pem).to_bytes();
        let passphrase = (!passphrase.is_null()).then(|| CStr::from_ptr(passphrase).to_bytes());
        let key = PrivateKey::from_pem(pem, passphrase)?;
        put_handle(out, nuvera_private_key(Arc::new(key)));
        Ok(())
    })
}

/// Reads and parses a PEM private key file. `passphrase` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn nuvera_private_key_from_file(
    path: *const c_char,
    passphrase: *const c_char,
    out: *mut *mut nuvera_private_key,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let path = req_path(path, "path")?;
        let passphrase = (!passphrase.is_null()).then(|| CStr::from_ptr(passphrase).to_bytes());
        let key = PrivateKey::from_file(path, passphrase)?;
        put_handle(out, nuvera_private_key(Arc::new(key)));
        Ok(())
    })
}

/// The public half as SPKI PEM (what a partner registers). Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_private_key_public_pem(
    key: *const nuvera_private_key,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let key = req_ref(key, "key")?;
        put_string(out, key.0.public_key().to_pem());
        Ok(())
    })
}

/// The public key's fingerprint. Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_private_key_fingerprint(
    key: *const nuvera_private_key,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let key = req_ref(key, "key")?;
        put_string(out, key.0.fingerprint());
        Ok(())
    })
}

/// The modulus size in bits.
#[no_mangle]
pub unsafe extern "C" fn nuvera_private_key_bits(
    key: *const nuvera_private_key,
    out: *mut usize,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let key = req_ref(key, "key")?;
        put(out, key.0.bits());
        Ok(())
    })
}

/// Frees a key. NULL is allowed. Signers made from it keep their own reference.
#[no_mangle]
pub unsafe extern "C" fn nuvera_private_key_free(key: *mut nuvera_private_key) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !key.is_null() {
            drop(Box::from_raw(key));
        }
    }));
}

// ---------------------------------------------------------------------------------------------
// Signer

/// A signer for `api_key` with `key`. `lifetime_secs` is the token lifetime, 1..=60; 0 means the
/// default (55). The signer keeps its own reference to the key: the key handle may be freed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signer_new(
    key: *const nuvera_private_key,
    api_key: *const c_char,
    lifetime_secs: u32,
    out: *mut *mut nuvera_signer,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let key = req_ref(key, "key")?;
        let api_key = req_str(api_key, "api_key")?;
        let mut options = SignerOptions::default();
        if lifetime_secs != 0 {
            options.lifetime_secs = lifetime_secs;
        }
        let signer = Signer::with_options(key.0.clone(), api_key, options)?;
        put_handle(out, nuvera_signer(signer));
        Ok(())
    })
}

/// Frees a signer. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signer_free(signer: *mut nuvera_signer) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !signer.is_null() {
            drop(Box::from_raw(signer));
        }
    }));
}

unsafe fn overrides(iat: *const u64, jti: *const c_char) -> FfiResult<SignOverrides> {
    Ok(SignOverrides {
        iat: iat.as_ref().copied(),
        jti: opt_str(jti, "jti")?.map(str::to_owned),
    })
}

fn signed_handle(signed: SignedRequest) -> nuvera_signed_request {
    nuvera_signed_request {
        token: c_string(signed.token()),
        signed,
        api_key: OnceLock::new(),
        authorization: OnceLock::new(),
        claims_json: OnceLock::new(),
        proof_json: OnceLock::new(),
    }
}

/// Signs a request. `url` is an absolute URL or a target starting with `/`; `body`/`body_len`
/// are the exact bytes that will be sent (NULL with 0 for no body). `iat` (pointer to a Unix
/// time) and `jti` may be NULL; given, they replace the clock and the random token id (to
/// reproduce a token). Free `*out` with `nuvera_signed_request_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signer_sign(
    signer: *const nuvera_signer,
    method: *const c_char,
    url: *const c_char,
    body: *const u8,
    body_len: usize,
    iat: *const u64,
    jti: *const c_char,
    out: *mut *mut nuvera_signed_request,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let signer = req_ref(signer, "signer")?;
        let method = req_str(method, "method")?;
        let url = req_str(url, "url")?;
        let body = req_bytes(body, body_len, "body")?;
        let overrides = overrides(iat, jti)?;
        let signed = signer
            .0
            .sign_with(method, url, Body::Bytes(body), &overrides)?;
        put_handle(out, signed_handle(signed));
        Ok(())
    })
}

/// Signs a multipart request described by `form`. If the form was encoded
/// (`nuvera_multipart_form_encode*`) and not changed since, the signature covers exactly the
/// encoded bytes (no second read of its files); otherwise the form is hashed now.
/// `iat` and `jti` as in `nuvera_signer_sign`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signer_sign_multipart(
    signer: *const nuvera_signer,
    method: *const c_char,
    url: *const c_char,
    form: *mut nuvera_multipart_form,
    iat: *const u64,
    jti: *const c_char,
    out: *mut *mut nuvera_signed_request,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let signer = req_ref(signer, "signer")?;
        let method = req_str(method, "method")?;
        let url = req_str(url, "url")?;
        let form = req_mut(form, "form")?;
        let overrides = overrides(iat, jti)?;
        let body = match &form.encoded {
            Some(canonical) => Body::Canonical(canonical.clone()),
            None => Body::Multipart(&mut form.form),
        };
        let signed = signer.0.sign_with(method, url, body, &overrides)?;
        put_handle(out, signed_handle(signed));
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Signed request

unsafe fn borrowed(
    request: *const nuvera_signed_request,
    out: *mut *const c_char,
    err: *mut *mut nuvera_error,
    pick: impl FnOnce(&nuvera_signed_request) -> &CString,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let request = req_ref(request, "request")?;
        put(out, pick(request).as_ptr());
        Ok(())
    })
}

/// The compact JWT. `*out` belongs to `request` (valid until `nuvera_signed_request_free`).
#[no_mangle]
pub unsafe extern "C" fn nuvera_signed_request_token(
    request: *const nuvera_signed_request,
    out: *mut *const c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    borrowed(request, out, err, |r| &r.token)
}

/// The `Authorization` header value, `Bearer <token>`. `*out` belongs to `request`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signed_request_authorization(
    request: *const nuvera_signed_request,
    out: *mut *const c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    borrowed(request, out, err, |r| {
        r.authorization
            .get_or_init(|| c_string(r.signed.authorization()))
    })
}

/// The `x-api-key` header value. `*out` belongs to `request`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signed_request_api_key(
    request: *const nuvera_signed_request,
    out: *mut *const c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    borrowed(request, out, err, |r| {
        r.api_key.get_or_init(|| c_string(r.signed.api_key()))
    })
}

/// The signed claims as compact JSON (as in the token; `sub` is the API key: do not log it).
/// `*out` belongs to `request`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signed_request_claims_json(
    request: *const nuvera_signed_request,
    out: *mut *const c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    borrowed(request, out, err, |r| {
        r.claims_json
            .get_or_init(|| c_string(r.signed.claims().to_json()))
    })
}

/// The proof artifact as pretty JSON: what was signed, with no secret in it.
/// `*out` belongs to `request`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signed_request_proof_json(
    request: *const nuvera_signed_request,
    out: *mut *const c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    borrowed(request, out, err, |r| {
        r.proof_json
            .get_or_init(|| c_string(r.signed.proof().to_json_pretty()))
    })
}

/// Frees a signed request and the strings its accessors returned. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signed_request_free(request: *mut nuvera_signed_request) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !request.is_null() {
            drop(Box::from_raw(request));
        }
    }));
}

// ---------------------------------------------------------------------------------------------
// Multipart form

/// An empty form with a fresh random boundary. Free it with `nuvera_multipart_form_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_new(
    out: *mut *mut nuvera_multipart_form,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        put_handle(
            out,
            nuvera_multipart_form {
                form: MultipartForm::new(),
                encoded: None,
            },
        );
        Ok(())
    })
}

/// An empty form with a chosen boundary (1 to 70 RFC 2046 characters), for reproducible bodies.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_new_with_boundary(
    boundary: *const c_char,
    out: *mut *mut nuvera_multipart_form,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let boundary = req_str(boundary, "boundary")?;
        let form = MultipartForm::with_boundary(boundary)?;
        put_handle(
            out,
            nuvera_multipart_form {
                form,
                encoded: None,
            },
        );
        Ok(())
    })
}

/// Adds a text field. Repeated names are kept as separate fields.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_add_field(
    form: *mut nuvera_multipart_form,
    name: *const c_char,
    value: *const c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        let form = req_mut(form, "form")?;
        let name = req_str(name, "name")?;
        let value = req_str(value, "value")?;
        form.form.add_field(name, value)?;
        form.encoded = None;
        Ok(())
    })
}

/// Adds a file by path; it is read whenever the form is hashed or encoded (a missing file is
/// reported then, as `IO_ERROR`). `file_name` may be NULL (the path's last component);
/// `mime_type` may be NULL (`application/octet-stream`).
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_add_file_path(
    form: *mut nuvera_multipart_form,
    field_name: *const c_char,
    path: *const c_char,
    file_name: *const c_char,
    mime_type: *const c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        let form = req_mut(form, "form")?;
        let field_name = req_str(field_name, "field_name")?;
        let path = req_path(path, "path")?;
        let file_name = opt_str(file_name, "file_name")?;
        let mime_type = opt_str(mime_type, "mime_type")?;
        form.form
            .add_file_path(field_name, path, file_name, mime_type)?;
        form.encoded = None;
        Ok(())
    })
}

/// Adds a file from memory (the bytes are copied). `mime_type` may be NULL
/// (`application/octet-stream`).
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_add_file_bytes(
    form: *mut nuvera_multipart_form,
    field_name: *const c_char,
    file_name: *const c_char,
    bytes: *const u8,
    len: usize,
    mime_type: *const c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        let form = req_mut(form, "form")?;
        let field_name = req_str(field_name, "field_name")?;
        let file_name = req_str(file_name, "file_name")?;
        let bytes = req_bytes(bytes, len, "bytes")?;
        let mime_type = opt_str(mime_type, "mime_type")?;
        form.form
            .add_file_bytes(field_name, file_name, bytes.to_vec(), mime_type)?;
        form.encoded = None;
        Ok(())
    })
}

/// `multipart/form-data; boundary=...`, the Content-Type to send with the encoded body.
/// Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_content_type(
    form: *const nuvera_multipart_form,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let form = req_ref(form, "form")?;
        put_string(out, form.form.content_type());
        Ok(())
    })
}

/// Encodes the whole body in memory. Free `*out` with `nuvera_bytes_free(*out, *out_len)`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_encode(
    form: *mut nuvera_multipart_form,
    out: *mut *mut u8,
    out_len: *mut usize,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        req_out(out_len, "out_len")?;
        let form = req_mut(form, "form")?;
        form.encoded = None;
        let (bytes, canonical) = form.form.to_bytes()?;
        form.encoded = Some(canonical);
        let bytes = bytes.into_boxed_slice();
        put(out_len, bytes.len());
        put(out, Box::into_raw(bytes).cast::<u8>());
        Ok(())
    })
}

/// Encodes the body into a file (created or truncated), streaming file parts.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_encode_to_file(
    form: *mut nuvera_multipart_form,
    path: *const c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        let form = req_mut(form, "form")?;
        let path = req_path(path, "path")?;
        form.encoded = None;
        let io = |e: std::io::Error| Failure {
            status: NUVERA_ERROR,
            code: nuvera::ErrorCode::IoError.as_str().to_owned(),
            message: format!("cannot write {}: {e}", path.display()),
            http_status: 0,
        };
        let file = std::fs::File::create(&path).map_err(io)?;
        let mut writer = std::io::BufWriter::new(file);
        let canonical = form.form.write_to(&mut writer)?;
        use std::io::Write;
        writer.flush().map_err(io)?;
        form.encoded = Some(canonical);
        Ok(())
    })
}

/// The form's `bodyHash` (64 lowercase hex digits): of the last encoding if the form was encoded
/// and not changed since, else computed now. Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_body_hash(
    form: *mut nuvera_multipart_form,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let form = req_mut(form, "form")?;
        let hash = match &form.encoded {
            Some(canonical) => canonical.body_hash(),
            None => form.form.body_hash()?,
        };
        put_string(out, hash.as_str());
        Ok(())
    })
}

/// The form's canonical object (contract §5) as compact JSON. Free `*out` with
/// `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_canonical_json(
    form: *mut nuvera_multipart_form,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let form = req_mut(form, "form")?;
        let canonical = match &form.encoded {
            Some(canonical) => canonical.clone(),
            None => form.form.canonical()?,
        };
        put_string(out, canonical.to_json());
        Ok(())
    })
}

/// Frees a form. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_form_free(form: *mut nuvera_multipart_form) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !form.is_null() {
            drop(Box::from_raw(form));
        }
    }));
}

// ---------------------------------------------------------------------------------------------
// Hashes and URIs

/// SHA-256 (lowercase hex) of a plain body. `body` may be NULL with `len` 0.
/// Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_body_hash(
    body: *const u8,
    len: usize,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let body = req_bytes(body, len, "body")?;
        put_string(out, nuvera::body_hash(body).as_str());
        Ok(())
    })
}

/// SHA-256 (lowercase hex) of a file, streamed. `size` may be NULL; given, it receives the byte
/// count. Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_body_hash_file(
    path: *const c_char,
    out: *mut *mut c_char,
    size: *mut u64,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let path = req_path(path, "path")?;
        let (hash, n) = nuvera::body_hash_file(path)?;
        if !size.is_null() {
            put(size, n);
        }
        put_string(out, hash.as_str());
        Ok(())
    })
}

/// The `bodyHash` of an encoded multipart body sent with `content_type`
/// (`multipart/form-data; boundary=...`). Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_body_hash(
    content_type: *const c_char,
    body: *const u8,
    len: usize,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let content_type = req_str(content_type, "content_type")?;
        let body = req_bytes(body, len, "body")?;
        let hash = nuvera::multipart_body_hash(content_type, body)?;
        put_string(out, hash.as_str());
        Ok(())
    })
}

/// The canonical object (contract §5, compact JSON) of an encoded multipart body.
/// Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_canonical_json(
    content_type: *const c_char,
    body: *const u8,
    len: usize,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let content_type = req_str(content_type, "content_type")?;
        let body = req_bytes(body, len, "body")?;
        let canonical = nuvera::multipart::canonicalize_wire(content_type, body)?;
        put_string(out, canonical.to_json());
        Ok(())
    })
}

/// The `uri` claim of a URL or request target (WHATWG `pathname + search`).
/// Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_request_uri(
    url: *const c_char,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let url = req_str(url, "url")?;
        put_string(out, nuvera::request_uri(url)?);
        Ok(())
    })
}

/// The URL an HTTP client should send so the server receives exactly the signed target
/// (normalized, fragment removed). Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_sendable_url(
    url: *const c_char,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let url = req_str(url, "url")?;
        put_string(out, nuvera::sendable_url(url)?);
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Verifier

/// A verifier over a registry file (JSON, or TOML when the name ends in `.toml`), with the system
/// clock, default skew (5 s) and an in-memory replay cache. Free it with `nuvera_verifier_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_verifier_from_registry_file(
    path: *const c_char,
    out: *mut *mut nuvera_verifier,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let path = req_path(path, "path")?;
        let registry = Registry::from_file(path)?;
        put_handle(out, nuvera_verifier(Verifier::new(registry)));
        Ok(())
    })
}

/// The `bodyHash` a server computes from a received body: through the multipart canonical
/// object when `content_type` is `multipart/form-data`, of the raw bytes otherwise (or when
/// `content_type` is NULL). Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_received_body_hash(
    content_type: *const c_char,
    body: *const u8,
    len: usize,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let content_type = opt_str(content_type, "content_type")?;
        let body = req_bytes(body, len, "body")?;
        let hash = nuvera::received_body_hash(content_type, body)?;
        put_string(out, hash.as_str());
        Ok(())
    })
}

/// Verifies a received request (contract §6). `method` and `target` are as received (the
/// request line), `api_key` and `authorization` the header values or NULL when absent,
/// `body_hash` the received body's hash (`nuvera_received_body_hash`). Returns `NUVERA_OK`, or
/// `NUVERA_REFUSED` with the `AUTH_*` code and HTTP status in the error. `application` may be
/// NULL; given, on success it receives the application's name (free with `nuvera_string_free`).
#[no_mangle]
pub unsafe extern "C" fn nuvera_verifier_verify(
    verifier: *const nuvera_verifier,
    method: *const c_char,
    target: *const c_char,
    api_key: *const c_char,
    authorization: *const c_char,
    body_hash: *const c_char,
    application: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        let verifier = req_ref(verifier, "verifier")?;
        let method = req_str(method, "method")?;
        let target = req_str(target, "target")?;
        let api_key = opt_str(api_key, "api_key")?;
        let authorization = opt_str(authorization, "authorization")?;
        let body_hash = BodyHash::parse(req_str(body_hash, "body_hash")?)?;
        let request = ReceivedRequest {
            method,
            target,
            api_key,
            authorization,
            body_hash: &body_hash,
        };
        let verified = verifier.0.verify(&request)?;
        if !application.is_null() {
            put_string(application, verified.application);
        }
        Ok(())
    })
}

/// Frees a verifier. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn nuvera_verifier_free(verifier: *mut nuvera_verifier) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if !verifier.is_null() {
            drop(Box::from_raw(verifier));
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_panic_becomes_a_status_and_an_error() {
        let mut err = ptr::null_mut();
        let status = guard(&mut err, || panic!("boom"));
        assert_eq!(status, NUVERA_PANIC);
        let (status, code, message) = unsafe { take(err) };
        assert_eq!((status, code.as_str()), (NUVERA_PANIC, "INTERNAL_PANIC"));
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

    #[test]
    fn interior_nul_is_cut() {
        assert_eq!(c_string("ab\0cd").as_bytes(), b"ab");
    }
}
