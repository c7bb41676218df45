//! The server side (contract §6): a verifier over a registry, verifying received requests.

use nuvera::{Registry, ReplayCacheOptions, Verifier};

use crate::boundary::*;

/// The server side: a registry of applications, a replay cache and the system clock.
pub struct nuvera_verifier(Verifier);

/// One HTTP header, as received or as sent: two NUL-terminated UTF-8 strings.
#[repr(C)]
pub struct nuvera_header {
    /// The header name, in any case.
    pub name: *const c_char,
    /// The header value.
    pub value: *const c_char,
}

/// `(name, value)` pairs from a C array of headers (NULL with `count` 0 for none).
pub(crate) unsafe fn headers<'a>(
    headers: *const nuvera_header,
    count: usize,
) -> FfiResult<Vec<(&'a str, &'a str)>> {
    let pair = |h: &nuvera_header| {
        let name = <&str>::from_c(h.name, "header name")?;
        Ok((name, <&str>::from_c(h.value, "header value")?))
    };
    let list = req_bytes(headers, count, "headers")?;
    list.iter().map(pair).collect()
}

c_api! {
    /// A verifier over a registry file (JSON, or TOML when the name ends in `.toml`), with the system
    /// clock, default skew (5 s) and an in-memory replay cache. Free it with `nuvera_verifier_free`.
    fn nuvera_verifier_from_registry_file(path: *const c_char as PathBuf) -> *mut nuvera_verifier {
        nuvera_verifier(Verifier::new(Registry::from_file(path)?))
    }

    /// The `bodyHash` a server computes from a received body sent with `content_type` (NULL: none),
    /// by the core's rule (multipart through its canonical object, other bodies byte for byte).
    fn nuvera_received_body_hash(
        content_type: *const c_char as Option<&str>,
        body: *const u8,
        len: usize,
    ) -> *mut c_char {
        nuvera::received_body_hash(content_type, req_bytes(body, len, "body")?)?
    }

    /// Verifies a received request (contract §6). `method` and `target` are as received (the
    /// request line), `api_key` and `authorization` the header values or NULL when absent,
    /// `body_hash` the received body's hash (`nuvera_received_body_hash`). Returns `NUVERA_OK`, or
    /// `NUVERA_REFUSED` with the `AUTH_*` code and HTTP status in the error. `application` may be
    /// NULL; given, on success it receives the application's name (free with `nuvera_string_free`).
    fn nuvera_verifier_verify(
        verifier: *const nuvera_verifier as &_,
        method: *const c_char as &str,
        target: *const c_char as &str,
        api_key: *const c_char as Option<&str>,
        authorization: *const c_char as Option<&str>,
        body_hash: *const c_char as &str,
        application: *mut *mut c_char,
    ) {
        let verifier = &verifier.0;
        let verified = verifier.verify_given(method, target, api_key, authorization, body_hash)?;
        put_opt(application, verified.application)
    }

    /// Verifies a received request from its `headers` (`header_count` of them, any case) and raw body,
    /// hashed as §6 says once the headers and token pass (a body that does not parse as its
    /// Content-Type is `AUTH_BODY_HASH_MISMATCH`). Returns and `application` as in
    /// `nuvera_verifier_verify`.
    fn nuvera_verifier_verify_request(
        verifier: *const nuvera_verifier as &_,
        method: *const c_char as &str,
        target: *const c_char as &str,
        headers: *const nuvera_header,
        header_count: usize,
        body: *const u8,
        body_len: usize,
        application: *mut *mut c_char,
    ) {
        let headers = self::headers(headers, header_count)?;
        let body = req_bytes(body, body_len, "body")?;
        let verified = verifier.0.verify_received(method, target, headers, body)?;
        put_opt(application, verified.application)
    }

    /// Records `jti`s in the Redis replay cache at `url` (`redis://`, `rediss://`), shared by several
    /// server instances (§9). `key_prefix` NULL, `timeout_ms` 0 and `max_connections` 0 take the
    /// core's defaults (`nuvera:jti:`, 50 ms, 16); bad options are `INVALID_ARGUMENT`. While Redis
    /// does not answer, requests are refused with `AUTH_REPLAY_CACHE_UNAVAILABLE` (HTTP 503). Call it
    /// before sharing the verifier between threads.
    fn nuvera_verifier_set_replay_cache(
        verifier: *mut nuvera_verifier as &mut _,
        url: *const c_char as &str,
        key_prefix: *const c_char as Option<&str>,
        timeout_ms: u32 as Option<i64>,
        max_connections: u32 as Option<i64>,
    ) {
        let shared =
            ReplayCacheOptions::from_optional(url, key_prefix, timeout_ms, max_connections)?;
        let mut options = verifier.0.options().clone();
        options.replay_cache = Some(shared);
        verifier.0 = verifier.0.clone().with_options(options)?
    }

    /// Frees a verifier. NULL is allowed.
    free fn nuvera_verifier_free(verifier: *mut nuvera_verifier);
}
