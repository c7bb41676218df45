//! What makes the RS256 signature of a token: a key in this process ([`PrivateKey`]) or a key held
//! elsewhere ([`RemoteKey`](crate::RemoteKey)). `Signer` only ever sees this trait, so
//! canonicalization, claims and token assembly exist once whatever holds the key.

use std::fmt;
use std::sync::Arc;

use crate::error::Result;
use crate::key::{PrivateKey, PublicKey};

/// A key that makes RSASSA-PKCS1-v1_5 SHA-256 signatures and knows its public half.
pub trait SigningKey: fmt::Debug + Send + Sync {
    /// The public half (what is registered with Nuvera).
    fn public_key(&self) -> &PublicKey;

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (the JWS signing input).
    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>>;

    /// The public key's fingerprint (see [`PublicKey::fingerprint`]).
    fn fingerprint(&self) -> String {
        self.public_key().fingerprint()
    }

    /// Modulus size in bits.
    fn bits(&self) -> usize {
        self.public_key().bits()
    }

    /// Makes sure, before a first request, that the key signs under its public key: a remote key
    /// signs a probe and verifies it ([`RemoteKey::check`](crate::RemoteKey::check):
    /// `REMOTE_KEY_MISMATCH`, `REMOTE_SIGNER_FAILED`); a key in memory holds its public half by
    /// construction and has nothing to check. Lets a binding offer one check for either kind.
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

impl SigningKey for PrivateKey {
    fn public_key(&self) -> &PublicKey {
        PrivateKey::public_key(self)
    }

    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        PrivateKey::sign_rs256(self, message)
    }
}

/// What `Signer::new` accepts as its key: a [`PrivateKey`], a [`RemoteKey`](crate::RemoteKey),
/// either in an `Arc`, or an `Arc<dyn SigningKey>`.
pub trait IntoSigningKey {
    /// The key, shared.
    fn into_signing_key(self) -> Arc<dyn SigningKey>;
}

impl<K: SigningKey + 'static> IntoSigningKey for K {
    fn into_signing_key(self) -> Arc<dyn SigningKey> {
        Arc::new(self)
    }
}

impl<K: SigningKey + 'static> IntoSigningKey for Arc<K> {
    fn into_signing_key(self) -> Arc<dyn SigningKey> {
        self
    }
}

impl IntoSigningKey for Arc<dyn SigningKey> {
    fn into_signing_key(self) -> Arc<dyn SigningKey> {
        self
    }
}
