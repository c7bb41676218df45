//! `RemoteKey.fromCallback`: a key whose signatures come from a Java `SignCallback` (a cloud KMS),
//! through the core's `RemoteKey::from_callback`, which runs it on a helper thread with a timeout
//! and checks every signature against the public key. Here the helper thread is attached to the
//! JVM to call the callback; every rule (timeout, lengths, the key check, codes) is the core's.

use std::sync::Arc;

use jni::objects::{Global, JByteArray, JObject, JString, JValue};
use jni::{jni_sig, jni_str, Env, JavaVM};
use nuvera_signing::{CallbackOptions, PublicKey, RemoteKey, SignCallback, SignatureInput};

use crate::boundary::{native, Handle};

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

native! {
    /// Absent options take the core's defaults.
    fn remoteKeyFromCallback[env](bridge: Global<JObject<'static>>, public_key_pem: String,
        message_input: Option<bool>, timeout_ms: Option<i64>) -> Arc<RemoteKey> {
        let public = PublicKey::from_pem(public_key_pem)?;
        let input = message_input.map(|message| match message {
            true => SignatureInput::Message,
            false => SignatureInput::Digest,
        });
        let options = CallbackOptions::from_optional(input, timeout_ms)?;
        let vm = env.get_java_vm()?;
        let callback: SignCallback = Arc::new(move |input: &[u8]| call_bridge(&vm, &bridge, input));
        Arc::new(RemoteKey::from_callback(public, callback, options))
    }

    fn remoteKeyCheck(key: Handle<RemoteKey>) -> () {
        key.check()?
    }

    fn remoteKeyDescribe(key: Handle<RemoteKey>) -> String {
        key.describe()
    }
}
