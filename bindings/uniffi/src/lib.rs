//! uniffi bindings of `nuvera-signing`: the native part of the Python wheel.
//!
//! Glue only. Every rule (uri, body hashes, multipart canonicalization, claims, JWT, verification,
//! explain) is in the core crate; this file converts types and errors at the FFI boundary.
//!
//! - Bytes cross as `Vec<u8>`; large bodies and files are given as paths and streamed by the core,
//!   so they never cross the FFI whole.
//! - Every fallible call returns [`NuveraError`], which carries the core's stable `code` string and
//!   its message (and, for verification, the HTTP status). Panics are caught by uniffi's scaffolding
//!   and never unwind into Python; nothing here unwraps.
//! - Secrets: `PrivateKey` never exposes key material, and no error message contains a key, an API
//!   key or a token (the core's messages never do).

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use nuvera_signing as core;
use nuvera_signing::{Body, SignOverrides};

uniffi::setup_scaffolding!();

/// The one error type of the binding: a stable `code` (`ErrorCode::as_str` / `AuthCode::as_str`)
/// and a human `detail`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
pub enum NuveraError {
    /// Signing-side failure (`INVALID_PRIVATE_KEY`, `INVALID_URL`, `MULTIPART_MALFORMED`, …).
    Signing {
        /// Stable code.
        code: String,
        /// What to change. (Named `detail`: a field called `message` clashes with
        /// `Throwable.message` in the generated Kotlin.)
        detail: String,
    },
    /// A request refused by the verifier (`AUTH_*`).
    Verification {
        /// Stable `AUTH_*` code.
        code: String,
        /// What to change. (Named `detail`: a field called `message` clashes with
        /// `Throwable.message` in the generated Kotlin.)
        detail: String,
        /// HTTP status to answer with (401, or 403 for `AUTH_PERMISSION_DENIED`).
        http_status: i32,
        /// The JSON error body Nuvera answers with (contract §6).
        response_body: String,
    },
}

impl fmt::Display for NuveraError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NuveraError::Signing { code, detail }
            | NuveraError::Verification { code, detail, .. } => write!(f, "{code}: {detail}"),
        }
    }
}

impl std::error::Error for NuveraError {}

impl From<core::Error> for NuveraError {
    fn from(e: core::Error) -> Self {
        NuveraError::Signing {
            code: e.code().as_str().to_owned(),
            detail: e.message().to_owned(),
        }
    }
}

impl From<core::VerifyError> for NuveraError {
    fn from(e: core::VerifyError) -> Self {
        NuveraError::Verification {
            code: e.code().as_str().to_owned(),
            detail: e.message().to_owned(),
            http_status: i32::from(e.http_status()),
            response_body: e.response_body(),
        }
    }
}

type Result<T, E = NuveraError> = std::result::Result<T, E>;

// Integers cross the FFI signed: Kotlin's unsigned types (`UInt`, `ULong`) make generated methods
// and record getters uncallable from Java, and Python's `int` does not care. Negative values are
// refused here with the code the core gives that input.

fn unsigned<T: TryFrom<i64>>(
    value: Option<impl Into<i64>>,
    code: core::ErrorCode,
    what: &str,
) -> Result<Option<T>> {
    value
        .map(|v| {
            let v: i64 = v.into();
            T::try_from(v).map_err(|_| NuveraError::Signing {
                code: code.as_str().to_owned(),
                detail: format!("{what} {v} is out of range"),
            })
        })
        .transpose()
}

/// Unix seconds for the FFI (a `u64` beyond `i64::MAX` is not a time any token carries).
fn seconds(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A lock that survives a poisoned mutex: the form's state stays usable (the core never leaves a
/// form half-updated on error), and a panic never turns into a second panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ---------------------------------------------------------------------------------------------
// Keys

/// A parsed RSA private key. Never shows key material.
#[derive(uniffi::Object)]
pub struct PrivateKey {
    inner: Arc<core::PrivateKey>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

#[uniffi::export]
impl PrivateKey {
    /// Parses PEM text (PKCS#8, PKCS#1, encrypted PKCS#8 with `passphrase`; literal `\n` accepted).
    #[uniffi::constructor]
    pub fn from_pem(pem: Vec<u8>, passphrase: Option<Vec<u8>>) -> Result<Arc<Self>> {
        let key = core::PrivateKey::from_pem(&pem, passphrase.as_deref())?;
        Ok(Arc::new(PrivateKey {
            inner: Arc::new(key),
        }))
    }

    /// Reads and parses a PEM file.
    #[uniffi::constructor]
    pub fn from_file(path: String, passphrase: Option<Vec<u8>>) -> Result<Arc<Self>> {
        let key = core::PrivateKey::from_file(&path, passphrase.as_deref())?;
        Ok(Arc::new(PrivateKey {
            inner: Arc::new(key),
        }))
    }

    /// The SPKI public key PEM (what to register with Nuvera).
    pub fn public_key_pem(&self) -> String {
        self.inner.public_key().to_pem()
    }

    /// `SHA256:` + hex SHA-256 of the SPKI DER.
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> i32 {
        i32::try_from(self.inner.bits()).unwrap_or(i32::MAX)
    }
}

// ---------------------------------------------------------------------------------------------
// Signing

/// The nine signed claims (`sub` is the API key: do not log it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The API key.
    pub sub: String,
    /// Upper-cased method.
    pub method: String,
    /// Request target.
    pub uri: String,
    /// Body hash.
    pub body_hash: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Token id.
    pub jti: String,
}

impl From<&core::Claims> for Claims {
    fn from(c: &core::Claims) -> Self {
        Claims {
            iss: c.iss.clone(),
            aud: c.aud.clone(),
            sub: c.sub.clone(),
            method: c.method.clone(),
            uri: c.uri.clone(),
            body_hash: c.body_hash.clone(),
            iat: seconds(c.iat),
            exp: seconds(c.exp),
            jti: c.jti.clone(),
        }
    }
}

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Header {
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
}

/// A signed request: headers, token, claims, proof.
#[derive(uniffi::Object)]
pub struct SignedRequest {
    inner: core::SignedRequest,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

#[uniffi::export]
impl SignedRequest {
    /// `x-api-key` and `Authorization`, in that order.
    pub fn headers(&self) -> Vec<Header> {
        self.inner
            .headers()
            .into_iter()
            .map(|(name, value)| Header {
                name: name.to_owned(),
                value,
            })
            .collect()
    }

    /// The compact JWT.
    pub fn token(&self) -> String {
        self.inner.token().to_owned()
    }

    /// `Bearer <token>`.
    pub fn authorization(&self) -> String {
        self.inner.authorization()
    }

    /// The signed claims.
    pub fn claims(&self) -> Claims {
        self.inner.claims().into()
    }

    /// The proof artifact as pretty JSON (no secret in it).
    pub fn proof_json(&self) -> String {
        self.inner.proof().to_json_pretty()
    }
}

/// Signs requests for one API key. Thread-safe.
#[derive(uniffi::Object)]
pub struct Signer {
    inner: core::Signer,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

fn overrides(iat: Option<i64>, jti: Option<String>) -> Result<SignOverrides> {
    Ok(SignOverrides {
        iat: unsigned(iat, core::ErrorCode::InvalidClaim, "iat")?,
        jti,
    })
}

#[uniffi::export]
impl Signer {
    /// A signer; `None` options take the contract's defaults (55 s, `nuvera-api`, `nuvera-rest-api`).
    #[uniffi::constructor]
    pub fn new(
        key: Arc<PrivateKey>,
        api_key: String,
        lifetime_secs: Option<i32>,
        issuer: Option<String>,
        audience: Option<String>,
    ) -> Result<Arc<Self>> {
        let mut options = core::SignerOptions::default();
        if let Some(l) = unsigned(lifetime_secs, core::ErrorCode::InvalidLifetime, "lifetime")? {
            options.lifetime_secs = l;
        }
        if let Some(i) = issuer {
            options.issuer = i;
        }
        if let Some(a) = audience {
            options.audience = a;
        }
        let inner = core::Signer::with_options(Arc::clone(&key.inner), &api_key, options)?;
        Ok(Arc::new(Signer { inner }))
    }

    /// Signs a plain request; `body` `None` is no body.
    pub fn sign(
        &self,
        method: String,
        url: String,
        body: Option<Vec<u8>>,
        iat: Option<i64>,
        jti: Option<String>,
    ) -> Result<Arc<SignedRequest>> {
        let body = match &body {
            Some(b) => Body::Bytes(b),
            None => Body::Empty,
        };
        self.sign_body(&method, &url, body, iat, jti)
    }

    /// Signs with a `bodyHash` computed elsewhere.
    pub fn sign_precomputed(
        &self,
        method: String,
        url: String,
        body_hash: String,
        iat: Option<i64>,
        jti: Option<String>,
    ) -> Result<Arc<SignedRequest>> {
        let hash = core::BodyHash::parse(&body_hash)?;
        self.sign_body(&method, &url, Body::Precomputed(hash), iat, jti)
    }

    /// Signs a request whose body is the content of the file at `path` (streamed).
    pub fn sign_file(
        &self,
        method: String,
        url: String,
        path: String,
        iat: Option<i64>,
        jti: Option<String>,
    ) -> Result<Arc<SignedRequest>> {
        self.sign_body(&method, &url, Body::File(Path::new(&path)), iat, jti)
    }

    /// Signs an encoded multipart body sent with `content_type` (hashed through its canonical
    /// object).
    pub fn sign_multipart_wire(
        &self,
        method: String,
        url: String,
        content_type: String,
        body: Vec<u8>,
        iat: Option<i64>,
        jti: Option<String>,
    ) -> Result<Arc<SignedRequest>> {
        let body = Body::MultipartWire {
            content_type: &content_type,
            body: &body,
        };
        self.sign_body(&method, &url, body, iat, jti)
    }

    /// Signs a multipart request described by `form`.
    pub fn sign_multipart(
        &self,
        method: String,
        url: String,
        form: Arc<MultipartForm>,
        iat: Option<i64>,
        jti: Option<String>,
    ) -> Result<Arc<SignedRequest>> {
        let mut form = lock(&form.inner);
        self.sign_body(&method, &url, Body::Multipart(&mut form), iat, jti)
    }
}

impl Signer {
    fn sign_body(
        &self,
        method: &str,
        url: &str,
        body: Body<'_>,
        iat: Option<i64>,
        jti: Option<String>,
    ) -> Result<Arc<SignedRequest>> {
        let inner = self
            .inner
            .sign_with(method, url, body, &overrides(iat, jti)?)?;
        Ok(Arc::new(SignedRequest { inner }))
    }
}

// ---------------------------------------------------------------------------------------------
// Multipart

/// An encoded multipart body.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EncodedForm {
    /// The wire bytes.
    pub body: Vec<u8>,
    /// `multipart/form-data; boundary=…`
    pub content_type: String,
    /// The canonical object (contract §5) of exactly these bytes.
    pub canonical_json: String,
    /// Its `bodyHash`.
    pub body_hash: String,
}

/// A `multipart/form-data` body described by parts. Thread-safe (calls are serialized).
#[derive(uniffi::Object)]
pub struct MultipartForm {
    inner: Mutex<core::MultipartForm>,
}

impl fmt::Debug for MultipartForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*lock(&self.inner), f)
    }
}

#[uniffi::export]
impl MultipartForm {
    /// An empty form with a random boundary, or `boundary` when given.
    #[uniffi::constructor]
    pub fn new(boundary: Option<String>) -> Result<Arc<Self>> {
        let form = match boundary {
            Some(b) => core::MultipartForm::with_boundary(&b)?,
            None => core::MultipartForm::new(),
        };
        Ok(Arc::new(MultipartForm {
            inner: Mutex::new(form),
        }))
    }

    /// Adds a text field.
    pub fn add_field(&self, name: String, value: String) -> Result<()> {
        lock(&self.inner).add_field(&name, &value)?;
        Ok(())
    }

    /// Adds a file by path (streamed whenever hashed or encoded).
    pub fn add_file_path(
        &self,
        field_name: String,
        path: String,
        file_name: Option<String>,
        mime_type: Option<String>,
    ) -> Result<()> {
        lock(&self.inner).add_file_path(
            &field_name,
            &path,
            file_name.as_deref(),
            mime_type.as_deref(),
        )?;
        Ok(())
    }

    /// Adds a file from memory.
    pub fn add_file_bytes(
        &self,
        field_name: String,
        file_name: String,
        bytes: Vec<u8>,
        mime_type: Option<String>,
    ) -> Result<()> {
        lock(&self.inner).add_file_bytes(&field_name, &file_name, bytes, mime_type.as_deref())?;
        Ok(())
    }

    /// `multipart/form-data; boundary=…`
    pub fn content_type(&self) -> String {
        lock(&self.inner).content_type()
    }

    /// The boundary.
    pub fn boundary(&self) -> String {
        lock(&self.inner).boundary().to_owned()
    }

    /// The canonical object's compact JSON.
    pub fn canonical_json(&self) -> Result<String> {
        Ok(lock(&self.inner).canonical()?.to_json())
    }

    /// The multipart `bodyHash`.
    pub fn body_hash(&self) -> Result<String> {
        Ok(lock(&self.inner).body_hash()?.as_str().to_owned())
    }

    /// Encodes the body in memory, with its canonical object and hash (one pass).
    pub fn encode(&self) -> Result<EncodedForm> {
        let mut form = lock(&self.inner);
        let (body, canonical) = form.to_bytes()?;
        Ok(EncodedForm {
            body,
            content_type: form.content_type(),
            canonical_json: canonical.to_json(),
            body_hash: canonical.body_hash().as_str().to_owned(),
        })
    }

    /// Encodes the body into the file at `path` (created or truncated), streaming; returns the
    /// canonical object's JSON of exactly the bytes written.
    pub fn write_to_file(&self, path: String) -> Result<String> {
        let file = std::fs::File::create(&path).map_err(|e| NuveraError::Signing {
            code: core::ErrorCode::IoError.as_str().to_owned(),
            detail: format!("cannot create {path}: {e}"),
        })?;
        let mut out = std::io::BufWriter::new(file);
        let canonical = lock(&self.inner).write_to(&mut out)?;
        std::io::Write::flush(&mut out).map_err(|e| NuveraError::Signing {
            code: core::ErrorCode::IoError.as_str().to_owned(),
            detail: format!("cannot write {path}: {e}"),
        })?;
        Ok(canonical.to_json())
    }
}

// ---------------------------------------------------------------------------------------------
// Free functions

/// SHA-256 hex of `body` (contract §4).
#[uniffi::export]
pub fn body_hash(body: Vec<u8>) -> String {
    core::body_hash(&body).as_str().to_owned()
}

/// SHA-256 hex of a file's content, streamed.
#[uniffi::export]
pub fn body_hash_file(path: String) -> Result<String> {
    Ok(core::body_hash_file(&path)?.0.as_str().to_owned())
}

/// A `bodyHash` computed from chunks pushed one by one, for streams the core cannot read itself
/// (a Java `InputStream`, an OkHttp body): through the multipart canonical object when
/// `content_type` is `multipart/form-data`, of the raw bytes otherwise. Memory stays flat.
/// Thread-safe (calls are serialized).
#[derive(uniffi::Object)]
pub struct BodyHasher {
    inner: Mutex<Option<core::verify::BodyReceiver>>,
}

impl fmt::Debug for BodyHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*lock(&self.inner) {
            Some(r) => write!(f, "BodyHasher({} bytes)", r.size()),
            None => f.write_str("BodyHasher(finished)"),
        }
    }
}

fn hasher_finished() -> NuveraError {
    NuveraError::Signing {
        code: core::ErrorCode::Unsupported.as_str().to_owned(),
        detail: "this BodyHasher has already finished; start a new one".to_owned(),
    }
}

#[uniffi::export]
impl BodyHasher {
    /// A hasher for a body sent with `content_type` (`None`: plain bytes).
    #[uniffi::constructor]
    pub fn new(content_type: Option<String>) -> Arc<Self> {
        let receiver = core::verify::BodyReceiver::new(
            content_type.as_deref(),
            core::multipart::MultipartLimits::default(),
        );
        Arc::new(BodyHasher {
            inner: Mutex::new(Some(receiver)),
        })
    }

    /// Appends `chunk` (a malformed multipart body may fail here or in `finish`).
    pub fn update(&self, chunk: Vec<u8>) -> Result<()> {
        lock(&self.inner)
            .as_mut()
            .ok_or_else(hasher_finished)?
            .feed(&chunk)?;
        Ok(())
    }

    /// The `bodyHash` of everything pushed; the hasher cannot be used again.
    pub fn finish(&self) -> Result<String> {
        let receiver = lock(&self.inner).take().ok_or_else(hasher_finished)?;
        Ok(receiver.finish()?.hash.as_str().to_owned())
    }
}

/// Multipart `bodyHash` of an encoded body (contract §5).
#[uniffi::export]
pub fn multipart_body_hash(content_type: String, body: Vec<u8>) -> Result<String> {
    Ok(core::multipart_body_hash(&content_type, &body)?
        .as_str()
        .to_owned())
}

/// Multipart canonical object's JSON of an encoded body.
#[uniffi::export]
pub fn multipart_canonical_json(content_type: String, body: Vec<u8>) -> Result<String> {
    Ok(core::multipart::canonicalize_wire(&content_type, &body)?.to_json())
}

/// Multipart `bodyHash` of an encoded body stored in a file, streamed.
#[uniffi::export]
pub fn multipart_body_hash_file(content_type: String, path: String) -> Result<String> {
    let file = std::fs::File::open(&path).map_err(|e| NuveraError::Signing {
        code: core::ErrorCode::IoError.as_str().to_owned(),
        detail: format!("cannot open {path}: {e}"),
    })?;
    Ok(
        core::multipart_body_hash_reader(&content_type, std::io::BufReader::new(file))?
            .as_str()
            .to_owned(),
    )
}

/// The `uri` claim for a URL or request target (contract §3).
#[uniffi::export]
pub fn request_uri(url: String) -> Result<String> {
    Ok(core::request_uri(&url)?)
}

/// The URL to hand an HTTP client so that it sends exactly the signed `uri`.
#[uniffi::export]
pub fn sendable_url(url: String) -> Result<String> {
    Ok(core::sendable_url(&url)?)
}

/// True when `content_type` is `multipart/form-data` (so the body is hashed through its canonical
/// object, not as bytes).
#[uniffi::export]
pub fn is_multipart_form_data(content_type: String) -> bool {
    core::verify::is_multipart_form_data(&content_type)
}

/// The hash a server computes of a received body (multipart through its canonical object).
#[uniffi::export]
pub fn received_body_hash(content_type: Option<String>, body: Vec<u8>) -> Result<String> {
    Ok(core::received_body_hash(content_type.as_deref(), &body)?
        .as_str()
        .to_owned())
}

// ---------------------------------------------------------------------------------------------
// Verification

/// A verified request.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Verified {
    /// The application's name.
    pub application: String,
    /// The claims.
    pub claims: Claims,
    /// The permission the route needed, if any.
    pub permission: Option<String>,
    /// Fingerprint of the public key that verified the signature.
    pub key_fingerprint: String,
}

/// Server side of contract §6. Thread-safe; keeps its replay cache.
#[derive(uniffi::Object)]
pub struct Verifier {
    inner: core::Verifier,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

fn verifier(
    registry: core::Registry,
    issuer: Option<String>,
    audience: Option<String>,
    clock_skew_secs: Option<i32>,
    now: Option<i64>,
) -> Result<Arc<Verifier>> {
    let mut options = core::VerifierOptions::default();
    if let Some(i) = issuer {
        options.issuer = i;
    }
    if let Some(a) = audience {
        options.audience = a;
    }
    if let Some(s) = unsigned(clock_skew_secs, core::ErrorCode::InvalidClaim, "clock skew")? {
        options.clock_skew_secs = s;
    }
    let mut inner = core::Verifier::new(registry).with_options(options)?;
    if let Some(now) = unsigned(now, core::ErrorCode::InvalidClaim, "now")? {
        inner = inner.with_clock(Arc::new(core::FixedClock(now)));
    }
    Ok(Arc::new(Verifier { inner }))
}

#[uniffi::export]
impl Verifier {
    /// From a registry file (TOML when it ends in `.toml`, JSON otherwise). `now` pins the clock.
    #[uniffi::constructor]
    pub fn from_file(
        path: String,
        issuer: Option<String>,
        audience: Option<String>,
        clock_skew_secs: Option<i32>,
        now: Option<i64>,
    ) -> Result<Arc<Self>> {
        let registry = core::Registry::from_file(&path)?;
        verifier(registry, issuer, audience, clock_skew_secs, now)
    }

    /// From registry text (`format` is `json` or `toml`); relative key files resolve against
    /// `base_dir` (default: the current directory).
    #[uniffi::constructor]
    pub fn from_text(
        text: String,
        format: String,
        base_dir: Option<String>,
        issuer: Option<String>,
        audience: Option<String>,
        clock_skew_secs: Option<i32>,
        now: Option<i64>,
    ) -> Result<Arc<Self>> {
        let base = base_dir.unwrap_or_else(|| ".".to_owned());
        let registry = if format.eq_ignore_ascii_case("toml") {
            core::Registry::from_toml_str(&text, Path::new(&base))?
        } else if format.eq_ignore_ascii_case("json") {
            core::Registry::from_json_str(&text, Path::new(&base))?
        } else {
            return Err(NuveraError::Signing {
                code: core::ErrorCode::InvalidRegistry.as_str().to_owned(),
                detail: format!("registry format must be \"json\" or \"toml\", not {format:?}"),
            });
        };
        verifier(registry, issuer, audience, clock_skew_secs, now)
    }

    /// Applies every rule of contract §6; the first failure is a `Verification` error.
    pub fn verify(
        &self,
        method: String,
        target: String,
        api_key: Option<String>,
        authorization: Option<String>,
        body_hash: String,
    ) -> Result<Verified> {
        let hash = core::BodyHash::parse(&body_hash)?;
        let request = core::ReceivedRequest {
            method: &method,
            target: &target,
            api_key: api_key.as_deref(),
            authorization: authorization.as_deref(),
            body_hash: &hash,
        };
        self.verified(&request)
    }

    /// Verifies a received request from its headers (names in any case) and raw body bytes: the
    /// body is hashed as the server must (multipart through its canonical object).
    pub fn verify_request(
        &self,
        method: String,
        target: String,
        headers: Vec<Header>,
        body: Vec<u8>,
    ) -> Result<Verified> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| h.value.as_str())
        };
        let hash = core::received_body_hash(header("content-type"), &body)?;
        let request = core::ReceivedRequest {
            method: &method,
            target: &target,
            api_key: header("x-api-key"),
            authorization: header("authorization"),
            body_hash: &hash,
        };
        self.verified(&request)
    }
}

impl Verifier {
    fn verified(&self, request: &core::ReceivedRequest<'_>) -> Result<Verified> {
        let v = self.inner.verify(request)?;
        Ok(Verified {
            application: v.application,
            claims: (&v.claims).into(),
            permission: v.permission,
            key_fingerprint: v.key_fingerprint,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Explain

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExplainFinding {
    /// `AUTH_*` code.
    pub code: String,
    /// `api-key`, `jwt-claims`, `permission` or `body-hash`.
    pub area: String,
    /// The signed value, when there is one.
    pub signed: Option<String>,
    /// The sent value, when there is one.
    pub sent: Option<String>,
    /// Why it fails.
    pub diagnosis: String,
    /// What to change.
    pub fix: String,
}

/// The outcome of `explain`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExplainReport {
    /// True when no rule fails.
    pub ok: bool,
    /// The code Nuvera would answer with, if any.
    pub verdict: Option<String>,
    /// Broken rules, in check order.
    pub findings: Vec<ExplainFinding>,
    /// Remarks that are not failures.
    pub notes: Vec<String>,
    /// The report for humans.
    pub text: String,
    /// The report as JSON (claims with `sub` masked).
    pub json: String,
}

/// Explains `token` against the request as sent (never needs the private key).
#[uniffi::export]
#[allow(clippy::too_many_arguments)]
pub fn explain(
    method: String,
    url: String,
    api_key: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
    token: String,
    public_key_pem: Option<String>,
    now: Option<i64>,
) -> Result<ExplainReport> {
    let options = core::ExplainOptions {
        public_key: match public_key_pem {
            Some(pem) => Some(core::PublicKey::from_pem(&pem)?),
            None => None,
        },
        now: unsigned(now, core::ErrorCode::InvalidClaim, "now")?,
        ..Default::default()
    };
    let mut reader: &[u8] = &body;
    let sent = core::SentRequest {
        method: &method,
        url: &url,
        api_key: api_key.as_deref(),
        content_type: content_type.as_deref(),
        body: &mut reader,
    };
    let report = core::explain(sent, &token, &options)?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| NuveraError::Signing {
        code: core::ErrorCode::IoError.as_str().to_owned(),
        detail: format!("cannot serialize the report: {e}"),
    })?;
    Ok(ExplainReport {
        ok: report.ok(),
        verdict: report.verdict.map(|c| c.as_str().to_owned()),
        findings: report
            .findings
            .iter()
            .map(|f| ExplainFinding {
                code: f.code.as_str().to_owned(),
                area: f.area.as_str().to_owned(),
                signed: f.signed.clone(),
                sent: f.sent.clone(),
                diagnosis: f.diagnosis.clone(),
                fix: f.fix.clone(),
            })
            .collect(),
        notes: report.notes.clone(),
        text: report.to_text(),
        json,
    })
}

// ---------------------------------------------------------------------------------------------
// Streaming file parts from the foreign side

/// A readable byte source implemented by the foreign language (a Python file object): the core
/// pulls it in chunks of at most `max_len` bytes, so a large file never crosses the FFI whole.
#[uniffi::export(with_foreign)]
pub trait ByteSource: Send + Sync {
    /// Up to `max_len` bytes; empty at the end. An error aborts the hash or encoding with its code.
    fn read(&self, max_len: i32) -> Result<Vec<u8>>;
}

impl From<uniffi::UnexpectedUniFFICallbackError> for NuveraError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        NuveraError::Signing {
            code: core::ErrorCode::IoError.as_str().to_owned(),
            detail: format!("the file object failed: {}", e.reason),
        }
    }
}

/// Adapts a [`ByteSource`] to `std::io::Read` for the core. Pending bytes are kept when the
/// source returns more than asked (a lenient source), so nothing is lost or reordered.
struct ForeignReader {
    source: Arc<dyn ByteSource>,
    pending: Vec<u8>,
    offset: usize,
}

impl std::io::Read for ForeignReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.offset >= self.pending.len() {
            let max = i32::try_from(buf.len()).unwrap_or(i32::MAX);
            self.pending = self.source.read(max).map_err(|e| match e {
                NuveraError::Signing { detail, .. } | NuveraError::Verification { detail, .. } => {
                    std::io::Error::other(detail)
                }
            })?;
            self.offset = 0;
            if self.pending.is_empty() {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.pending.len() - self.offset);
        buf[..n].copy_from_slice(&self.pending[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}

#[uniffi::export]
impl MultipartForm {
    /// Adds a file read from `source` in chunks. A source can be read once: hash or encode a form
    /// holding one once (`write_to_file` does both in one pass).
    pub fn add_file_source(
        &self,
        field_name: String,
        file_name: String,
        source: Arc<dyn ByteSource>,
        mime_type: Option<String>,
    ) -> Result<()> {
        let reader = ForeignReader {
            source,
            pending: Vec::new(),
            offset: 0,
        };
        lock(&self.inner).add_file_reader(
            &field_name,
            &file_name,
            Box::new(reader),
            mime_type.as_deref(),
        )?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Support bundles

/// A support bundle (contract §7) as pretty JSON: the request as sent (`headers` as sent, plus
/// `x-api-key` from `api_key` and `Authorization` from `token` when missing; both are masked),
/// the token decoded without its signature, Nuvera's answer and the local diagnosis. It holds no
/// API key, token, private key or file bytes.
#[uniffi::export]
#[allow(clippy::too_many_arguments)]
pub fn support_bundle(
    method: String,
    url: String,
    headers: Vec<Header>,
    api_key: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
    token: String,
    status: i32,
    response_body: Vec<u8>,
    application: Option<String>,
    public_key_pem: Option<String>,
    now: Option<i64>,
) -> Result<String> {
    let options = core::ExplainOptions {
        public_key: match public_key_pem {
            Some(pem) => Some(core::PublicKey::from_pem(&pem)?),
            None => None,
        },
        ..Default::default()
    };
    let now = match unsigned(now, core::ErrorCode::InvalidClaim, "now")? {
        Some(n) => n,
        None => core::Clock::now_unix(&core::SystemClock)?,
    };
    // The core completes missing x-api-key / Authorization headers from api_key and token.
    let headers: Vec<(String, String)> = headers.into_iter().map(|h| (h.name, h.value)).collect();
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut reader: &[u8] = &body;
    let sent = core::SentRequest {
        method: &method,
        url: &url,
        api_key: api_key.as_deref(),
        content_type: content_type.as_deref(),
        body: &mut reader,
    };
    let bundle = core::SupportBundle::build(
        sent,
        &header_refs,
        &token,
        core::explain::BundleResponse::new(
            unsigned(Some(status), core::ErrorCode::InvalidClaim, "status")?.unwrap_or_default(),
            &response_body,
        ),
        application.as_deref(),
        &options,
        now,
    )?;
    Ok(bundle.to_json_pretty())
}

// ---------------------------------------------------------------------------------------------
// The per-request hot path of the Python and Java packages: plain C-ABI functions, called through
// ctypes by `python/_api.py` and through JNA direct mapping by `java/.../FastSign.java`

/// Status of [`nuvera_signing_fast_sign`]: signed; `out` holds the request handle and the token.
pub const FAST_SIGN_OK: i32 = 0;
/// Status of [`nuvera_signing_fast_sign`]: refused; `out` holds `CODE\nmessage` (UTF-8, cut to fit).
pub const FAST_SIGN_ERROR: i32 = 1;
/// Status of [`nuvera_signing_fast_sign`]: the token does not fit in `out` (nothing is kept; the
/// caller signs again through the uniffi `sign`).
pub const FAST_SIGN_TOO_SMALL: i32 = 2;
/// Status of [`nuvera_signing_fast_sign`]: a panic was caught; `out` holds the message.
pub const FAST_SIGN_PANIC: i32 = 3;

/// Header of `out` on success: the new `SignedRequest` handle, then the token length (both u64,
/// native byte order), then the token.
const FAST_SIGN_HEADER: usize = 16;

/// `Signer::sign` for the Python and Java packages' per-request path, with nothing for the foreign
/// side to build or parse but two integers.
///
/// Why it exists: through the uniffi-generated Python every `String`/`Option` argument is built
/// into a native buffer (10–20 µs each) and every record or string result is read back the same
/// way (10–40 µs): about 190 µs a request, 20 % of an RSA-2048 signature. The generated Kotlin pays
/// the same in JNA `Structure`s (about 270 µs a request on the test machine). Here the arguments
/// are borrowed bytes and the results are written into a buffer the caller owns.
///
/// - `signer` is the uniffi handle of a live [`Signer`], borrowed: the caller keeps its object
///   alive during the call.
/// - `method` and `url` are UTF-8; `body` is read only when `has_body` is not 0.
/// - On [`FAST_SIGN_OK`], `out` holds the handle of a new [`SignedRequest`] (owned by the caller,
///   who wraps it in the uniffi object, which frees it), the token length and the token.
///
/// # Safety
///
/// `signer` must be the handle of a live uniffi `Signer`; each pointer must be valid for reads of
/// its length (or the length 0); `out` must be valid for writes of `out_cap` bytes.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nuvera_signing_fast_sign(
    signer: u64,
    method: *const u8,
    method_len: usize,
    url: *const u8,
    url_len: usize,
    body: *const u8,
    body_len: usize,
    has_body: u8,
    out: *mut u8,
    out_cap: usize,
) -> i32 {
    unsafe fn slice<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
        if len == 0 || ptr.is_null() {
            &[]
        } else {
            // SAFETY: the caller guarantees `ptr` is readable for `len` bytes.
            unsafe { std::slice::from_raw_parts(ptr, len) }
        }
    }
    if out.is_null() || out_cap < FAST_SIGN_HEADER {
        return FAST_SIGN_TOO_SMALL;
    }
    // SAFETY: the caller guarantees `out` is writable for `out_cap` bytes.
    let out = unsafe { std::slice::from_raw_parts_mut(out, out_cap) };
    let write_message = |out: &mut [u8], text: &str| {
        let mut n = text.len().min(out.len());
        while !text.is_char_boundary(n) {
            n -= 1;
        }
        out[..n].copy_from_slice(&text.as_bytes()[..n]);
        if n < out.len() {
            out[n] = 0;
        }
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: a live `Signer` handle is an `Arc<Signer>` pointer (uniffi `Handle::from_arc`)
        // that the caller keeps alive for the call; it is only borrowed here.
        let signer: &Signer =
            unsafe { &*uniffi::Handle::from_raw_unchecked(signer).as_pointer::<Signer>() };
        // SAFETY: the caller guarantees each pointer is readable for its length.
        let (method, url, body) = unsafe {
            (
                slice(method, method_len),
                slice(url, url_len),
                slice(body, body_len),
            )
        };
        let method = utf8(method, core::ErrorCode::InvalidMethod, "method")?;
        let url = utf8(url, core::ErrorCode::InvalidUrl, "URL")?;
        let body = if has_body != 0 {
            Body::Bytes(body)
        } else {
            Body::Empty
        };
        signer.sign_body(method, url, body, None, None)
    }));
    match result {
        Ok(Ok(request)) => {
            let token = request.inner.token().as_bytes();
            let len = token.len();
            if len > out_cap - FAST_SIGN_HEADER {
                return FAST_SIGN_TOO_SMALL;
            }
            out[FAST_SIGN_HEADER..FAST_SIGN_HEADER + len].copy_from_slice(token);
            out[8..16].copy_from_slice(&(len as u64).to_ne_bytes());
            let handle = uniffi::Handle::from_arc(request).as_raw();
            out[..8].copy_from_slice(&handle.to_ne_bytes());
            FAST_SIGN_OK
        }
        Ok(Err(e)) => {
            let text = match e {
                NuveraError::Signing { code, detail }
                | NuveraError::Verification { code, detail, .. } => format!("{code}\n{detail}"),
            };
            write_message(out, &text);
            FAST_SIGN_ERROR
        }
        Err(_) => {
            write_message(out, "a panic was caught in nuvera_signing_fast_sign");
            FAST_SIGN_PANIC
        }
    }
}

/// Gives back a [`Signer`] handle that the caller took with the generated `uniffiCloneHandle()`
/// (Kotlin) to call [`nuvera_signing_fast_sign`] without a clone per call. `0` is ignored.
///
/// # Safety
///
/// `signer` must be such a cloned handle of a `Signer`, released exactly once, after the last
/// [`nuvera_signing_fast_sign`] call that uses it has returned.
#[no_mangle]
pub unsafe extern "C" fn nuvera_signing_fast_release_signer(signer: u64) {
    if signer == 0 {
        return;
    }
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: the caller owns one strong count of this `Arc<Signer>` (a cloned handle).
        drop(unsafe { uniffi::Handle::from_raw_unchecked(signer).into_arc::<Signer>() });
    });
}

fn utf8<'a>(bytes: &'a [u8], code: core::ErrorCode, what: &str) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|_| NuveraError::Signing {
        code: code.as_str().to_owned(),
        detail: format!("the {what} is not valid UTF-8"),
    })
}
