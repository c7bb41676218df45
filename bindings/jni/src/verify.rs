//! `Verifier`: the server side of the contract (§6), from a registry file or text, verifying a
//! request from its hash or from its raw headers and body.

use std::path::Path;
use std::sync::Arc;

use jni::Env;
use nuvera_signing::{
    BodyHash, Error, ErrorCode, FixedClock, ReceivedRequest, Registry, ReplayCacheOptions,
    Verified, Verifier, VerifierOptions,
};

use crate::boundary::{native, Handle};
use crate::convert::{Headers, IntoJava, StringArray};
use crate::errors::Failure;
use crate::signing::claims_texts;

/// The Java `Verified` of an accepted request: `[application, permission, keyFingerprint,
/// claims…]` (see [`claims_texts`]).
impl<'local> IntoJava<'local> for Verified {
    type Java = StringArray<'local>;
    fn into_java(self, env: &mut Env<'local>) -> Result<Self::Java, Failure> {
        let mut texts = vec![self.application, self.permission, self.key_fingerprint];
        texts.extend(claims_texts(&self.claims));
        texts.into_java(env)
    }
}

native! {
    /// `registry` is the file's path (`format` "file") or text in `format` (`json` or `toml`, its
    /// relative key files resolved against `baseDir`, default `.`); `replayUrl` null keeps the
    /// registry's replay cache (else in-process). Absent options take the core's defaults.
    fn verifierNew(registry: Option<String>, format: String, base_dir: Option<String>,
        issuer: Option<String>, audience: Option<String>, skew: Option<i64>, now: Option<i64>,
        replay_url: Option<String>, replay_prefix: Option<String>,
        replay_timeout_ms: Option<i64>, replay_max_connections: Option<i64>) -> Arc<Verifier> {
        let registry = match (registry, format.as_str()) {
            (None, _) => Err(Error::new(
                ErrorCode::InvalidRegistry,
                "no registry given: call registryFile, registryJson or registryToml",
            ))?,
            (Some(file), "file") => Registry::from_file(file)?,
            (Some(text), format) => {
                Registry::from_text(&text, format, Path::new(base_dir.as_deref().unwrap_or(".")))?
            }
        };
        let mut options =
            VerifierOptions::from_optional(issuer.as_deref(), audience.as_deref(), skew)?;
        options.replay_cache = replay_url
            .map(|url| {
                let prefix = replay_prefix.as_deref();
                ReplayCacheOptions::from_optional(&url, prefix, replay_timeout_ms, replay_max_connections)
            })
            .transpose()?;
        let mut verifier = Verifier::new(registry).with_options(options)?;
        if let Some(now) = now {
            let now = nuvera_signing::given_unix_seconds(now, "now")?;
            verifier = verifier.with_clock(Arc::new(FixedClock(now)));
        }
        Arc::new(verifier)
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
