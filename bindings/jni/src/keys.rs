//! `PrivateKey`: parsing, public key, fingerprint, size; the fingerprint of a public key PEM.

use std::sync::Arc;

use jni::sys::jint;
use nuvera_signing::{PrivateKey, PublicKey};

use crate::boundary::{native, Handle};

native! {
    fn keyFromPem(pem: Vec<u8>, passphrase: Option<Vec<u8>>) -> Arc<PrivateKey> {
        Arc::new(PrivateKey::from_pem(&pem, passphrase.as_deref())?)
    }

    fn keyFromFile(path: String, passphrase: Option<Vec<u8>>) -> Arc<PrivateKey> {
        Arc::new(PrivateKey::from_file(&path, passphrase.as_deref())?)
    }

    #[native(infallible)]
    fn keyPublicPem(key: Handle<PrivateKey>) -> String {
        key.public_key().to_pem()
    }

    #[native(infallible)]
    fn keyFingerprint(key: Handle<PrivateKey>) -> String {
        key.fingerprint()
    }

    fn publicKeyFingerprint(pem: String) -> String {
        PublicKey::from_pem(pem)?.fingerprint()
    }

    #[native(infallible)]
    fn keyBits(key: Handle<PrivateKey>) -> jint {
        jint::try_from(key.bits()).unwrap_or(jint::MAX)
    }
}
