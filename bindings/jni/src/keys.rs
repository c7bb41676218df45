//! `PrivateKey`: parsing, public key, fingerprint, size.

use std::sync::Arc;

use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;
use nuvera_signing::{PrivateKey, PublicKey};

use crate::boundary::{borrow, bytes, free, into_handle, optional_bytes, run, string};

/// `Native.keyFromPem(pem, passphrase)`: a key handle.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_keyFromPem<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    pem: JByteArray<'local>,
    passphrase: JByteArray<'local>,
) -> jlong {
    run(env, |env| {
        let pem = bytes(env, &pem)?;
        let passphrase = optional_bytes(env, &passphrase)?;
        let key = PrivateKey::from_pem(&pem, passphrase.as_deref())?;
        Ok(into_handle(Arc::new(key)))
    })
}

/// `Native.keyFromFile(path, passphrase)`: a key handle.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_keyFromFile<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    path: JString<'local>,
    passphrase: JByteArray<'local>,
) -> jlong {
    run(env, |env| {
        let path = string(env, &path)?;
        let passphrase = optional_bytes(env, &passphrase)?;
        let key = PrivateKey::from_file(&path, passphrase.as_deref())?;
        Ok(into_handle(Arc::new(key)))
    })
}

/// `Native.keyPublicPem(key)`: SPKI PEM.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_keyPublicPem<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    key: jlong,
) -> JString<'local> {
    run(env, |env| {
        let key = borrow::<PrivateKey>(key)?;
        Ok(env.new_string(key.public_key().to_pem())?)
    })
}

/// `Native.keyFingerprint(key)`: `SHA256:<hex>` of the SPKI DER.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_keyFingerprint<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    key: jlong,
) -> JString<'local> {
    run(env, |env| {
        let key = borrow::<PrivateKey>(key)?;
        Ok(env.new_string(key.fingerprint())?)
    })
}

/// `Native.publicKeyFingerprint(pem)`: `SHA256:<hex>` of a public key PEM's SPKI DER, the value
/// `keyFingerprint` gives for its private half.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_publicKeyFingerprint<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    pem: JString<'local>,
) -> JString<'local> {
    run(env, |env| {
        let key = PublicKey::from_pem(string(env, &pem)?)?;
        Ok(env.new_string(key.fingerprint())?)
    })
}

/// `Native.keyBits(key)`: modulus size.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_keyBits<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    key: jlong,
) -> jint {
    run(env, |_| {
        let key = borrow::<PrivateKey>(key)?;
        Ok(jint::try_from(key.bits()).unwrap_or(jint::MAX))
    })
}

/// `Native.keyFree(key)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_keyFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    key: jlong,
) {
    run(env, |_| {
        free::<PrivateKey>(key);
        Ok(())
    })
}
