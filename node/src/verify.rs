//! The server side (contract §6): requests as they arrived, checked against a registry.

use std::collections::HashMap;
use std::path::Path;

use napi::Env;

use crate::boundary::*;
use crate::signing::JsClaims;

/// Verifier options; every field is optional and defaults in the core.
#[napi(object, js_name = "VerifierOptions")]
#[derive(Default)]
pub struct JsVerifierOptions {
    /// Expected `iss` (default `nuvera-api`).
    pub issuer: Option<String>,
    /// Expected `aud` (default `nuvera-rest-api`).
    pub audience: Option<String>,
    /// Allowed clock difference, 0..=60 s (default 5).
    pub clock_skew_secs: Option<i64>,
    /// A replay cache shared by several verifiers (Redis or Valkey); absent: the registry's, or
    /// an in-process cache.
    #[napi(ts_type = "ReplayCacheOptions")]
    pub replay_cache: Option<JsReplayCacheOptions>,
}

/// A shared replay cache; every absent field takes the core's default.
#[napi(object, js_name = "ReplayCacheOptions")]
pub struct JsReplayCacheOptions {
    /// `redis://[user:password@]host[:port][/db]`, `rediss://…`, `valkey://…` or `redis+unix://…`.
    pub url: String,
    /// Prepended to every key (default `nuvera:jti:`).
    pub prefix: Option<String>,
    /// Time the store has to answer one request, connection included (default 50 ms).
    pub timeout_ms: Option<i64>,
    /// Connections opened at most (default 16).
    pub max_connections: Option<i64>,
}

/// A request as a server received it, its body already hashed (see `receivedBodyHash`).
#[napi(object, js_name = "ReceivedRequest")]
pub struct JsReceivedRequest {
    /// Method as received.
    pub method: String,
    /// Path and query as received, byte for byte.
    pub target: String,
    /// The `x-api-key` header, if any.
    pub api_key: Option<String>,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// From `receivedBodyHash`.
    pub body_hash: String,
}

/// An accepted request.
#[napi(object, js_name = "Verified")]
pub struct JsVerified {
    /// The registered application's name.
    pub application: String,
    /// The token's claims.
    pub claims: JsClaims,
    /// The permission the route required (every accepted request has one).
    pub permission: String,
    /// Fingerprint of the public key that verified the signature.
    pub key_fingerprint: String,
}

fn verified(v: core::Verified) -> core::Result<JsVerified> {
    Ok(JsVerified {
        application: v.application,
        claims: convert(&v.claims)?,
        permission: v.permission,
        key_fingerprint: v.key_fingerprint,
    })
}

/// Verifies requests against a registry, remembering every `jti` it accepted. A refusal throws
/// an `Error` with `.code` (`AUTH_*`), `.httpStatus` and `.responseBody` (Nuvera's JSON answer).
#[napi]
pub struct Verifier(core::Verifier);

fn build_verifier(
    registry: core::Registry,
    options: Option<JsVerifierOptions>,
) -> core::Result<Verifier> {
    let o = options.unwrap_or_default();
    let (issuer, audience) = (o.issuer.as_deref(), o.audience.as_deref());
    let mut options = core::VerifierOptions::from_optional(issuer, audience, o.clock_skew_secs)?;
    options.replay_cache = (o.replay_cache)
        .map(|r| {
            let prefix = r.prefix.as_deref();
            core::ReplayCacheOptions::from_optional(&r.url, prefix, r.timeout_ms, r.max_connections)
        })
        .transpose()?;
    Ok(Verifier(
        core::Verifier::new(registry).with_options(options)?,
    ))
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
        let base = Path::new(base_dir.as_deref().unwrap_or("."));
        guard(|| build_verifier(core::Registry::from_json_str(&json, base)?, options))
    }

    /// From a registry file (JSON or TOML).
    #[napi(factory)]
    pub fn from_registry_file(
        path: String,
        options: Option<JsVerifierOptions>,
    ) -> Result<Self, Code> {
        guard(|| build_verifier(core::Registry::from_file(path)?, options))
    }

    /// Verifies a request whose body is already hashed.
    #[napi]
    pub fn verify(&self, env: Env, request: JsReceivedRequest) -> Result<JsVerified> {
        let work = || {
            let body_hash = core::BodyHash::parse(&request.body_hash)?;
            verified(self.0.verify(&core::ReceivedRequest {
                method: &request.method,
                target: &request.target,
                api_key: request.api_key.as_deref(),
                authorization: request.authorization.as_deref(),
                body_hash: &body_hash,
            })?)
        };
        catch(work).map_err(|e| js_error(&env, &e))
    }

    /// Verifies a request from what arrived: its headers (as Node's `IncomingMessage.headers`;
    /// a repeated header's first value counts) and its raw body, hashed by its Content-Type once
    /// the headers and token pass (§6); a body unreadable as such is `AUTH_BODY_HASH_MISMATCH`.
    #[napi(
        ts_args_type = "method: string, target: string, headers: Record<string, string | string[] | undefined>, body?: Buffer | string | null"
    )]
    pub fn verify_request(
        &self,
        env: Env,
        method: String,
        target: String,
        headers: HashMap<String, Option<Either<String, Vec<String>>>>,
        body: Option<Bytes>,
    ) -> Result<JsVerified> {
        // Every value, in order: which one of a repeated header counts is the core's rule.
        let pairs = headers.iter().flat_map(|(name, value)| {
            let values = match value {
                None => &[][..],
                Some(Either::A(one)) => std::slice::from_ref(one),
                Some(Either::B(all)) => all.as_slice(),
            };
            values.iter().map(|v| (name.as_str(), v.as_str()))
        });
        let body = bytes_or_empty(&body);
        catch(|| verified(self.0.verify_received(&method, &target, pairs, body)?))
            .map_err(|e| js_error(&env, &e))
    }
}

/// The `bodyHash` a server computes from a received body: multipart through its canonical
/// object when the Content-Type says `multipart/form-data`, the raw bytes otherwise.
#[napi]
pub fn received_body_hash(content_type: Option<String>, body: Buffer) -> Result<String, Code> {
    guard(|| Ok(core::received_body_hash(content_type.as_deref(), &body)?.to_string()))
}
