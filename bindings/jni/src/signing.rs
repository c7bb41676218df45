//! `Signer` and `SignedRequest`: every way to give a body (bytes by their Content-Type, none,
//! file, precomputed hash, multipart form, multipart wire body), options and per-call overrides
//! from the core's helpers.

use std::path::Path;
use std::sync::{Arc, Mutex};

use jni::sys::jlong;
use nuvera_signing::{
    Body, BodyHash, Claims, MultipartForm, PrivateKey, RemoteKey, SignOverrides, SignedRequest,
    Signer, SignerOptions,
};

use crate::boundary::{clone_arc, lock, native, Handle};
use crate::errors::Failure;

/// What every `sign…` entry point shares: the overrides checked by the core, `body` signed.
fn sign(
    signer: &Signer,
    method: &str,
    url: &str,
    body: Body<'_>,
    iat: Option<i64>,
    jti: Option<String>,
) -> Result<Arc<SignedRequest>, Failure> {
    let overrides = SignOverrides::from_optional(iat, jti.as_deref())?;
    Ok(Arc::new(signer.sign_with(method, url, body, &overrides)?))
}

native! {
    /// `key` is a `PrivateKey` or a `RemoteKey` handle; absent options take the core's defaults.
    fn signerNew(key: jlong, api_key: String, lifetime: Option<i64>, issuer: Option<String>,
        audience: Option<String>) -> Arc<Signer> {
        let options =
            SignerOptions::from_optional(lifetime, issuer.as_deref(), audience.as_deref())?;
        Arc::new(match clone_arc::<PrivateKey>(key) {
            Ok(key) => Signer::with_options(key, &api_key, options)?,
            Err(_) => Signer::with_options(clone_arc::<RemoteKey>(key)?, &api_key, options)?,
        })
    }

    /// `body` null is no body; otherwise the core decides from `contentType` which body to sign.
    fn sign(signer: Handle<Signer>, method: String, url: String, content_type: Option<String>,
        body: Option<Vec<u8>>, iat: Option<i64>, jti: Option<String>) -> Arc<SignedRequest> {
        let body = match &body {
            Some(b) => Body::for_content_type(content_type.as_deref(), b),
            None => Body::Empty,
        };
        sign(&signer, &method, &url, body, iat, jti)?
    }

    fn signFile(signer: Handle<Signer>, method: String, url: String, content_type: Option<String>,
        path: String, iat: Option<i64>, jti: Option<String>) -> Arc<SignedRequest> {
        let body = Body::for_content_type_file(content_type.as_deref(), Path::new(&path))?;
        sign(&signer, &method, &url, body, iat, jti)?
    }

    fn signPrecomputed(signer: Handle<Signer>, method: String, url: String, body_hash: String,
        iat: Option<i64>, jti: Option<String>) -> Arc<SignedRequest> {
        let body = Body::Precomputed(BodyHash::parse(&body_hash)?);
        sign(&signer, &method, &url, body, iat, jti)?
    }

    fn signMultipartWire(signer: Handle<Signer>, method: String, url: String,
        content_type: String, body: Vec<u8>, iat: Option<i64>, jti: Option<String>)
        -> Arc<SignedRequest> {
        let body = Body::MultipartWire { content_type: &content_type, body: &body };
        sign(&signer, &method, &url, body, iat, jti)?
    }

    fn signMultipart(signer: Handle<Signer>, method: String, url: String,
        form: Handle<Mutex<MultipartForm>>, iat: Option<i64>, jti: Option<String>)
        -> Arc<SignedRequest> {
        let mut form = lock(&form);
        sign(&signer, &method, &url, Body::Multipart(&mut form), iat, jti)?
    }

    /// `[token, name, value, name, value]`, `x-api-key` first.
    #[native(infallible)]
    fn signedTokenAndHeaders(request: Handle<SignedRequest>) -> Vec<String> {
        let [(n1, v1), (n2, v2)] = request.headers();
        vec![request.token().to_owned(), n1.to_owned(), v1, n2.to_owned(), v2]
    }

    #[native(infallible)]
    fn signedClaims(request: Handle<SignedRequest>) -> Vec<String> {
        claims_texts(request.claims())
    }

    #[native(infallible)]
    fn signedProofJson(request: Handle<SignedRequest>) -> String {
        request.proof().to_json_pretty()
    }
}

/// The nine claims as text, in contract order (`iat` and `exp` in decimal), as Java's `Claims`
/// reads them.
pub(crate) fn claims_texts(c: &Claims) -> Vec<String> {
    vec![
        c.iss.clone(),
        c.aud.clone(),
        c.sub.clone(),
        c.method.clone(),
        c.uri.clone(),
        c.body_hash.clone(),
        c.iat.to_string(),
        c.exp.to_string(),
        c.jti.clone(),
    ]
}
