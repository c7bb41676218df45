//! `Verifier`: the server side of the contract (§6), from a registry file or text, verifying a
//! request from its hash or from its raw headers and body.

use std::path::Path;
use std::sync::Arc;

use jni::sys::jint;
use jni::Env;
use nuvera_signing::{Error, ErrorCode, OptionalVerifierOptions, Registry, Verified, Verifier};

use crate::boundary::{native, Handle};
use crate::convert::{Headers, IntoJava, StringArray};
use crate::errors::Failure;
use crate::signing::claims_texts;

/// The Java `Verified` of an accepted request: `[application, permission, keyFingerprint,
/// claims…]` (see [`claims_texts`]).
impl<'local> IntoJava<'local> for Verified {
    type Java = StringArray<'local>;
    const JAVA: &'static str = "String[]";
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
        replay_timeout_ms: Option<i64>, replay_max_connections: Option<jint>) -> Arc<Verifier> {
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
        let given = OptionalVerifierOptions {
            issuer: issuer.as_deref(),
            audience: audience.as_deref(),
            clock_skew_secs: skew,
            now,
            replay_cache: replay_url.as_deref(),
            replay_cache_prefix: replay_prefix.as_deref(),
            replay_cache_timeout_ms: replay_timeout_ms,
            replay_cache_max_connections: replay_max_connections.map(i64::from),
        };
        Arc::new(Verifier::from_optional(registry, given)?)
    }
    fn verify(verifier: Handle<Verifier>, method: String, target: String,
        api_key: Option<String>, authorization: Option<String>, body_hash: String) -> Verified {
        verifier.verify_given(&method, &target, api_key.as_deref(), authorization.as_deref(), &body_hash)?
    }

    fn verifyRequest(verifier: Handle<Verifier>, method: String, target: String,
        headers: Headers, body: Vec<u8>) -> Verified {
        verifier.verify_received(&method, &target, headers.pairs(), &body)?
    }
}
