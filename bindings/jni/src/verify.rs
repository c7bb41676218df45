//! `Verifier`: the server side of the contract (§6), from a registry file or text, verifying a
//! request from its hash or from its raw headers and body.

use std::path::Path;
use std::sync::Arc;

use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString, JValue};
use jni::sys::jlong;
use jni::{jni_sig, jni_str, Env, EnvUnowned};
use nuvera_signing::{
    BodyHash, ErrorCode, FixedClock, ReceivedRequest, Registry, Verifier, VerifierOptions,
};

use crate::boundary::{
    borrow, bytes, free, into_handle, optional_long, optional_string, run, string,
};
use crate::errors::Failure;
use crate::signing::claims_array;

/// The verifier's options, given by Java as optional values (see `Verifier.Builder`).
struct VerifierArgs {
    issuer: Option<String>,
    audience: Option<String>,
    clock_skew: Option<i64>,
    now: Option<i64>,
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
    ) -> Result<Self, Failure> {
        Ok(VerifierArgs {
            issuer: optional_string(env, issuer)?,
            audience: optional_string(env, audience)?,
            clock_skew: optional_long(has_skew, skew),
            now: optional_long(has_now, now),
        })
    }

    fn build(self, registry: Registry) -> Result<jlong, Failure> {
        let defaults = VerifierOptions::default();
        let unsigned = |value: i64, what: &str| {
            u64::try_from(value).map_err(|_| {
                nuvera_signing::Error::new(
                    ErrorCode::InvalidClaim,
                    format!("{what} {value} is negative"),
                )
            })
        };
        let clock_skew_secs = match self.clock_skew {
            None => defaults.clock_skew_secs,
            Some(s) => u32::try_from(unsigned(s, "clock skew")?).unwrap_or(u32::MAX),
        };
        let options = VerifierOptions {
            issuer: self.issuer.unwrap_or(defaults.issuer),
            audience: self.audience.unwrap_or(defaults.audience),
            clock_skew_secs,
        };
        let mut verifier = Verifier::new(registry).with_options(options)?;
        if let Some(now) = self.now {
            verifier = verifier.with_clock(Arc::new(FixedClock(unsigned(now, "now")?)));
        }
        Ok(into_handle(Arc::new(verifier)))
    }
}

/// `Native.verifierFromFile(path, issuer, audience, hasSkew, skew, hasNow, now)`.
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
) -> jlong {
    run(env, |env| {
        let args = VerifierArgs::read(env, &issuer, &audience, has_skew, skew, has_now, now)?;
        args.build(Registry::from_file(string(env, &path)?)?)
    })
}

/// `Native.verifierFromText(text, toml, baseDir, issuer, audience, hasSkew, skew, hasNow, now)`:
/// JSON text, or TOML when `toml`; relative key files resolve against `baseDir` (default `.`).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_verifierFromText<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    text: JString<'local>,
    toml: bool,
    base_dir: JString<'local>,
    issuer: JString<'local>,
    audience: JString<'local>,
    has_skew: bool,
    skew: jlong,
    has_now: bool,
    now: jlong,
) -> jlong {
    run(env, |env| {
        let args = VerifierArgs::read(env, &issuer, &audience, has_skew, skew, has_now, now)?;
        let text = string(env, &text)?;
        let base = optional_string(env, &base_dir)?.unwrap_or_else(|| ".".to_owned());
        let registry = if toml {
            Registry::from_toml_str(&text, Path::new(&base))?
        } else {
            Registry::from_json_str(&text, Path::new(&base))?
        };
        args.build(registry)
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

/// Verifies `request` and builds the Java `Verified`.
fn verified<'local>(
    env: &mut Env<'local>,
    verifier: &Verifier,
    request: &ReceivedRequest<'_>,
) -> Result<JObject<'local>, Failure> {
    let v = verifier.verify(request)?;
    let application = env.new_string(&v.application)?;
    let claims = claims_array(env, &v.claims)?;
    let permission = match &v.permission {
        Some(p) => JObject::from(env.new_string(p)?),
        None => JObject::null(),
    };
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
        verified(env, verifier, &request)
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

/// `Native.verifyRequest(verifier, method, target, headers, body)`: headers flat (names in any
/// case, the first of each used), the body hashed as a server must.
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
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let hash = nuvera_signing::received_body_hash(header("content-type"), &body)?;
        let request = ReceivedRequest {
            method: &method,
            target: &target,
            api_key: header("x-api-key"),
            authorization: header("authorization"),
            body_hash: &hash,
        };
        verified(env, verifier, &request)
    })
}
