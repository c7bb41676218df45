//! `PrivateKey`: parsing, public key, fingerprint, size; the fingerprint of a public key PEM.

use std::sync::Arc;

use jni::sys::jint;
use nuvera_signing::{PrivateKey, PublicKey};

use crate::boundary::{native, Handle};

native! {
    /// `Native.keyFromPem(pem, passphrase)`: a key handle.
    fn keyFromPem(pem: Vec<u8>, passphrase: Option<Vec<u8>>) -> Arc<PrivateKey> {
        Arc::new(PrivateKey::from_pem(&pem, passphrase.as_deref())?)
    }

    /// `Native.keyFromFile(path, passphrase)`: a key handle.
    fn keyFromFile(path: String, passphrase: Option<Vec<u8>>) -> Arc<PrivateKey> {
        Arc::new(PrivateKey::from_file(&path, passphrase.as_deref())?)
    }

    /// `Native.keyPublicPem(key)`: SPKI PEM.
    fn keyPublicPem(key: Handle<PrivateKey>) -> String {
        key.public_key().to_pem()
    }

    /// `Native.keyFingerprint(key)`: `SHA256:<hex>` of the SPKI DER.
    fn keyFingerprint(key: Handle<PrivateKey>) -> String {
        key.fingerprint()
    }

    /// `Native.publicKeyFingerprint(pem)`: `SHA256:<hex>` of a public key PEM's SPKI DER, the
    /// value `keyFingerprint` gives for its private half.
    fn publicKeyFingerprint(pem: String) -> String {
        PublicKey::from_pem(pem)?.fingerprint()
    }

    /// `Native.keyBits(key)`: modulus size.
    fn keyBits(key: Handle<PrivateKey>) -> jint {
        jint::try_from(key.bits()).unwrap_or(jint::MAX)
    }
}

native! { free { keyFree: PrivateKey } }
