//! `Verifier`: the server side of the contract (§6), from a registry file or text, verifying a
//! request from its hash or from its raw headers and body.

use std::path::Path;
use std::sync::Arc;

use jni::objects::{JObject, JValue};
use jni::{jni_sig, jni_str, Env};
use nuvera_signing::{
    BodyHash, Error, ErrorCode, FixedClock, ReceivedRequest, Registry, ReplayCacheOptions,
    Verified, Verifier, VerifierOptions,
};

use crate::boundary::{native, Handle};
use crate::convert::{nullable_string, Headers, IntoJava};
use crate::errors::Failure;
use crate::signing::claims_texts;

/// A verifier over `registry` with the options Java gave; absent ones take the core's defaults,
/// `replay_cache` none the registry's (else in-process).
fn new_verifier(
    registry: Registry,
    issuer: Option<String>,
    audience: Option<String>,
    clock_skew: Option<i64>,
    now: Option<i64>,
    replay_cache: Option<Arc<ReplayCacheOptions>>,
) -> Result<Arc<Verifier>, Failure> {
    let mut options =
        VerifierOptions::from_optional(issuer.as_deref(), audience.as_deref(), clock_skew)?;
    options.replay_cache = replay_cache.map(|r| (*r).clone());
    let mut verifier = Verifier::new(registry).with_options(options)?;
    if let Some(now) = now {
        let now = u64::try_from(now)
            .map_err(|_| Error::new(ErrorCode::InvalidClaim, format!("now {now} is negative")))?;
        verifier = verifier.with_clock(Arc::new(FixedClock(now)));
    }
    Ok(Arc::new(verifier))
}

/// The Java `Verified` of an accepted request.
impl<'local> IntoJava<'local> for Verified {
    type Java = JObject<'local>;
    fn into_java(self, env: &mut Env<'local>) -> Result<JObject<'local>, Failure> {
        let application = env.new_string(&self.application)?;
        let claims = claims_texts(&self.claims).into_java(env)?;
        let permission = nullable_string(env, Some(&self.permission))?;
        let fingerprint = env.new_string(&self.key_fingerprint)?;
        Ok(env.new_object(
            jni_str!("global/nuvera/signing/Verified"),
            jni_sig!(
                "(Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"
            ),
            &[
                JValue::Object(&application),
                JValue::Object(&claims),
                JValue::Object(&permission),
                JValue::Object(&fingerprint),
            ],
        )?)
    }
}

native! {
    /// `replayCache` is a `ReplayCacheOptions` handle or 0.
    fn verifierFromFile(path: String, issuer: Option<String>, audience: Option<String>,
        skew: Option<i64>, now: Option<i64>, replay_cache: Option<Arc<ReplayCacheOptions>>)
        -> Arc<Verifier> {
        let registry = Registry::from_file(path)?;
        new_verifier(registry, issuer, audience, skew, now, replay_cache)?
    }

    /// `format` is `json` or `toml`; relative key files resolve against `baseDir` (default `.`).
    fn verifierFromText(text: String, format: String, base_dir: Option<String>,
        issuer: Option<String>, audience: Option<String>, skew: Option<i64>, now: Option<i64>,
        replay_cache: Option<Arc<ReplayCacheOptions>>) -> Arc<Verifier> {
        let base = base_dir.unwrap_or_else(|| ".".to_owned());
        let registry = Registry::from_text(&text, &format, Path::new(&base))?;
        new_verifier(registry, issuer, audience, skew, now, replay_cache)?
    }

    /// Absent values take the core's defaults.
    fn replayCacheOptionsNew(url: String, prefix: Option<String>, timeout_ms: Option<i64>,
        max_connections: Option<i64>) -> Arc<ReplayCacheOptions> {
        Arc::new(ReplayCacheOptions::from_optional(
            &url,
            prefix.as_deref(),
            timeout_ms,
            max_connections,
        )?)
    }

    fn verify(verifier: Handle<Verifier>, method: String, target: String,
        api_key: Option<String>, authorization: Option<String>, body_hash: String) -> Verified {
        let hash = BodyHash::parse(&body_hash)?;
        verifier.verify(&ReceivedRequest {
            method: &method,
            target: &target,
            api_key: api_key.as_deref(),
            authorization: authorization.as_deref(),
            body_hash: &hash,
        })?
    }

    fn verifyRequest(verifier: Handle<Verifier>, method: String, target: String,
        headers: Headers, body: Vec<u8>) -> Verified {
        verifier.verify_received(&method, &target, headers.pairs(), &body)?
    }
}
