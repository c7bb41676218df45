//! Signers and what they return: options, pinned claims, the signed request with its proof.

use std::path::PathBuf;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::Result;
use napi_derive::napi;
use nuvera_signing as core;

use crate::boundary::{bytes_of, guard, Code, CoreTask};
use crate::keys::PrivateKey;
use crate::multipart::MultipartForm;
use crate::remote::RemoteKey;

/// Signer options; every field is optional and defaults in the core.
#[napi(object, js_name = "SignerOptions")]
pub struct JsSignerOptions {
    /// Token lifetime in seconds, 1..=60 (default 55).
    pub lifetime: Option<i64>,
    /// `iss` (default `nuvera-api`).
    pub issuer: Option<String>,
    /// `aud` (default `nuvera-rest-api`).
    pub audience: Option<String>,
    /// A known clock offset in seconds, `iat = now + offset` (default 0; at most 24 h). The
    /// client policy corrects it from a server's `Date` on a clock refusal.
    pub clock_offset: Option<i64>,
}

/// Pinned `iat`/`jti` (tests, reproducible tokens).
#[napi(object, js_name = "SignOverrides")]
pub struct JsSignOverrides {
    /// Issued-at, Unix seconds.
    pub iat: Option<i64>,
    /// Token id (default: a fresh UUID v4).
    pub jti: Option<String>,
}

fn overrides(o: Option<&JsSignOverrides>) -> core::Result<core::SignOverrides> {
    match o {
        None => Ok(core::SignOverrides::default()),
        Some(o) => core::SignOverrides::from_optional(o.iat, o.jti.as_deref()),
    }
}

/// The nine claims of a token (contract §2).
#[napi(object, js_name = "Claims")]
pub struct JsClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The API key the token was made for.
    pub sub: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path and query as sent (contract §3).
    pub uri: String,
    /// SHA-256 hex of the body, or of the multipart canonical object (contract §4–§5).
    pub body_hash: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
}

impl From<&core::Claims> for JsClaims {
    fn from(c: &core::Claims) -> Self {
        JsClaims {
            iss: c.iss.clone(),
            aud: c.aud.clone(),
            sub: c.sub.clone(),
            method: c.method.clone(),
            uri: c.uri.clone(),
            body_hash: c.body_hash.clone(),
            iat: i64::try_from(c.iat).unwrap_or(i64::MAX),
            exp: i64::try_from(c.exp).unwrap_or(i64::MAX),
            jti: c.jti.clone(),
        }
    }
}

/// The two headers to send.
#[napi(object, js_name = "SignedHeaders")]
pub struct JsSignedHeaders {
    /// The API key.
    #[napi(js_name = "x-api-key")]
    pub x_api_key: String,
    /// `Bearer <token>`.
    #[napi(js_name = "Authorization")]
    pub authorization: String,
}

/// A signed request. `headers`, `token`, `claims` and `proof` are read from the core's result
/// when asked for (the proof, like the core's, is only built if read). Holds the API key and the
/// token (they are the headers to send): do not log `headers`, `token` or `claims`; log `proof`,
/// which is also what `JSON.stringify` gives.
#[napi(js_name = "SignedRequest")]
pub struct JsSignedRequest {
    inner: core::SignedRequest,
}

#[napi]
impl JsSignedRequest {
    /// The headers to add to the request.
    #[napi(getter)]
    pub fn headers(&self) -> JsSignedHeaders {
        let [(_, api_key), (_, authorization)] = self.inner.headers();
        JsSignedHeaders {
            x_api_key: api_key,
            authorization,
        }
    }

    /// The compact JWT.
    #[napi(getter)]
    pub fn token(&self) -> String {
        self.inner.token().to_owned()
    }

    /// The token's claims.
    #[napi(getter)]
    pub fn claims(&self) -> JsClaims {
        self.inner.claims().into()
    }

    /// The proof artifact (contract §7): what was signed, without any secret.
    #[napi(
        getter,
        ts_return_type = "{ format: string, method: string, uri: string, bodyHash: string, body: { kind: 'empty' | 'bytes' | 'multipart' | 'precomputed', size?: number }, multipart?: unknown, claims: Claims, tokenSha256: string, keyFingerprint: string }"
    )]
    pub fn proof(&self) -> Result<serde_json::Value, Code> {
        guard(|| {
            serde_json::to_value(self.inner.proof()).map_err(|e| {
                core::Error::new(
                    core::ErrorCode::InternalError,
                    format!("proof not serializable: {e}"),
                )
            })
        })
    }

    /// `JSON.stringify(signed)`: the proof, which holds no secret.
    #[napi(js_name = "toJSON", ts_return_type = "SignedRequest['proof']")]
    pub fn to_json(&self) -> Result<serde_json::Value, Code> {
        self.proof()
    }
}

fn signed_to_js(s: core::SignedRequest) -> core::Result<JsSignedRequest> {
    Ok(JsSignedRequest { inner: s })
}

/// Signs requests with one private key and one API key. Thread-safe in the core; share one per
/// application. Never shows the key or the API key.
#[napi]
pub struct Signer {
    pub(crate) inner: core::Signer,
    /// The key's signatures come from a JS function, which runs on the JS thread: signing then
    /// happens on the libuv pool only (see `remote.rs`).
    async_only: bool,
}

impl Signer {
    /// `UNSUPPORTED` for a synchronous sign with a key whose signatures come from JS: the JS
    /// thread would wait for itself (a deadlock until the callback's timeout).
    fn sync_allowed(&self) -> core::Result<()> {
        if self.async_only {
            return Err(core::Error::new(
                core::ErrorCode::Unsupported,
                "this signer's RemoteKey signs through a JavaScript function, which runs on this \
                 thread: sign asynchronously (signAsync, signFileAsync, signBodyHashAsync, \
                 signWithContentTypeAsync, signedFetch)",
            ));
        }
        Ok(())
    }
}

/// A `Signer` method's async work: resolves to a `SignedRequest`.
pub type SignTask = CoreTask<core::SignedRequest, JsSignedRequest>;

#[napi]
impl Signer {
    /// A signer for `apiKey` with `key`; `options` default in the core (lifetime 55 s, issuer
    /// `nuvera-api`, audience `nuvera-rest-api`).
    #[napi(constructor)]
    pub fn new(
        key: Either<&PrivateKey, &RemoteKey>,
        api_key: String,
        options: Option<JsSignerOptions>,
    ) -> Result<Self, Code> {
        // Every RemoteKey of this package signs through a JS function.
        let async_only = matches!(key, Either::B(_));
        guard(|| {
            let opts = match &options {
                None => core::SignerOptions::default(),
                Some(o) => core::SignerOptions::from_optional(
                    o.lifetime,
                    o.issuer.as_deref(),
                    o.audience.as_deref(),
                )?,
            };
            let signer = match key {
                Either::A(private) => {
                    core::Signer::with_options(private.inner.clone(), &api_key, opts)?
                }
                Either::B(remote) => {
                    core::Signer::with_options(remote.inner.clone(), &api_key, opts)?
                }
            };
            match options.as_ref().and_then(|o| o.clock_offset) {
                Some(secs) => signer.with_clock_offset(secs),
                None => Ok(signer),
            }
        })
        .map(|inner| Signer { inner, async_only })
    }

    /// Signs a plain request on the calling thread. `url`: absolute URL or request target;
    /// `body`: the exact bytes sent (Buffer, or a string sent as UTF-8), absent for none.
    #[napi]
    pub fn sign(
        &self,
        method: String,
        url: String,
        body: Option<Either<Buffer, String>>,
        overrides: Option<JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        guard(|| {
            self.sync_allowed()?;
            let body = match &body {
                None => core::Body::Empty,
                Some(b) => core::Body::Bytes(bytes_of(b)),
            };
            let overrides = self::overrides(overrides.as_ref())?;
            signed_to_js(self.inner.sign_with(&method, &url, body, &overrides)?)
        })
    }

    /// Like `sign`, computed on the libuv thread pool (the body is copied first).
    #[napi(ts_return_type = "Promise<SignedRequest>")]
    pub fn sign_async(
        &self,
        method: String,
        url: String,
        body: Option<Either<Buffer, String>>,
        overrides: Option<JsSignOverrides>,
    ) -> Result<AsyncTask<SignTask>, Code> {
        let overrides = guard(|| self::overrides(overrides.as_ref()))?;
        let body = body.as_ref().map(|b| bytes_of(b).to_vec());
        let signer = self.inner.clone();
        Ok(AsyncTask::new(CoreTask::new(
            move || {
                let body = body.as_deref().map_or(core::Body::Empty, core::Body::Bytes);
                signer.sign_with(&method, &url, body, &overrides)
            },
            signed_to_js,
        )))
    }

    /// Signs a request whose body is the file at `path`, sent as it is (streamed while hashed:
    /// memory does not grow with the file).
    #[napi]
    pub fn sign_file(
        &self,
        method: String,
        url: String,
        path: String,
        overrides: Option<JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        guard(|| {
            self.sync_allowed()?;
            let overrides = self::overrides(overrides.as_ref())?;
            let body = core::Body::File(std::path::Path::new(&path));
            signed_to_js(self.inner.sign_with(&method, &url, body, &overrides)?)
        })
    }

    /// Like `signFile`, with the file read and hashed on the libuv thread pool.
    #[napi(ts_return_type = "Promise<SignedRequest>")]
    pub fn sign_file_async(
        &self,
        method: String,
        url: String,
        path: String,
        overrides: Option<JsSignOverrides>,
    ) -> Result<AsyncTask<SignTask>, Code> {
        let overrides = guard(|| self::overrides(overrides.as_ref()))?;
        let signer = self.inner.clone();
        let path = PathBuf::from(path);
        Ok(AsyncTask::new(CoreTask::new(
            move || signer.sign_with(&method, &url, core::Body::File(&path), &overrides),
            signed_to_js,
        )))
    }

    /// Signs a request whose `bodyHash` was computed elsewhere (64 lowercase hex digits).
    #[napi]
    pub fn sign_body_hash(
        &self,
        method: String,
        url: String,
        body_hash: String,
        overrides: Option<JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        guard(|| {
            self.sync_allowed()?;
            let overrides = self::overrides(overrides.as_ref())?;
            let body = core::Body::Precomputed(core::BodyHash::parse(&body_hash)?);
            signed_to_js(self.inner.sign_with(&method, &url, body, &overrides)?)
        })
    }

    /// Signs the exact bytes sent with `contentType`, hashed as the core decides for that type
    /// (through the multipart canonical object for `multipart/form-data`, as plain bytes
    /// otherwise): what `signedFetch` uses, and what a server will compute.
    #[napi]
    pub fn sign_with_content_type(
        &self,
        method: String,
        url: String,
        content_type: Option<String>,
        body: Option<Either<Buffer, String>>,
        overrides: Option<JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        guard(|| {
            self.sync_allowed()?;
            let overrides = self::overrides(overrides.as_ref())?;
            let bytes: &[u8] = body.as_ref().map_or(&[], bytes_of);
            let body = core::Body::for_content_type(content_type.as_deref(), bytes);
            signed_to_js(self.inner.sign_with(&method, &url, body, &overrides)?)
        })
    }

    /// Like `signBodyHash`, on the libuv thread pool.
    #[napi(ts_return_type = "Promise<SignedRequest>")]
    pub fn sign_body_hash_async(
        &self,
        method: String,
        url: String,
        body_hash: String,
        overrides: Option<JsSignOverrides>,
    ) -> Result<AsyncTask<SignTask>, Code> {
        let overrides = guard(|| self::overrides(overrides.as_ref()))?;
        let signer = self.inner.clone();
        Ok(AsyncTask::new(CoreTask::new(
            move || {
                let body = core::Body::Precomputed(core::BodyHash::parse(&body_hash)?);
                signer.sign_with(&method, &url, body, &overrides)
            },
            signed_to_js,
        )))
    }

    /// Like `signWithContentType`, on the libuv thread pool (the body is copied first): what
    /// `signedFetch` uses.
    #[napi(ts_return_type = "Promise<SignedRequest>")]
    pub fn sign_with_content_type_async(
        &self,
        method: String,
        url: String,
        content_type: Option<String>,
        body: Option<Either<Buffer, String>>,
        overrides: Option<JsSignOverrides>,
    ) -> Result<AsyncTask<SignTask>, Code> {
        let overrides = guard(|| self::overrides(overrides.as_ref()))?;
        let body = body
            .as_ref()
            .map(|b| bytes_of(b).to_vec())
            .unwrap_or_default();
        let signer = self.inner.clone();
        Ok(AsyncTask::new(CoreTask::new(
            move || {
                let body = core::Body::for_content_type(content_type.as_deref(), &body);
                signer.sign_with(&method, &url, body, &overrides)
            },
            signed_to_js,
        )))
    }

    /// Signs a multipart request from its structured form (file content streamed).
    #[napi]
    pub fn sign_multipart(
        &self,
        method: String,
        url: String,
        form: &MultipartForm,
        overrides: Option<JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        guard(|| {
            self.sync_allowed()?;
            let overrides = self::overrides(overrides.as_ref())?;
            let mut form = form.inner.lock()?;
            let body = core::Body::Multipart(&mut form);
            signed_to_js(self.inner.sign_with(&method, &url, body, &overrides)?)
        })
    }

    /// Like `signMultipart`, on the libuv thread pool: reads the form's stream part, if any.
    #[napi(ts_return_type = "Promise<SignedRequest>")]
    pub fn sign_multipart_async(
        &self,
        method: String,
        url: String,
        form: &MultipartForm,
        overrides: Option<JsSignOverrides>,
    ) -> Result<AsyncTask<SignTask>, Code> {
        let overrides = guard(|| self::overrides(overrides.as_ref()))?;
        let signer = self.inner.clone();
        let form = form.inner.clone();
        Ok(AsyncTask::new(CoreTask::new(
            move || {
                let mut form = form.lock()?;
                let body = core::Body::Multipart(&mut form);
                signer.sign_with(&method, &url, body, &overrides)
            },
            signed_to_js,
        )))
    }

    /// Signs a multipart request from the exact encoded body that will be sent and its
    /// Content-Type (hashed through the canonical object the core parses back from the bytes).
    #[napi]
    pub fn sign_multipart_wire(
        &self,
        method: String,
        url: String,
        content_type: String,
        body: Buffer,
        overrides: Option<JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        guard(|| {
            self.sync_allowed()?;
            let overrides = self::overrides(overrides.as_ref())?;
            let body = core::Body::MultipartWire {
                content_type: &content_type,
                body: &body,
            };
            signed_to_js(self.inner.sign_with(&method, &url, body, &overrides)?)
        })
    }

    /// The clock offset in seconds this signer adds to the local clock (shared by every request
    /// and exchange of this signer; corrected by the client policy).
    #[napi(getter)]
    pub fn clock_offset(&self) -> i64 {
        self.inner.clock_offset().secs()
    }

    /// The fingerprint of the signer's key.
    #[napi(getter)]
    pub fn key_fingerprint(&self) -> String {
        self.inner.key().fingerprint()
    }

    /// `Signer(<key fingerprint>, lifetime N s)`: no secret.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        format!(
            "Signer({}, lifetime {} s)",
            self.inner.key().fingerprint(),
            self.inner.options().lifetime_secs
        )
    }
}

/// The `uri` claim for a URL or request target (contract §3).
#[napi]
pub fn request_uri(url: String) -> Result<String, Code> {
    guard(|| core::request_uri(&url))
}

/// The URL to send: fragment and empty query dropped, so that what is sent is what is signed.
#[napi]
pub fn sendable_url(url: String) -> Result<String, Code> {
    guard(|| core::sendable_url(&url))
}
