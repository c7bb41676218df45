//! Signers, the ways to give a body to sign, signed requests, and the pieces of a signature
//! (the `uri` claim, body hashes).

use std::ffi::CString;
use std::ptr::null;
use std::sync::OnceLock;

use nuvera::multipart::canonicalize_wire_reader;
use nuvera::{Body, BodyHash, SignOverrides, SignedRequest, Signer, SignerOptions};

use crate::boundary::*;
use crate::keys::nuvera_private_key;
use crate::multipart::nuvera_multipart_form;

/// A signer: private key, API key and token lifetime. Thread-safe.
pub struct nuvera_signer(pub(crate) Signer);

/// The result of signing: token, header values, claims and proof.
pub struct nuvera_signed_request {
    signed: SignedRequest,
    /// The strings its accessors lend C, each made on first use, one slot per accessor.
    strings: [OnceLock<CString>; 5],
}

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
    nuvera_signer_new_with_options(key, api_key, lifetime_secs, null(), null(), out, err)
}

c_api! {
    /// A signer for `api_key` with `key` and every signing option: `lifetime_secs` as in
    /// `nuvera_signer_new` (0: the default, 55), the token's `iss` `issuer` and `aud` `audience` (NULL:
    /// the contract's defaults, `nuvera-api` and `nuvera-rest-api`). An invalid option fails with its
    /// code (`INVALID_LIFETIME`; `INVALID_CLAIM` for an empty issuer or audience). Free it with `nuvera_signer_free`.
    fn nuvera_signer_new_with_options(
        key: *const nuvera_private_key as &_,
        api_key: *const c_char as &str,
        lifetime_secs: u32 as Option<i64>,
        issuer: *const c_char as Option<&str>,
        audience: *const c_char as Option<&str>,
    ) -> *mut nuvera_signer {
        let options = SignerOptions::from_optional(lifetime_secs, issuer, audience)?;
        nuvera_signer(Signer::with_options(key.0.clone(), api_key, options)?)
    }

    /// Frees a signer. NULL is allowed.
    free fn nuvera_signer_free(signer: *mut nuvera_signer);
}

/// Declares the signing calls: each takes `signer`, `method`, `url`, then its own arguments, from
/// which its block makes the [`Body`] to sign, then `iat`, `jti` (as in `nuvera_signer_sign`) and
/// `out`, a new `nuvera_signed_request`.
macro_rules! signing_calls {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($($arg:ident: $ty:ty $(as $rust:ty)?),* $(,)?) $body:block
    )*) => {$(
        c_api! {
            $(#[doc = $doc])*
            fn $name(
                signer: *const nuvera_signer as &_,
                method: *const c_char as &str,
                url: *const c_char as &str,
                $($arg: $ty $(as $rust)?,)*
                iat: *const u64 as Option<i64>,
                jti: *const c_char as Option<&str>,
            ) -> *mut nuvera_signed_request {
                let overrides = SignOverrides::from_optional(iat, jti)?;
                let signed = signer.0.sign_with(method, url, $body, &overrides)?;
                nuvera_signed_request {
                    signed,
                    strings: Default::default(),
                }
            }
        }
    )*};
}

signing_calls! {
    /// Signs a request. `url` is an absolute URL or a target starting with `/`; `body`/`body_len`
    /// are the exact bytes that will be sent (NULL with 0 for no body). `iat` (pointer to a Unix
    /// time) and `jti` may be NULL; given, they replace the clock and the random token id (to
    /// reproduce a token). Free `*out` with `nuvera_signed_request_free`.
    fn nuvera_signer_sign(body: *const u8, body_len: usize) {
        Body::Bytes(req_bytes(body, body_len, "body")?)
    }

    /// Signs bytes about to be sent with `content_type` (NULL when there is none): an encoded
    /// `multipart/form-data` body is signed through its canonical object, any other body byte for
    /// byte. The choice is the core's; this is the call for an HTTP client that already holds the
    /// encoded body and its Content-Type. `iat` and `jti` as in `nuvera_signer_sign`.
    fn nuvera_signer_sign_body(
        content_type: *const c_char as Option<&str>,
        body: *const u8,
        body_len: usize,
    ) {
        Body::for_content_type(content_type, req_bytes(body, body_len, "body")?)
    }

    /// Signs an encoded multipart body sent with `content_type` (`multipart/form-data;
    /// boundary=...`), hashed through its canonical object (any encoder's boundary and part order
    /// sign alike). A body that does not parse as that Content-Type is `MULTIPART_MALFORMED`.
    /// `iat` and `jti` as in `nuvera_signer_sign`.
    fn nuvera_signer_sign_multipart_wire(
        content_type: *const c_char as &str,
        body: *const u8,
        body_len: usize,
    ) {
        let body = req_bytes(body, body_len, "body")?;
        Body::MultipartWire { content_type, body }
    }

    /// Signs a request whose body is the file at `path`, sent as it is (streamed: memory does not
    /// grow with the file). `iat` and `jti` as in `nuvera_signer_sign`.
    fn nuvera_signer_sign_file(path: *const c_char as PathBuf) {
        Body::File(&path)
    }

    /// Signs a request whose body is read from `read` (called with `ctx` until it returns 0; -1 is a
    /// failure, reported as `IO_ERROR`), streamed: memory does not grow with the body. Send exactly
    /// the bytes it returned. `iat` and `jti` as in `nuvera_signer_sign`.
    fn nuvera_signer_sign_reader(read: nuvera_read_fn, ctx: *mut c_void) {
        Body::Reader(&mut CallbackReader::new(read, ctx, "read")?)
    }

    /// Signs an encoded multipart body sent with `content_type`, read from `read` (as in
    /// `nuvera_signer_sign_reader`) and hashed through its canonical object as it passes
    /// (streamed). `iat` and `jti` as in `nuvera_signer_sign`.
    fn nuvera_signer_sign_multipart_reader(
        content_type: *const c_char as &str,
        read: nuvera_read_fn,
        ctx: *mut c_void,
    ) {
        let reader = CallbackReader::new(read, ctx, "read")?;
        Body::Canonical(canonicalize_wire_reader(content_type, reader)?)
    }

    /// As `nuvera_signer_sign_body` for a body read from `read` (streamed): the call for an HTTP
    /// client streaming the body it sends. `iat` and `jti` as in `nuvera_signer_sign`.
    fn nuvera_signer_sign_body_reader(
        content_type: *const c_char as Option<&str>,
        read: nuvera_read_fn,
        ctx: *mut c_void,
    ) {
        Body::for_content_type_reader(content_type, &mut CallbackReader::new(read, ctx, "read")?)?
    }

    /// Signs a request with a `bodyHash` computed elsewhere (64 lowercase hex digits; anything else
    /// is `INVALID_BODY_HASH`). `iat` and `jti` as in `nuvera_signer_sign`.
    fn nuvera_signer_sign_body_hash(body_hash: *const c_char as &str) {
        Body::Precomputed(BodyHash::parse(body_hash)?)
    }

    /// Signs a multipart request described by `form`. If the form was encoded
    /// (`nuvera_multipart_form_encode*`) and not changed since, the signature covers exactly the
    /// encoded bytes (no second read of its files); otherwise the form is hashed now.
    /// `iat` and `jti` as in `nuvera_signer_sign`.
    fn nuvera_signer_sign_multipart(form: *mut nuvera_multipart_form as &mut _) {
        Body::Multipart(&mut form.0)
    }
}

/// Declares the accessors that lend C a string of a signed request: each is made on first use
/// into the request's slot given first, and lives as long as the request.
macro_rules! lent_strings {
    ($($(#[doc = $doc:literal])* $slot:literal $name:ident: $make:expr;)*) => {
        c_api! {$(
            $(#[doc = $doc])*
            fn $name(request: *const nuvera_signed_request as &_) -> *const c_char {
                let make: fn(&SignedRequest) -> String = $make;
                let string = request.strings[$slot]
                    .get_or_init(|| c_string(make(&request.signed)));
                string.as_ptr()
            }
        )*}
    };
}

lent_strings! {
    /// The compact JWT. `*out` belongs to `request` (valid until `nuvera_signed_request_free`).
    0 nuvera_signed_request_token: |s| s.token().to_owned();

    /// The `Authorization` header value, `Bearer <token>`. `*out` belongs to `request`.
    1 nuvera_signed_request_authorization: SignedRequest::authorization;

    /// The `x-api-key` header value. `*out` belongs to `request`.
    2 nuvera_signed_request_api_key: |s| s.api_key().to_owned();

    /// The signed claims as compact JSON, in contract order (as in the token; `sub` is the API key:
    /// do not log it). `*out` belongs to `request`.
    3 nuvera_signed_request_claims_json: |s| s.claims().to_json();

    /// The proof artifact as pretty JSON: what was signed, no secret. `*out` belongs to `request`.
    4 nuvera_signed_request_proof_json: |s| s.proof().to_json_pretty();
}

c_api! {
    /// Frees a signed request and the strings its accessors returned. NULL is allowed.
    free fn nuvera_signed_request_free(request: *mut nuvera_signed_request);

    /// SHA-256 (lowercase hex) of a plain body. `body` may be NULL with `len` 0.
    fn nuvera_body_hash(body: *const u8, len: usize) -> *mut c_char {
        nuvera::body_hash(req_bytes(body, len, "body")?)
    }

    /// SHA-256 (lowercase hex) of a file, streamed. `size` may be NULL; given, it receives the byte
    /// count. Free `*out` with `nuvera_string_free`.
    fn nuvera_body_hash_file(
        path: *const c_char as PathBuf,
        out: *mut *mut c_char,
        size: *mut u64,
    ) {
        req_out(out, "out")?;
        let (hash, n) = nuvera::body_hash_file(path)?;
        put_opt(size, n);
        put(out, hash)
    }

    /// SHA-256 (lowercase hex) of a body read from `read` (as in `nuvera_signer_sign_reader`),
    /// streamed. `size` may be NULL; given, it receives the byte count.
    fn nuvera_body_hash_reader(
        read: nuvera_read_fn,
        ctx: *mut c_void,
        out: *mut *mut c_char,
        size: *mut u64,
    ) {
        req_out(out, "out")?;
        let (hash, n) = nuvera::body_hash_reader(CallbackReader::new(read, ctx, "read")?)?;
        put_opt(size, n);
        put(out, hash)
    }

    /// The `uri` claim of a URL or request target (WHATWG `pathname + search`).
    fn nuvera_request_uri(url: *const c_char as &str) -> *mut c_char {
        nuvera::request_uri(url)?
    }

    /// The URL an HTTP client should send so the server receives exactly the signed target
    /// (normalized, fragment removed). Free `*out` with `nuvera_string_free`.
    fn nuvera_sendable_url(url: *const c_char as &str) -> *mut c_char {
        nuvera::sendable_url(url)?
    }
}
