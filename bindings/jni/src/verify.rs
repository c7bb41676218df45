//! `Verifier`: the server side of the contract (§6), from a registry file or text, verifying a
//! request from its hash or from its raw headers and body.

use std::path::Path;
use std::sync::Arc;

use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString, JValue};
use jni::sys::jlong;
use jni::{jni_sig, jni_str, Env, EnvUnowned};
use nuvera_signing::{
    BodyHash, Error, ErrorCode, FixedClock, ReceivedRequest, Registry, ReplayCacheOptions,
    Verifier, VerifierOptions,
};

use crate::boundary::{
    borrow, bytes, free, into_handle, optional_long, optional_string, run, string,
};
use crate::errors::Failure;
use crate::signing::claims_array;

/// The verifier's options, given by Java as optional values (see `Verifier.Builder`); absent
/// ones take the core's defaults.
struct VerifierArgs {
    issuer: Option<String>,
    audience: Option<String>,
    clock_skew: Option<i64>,
    now: Option<i64>,
    replay_cache: Option<ReplayCacheOptions>,
}

impl VerifierArgs {
    #[allow(clippy::too_many_arguments)]
    fn read(
        env: &Env<'_>,
        issuer: &JString<'_>,
        audience: &JString<'_>,
        has_skew: bool,
        skew: jlong,
        has_now: bool,
        now: jlong,
        replay_cache: jlong,
    ) -> Result<Self, Failure> {
        let replay_cache = match replay_cache {
            0 => None,
            handle => Some(borrow::<ReplayCacheOptions>(handle)?.clone()),
        };
        Ok(VerifierArgs {
            replay_cache,
            issuer: optional_string(env, issuer)?,
            audience: optional_string(env, audience)?,
            clock_skew: optional_long(has_skew, skew),
            now: optional_long(has_now, now),
        })
    }

    fn build(self, registry: Registry) -> Result<jlong, Failure> {
        let mut options = VerifierOptions::from_optional(
            self.issuer.as_deref(),
            self.audience.as_deref(),
            self.clock_skew,
        )?;
        options.replay_cache = self.replay_cache;
        let mut verifier = Verifier::new(registry).with_options(options)?;
        if let Some(now) = self.now {
            let now = u64::try_from(now).map_err(|_| {
                Error::new(ErrorCode::InvalidClaim, format!("now {now} is negative"))
            })?;
            verifier = verifier.with_clock(Arc::new(FixedClock(now)));
        }
        Ok(into_handle(Arc::new(verifier)))
    }
}

/// `Native.verifierFromFile(path, issuer, audience, hasSkew, skew, hasNow, now, replayCache)`;
/// `replayCache` is a `ReplayCacheOptions` handle or 0 (the registry's, else in-process).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_verifierFromFile<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    path: JString<'local>,
    issuer: JString<'local>,
    audience: JString<'local>,
    has_skew: bool,
    skew: jlong,
    has_now: bool,
    now: jlong,
    replay_cache: jlong,
) -> jlong {
    run(env, |env| {
        let args = VerifierArgs::read(
            env,
            &issuer,
            &audience,
            has_skew,
            skew,
            has_now,
            now,
            replay_cache,
        )?;
        args.build(Registry::from_file(string(env, &path)?)?)
    })
}

/// `Native.verifierFromText(text, format, baseDir, issuer, audience, hasSkew, skew, hasNow, now,
/// replayCache)`:
/// `format` is `json` or `toml`; relative key files resolve against `baseDir` (default `.`).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_verifierFromText<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    text: JString<'local>,
    format: JString<'local>,
    base_dir: JString<'local>,
    issuer: JString<'local>,
    audience: JString<'local>,
    has_skew: bool,
    skew: jlong,
    has_now: bool,
    now: jlong,
    replay_cache: jlong,
) -> jlong {
    run(env, |env| {
        let args = VerifierArgs::read(
            env,
            &issuer,
            &audience,
            has_skew,
            skew,
            has_now,
            now,
            replay_cache,
        )?;
        let text = string(env, &text)?;
        let base = optional_string(env, &base_dir)?.unwrap_or_else(|| ".".to_owned());
        let format = string(env, &format)?;
        args.build(Registry::from_text(&text, &format, Path::new(&base))?)
    })
}

/// `Native.replayCacheOptionsNew(url, prefix, hasTimeout, timeoutMs, hasMaxConnections,
/// maxConnections)`: checked options of a shared replay cache, absent values the core's defaults.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_replayCacheOptionsNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    url: JString<'local>,
    prefix: JString<'local>,
    has_timeout: bool,
    timeout_ms: jlong,
    has_max_connections: bool,
    max_connections: jlong,
) -> jlong {
    run(env, |env| {
        let url = string(env, &url)?;
        let prefix = optional_string(env, &prefix)?;
        let options = ReplayCacheOptions::from_optional(
            &url,
            prefix.as_deref(),
            optional_long(has_timeout, timeout_ms),
            optional_long(has_max_connections, max_connections),
        )?;
        Ok(into_handle(Arc::new(options)))
    })
}

/// `Native.replayCacheOptionsFree(options)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_replayCacheOptionsFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    options: jlong,
) {
    run(env, |_| {
        free::<ReplayCacheOptions>(options);
        Ok(())
    })
}

/// `Native.verifierFree(verifier)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_verifierFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    verifier: jlong,
) {
    run(env, |_| {
        free::<Verifier>(verifier);
        Ok(())
    })
}

/// The Java `Verified` of `v`.
fn verified_object<'local>(
    env: &mut Env<'local>,
    v: &nuvera_signing::Verified,
) -> Result<JObject<'local>, Failure> {
    let application = env.new_string(&v.application)?;
    let claims = claims_array(env, &v.claims)?;
    let permission = JObject::from(env.new_string(&v.permission)?);
    let fingerprint = env.new_string(&v.key_fingerprint)?;
    Ok(env.new_object(
        jni_str!("global/nuvera/signing/Verified"),
        jni_sig!("(Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"),
        &[
            JValue::Object(&application),
            JValue::Object(&claims),
            JValue::Object(&permission),
            JValue::Object(&fingerprint),
        ],
    )?)
}

/// `Native.verify(verifier, method, target, apiKey, authorization, bodyHash)`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_verify<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    verifier: jlong,
    method: JString<'local>,
    target: JString<'local>,
    api_key: JString<'local>,
    authorization: JString<'local>,
    body_hash: JString<'local>,
) -> JObject<'local> {
    run(env, |env| {
        let verifier = borrow::<Verifier>(verifier)?;
        let (method, target) = (string(env, &method)?, string(env, &target)?);
        let api_key = optional_string(env, &api_key)?;
        let authorization = optional_string(env, &authorization)?;
        let hash = BodyHash::parse(&string(env, &body_hash)?)?;
        let request = ReceivedRequest {
            method: &method,
            target: &target,
            api_key: api_key.as_deref(),
            authorization: authorization.as_deref(),
            body_hash: &hash,
        };
        let v = verifier.verify(&request)?;
        verified_object(env, &v)
    })
}

/// A flat `[name, value, name, value, …]` Java array as pairs.
pub(crate) fn header_pairs(
    env: &mut Env<'_>,
    flat: &JObjectArray<'_, JString<'_>>,
) -> Result<Vec<(String, String)>, Failure> {
    if flat.is_null() {
        return Ok(Vec::new());
    }
    let length = flat.len(env)?;
    let mut pairs = Vec::with_capacity(length / 2);
    for i in (0..length.saturating_sub(1)).step_by(2) {
        let name = flat.get_element(env, i)?;
        let value = flat.get_element(env, i + 1)?;
        pairs.push((string(env, &name)?, string(env, &value)?));
    }
    Ok(pairs)
}

/// `Native.verifyRequest(verifier, method, target, headers, body)`: headers flat, the rest as
/// `Verifier::verify_received` decides (names in any case, the first of each, the body hashed by
/// its Content-Type).
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_verifyRequest<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    verifier: jlong,
    method: JString<'local>,
    target: JString<'local>,
    headers: JObjectArray<'local, JString<'local>>,
    body: JByteArray<'local>,
) -> JObject<'local> {
    run(env, |env| {
        let verifier = borrow::<Verifier>(verifier)?;
        let (method, target) = (string(env, &method)?, string(env, &target)?);
        let headers = header_pairs(env, &headers)?;
        let body = bytes(env, &body)?;
        let pairs = headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        let v = verifier.verify_received(&method, &target, pairs, &body)?;
        verified_object(env, &v)
    })
}
