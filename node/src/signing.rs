//! Signers and what they return: options, pinned claims, the signed request with its proof.

use std::path::PathBuf;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::Result;
use napi_derive::napi;
use nuvera_signing as core;

use crate::boundary::{bytes_of, guard, js_int, to_js_object, Code, CoreTask};
use crate::keys::PrivateKey;
use crate::multipart::{MultipartForm, SharedForm};
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
            iat: js_int(c.iat),
            exp: js_int(c.exp),
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
        guard(|| to_js_object("proof", &self.inner.proof()))
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
                 thread: sign asynchronously (the …Async methods, signStream, signedFetch)",
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

/// What a sign method signs. `B` holds the body's bytes: borrowed from the JS arguments when
/// signing on the calling thread, copied (`Vec<u8>`) for the libuv pool.
enum Signable<B> {
    /// Exact bytes; `None` for no body.
    Bytes(Option<B>),
    /// A file sent as it is (streamed while hashed).
    File(PathBuf),
    /// A `bodyHash` computed elsewhere.
    BodyHash(String),
    /// Bytes hashed as their Content-Type decides (the core's rule).
    ContentType(Option<String>, Option<B>),
    /// A structured multipart form.
    Multipart(SharedForm),
    /// An encoded multipart body and its Content-Type.
    MultipartWire(String, B),
}

impl Signable<&[u8]> {
    /// The same, with its bytes copied: what crosses to the libuv pool.
    fn copied(self) -> Signable<Vec<u8>> {
        match self {
            Signable::Bytes(b) => Signable::Bytes(b.map(<[u8]>::to_vec)),
            Signable::File(p) => Signable::File(p),
            Signable::BodyHash(h) => Signable::BodyHash(h),
            Signable::ContentType(ct, b) => Signable::ContentType(ct, b.map(<[u8]>::to_vec)),
            Signable::Multipart(f) => Signable::Multipart(f),
            Signable::MultipartWire(ct, b) => Signable::MultipartWire(ct, b.to_vec()),
        }
    }
}

impl<B: AsRef<[u8]>> Signable<B> {
    /// Signs it: the one place a Node argument becomes the core's `Body`.
    fn sign(
        self,
        signer: &core::Signer,
        method: &str,
        url: &str,
        overrides: &core::SignOverrides,
    ) -> core::Result<core::SignedRequest> {
        let mut form;
        let body = match &self {
            Signable::Bytes(None) => core::Body::Empty,
            Signable::Bytes(Some(b)) => core::Body::Bytes(b.as_ref()),
            Signable::File(path) => core::Body::File(path),
            Signable::BodyHash(hash) => core::Body::Precomputed(core::BodyHash::parse(hash)?),
            Signable::ContentType(ct, b) => core::Body::for_content_type(
                ct.as_deref(),
                b.as_ref().map_or(&[][..], AsRef::as_ref),
            ),
            Signable::Multipart(shared) => {
                form = shared.lock()?;
                core::Body::Multipart(&mut form)
            }
            Signable::MultipartWire(content_type, b) => core::Body::MultipartWire {
                content_type,
                body: b.as_ref(),
            },
        };
        signer.sign_with(method, url, body, overrides)
    }
}

impl Signer {
    /// Signs on the calling thread.
    fn sign_now(
        &self,
        method: &str,
        url: &str,
        what: Signable<&[u8]>,
        overrides: Option<&JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        guard(|| {
            self.sync_allowed()?;
            let overrides = self::overrides(overrides)?;
            signed_to_js(what.sign(&self.inner, method, url, &overrides)?)
        })
    }

    /// Signs on the libuv pool (the body copied first).
    fn sign_later(
        &self,
        method: String,
        url: String,
        what: Signable<&[u8]>,
        overrides: Option<&JsSignOverrides>,
    ) -> Result<AsyncTask<SignTask>, Code> {
        let overrides = guard(|| self::overrides(overrides))?;
        let (signer, what) = (self.inner.clone(), what.copied());
        Ok(AsyncTask::new(CoreTask::new(
            move || what.sign(&signer, &method, &url, &overrides),
            signed_to_js,
        )))
    }
}

/// The `Signer` methods, each on the calling thread and (`…Async`) on the libuv pool, from one
/// definition: the arguments between `method, url` and `overrides?`, and what they sign. (Docs
/// are `#[doc = "…"]` here: napi-derive reads `///` passed through a macro as `r"…"` text.)
macro_rules! sign_methods {
    ($(
        $(#[doc = $doc:tt])*
        fn $sync:ident($($arg:ident: $ty:ty),*) => $what:expr;
        $(#[doc = $async_doc:tt])*
        async fn $later:ident;
    )*) => {
        #[napi]
        impl Signer {
            $(
                $(#[doc = $doc])*
                #[napi]
                pub fn $sync(
                    &self,
                    method: String,
                    url: String,
                    $($arg: $ty,)*
                    overrides: Option<JsSignOverrides>,
                ) -> Result<JsSignedRequest, Code> {
                    self.sign_now(&method, &url, $what, overrides.as_ref())
                }

                $(#[doc = $async_doc])*
                #[napi(ts_return_type = "Promise<SignedRequest>")]
                pub fn $later(
                    &self,
                    method: String,
                    url: String,
                    $($arg: $ty,)*
                    overrides: Option<JsSignOverrides>,
                ) -> Result<AsyncTask<SignTask>, Code> {
                    self.sign_later(method, url, $what, overrides.as_ref())
                }
            )*
        }
    };
}

sign_methods! {
    #[doc = " Signs a plain request on the calling thread. `url`: absolute URL or request target;"]
    #[doc = " `body`: the exact bytes sent (Buffer, or a string sent as UTF-8), absent for none."]
    fn sign(body: Option<Either<Buffer, String>>) => Signable::Bytes(body.as_ref().map(bytes_of));
    #[doc = " Like `sign`, computed on the libuv thread pool (the body is copied first)."]
    async fn sign_async;

    #[doc = " Signs a request whose body is the file at `path`, sent as it is (streamed while hashed:"]
    #[doc = " memory does not grow with the file)."]
    fn sign_file(path: String) => Signable::File(path.into());
    #[doc = " Like `signFile`, with the file read and hashed on the libuv thread pool."]
    async fn sign_file_async;

    #[doc = " Signs a request whose `bodyHash` was computed elsewhere (64 lowercase hex digits)."]
    fn sign_body_hash(body_hash: String) => Signable::BodyHash(body_hash);
    #[doc = " Like `signBodyHash`, on the libuv thread pool."]
    async fn sign_body_hash_async;

    #[doc = " Signs the exact bytes sent with `contentType`, hashed as the core decides for that type"]
    #[doc = " (through the multipart canonical object for `multipart/form-data`, as plain bytes"]
    #[doc = " otherwise): what `signedFetch` uses, and what a server will compute."]
    fn sign_with_content_type(content_type: Option<String>, body: Option<Either<Buffer, String>>) =>
        Signable::ContentType(content_type, body.as_ref().map(bytes_of));
    #[doc = " Like `signWithContentType`, on the libuv thread pool (the body is copied first): what"]
    #[doc = " `signedFetch` uses."]
    async fn sign_with_content_type_async;

    #[doc = " Signs a multipart request from its structured form (file content streamed; a form whose"]
    #[doc = " stream part is unread is `UNSUPPORTED` here: use `signMultipartAsync`)."]
    fn sign_multipart(form: &MultipartForm) => Signable::Multipart(form.inner.clone());
    #[doc = " Like `signMultipart`, on the libuv thread pool: reads the form's stream part, if any."]
    async fn sign_multipart_async;

    #[doc = " Signs a multipart request from the exact encoded body that will be sent and its"]
    #[doc = " Content-Type (hashed through the canonical object the core parses back from the bytes)."]
    fn sign_multipart_wire(content_type: String, body: Buffer) =>
        Signable::MultipartWire(content_type, &body[..]);
    #[doc = " Like `signMultipartWire`, on the libuv thread pool (the body is copied first)."]
    async fn sign_multipart_wire_async;
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
