//! Private keys and public keys: parsing, the public half to register, fingerprints.

use std::sync::Arc;

use nuvera::{PrivateKey, PublicKey, SigningKey};

use crate::boundary::*;

/// A signing key: a parsed RSA private key, or a key held elsewhere
/// (`nuvera_remote_key_from_callback`, `nuvera_remote_key_from_pkcs11`); every function taking a
/// key takes either.
pub struct nuvera_private_key(pub(crate) Arc<dyn SigningKey>);

c_api! {
    /// Parses a PEM private key (PKCS#8, PKCS#1 or encrypted PKCS#8; literal `\n` line breaks are
    /// accepted). `passphrase` may be NULL; it is needed for an `ENCRYPTED PRIVATE KEY`.
    /// Free the key with `nuvera_private_key_free`.
    fn nuvera_private_key_from_pem(
        pem: *const c_char as &[u8],
        passphrase: *const c_char as Option<&[u8]>,
    ) -> *mut nuvera_private_key {
        nuvera_private_key(Arc::new(PrivateKey::from_pem(pem, passphrase)?))
    }

    /// Reads and parses a PEM private key file. `passphrase` may be NULL.
    fn nuvera_private_key_from_file(
        path: *const c_char as PathBuf,
        passphrase: *const c_char as Option<&[u8]>,
    ) -> *mut nuvera_private_key {
        nuvera_private_key(Arc::new(PrivateKey::from_file(path, passphrase)?))
    }

    /// The public half as SPKI PEM (what a partner registers). Free `*out` with `nuvera_string_free`.
    fn nuvera_private_key_public_pem(key: *const nuvera_private_key as &_) -> *mut c_char {
        key.0.public_key().to_pem()
    }

    /// The public key's fingerprint (`SHA256:` and the lowercase hex SHA-256 of its SPKI DER, as
    /// `nuvera-sign public-key` prints it). Free `*out` with `nuvera_string_free`.
    fn nuvera_private_key_fingerprint(key: *const nuvera_private_key as &_) -> *mut c_char {
        key.0.fingerprint()
    }

    /// The modulus size in bits.
    fn nuvera_private_key_bits(key: *const nuvera_private_key as &_) -> usize {
        key.0.bits()
    }

    /// Checks, before a first request, that the key signs under its public key: a remote key signs a
    /// probe and verifies it (`REMOTE_KEY_MISMATCH`: the provider holds another key;
    /// `REMOTE_SIGNER_FAILED`: it cannot sign, with its message); a key parsed from PEM has nothing to
    /// check. Call it at start-up to fail then rather than on a first request.
    fn nuvera_private_key_check(key: *const nuvera_private_key as &_) {
        key.0.check()?
    }

    /// Frees a key. NULL is allowed. Signers made from it keep their own reference.
    free fn nuvera_private_key_free(key: *mut nuvera_private_key);

    /// The fingerprint of a public key given as PEM (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`),
    /// the same value as `nuvera_private_key_fingerprint` of its private half.
    fn nuvera_public_key_fingerprint(pem: *const c_char as &[u8]) -> *mut c_char {
        PublicKey::from_pem(pem)?.fingerprint()
    }
}
