//! Node.js binding of `nuvera-signing` (napi-rs). Glue only: every rule of the contract lives in
//! the core crate; this file converts arguments and results and turns core errors into JS
//! `Error`s with a stable `.code`.
#![deny(clippy::all)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either, JsObjectValue, Status};
use napi::{Env, JsValue, Result, Task};
use napi_derive::napi;
use nuvera_signing as core;

/// The `.code` of a thrown JS error: a core `ErrorCode`'s string.
pub struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

fn fail(e: core::Error) -> napi::Error<Code> {
    napi::Error::new(Code(e.code().as_str()), e.message().to_owned())
}

fn invalid(code: &'static str, message: impl Into<String>) -> napi::Error<Code> {
    napi::Error::new(Code(code), message.into())
}

/// A JS `Error` with `.code` (and `.httpStatus` for verification failures), built on the JS
/// thread. Used where napi only carries its own statuses (async task rejections) or where the
/// error needs more than a code.
fn js_error(env: &Env, code: &str, message: &str, http: Option<(u16, String)>) -> napi::Error {
    let build = || -> napi::Result<napi::Error> {
        let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, message))?;
        obj.set_named_property("code", code)?;
        if let Some((status, body)) = http {
            obj.set_named_property("httpStatus", u32::from(status))?;
            obj.set_named_property("responseBody", body)?;
        }
        Ok(napi::Error::from(obj.to_unknown()))
    };
    build().unwrap_or_else(|e| e)
}

fn bytes_of(data: &Either<Buffer, String>) -> &[u8] {
    match data {
        Either::A(b) => b,
        Either::B(s) => s.as_bytes(),
    }
}

fn to_u64(what: &str, value: Option<i64>) -> Result<Option<u64>, Code> {
    value
        .map(|v| {
            u64::try_from(v).map_err(|_| invalid("INVALID_CLAIM", format!("{what} is negative")))
        })
        .transpose()
}

// ---------------------------------------------------------------- keys

/// A parsed RSA private key. Never shows key material.
#[napi]
pub struct PrivateKey {
    inner: Arc<core::PrivateKey>,
}

#[napi]
impl PrivateKey {
    /// Parses a PEM (PKCS#8, PKCS#1 or encrypted PKCS#8) from text or bytes.
    #[napi(factory)]
    pub fn from_pem(
        pem: Either<Buffer, String>,
        passphrase: Option<Either<Buffer, String>>,
    ) -> Result<Self, Code> {
        let key = core::PrivateKey::from_pem(bytes_of(&pem), passphrase.as_ref().map(bytes_of))
            .map_err(fail)?;
        Ok(PrivateKey {
            inner: Arc::new(key),
        })
    }

    /// Reads and parses a PEM file.
    #[napi(factory)]
    pub fn from_file(
        path: String,
        passphrase: Option<Either<Buffer, String>>,
    ) -> Result<Self, Code> {
        let key =
            core::PrivateKey::from_file(path, passphrase.as_ref().map(bytes_of)).map_err(fail)?;
        Ok(PrivateKey {
            inner: Arc::new(key),
        })
    }

    /// The public half as an SPKI PEM.
    #[napi(getter)]
    pub fn public_key_pem(&self) -> String {
        self.inner.public_key().to_pem()
    }

    /// SHA-256 fingerprint of the public key.
    #[napi(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// Modulus size in bits.
    #[napi(getter)]
    pub fn bits(&self) -> u32 {
        self.inner.bits() as u32
    }

    /// `PrivateKey(RSA-2048, <fingerprint>)`: no key material.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        format!(
            "PrivateKey(RSA-{}, {})",
            self.inner.bits(),
            self.inner.fingerprint()
        )
    }
}

// ---------------------------------------------------------------- signing

/// Signer options.
#[napi(object, js_name = "SignerOptions")]
pub struct JsSignerOptions {
    /// Token lifetime in seconds, 1..=60 (default 55).
    pub lifetime: Option<u32>,
    /// `iss` (default `nuvera-api`).
    pub issuer: Option<String>,
    /// `aud` (default `nuvera-rest-api`).
    pub audience: Option<String>,
}

/// Pinned `iat`/`jti` (tests, reproducible tokens).
#[napi(object, js_name = "SignOverrides")]
pub struct JsSignOverrides {
    /// Issued-at, Unix seconds.
    pub iat: Option<i64>,
    /// Token id.
    pub jti: Option<String>,
}

impl JsSignOverrides {
    fn to_core(opt: Option<&Self>) -> Result<core::SignOverrides, Code> {
        Ok(match opt {
            None => core::SignOverrides::default(),
            Some(o) => core::SignOverrides {
                iat: to_u64("iat", o.iat)?,
                jti: o.jti.clone(),
            },
        })
    }
}

/// The nine claims.
#[napi(object, js_name = "Claims")]
pub struct JsClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub method: String,
    pub uri: String,
    pub body_hash: String,
    pub iat: i64,
    pub exp: i64,
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
            iat: c.iat as i64,
            exp: c.exp as i64,
            jti: c.jti.clone(),
        }
    }
}

/// The two headers to send.
#[napi(object, js_name = "SignedHeaders")]
pub struct JsSignedHeaders {
    #[napi(js_name = "x-api-key")]
    pub x_api_key: String,
    #[napi(js_name = "Authorization")]
    pub authorization: String,
}

/// A signed request.
#[napi(object, js_name = "SignedRequest")]
pub struct JsSignedRequest {
    pub headers: JsSignedHeaders,
    pub token: String,
    pub claims: JsClaims,
    /// The proof artifact (contract §7): no secret.
    pub proof: serde_json::Value,
}

fn signed_to_js(s: &core::SignedRequest) -> napi::Result<JsSignedRequest> {
    let [(_, api_key), (_, authorization)] = s.headers();
    Ok(JsSignedRequest {
        headers: JsSignedHeaders {
            x_api_key: api_key,
            authorization,
        },
        token: s.token().to_owned(),
        claims: s.claims().into(),
        proof: serde_json::to_value(s.proof())?,
    })
}

fn signed_or_fail(s: core::Result<core::SignedRequest>) -> Result<JsSignedRequest, Code> {
    let signed = s.map_err(fail)?;
    signed_to_js(&signed).map_err(|e| invalid("UNSUPPORTED", e.reason))
}

/// A private key, an API key and options. Never shows the key or the API key.
#[napi]
pub struct Signer {
    inner: core::Signer,
}

#[napi]
impl Signer {
    #[napi(constructor)]
    pub fn new(
        key: &PrivateKey,
        api_key: String,
        options: Option<JsSignerOptions>,
    ) -> Result<Self, Code> {
        let mut opts = core::SignerOptions::default();
        if let Some(o) = options {
            if let Some(l) = o.lifetime {
                opts.lifetime_secs = l;
            }
            if let Some(i) = o.issuer {
                opts.issuer = i;
            }
            if let Some(a) = o.audience {
                opts.audience = a;
            }
        }
        let inner = core::Signer::with_options(key.inner.clone(), &api_key, opts).map_err(fail)?;
        Ok(Signer { inner })
    }

    /// Signs a plain request on the calling thread. `body`: Buffer, string or absent.
    #[napi]
    pub fn sign(
        &self,
        method: String,
        url: String,
        body: Option<Either<Buffer, String>>,
        overrides: Option<JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        let overrides = JsSignOverrides::to_core(overrides.as_ref())?;
        let body = match &body {
            None => core::Body::Empty,
            Some(b) => core::Body::Bytes(bytes_of(b)),
        };
        signed_or_fail(self.inner.sign_with(&method, &url, body, &overrides))
    }

    /// Signs a plain request on the libuv thread pool; resolves like `sign`.
    #[napi(ts_return_type = "Promise<SignedRequest>")]
    pub fn sign_async(
        &self,
        method: String,
        url: String,
        body: Option<Either<Buffer, String>>,
        overrides: Option<JsSignOverrides>,
    ) -> Result<AsyncTask<SignTask>, Code> {
        let overrides = JsSignOverrides::to_core(overrides.as_ref())?;
        Ok(AsyncTask::new(SignTask {
            signer: self.inner.clone(),
            method,
            url,
            body: body.as_ref().map(|b| bytes_of(b).to_vec()),
            overrides,
            failure: None,
        }))
    }

    /// Signs a multipart request from its structured form (file content streamed).
    #[napi]
    pub fn sign_multipart(
        &self,
        method: String,
        url: String,
        form: &mut MultipartForm,
        overrides: Option<JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        let overrides = JsSignOverrides::to_core(overrides.as_ref())?;
        signed_or_fail(self.inner.sign_with(
            &method,
            &url,
            core::Body::Multipart(&mut form.inner),
            &overrides,
        ))
    }

    /// Signs a multipart request from the exact encoded body that will be sent.
    #[napi]
    pub fn sign_multipart_wire(
        &self,
        method: String,
        url: String,
        content_type: String,
        body: Buffer,
        overrides: Option<JsSignOverrides>,
    ) -> Result<JsSignedRequest, Code> {
        let overrides = JsSignOverrides::to_core(overrides.as_ref())?;
        signed_or_fail(self.inner.sign_with(
            &method,
            &url,
            core::Body::MultipartWire {
                content_type: &content_type,
                body: &body,
            },
            &overrides,
        ))
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

/// `Signer.signAsync`'s work. The core error is kept so `reject` can give it its code.
pub struct SignTask {
    signer: core::Signer,
    method: String,
    url: String,
    body: Option<Vec<u8>>,
    overrides: core::SignOverrides,
    failure: Option<core::Error>,
}

impl Task for SignTask {
    type Output = core::SignedRequest;
    type JsValue = JsSignedRequest;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let body = match &self.body {
            None => core::Body::Empty,
            Some(b) => core::Body::Bytes(b),
        };
        self.signer
            .sign_with(&self.method, &self.url, body, &self.overrides)
            .map_err(|e| {
                let err = napi::Error::from_reason(e.message());
                self.failure = Some(e);
                err
            })
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        signed_to_js(&output)
    }

    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<Self::JsValue> {
        Err(match self.failure.take() {
            Some(e) => js_error(&env, e.code().as_str(), e.message(), None),
            None => err,
        })
    }
}

// ---------------------------------------------------------------- multipart

/// Fields and files of a multipart/form-data request.
#[napi]
pub struct MultipartForm {
    inner: core::MultipartForm,
}

#[napi]
impl MultipartForm {
    /// An empty form, with a random boundary unless one is given.
    #[napi(constructor)]
    pub fn new(boundary: Option<String>) -> Result<Self, Code> {
        let inner = match boundary {
            None => core::MultipartForm::new(),
            Some(b) => core::MultipartForm::with_boundary(&b).map_err(fail)?,
        };
        Ok(MultipartForm { inner })
    }

    /// `multipart/form-data; boundary=…`
    #[napi(getter)]
    pub fn content_type(&self) -> String {
        self.inner.content_type()
    }

    #[napi(getter)]
    pub fn boundary(&self) -> String {
        self.inner.boundary().to_owned()
    }

    /// Adds a text field.
    #[napi]
    pub fn add_field(&mut self, name: String, value: String) -> Result<(), Code> {
        self.inner.add_field(&name, &value).map_err(fail)?;
        Ok(())
    }

    /// Adds a file from memory (`mimeType` defaults to application/octet-stream).
    #[napi]
    pub fn add_file_bytes(
        &mut self,
        field_name: String,
        file_name: String,
        bytes: Either<Buffer, String>,
        mime_type: Option<String>,
    ) -> Result<(), Code> {
        self.inner
            .add_file_bytes(
                &field_name,
                &file_name,
                bytes_of(&bytes).to_vec(),
                mime_type.as_deref(),
            )
            .map_err(fail)?;
        Ok(())
    }

    /// Adds a file by path; its content is streamed when hashed or encoded.
    #[napi]
    pub fn add_file_path(
        &mut self,
        field_name: String,
        path: String,
        file_name: Option<String>,
        mime_type: Option<String>,
    ) -> Result<(), Code> {
        self.inner
            .add_file_path(
                &field_name,
                PathBuf::from(path),
                file_name.as_deref(),
                mime_type.as_deref(),
            )
            .map_err(fail)?;
        Ok(())
    }

    /// The encoded body.
    #[napi]
    pub fn to_buffer(&mut self) -> Result<Buffer, Code> {
        let (bytes, _) = self.inner.to_bytes().map_err(fail)?;
        Ok(bytes.into())
    }

    /// The canonical object (contract §5) as compact JSON.
    #[napi]
    pub fn canonical(&mut self) -> Result<String, Code> {
        Ok(self.inner.canonical().map_err(fail)?.to_json())
    }

    /// The multipart `bodyHash`.
    #[napi]
    pub fn body_hash(&mut self) -> Result<String, Code> {
        Ok(self.inner.body_hash().map_err(fail)?.as_str().to_owned())
    }
}

// ---------------------------------------------------------------- hashes and URLs

/// SHA-256 hex of a body.
#[napi]
pub fn body_hash(body: Either<Buffer, String>) -> String {
    core::body_hash(bytes_of(&body)).as_str().to_owned()
}

/// SHA-256 hex of a file, streamed, on the calling thread.
#[napi]
pub fn body_hash_file_sync(path: String) -> Result<String, Code> {
    Ok(core::body_hash_file(path)
        .map_err(fail)?
        .0
        .as_str()
        .to_owned())
}

/// SHA-256 hex of a file, streamed on the libuv thread pool.
#[napi(ts_return_type = "Promise<string>")]
pub fn body_hash_file(path: String) -> AsyncTask<HashFileTask> {
    AsyncTask::new(HashFileTask {
        path: PathBuf::from(path),
        failure: None,
    })
}

/// `bodyHashFile`'s work.
pub struct HashFileTask {
    path: PathBuf,
    failure: Option<core::Error>,
}

impl Task for HashFileTask {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        match core::body_hash_file(&self.path) {
            Ok((hash, _)) => Ok(hash.as_str().to_owned()),
            Err(e) => {
                let err = napi::Error::from_reason(e.message());
                self.failure = Some(e);
                Err(err)
            }
        }
    }

    fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
        Ok(output)
    }

    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<String> {
        Err(match self.failure.take() {
            Some(e) => js_error(&env, e.code().as_str(), e.message(), None),
            None => err,
        })
    }
}

/// The multipart `bodyHash` of an encoded body and its Content-Type.
#[napi]
pub fn multipart_body_hash(content_type: String, body: Buffer) -> Result<String, Code> {
    Ok(core::multipart_body_hash(&content_type, &body)
        .map_err(fail)?
        .as_str()
        .to_owned())
}

/// The `uri` claim for a URL or request target.
#[napi]
pub fn request_uri(url: String) -> Result<String, Code> {
    core::request_uri(&url).map_err(fail)
}

/// The URL to send: fragment and empty query dropped, so that what is sent is what is signed.
#[napi]
pub fn sendable_url(url: String) -> Result<String, Code> {
    core::sendable_url(&url).map_err(fail)
}

/// The `bodyHash` a server computes from a received body (multipart by Content-Type).
#[napi]
pub fn received_body_hash(content_type: Option<String>, body: Buffer) -> Result<String, Code> {
    Ok(core::received_body_hash(content_type.as_deref(), &body)
        .map_err(fail)?
        .as_str()
        .to_owned())
}

// ---------------------------------------------------------------- verification

/// Verifier options.
#[napi(object, js_name = "VerifierOptions")]
pub struct JsVerifierOptions {
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// Allowed clock difference, 0..=60 s (default 5).
    pub clock_skew_secs: Option<u32>,
}

/// A request as a server received it.
#[napi(object, js_name = "ReceivedRequest")]
pub struct JsReceivedRequest {
    pub method: String,
    /// Path and query as received.
    pub target: String,
    pub api_key: Option<String>,
    pub authorization: Option<String>,
    /// From `receivedBodyHash`.
    pub body_hash: String,
}

/// An accepted request.
#[napi(object, js_name = "Verified")]
pub struct JsVerified {
    pub application: String,
    pub claims: JsClaims,
    pub permission: Option<String>,
    pub key_fingerprint: String,
}

/// The server side of contract §6, with its replay cache.
#[napi]
pub struct Verifier {
    inner: core::Verifier,
}

fn build_verifier(
    registry: core::Registry,
    options: Option<JsVerifierOptions>,
) -> Result<Verifier, Code> {
    let mut opts = core::VerifierOptions::default();
    if let Some(o) = options {
        if let Some(i) = o.issuer {
            opts.issuer = i;
        }
        if let Some(a) = o.audience {
            opts.audience = a;
        }
        if let Some(s) = o.clock_skew_secs {
            opts.clock_skew_secs = s;
        }
    }
    let inner = core::Verifier::new(registry)
        .with_options(opts)
        .map_err(fail)?;
    Ok(Verifier { inner })
}

#[napi]
impl Verifier {
    /// From a registry JSON text; relative key `file`s resolve against `baseDir` (default `.`).
    #[napi(factory)]
    pub fn from_registry_json(
        json: String,
        base_dir: Option<String>,
        options: Option<JsVerifierOptions>,
    ) -> Result<Self, Code> {
        let base = base_dir.unwrap_or_else(|| ".".to_owned());
        let registry = core::Registry::from_json_str(&json, Path::new(&base)).map_err(fail)?;
        build_verifier(registry, options)
    }

    /// From a registry file (JSON or TOML).
    #[napi(factory)]
    pub fn from_registry_file(
        path: String,
        options: Option<JsVerifierOptions>,
    ) -> Result<Self, Code> {
        let registry = core::Registry::from_file(path).map_err(fail)?;
        build_verifier(registry, options)
    }

    /// Verifies a request. Throws an `Error` with `.code` (`AUTH_*`), `.httpStatus`
    /// and `.responseBody` (the JSON error body Nuvera answers with).
    #[napi]
    pub fn verify(&self, env: Env, request: JsReceivedRequest) -> napi::Result<JsVerified> {
        let body_hash = core::BodyHash::parse(&request.body_hash)
            .map_err(|e| js_error(&env, e.code().as_str(), e.message(), None))?;
        let received = core::ReceivedRequest {
            method: &request.method,
            target: &request.target,
            api_key: request.api_key.as_deref(),
            authorization: request.authorization.as_deref(),
            body_hash: &body_hash,
        };
        match self.inner.verify(&received) {
            Ok(v) => Ok(JsVerified {
                application: v.application,
                claims: (&v.claims).into(),
                permission: v.permission,
                key_fingerprint: v.key_fingerprint,
            }),
            Err(e) => Err(js_error(
                &env,
                e.code().as_str(),
                e.message(),
                Some((e.http_status(), e.response_body())),
            )),
        }
    }
}

// ---------------------------------------------------------------- explain

/// The request as it was sent, for `explain`.
#[napi(object, js_name = "SentRequest")]
pub struct JsSentRequest {
    pub method: String,
    pub url: String,
    pub api_key: Option<String>,
    pub content_type: Option<String>,
    pub body: Option<Either<Buffer, String>>,
}

/// What `explain` checks against.
#[napi(object, js_name = "ExplainOptions")]
pub struct JsExplainOptions {
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// When given, the signature is checked too.
    pub public_key_pem: Option<String>,
    /// When given, `iat`/`exp` are checked against this time (Unix seconds).
    pub now: Option<i64>,
    pub clock_skew_secs: Option<u32>,
    pub seen_jtis: Option<Vec<String>>,
}

/// Diagnoses a token against the request it was sent with. Returns the report object with `ok`
/// and a human-readable `text`.
#[napi(ts_return_type = "Record<string, unknown> & { ok: boolean, text: string }")]
pub fn explain(
    request: JsSentRequest,
    token: String,
    options: Option<JsExplainOptions>,
) -> Result<serde_json::Value, Code> {
    let mut opts = core::ExplainOptions::default();
    if let Some(o) = options {
        if let Some(i) = o.issuer {
            opts.issuer = i;
        }
        if let Some(a) = o.audience {
            opts.audience = a;
        }
        if let Some(pem) = o.public_key_pem {
            opts.public_key = Some(core::PublicKey::from_pem(pem).map_err(fail)?);
        }
        opts.now = to_u64("now", o.now)?;
        if let Some(s) = o.clock_skew_secs {
            opts.clock_skew_secs = s;
        }
        opts.seen_jtis = o.seen_jtis.unwrap_or_default();
    }
    let body: &[u8] = request.body.as_ref().map(bytes_of).unwrap_or(&[]);
    let mut reader = body;
    let report = core::explain(
        core::SentRequest {
            method: &request.method,
            url: &request.url,
            api_key: request.api_key.as_deref(),
            content_type: request.content_type.as_deref(),
            body: &mut reader,
        },
        &token,
        &opts,
    )
    .map_err(fail)?;
    let mut value =
        serde_json::to_value(&report).map_err(|e| invalid("UNSUPPORTED", e.to_string()))?;
    if let Some(map) = value.as_object_mut() {
        map.insert("ok".to_owned(), report.ok().into());
        map.insert("text".to_owned(), report.to_text().into());
    }
    Ok(value)
}
