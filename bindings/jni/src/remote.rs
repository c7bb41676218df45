//! `RemoteKey.fromCallback`: a key whose signatures come from a Java `SignCallback` (a cloud KMS),
//! through the core's `RemoteKey::from_callback`, which runs it on a helper thread with a timeout
//! and checks every signature against the public key. Here the helper thread is attached to the
//! JVM to call the callback; every rule (timeout, lengths, the key check, codes) is the core's.

use std::sync::Arc;

use jni::objects::{Global, JByteArray, JClass, JObject, JString, JValue};
use jni::sys::jlong;
use jni::{jni_sig, jni_str, Env, EnvUnowned, JavaVM};
use nuvera_signing::{CallbackOptions, SignCallback, SignatureInput};
use nuvera_signing::{PublicKey, RemoteKey};

use crate::boundary::{borrow, clone_arc, free, into_handle, optional_long, run, string};
use crate::signing::signer_handle;

/// Calls `bridge.invoke(input)` (Java's `RemoteKey.Bridge`) on this thread, attached to the JVM:
/// the signature bytes, or the callback's failure as text (the exception's message, which Java
/// reads; a `String` never crosses as an exception).
fn call_bridge(
    vm: &JavaVM,
    bridge: &Global<JObject<'static>>,
    input: &[u8],
) -> Result<Vec<u8>, String> {
    let outcome = vm.attach_current_thread(
        |env: &mut Env| -> jni::errors::Result<Result<Vec<u8>, String>> {
            let input = env.byte_array_from_slice(input)?;
            let out = env
                .call_method(
                    bridge.as_obj(),
                    jni_str!("invoke"),
                    jni_sig!("([B)Ljava/lang/Object;"),
                    &[JValue::Object(&input)],
                )?
                .l()?;
            if env.is_instance_of(&out, jni_str!("[B"))? {
                let signature = env.cast_local::<JByteArray>(out)?;
                Ok(Ok(env.convert_byte_array(&signature)?))
            } else {
                let message = env.cast_local::<JString>(out)?;
                Ok(Err(message.try_to_string(env)?))
            }
        },
    );
    outcome.unwrap_or_else(|e| Err(format!("the Java callback could not be called: {e}")))
}

/// `Native.remoteKeyFromCallback(bridge, publicKeyPem, hasMessageInput, messageInput, hasTimeout,
/// timeoutMs)`: a remote key handle. Absent options take the core's defaults (the digest; 10 s);
/// a timeout of 0 runs the callback on the signing thread.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_remoteKeyFromCallback<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    bridge: JObject<'local>,
    public_key_pem: JString<'local>,
    has_input: bool,
    message_input: bool,
    has_timeout: bool,
    timeout_ms: jlong,
) -> jlong {
    run(env, |env| {
        let public = PublicKey::from_pem(string(env, &public_key_pem)?)?;
        let input = has_input.then_some(if message_input {
            SignatureInput::Message
        } else {
            SignatureInput::Digest
        });
        let options =
            CallbackOptions::from_optional(input, optional_long(has_timeout, timeout_ms))?;
        let vm = env.get_java_vm()?;
        let bridge = env.new_global_ref(&bridge)?;
        let callback: SignCallback = Arc::new(move |input: &[u8]| call_bridge(&vm, &bridge, input));
        Ok(into_handle(Arc::new(RemoteKey::from_callback(
            public, callback, options,
        ))))
    })
}

/// `Native.remoteKeyCheck(key)`: signs the core's probe and verifies it (fails with the code).
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_remoteKeyCheck<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    key: jlong,
) {
    run(env, |_| Ok(borrow::<RemoteKey>(key)?.check()?))
}

/// `Native.remoteKeyDescribe(key)`: names the provider, never a secret.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_remoteKeyDescribe<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    key: jlong,
) -> JString<'local> {
    run(env, |env| {
        let key = borrow::<RemoteKey>(key)?;
        Ok(env.new_string(key.describe())?)
    })
}

/// `Native.remoteKeyFree(key)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_remoteKeyFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    key: jlong,
) {
    run(env, |_| {
        free::<RemoteKey>(key);
        Ok(())
    })
}

/// `Native.signerNewRemote(key, apiKey, hasLifetime, lifetime, issuer, audience)`: a signer
/// handle over a remote key; absent options take the core's defaults.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_signerNewRemote<'local>(
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
        let key = clone_arc::<RemoteKey>(key)?;
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
