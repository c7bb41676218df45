//! Bodies streamed through a read callback: for languages (Go's `io.Reader`, PHP streams) whose
//! bodies are not files and should not be copied whole into one buffer. The library pulls the
//! bytes in chunks through [`nuvera_read_fn`]; memory does not grow with the body.

use std::ffi::{c_char, c_void};
use std::io::{self, Read};

use nuvera::multipart::canonicalize_wire_reader;
use nuvera::{body_hash_reader, multipart_body_hash_reader, Body};

use crate::boundary::{guard, opt_str, put_opt, put_string, req_out, req_str, Failure, FfiResult};
use crate::errors::{nuvera_error, nuvera_status};
use crate::signing::{nuvera_signed_request, nuvera_signer, sign};

/// Reads the next bytes of a body into `buf` (at most `cap` of them) and returns how many it
/// wrote: 0 at the end of the body, a negative number when reading failed (the call then fails
/// with `IO_ERROR`; the caller keeps its own reason). `ctx` is the caller's pointer, passed as
/// given. The library calls it from the calling thread only, never after the call returns.
pub type nuvera_read_fn =
    Option<unsafe extern "C" fn(ctx: *mut c_void, buf: *mut u8, cap: usize) -> i64>;

/// A `Read` over a C read callback.
struct CallbackReader {
    read: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> i64,
    ctx: *mut c_void,
}

impl CallbackReader {
    fn new(read: nuvera_read_fn, ctx: *mut c_void) -> FfiResult<Self> {
        let read = read.ok_or_else(|| Failure::invalid("read is NULL"))?;
        Ok(CallbackReader { read, ctx })
    }
}

impl Read for CallbackReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: by the API contract the callback writes at most `cap` bytes into `buf`.
        let n = unsafe { (self.read)(self.ctx, buf.as_mut_ptr(), buf.len()) };
        match usize::try_from(n) {
            Ok(n) if n <= buf.len() => Ok(n),
            Ok(n) => Err(io::Error::other(format!(
                "the read callback reported {n} bytes for a buffer of {}",
                buf.len()
            ))),
            Err(_) => Err(io::Error::other("the read callback reported a failure")),
        }
    }
}

/// SHA-256 (lowercase hex) of a body read through `read` to its end. `size` may be NULL; given,
/// it receives the byte count. Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_body_hash_reader(
    read: nuvera_read_fn,
    ctx: *mut c_void,
    out: *mut *mut c_char,
    size: *mut u64,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let (hash, len) = body_hash_reader(CallbackReader::new(read, ctx)?)?;
        put_opt(size, len);
        put_string(out, hash.as_str());
        Ok(())
    })
}

/// The `bodyHash` of an encoded multipart body sent with `content_type`, read through `read`
/// (streamed: file parts are hashed as they pass). Free `*out` with `nuvera_string_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_multipart_body_hash_reader(
    content_type: *const c_char,
    read: nuvera_read_fn,
    ctx: *mut c_void,
    out: *mut *mut c_char,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    guard(err, || {
        req_out(out, "out")?;
        let content_type = req_str(content_type, "content_type")?;
        let hash = multipart_body_hash_reader(content_type, CallbackReader::new(read, ctx)?)?;
        put_string(out, hash.as_str());
        Ok(())
    })
}

/// Signs a request whose body, sent as it is, is read through `read` to its end (streamed).
/// `iat` and `jti` as in `nuvera_signer_sign`. Free `*out` with `nuvera_signed_request_free`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signer_sign_reader(
    signer: *const nuvera_signer,
    method: *const c_char,
    url: *const c_char,
    read: nuvera_read_fn,
    ctx: *mut c_void,
    iat: *const u64,
    jti: *const c_char,
    out: *mut *mut nuvera_signed_request,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    sign(signer, method, url, iat, jti, out, err, |sign| {
        let mut reader = CallbackReader::new(read, ctx)?;
        sign(Body::Reader(&mut reader))
    })
}

/// Signs an encoded multipart body sent with `content_type`, read through `read` to its end
/// and hashed through its canonical object as it passes (streamed). `iat` and `jti` as in
/// `nuvera_signer_sign`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signer_sign_multipart_reader(
    signer: *const nuvera_signer,
    method: *const c_char,
    url: *const c_char,
    content_type: *const c_char,
    read: nuvera_read_fn,
    ctx: *mut c_void,
    iat: *const u64,
    jti: *const c_char,
    out: *mut *mut nuvera_signed_request,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    sign(signer, method, url, iat, jti, out, err, |sign| {
        let content_type = req_str(content_type, "content_type")?;
        let reader = CallbackReader::new(read, ctx)?;
        let canonical = canonicalize_wire_reader(content_type, reader)?;
        sign(Body::Canonical(canonical))
    })
}

/// Signs a body read through `read` (streamed) as it will be sent with `content_type` (NULL
/// when there is none): an encoded `multipart/form-data` body through its canonical object, any
/// other body byte for byte; the choice is the core's (`is_multipart_form_data`), as in
/// `nuvera_signer_sign_body`. `iat` and `jti` as in `nuvera_signer_sign`.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signer_sign_body_reader(
    signer: *const nuvera_signer,
    method: *const c_char,
    url: *const c_char,
    content_type: *const c_char,
    read: nuvera_read_fn,
    ctx: *mut c_void,
    iat: *const u64,
    jti: *const c_char,
    out: *mut *mut nuvera_signed_request,
    err: *mut *mut nuvera_error,
) -> nuvera_status {
    sign(signer, method, url, iat, jti, out, err, |sign| {
        let content_type = opt_str(content_type, "content_type")?;
        let mut reader = CallbackReader::new(read, ctx)?;
        match content_type {
            Some(content_type) if nuvera::is_multipart_form_data(content_type) => {
                let canonical = canonicalize_wire_reader(content_type, reader)?;
                sign(Body::Canonical(canonical))
            }
            _ => sign(Body::Reader(&mut reader)),
        }
    })
}
