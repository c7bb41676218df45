//! `RemoteKey.fromCallback`: a key whose signatures come from a Java `SignCallback` (a cloud KMS),
//! through the core's `RemoteKey::from_callback`, which runs it on a helper thread with a timeout
//! and checks every signature against the public key. Here the helper thread is attached to the
//! JVM to call the callback; every rule (timeout, lengths, the key check, codes) is the core's.

use std::sync::Arc;

use jni::errors::Error as JniError;
use jni::objects::{Global, JByteArray, JObject, JValue};
use jni::{jni_sig, jni_str, Env, JavaVM};
use nuvera_signing::{CallbackOptions, PublicKey, RemoteKey, SignCallback, SignatureInput};

use crate::boundary::{native, Handle};
use crate::convert::FromJava;
use crate::errors::{java_failure_text, Failure};

/// A non-null Java `SignCallback`, kept past the call that makes the key.
struct JavaSignCallback(Global<JObject<'static>>);

impl<'local> FromJava<'local> for JavaSignCallback {
    type Java = JObject<'local>;
    const JAVA: &'static str = "SignCallback";
    fn from_java(env: &mut Env<'local>, value: JObject<'local>) -> Result<Self, Failure> {
        Ok(JavaSignCallback(Global::from_java(env, value)?))
    }
}

/// Calls `callback.sign(input)` (Java's `SignCallback`) on this thread, attached to the JVM: the
/// signature bytes, or the callback's failure as text (its exception, caught here, never crosses
/// into the core).
fn call_callback(
    vm: &JavaVM,
    callback: &Global<JObject<'static>>,
    input: &[u8],
) -> Result<Vec<u8>, String> {
    let outcome =
        vm.attach_current_thread(|env: &mut Env| -> jni::errors::Result<Option<Vec<u8>>> {
            let input = env.byte_array_from_slice(input)?;
            let args = [JValue::Object(&input)];
            let out = match env.call_method(callback, jni_str!("sign"), jni_sig!("([B)[B"), &args) {
                Err(JniError::JavaException) => return env.exception_catch().map(|()| None),
                other => other?.l()?,
            };
            if out.is_null() {
                return Ok(None);
            }
            let signature = env.cast_local::<JByteArray>(out)?;
            Ok(Some(env.convert_byte_array(&signature)?))
        });
    match outcome {
        Ok(Some(signature)) => Ok(signature),
        Ok(None) => Err("the callback returned null".to_owned()),
        Err(e) => Err(java_failure_text(e, "the callback could not be called")),
    }
}

native! {
    /// Absent options take the core's defaults.
    fn remoteKeyFromCallback[env](callback: JavaSignCallback, public_key_pem: String,
        message_input: Option<bool>, timeout_ms: Option<i64>) -> Arc<RemoteKey> {
        let public = PublicKey::from_pem(public_key_pem)?;
        let input = message_input.map(|message| match message {
            true => SignatureInput::Message,
            false => SignatureInput::Digest,
        });
        let options = CallbackOptions::from_optional(input, timeout_ms)?;
        let vm = env.get_java_vm()?;
        let JavaSignCallback(callback) = callback;
        let callback: SignCallback = Arc::new(move |input: &[u8]| call_callback(&vm, &callback, input));
        Arc::new(RemoteKey::from_callback(public, callback, options))
    }

    fn remoteKeyCheck(key: Handle<RemoteKey>) -> () {
        key.check()?
    }

    fn remoteKeyDescribe(key: Handle<RemoteKey>) -> String {
        key.describe()
    }
}
