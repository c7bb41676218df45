//! Signers and what they return: options, pinned claims, the signed request with its proof.

use std::path::PathBuf;
use std::sync::Arc;

use crate::boundary::*;
use crate::keys::{PrivateKey, RemoteKey};
use crate::multipart::{MultipartForm, SharedForm};

/// Signer options; every field is optional and defaults in the core.
#[napi(object, js_name = "SignerOptions")]
#[derive(Default)]
pub struct JsSignerOptions {
    /// Token lifetime in seconds, 1..=60 (default 55).
    pub lifetime: Option<i64>,
    /// `iss` (default `nuvera-api`).
    pub issuer: Option<String>,
    /// `aud` (default `nuvera-rest-api`).
    pub audience: Option<String>,
    /// A known clock offset in seconds, `iat = now + offset` (default 0; at most 24 h).
    pub clock_offset: Option<i64>,
}

/// Pinned `iat`/`jti` (tests, reproducible tokens).
#[napi(object, js_name = "SignOverrides")]
#[derive(Default)]
pub struct JsSignOverrides {
    /// Issued-at, Unix seconds.
    pub iat: Option<i64>,
    /// Token id (default: a fresh UUID v4).
    pub jti: Option<String>,
}

/// The nine claims of a token (contract §2).
#[napi(object, js_name = "Claims")]
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
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

/// A signed request, read from the core's result when asked. Holds the API key and the token: log
/// `proof` (what `JSON.stringify` gives), never `headers`, `token` or `claims`.
#[napi(js_name = "SignedRequest")]
pub struct JsSignedRequest(core::SignedRequest);

methods! { JsSignedRequest |signed| {
    #[doc = " The headers to add to the request."]
    #[napi(getter)]
    fn headers() -> JsSignedHeaders = match signed.0.headers() {
        [(_, x_api_key), (_, authorization)] => JsSignedHeaders { x_api_key, authorization },
    };
    #[doc = " The compact JWT."]
    #[napi(getter)]
    fn token() -> String = signed.0.token().to_owned();
    #[doc = " The token's claims."]
    #[napi(getter)]
    fn claims() -> Result<JsClaims, Code> = guard(|| convert(signed.0.claims()));
    #[doc = " The proof artifact (contract §7): what was signed, without any secret."]
    #[napi(getter, ts_return_type = "{ format: string, method: string, uri: string, \
        bodyHash: string, body: { kind: 'empty' | 'bytes' | 'multipart' | 'precomputed', \
        size?: number }, multipart?: unknown, claims: Claims, tokenSha256: string, \
        keyFingerprint: string }")]
    fn proof() -> Result<serde_json::Value, Code> = guard(|| convert(&signed.0.proof()));
    #[doc = " `JSON.stringify(signed)`: the proof, which holds no secret."]
    #[napi(js_name = "toJSON", ts_return_type = "SignedRequest['proof']")]
    fn to_json() -> Result<serde_json::Value, Code> = signed.proof();
}}

/// Signs requests with one key and one API key; share one per application. Shows no secret.
#[napi]
pub struct Signer {
    pub(crate) inner: core::Signer,
    /// The key's signatures come from a JS function (see `keys.rs`): sign on the libuv pool only.
    async_only: bool,
}

#[napi]
impl Signer {
    /// A signer for `apiKey` with `key`; absent `options` take the core's defaults.
    #[napi(constructor)]
    pub fn new(
        key: Either<&PrivateKey, &RemoteKey>,
        api_key: String,
        options: Option<JsSignerOptions>,
    ) -> Result<Self, Code> {
        let (key, async_only): (Arc<dyn core::SigningKey>, _) = match key {
            Either::A(private) => (private.0.clone(), false),
            Either::B(remote) => (remote.0.clone(), true),
        };
        let o = options.unwrap_or_default();
        guard(|| {
            let (issuer, audience) = (o.issuer.as_deref(), o.audience.as_deref());
            let options = core::SignerOptions::from_optional(o.lifetime, issuer, audience)?;
            let signer = core::Signer::with_options(key, &api_key, options)?;
            signer.with_clock_offset(o.clock_offset.unwrap_or_default())
        })
        .map(|inner| Signer { inner, async_only })
    }
}

methods! { Signer |signer| {
    #[doc = " `Signer(<key fingerprint>, lifetime N s)`: no secret."]
    #[napi(js_name = "toString")]
    fn to_js_string() -> String = format!(
        "Signer({}, lifetime {} s)",
        signer.key_fingerprint(),
        signer.inner.options().lifetime_secs
    );
    #[doc = " Seconds added to the local clock (the client policy corrects them)."]
    #[napi(getter)]
    fn clock_offset() -> i64 = signer.inner.clock_offset().secs();
    #[doc = " The fingerprint of the signer's key."]
    #[napi(getter)]
    fn key_fingerprint() -> String = signer.inner.key().fingerprint();
}}

impl Signer {
    /// The signer for a synchronous sign; `UNSUPPORTED` when the key's signatures come from JS,
    /// which runs on this thread (it would wait for itself until the callback's timeout).
    fn sync_signer(&self) -> core::Result<&core::Signer> {
        let why =
            "this signer's RemoteKey signs through a JavaScript function, which runs on this \
                   thread: sign asynchronously (the …Async methods, signStream, signedFetch)";
        let refused = || core::Error::new(core::ErrorCode::Unsupported, why);
        (!self.async_only)
            .then_some(&self.inner)
            .ok_or_else(refused)
    }
}

fn pinned(overrides: Option<JsSignOverrides>) -> core::Result<core::SignOverrides> {
    let o = overrides.unwrap_or_default();
    core::SignOverrides::from_optional(o.iat, o.jti.as_deref())
}

/// What a sign method signs; the body's bytes, if any, go beside it.
enum What {
    /// The bytes, hashed as their Content-Type (if any) decides.
    ContentType(Option<String>),
    /// A file sent as it is.
    File(PathBuf),
    /// A `bodyHash` computed elsewhere.
    BodyHash(String),
    /// A structured multipart form.
    Multipart(SharedForm),
    /// The bytes: an encoded multipart body with this Content-Type.
    MultipartWire(String),
}

impl What {
    /// Signs it with `bytes`: the one place a Node argument becomes the core's `Body`.
    fn sign(
        &self,
        bytes: &[u8],
        signer: &core::Signer,
        (method, url): (&str, &str),
        overrides: &core::SignOverrides,
    ) -> core::Result<JsSignedRequest> {
        let mut form: Option<std::sync::MutexGuard<_>> = None;
        let body = match self {
            What::ContentType(content_type) => {
                core::Body::for_content_type(content_type.as_deref(), bytes)
            }
            What::File(path) => core::Body::File(path),
            What::BodyHash(hash) => core::Body::Precomputed(core::BodyHash::parse(hash)?),
            What::Multipart(shared) => core::Body::Multipart(form.insert(shared.lock()?)),
            What::MultipartWire(content_type) => core::Body::MultipartWire {
                content_type,
                body: bytes,
            },
        };
        Ok(JsSignedRequest(
            signer.sign_with(method, url, body, overrides)?,
        ))
    }
}

/// The `Signer` methods, on the calling thread and (`…Async`) on the libuv pool, from one
/// definition: the arguments between `method, url` and `overrides?`, and what they sign.
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
                    let (what, bytes): (What, &[u8]) = $what;
                    guard(|| {
                        what.sign(bytes, self.sync_signer()?, (&method, &url), &pinned(overrides)?)
                    })
                }

                $(#[doc = $async_doc])*
                #[napi(ts_return_type = "Promise<SignedRequest>")]
                pub fn $later(
                    &self,
                    method: String,
                    url: String,
                    $($arg: $ty,)*
                    overrides: Option<JsSignOverrides>,
                ) -> Result<AsyncTask<CoreTask<JsSignedRequest>>, Code> {
                    let (what, bytes): (What, &[u8]) = $what;
                    let (signer, bytes) = (self.inner.clone(), bytes.to_vec());
                    let overrides = guard(|| pinned(overrides))?;
                    Ok(later(move || what.sign(&bytes, &signer, (&method, &url), &overrides)))
                }
            )*
        }
    };
}

sign_methods! {
    #[doc = " Signs a plain request on the calling thread. `url`: absolute URL or request target;"]
    #[doc = " `body`: the exact bytes sent (Buffer, or a string sent as UTF-8), absent for none."]
    fn sign(body: Option<Bytes>) => (What::ContentType(None), bytes_or_empty(&body));
    #[doc = " Like `sign`, computed on the libuv thread pool (the body is copied first)."]
    async fn sign_async;

    #[doc = " Signs a request whose body is the file at `path`, sent as is (streamed when hashed)."]
    fn sign_file(path: String) => (What::File(path.into()), &[]);
    #[doc = " Like `signFile`, with the file read and hashed on the libuv thread pool."]
    async fn sign_file_async;

    #[doc = " Signs a request whose `bodyHash` was computed elsewhere (64 lowercase hex digits)."]
    fn sign_body_hash(body_hash: String) => (What::BodyHash(body_hash), &[]);
    #[doc = " Like `signBodyHash`, on the libuv thread pool."]
    async fn sign_body_hash_async;

    #[doc = " Signs the exact bytes sent with `contentType`, hashed as a server will for that type"]
    #[doc = " (multipart through its canonical object, anything else as plain bytes)."]
    fn sign_with_content_type(content_type: Option<String>, body: Option<Bytes>) =>
        (What::ContentType(content_type), bytes_or_empty(&body));
    #[doc = " Like `signWithContentType`, on the libuv thread pool (the body is copied first)."]
    async fn sign_with_content_type_async;

    #[doc = " Signs a multipart request from its structured form (file content streamed; a form whose"]
    #[doc = " stream part is unread is `UNSUPPORTED` here: use `signMultipartAsync`)."]
    fn sign_multipart(form: &MultipartForm) => (What::Multipart(form.inner.clone()), &[]);
    #[doc = " Like `signMultipart`, on the libuv thread pool: reads the form's stream part, if any."]
    async fn sign_multipart_async;

    #[doc = " Signs a multipart request from the exact encoded body to send and its Content-Type."]
    fn sign_multipart_wire(content_type: String, body: Buffer) =>
        (What::MultipartWire(content_type), &body);
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
