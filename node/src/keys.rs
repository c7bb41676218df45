//! Private keys: parsing, public half, fingerprint. Key material never leaves the core.

use std::sync::Arc;

use crate::boundary::*;

/// A parsed RSA private key (≥ 2048 bits), reused by any number of signers; never shows key
/// material.
#[napi]
pub struct PrivateKey(pub(crate) Arc<core::PrivateKey>);

#[napi]
impl PrivateKey {
    /// Parses a PEM (PKCS#8, PKCS#1 or encrypted PKCS#8) from text or bytes. `passphrase` is
    /// needed for an encrypted key.
    #[napi(factory)]
    pub fn from_pem(pem: Bytes, passphrase: Option<Bytes>) -> Result<Self, Code> {
        let passphrase = passphrase.as_ref().map(bytes_of);
        guard(|| {
            Ok(PrivateKey(
                core::PrivateKey::from_pem(bytes_of(&pem), passphrase)?.into(),
            ))
        })
    }

    /// Reads and parses a PEM file.
    #[napi(factory)]
    pub fn from_file(path: String, passphrase: Option<Bytes>) -> Result<Self, Code> {
        let passphrase = passphrase.as_ref().map(bytes_of);
        guard(|| {
            Ok(PrivateKey(
                core::PrivateKey::from_file(path, passphrase)?.into(),
            ))
        })
    }
}

methods! { PrivateKey |key| {
    #[doc = " `PrivateKey(RSA-2048, <fingerprint>)`: no key material."]
    #[napi(js_name = "toString")]
    fn to_js_string() -> String = format!("PrivateKey(RSA-{}, {})", key.bits(), key.fingerprint());
    #[doc = " The public half as an SPKI PEM (`BEGIN PUBLIC KEY`), to register with Nuvera."]
    #[napi(getter)]
    fn public_key_pem() -> String = key.0.public_key().to_pem();
    #[doc = " The key's fingerprint (SHA-256 of the public key's SPKI DER), as Nuvera shows it."]
    #[napi(getter)]
    fn fingerprint() -> String = key.0.fingerprint();
    #[doc = " Modulus size in bits."]
    #[napi(getter)]
    fn bits() -> u32 = u32::try_from(key.0.bits()).unwrap_or(u32::MAX);
}}

/// The fingerprint of a public key given as an SPKI PEM (the same value as
/// `PrivateKey.fingerprint` for its private half).
#[napi]
pub fn public_key_fingerprint(public_key_pem: String) -> Result<String, Code> {
    guard(|| Ok(core::PublicKey::from_pem(&public_key_pem)?.fingerprint()))
}
