//! The server side (contract §6): a registry of applications, the replay cache, and requests as
//! they arrived.

use std::collections::HashMap;
use std::path::Path;

use napi::bindgen_prelude::{Buffer, Either};
use napi::Env;
use napi::Result;
use napi_derive::napi;
use nuvera_signing as core;

use crate::boundary::{bytes_of, catch, guard, js_error, Code};
use crate::signing::JsClaims;

/// Verifier options; every field is optional and defaults in the core.
#[napi(object, js_name = "VerifierOptions")]
pub struct JsVerifierOptions {
    /// Expected `iss` (default `nuvera-api`).
    pub issuer: Option<String>,
    /// Expected `aud` (default `nuvera-rest-api`).
    pub audience: Option<String>,
    /// Allowed clock difference, 0..=60 s (default 5).
    pub clock_skew_secs: Option<i64>,
    /// A replay cache shared by several verifiers (Redis or Valkey); absent: the registry's
    /// `replayCache` if it has one, else an in-process cache.
    #[napi(ts_type = "ReplayCacheOptions")]
    pub replay_cache: Option<JsReplayCacheOptions>,
}

/// A shared replay cache; every absent field takes the core's default.
#[napi(object, js_name = "ReplayCacheOptions")]
pub struct JsReplayCacheOptions {
    /// `redis://[user:password@]host[:port][/db]`, `rediss://…` (TLS), `valkey://…`, or
    /// `redis+unix:///path/to/socket`.
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

impl From<core::Verified> for JsVerified {
    fn from(v: core::Verified) -> Self {
        JsVerified {
            application: v.application,
            claims: (&v.claims).into(),
            permission: v.permission,
            key_fingerprint: v.key_fingerprint,
        }
    }
}

/// Verifies requests against a registry, remembering every `jti` it accepted (in memory).
/// Failures throw an `Error` with `.code` (`AUTH_*`), `.httpStatus` (401/403) and
/// `.responseBody` (the JSON error body Nuvera answers with).
#[napi]
pub struct Verifier {
    inner: core::Verifier,
}

fn build_verifier(
    registry: core::Registry,
    options: Option<JsVerifierOptions>,
) -> core::Result<Verifier> {
    let opts = match options {
        None => core::VerifierOptions::default(),
        Some(o) => {
            let mut opts = core::VerifierOptions::from_optional(
                o.issuer.as_deref(),
                o.audience.as_deref(),
                o.clock_skew_secs,
            )?;
            opts.replay_cache = o
                .replay_cache
                .map(|r| {
                    core::ReplayCacheOptions::from_optional(
                        &r.url,
                        r.prefix.as_deref(),
                        r.timeout_ms,
                        r.max_connections,
                    )
                })
                .transpose()?;
            opts
        }
    };
    let inner = core::Verifier::new(registry).with_options(opts)?;
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
        guard(|| {
            let base = base_dir.as_deref().unwrap_or(".");
            let registry = core::Registry::from_json_str(&json, Path::new(base))?;
            build_verifier(registry, options)
        })
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
    pub fn verify(&self, env: Env, request: JsReceivedRequest) -> napi::Result<JsVerified> {
        catch(|| {
            let body_hash = core::BodyHash::parse(&request.body_hash)?;
            let received = core::ReceivedRequest {
                method: &request.method,
                target: &request.target,
                api_key: request.api_key.as_deref(),
                authorization: request.authorization.as_deref(),
                body_hash: &body_hash,
            };
            Ok(self.inner.verify(&received)?.into())
        })
        .map_err(|e| js_error(&env, &e))
    }

    /// Verifies a request from what arrived: its headers (an object like Node's
    /// `IncomingMessage.headers`, names in any case; for a repeated header the first value
    /// counts) and its raw body, hashed by its Content-Type (multipart through its canonical
    /// object) — only after the headers and token pass (§6). A body that is not what its
    /// Content-Type says is refused `AUTH_BODY_HASH_MISMATCH`, the parse error in the message.
    #[napi(
        ts_args_type = "method: string, target: string, headers: Record<string, string | string[] | undefined>, body?: Buffer | string | null"
    )]
    pub fn verify_request(
        &self,
        env: Env,
        method: String,
        target: String,
        headers: HashMap<String, Option<Either<String, Vec<String>>>>,
        body: Option<Either<Buffer, String>>,
    ) -> napi::Result<JsVerified> {
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .filter_map(|(name, value)| {
                let first = match value.as_ref()? {
                    Either::A(v) => v.as_str(),
                    Either::B(all) => all.first()?.as_str(),
                };
                Some((name.as_str(), first))
            })
            .collect();
        let body: &[u8] = body.as_ref().map_or(&[], bytes_of);
        catch(|| {
            Ok(self
                .inner
                .verify_received(&method, &target, pairs.iter().copied(), body)?
                .into())
        })
        .map_err(|e| js_error(&env, &e))
    }
}

/// The `bodyHash` a server computes from a received body: multipart through its canonical
/// object when the Content-Type says `multipart/form-data`, the raw bytes otherwise.
#[napi]
pub fn received_body_hash(content_type: Option<String>, body: Buffer) -> Result<String, Code> {
    guard(|| {
        Ok(core::received_body_hash(content_type.as_deref(), &body)?
            .as_str()
            .to_owned())
    })
}
