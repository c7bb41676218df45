//! `Signer` and `SignedRequest`: every way to give a body (bytes, none, file, precomputed hash,
//! multipart form, multipart wire body), options and per-call overrides from the core's helpers.

use std::path::Path;
use std::sync::{Arc, Mutex};

use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::sys::{jlong, jsize};
use jni::{Env, EnvUnowned};
use nuvera_signing::{
    Body, BodyHash, IntoSigningKey, MultipartForm, PrivateKey, SignOverrides, SignedRequest,
    Signer, SignerOptions,
};

use crate::boundary::{
    borrow, bytes, clone_arc, free, into_handle, optional_bytes, optional_long, optional_string,
    run, string,
};
use crate::errors::Failure;
use crate::multipart::lock;

/// `Native.signerNew(key, apiKey, hasLifetime, lifetime, issuer, audience)`: a signer handle;
/// absent options take the core's defaults.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_signerNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    key: jlong,
    api_key: JString<'local>,
    has_lifetime: bool,
    lifetime: jlong,
    issuer: JString<'local>,
    audience: JString<'local>,
) -> jlong {
    run(env, |env| {
        let key = clone_arc::<PrivateKey>(key)?;
        signer_handle(
            env,
            key,
            &api_key,
            optional_long(has_lifetime, lifetime),
            &issuer,
            &audience,
        )
    })
}

/// A signer handle over `key` (in memory or remote) with the options Java gave; absent ones take
/// the core's defaults.
pub(crate) fn signer_handle(
    env: &Env<'_>,
    key: impl IntoSigningKey,
    api_key: &JString<'_>,
    lifetime: Option<i64>,
    issuer: &JString<'_>,
    audience: &JString<'_>,
) -> Result<jlong, Failure> {
    let api_key = string(env, api_key)?;
    let issuer = optional_string(env, issuer)?;
    let audience = optional_string(env, audience)?;
    let options = SignerOptions::from_optional(lifetime, issuer.as_deref(), audience.as_deref())?;
    let signer = Signer::with_options(key, &api_key, options)?;
    Ok(into_handle(Arc::new(signer)))
}

/// `Native.signerFree(signer)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_signerFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
) {
    run(env, |_| {
        free::<Signer>(signer);
        Ok(())
    })
}

/// The common tail of every `sign…` entry point: method, URL and overrides read, body signed.
#[allow(clippy::too_many_arguments)]
fn sign_body(
    env: &Env<'_>,
    signer: jlong,
    method: &JString<'_>,
    url: &JString<'_>,
    body: Body<'_>,
    has_iat: bool,
    iat: jlong,
    jti: &JString<'_>,
) -> Result<jlong, Failure> {
    let signer = borrow::<Signer>(signer)?;
    let method = string(env, method)?;
    let url = string(env, url)?;
    let jti = optional_string(env, jti)?;
    let overrides = SignOverrides::from_optional(optional_long(has_iat, iat), jti.as_deref())?;
    let signed = signer.sign_with(&method, &url, body, &overrides)?;
    Ok(into_handle(Arc::new(signed)))
}

/// `Native.sign(signer, method, url, contentType, body, hasIat, iat, jti)`: `body` null is no
/// body; otherwise the core decides from `contentType` (null: none) which body to sign
/// (`Body::for_content_type`: an encoded multipart body for `multipart/form-data`, else the bytes).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_sign<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
    method: JString<'local>,
    url: JString<'local>,
    content_type: JString<'local>,
    body: JByteArray<'local>,
    has_iat: bool,
    iat: jlong,
    jti: JString<'local>,
) -> jlong {
    run(env, |env| {
        let content_type = optional_string(env, &content_type)?;
        let body = optional_bytes(env, &body)?;
        let body = match &body {
            Some(b) => Body::for_content_type(content_type.as_deref(), b),
            None => Body::Empty,
        };
        sign_body(env, signer, &method, &url, body, has_iat, iat, &jti)
    })
}

/// `Native.signFile(signer, method, url, path, hasIat, iat, jti)`: the file is streamed.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_signFile<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
    method: JString<'local>,
    url: JString<'local>,
    path: JString<'local>,
    has_iat: bool,
    iat: jlong,
    jti: JString<'local>,
) -> jlong {
    run(env, |env| {
        let path = string(env, &path)?;
        let body = Body::File(Path::new(&path));
        sign_body(env, signer, &method, &url, body, has_iat, iat, &jti)
    })
}

/// `Native.signPrecomputed(signer, method, url, bodyHash, hasIat, iat, jti)`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_signPrecomputed<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
    method: JString<'local>,
    url: JString<'local>,
    body_hash: JString<'local>,
    has_iat: bool,
    iat: jlong,
    jti: JString<'local>,
) -> jlong {
    run(env, |env| {
        let hash = BodyHash::parse(&string(env, &body_hash)?)?;
        let body = Body::Precomputed(hash);
        sign_body(env, signer, &method, &url, body, has_iat, iat, &jti)
    })
}

/// `Native.signMultipartWire(signer, method, url, contentType, body, hasIat, iat, jti)`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_signMultipartWire<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
    method: JString<'local>,
    url: JString<'local>,
    content_type: JString<'local>,
    body: JByteArray<'local>,
    has_iat: bool,
    iat: jlong,
    jti: JString<'local>,
) -> jlong {
    run(env, |env| {
        let content_type = string(env, &content_type)?;
        let body = bytes(env, &body)?;
        let body = Body::MultipartWire {
            content_type: &content_type,
            body: &body,
        };
        sign_body(env, signer, &method, &url, body, has_iat, iat, &jti)
    })
}

/// `Native.signMultipart(signer, method, url, form, hasIat, iat, jti)`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_signMultipart<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
    method: JString<'local>,
    url: JString<'local>,
    form: jlong,
    has_iat: bool,
    iat: jlong,
    jti: JString<'local>,
) -> jlong {
    run(env, |env| {
        let form = borrow::<Mutex<MultipartForm>>(form)?;
        let mut form = lock(form);
        let body = Body::Multipart(&mut form);
        sign_body(env, signer, &method, &url, body, has_iat, iat, &jti)
    })
}

/// `Native.signedToken(request)`: the compact JWT.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_signedToken<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    request: jlong,
) -> JString<'local> {
    run(env, |env| {
        let request = borrow::<SignedRequest>(request)?;
        Ok(env.new_string(request.token())?)
    })
}

/// A `String[]` holding `values`.
pub(crate) fn string_array<'local>(
    env: &mut Env<'local>,
    values: &[&str],
) -> Result<JObjectArray<'local, JString<'local>>, Failure> {
    let length = jsize::try_from(values.len())
        .map_err(|_| Failure::argument("too many values for a Java array"))?;
    let array = JObjectArray::<JString>::new(env, length as usize, JString::null())?;
    for (i, value) in values.iter().enumerate() {
        let s = env.new_string(value)?;
        array.set_element(env, i, &s)?;
        env.delete_local_ref(s);
    }
    Ok(array)
}

/// `Native.signedHeaders(request)`: `[name, value, name, value]`, `x-api-key` first.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_signedHeaders<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    request: jlong,
) -> JObjectArray<'local, JString<'local>> {
    run(env, |env| {
        let request = borrow::<SignedRequest>(request)?;
        let [(n1, v1), (n2, v2)] = request.headers();
        string_array(env, &[n1, &v1, n2, &v2])
    })
}

/// The nine claims as text, in contract order (`iat` and `exp` in decimal).
pub(crate) fn claims_array<'local>(
    env: &mut Env<'local>,
    c: &nuvera_signing::Claims,
) -> Result<JObjectArray<'local, JString<'local>>, Failure> {
    let (iat, exp) = (c.iat.to_string(), c.exp.to_string());
    string_array(
        env,
        &[
            &c.iss,
            &c.aud,
            &c.sub,
            &c.method,
            &c.uri,
            &c.body_hash,
            &iat,
            &exp,
            &c.jti,
        ],
    )
}

/// `Native.signedClaims(request)`: the nine claims (see [`claims_array`]).
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_signedClaims<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    request: jlong,
) -> JObjectArray<'local, JString<'local>> {
    run(env, |env| {
        let request = borrow::<SignedRequest>(request)?;
        claims_array(env, request.claims())
    })
}

/// `Native.signedProofJson(request)`: the proof artifact, pretty JSON (no secret in it).
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_signedProofJson<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    request: jlong,
) -> JString<'local> {
    run(env, |env| {
        let request = borrow::<SignedRequest>(request)?;
        Ok(env.new_string(request.proof().to_json_pretty())?)
    })
}

/// `Native.signedFree(request)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_signedFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    request: jlong,
) {
    run(env, |_| {
        free::<SignedRequest>(request);
        Ok(())
    })
}
