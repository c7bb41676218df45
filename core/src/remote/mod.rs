//! Keys that never enter the process (contract §9): a [`RemoteKey`] signs through a PKCS#11 token
//! or a caller's callback (a cloud KMS), and checks every signature it is given against the public
//! key before it goes into a token.

mod callback;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Result};
use crate::key::PublicKey;
use crate::signing_key::SigningKey;

pub use callback::{CallbackOptions, SignCallback, DEFAULT_CALLBACK_TIMEOUT};

/// What a remote signer is given to sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureInput {
    /// The 32-byte SHA-256 digest of the JWS signing input (AWS KMS `MessageType=DIGEST`, Google
    /// Cloud KMS `digest.sha256`, Azure Key Vault `RS256`, Vault Transit `prehashed=true`). Only
    /// 32 bytes leave the process.
    Digest,
    /// The JWS signing input itself (`b64(header).b64(payload)`); the provider hashes it.
    Message,
}

impl SignatureInput {
    /// The name a binding's caller gives and sees: `digest` or `message`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignatureInput::Digest => "digest",
            SignatureInput::Message => "message",
        }
    }

    /// The input named `name` (see [`as_str`](Self::as_str)); another name is
    /// `INVALID_ARGUMENT`.
    pub fn from_name(name: &str) -> Result<Self> {
        [SignatureInput::Digest, SignatureInput::Message]
            .into_iter()
            .find(|input| input.as_str() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidArgument,
                    format!("input {name:?} is neither \"digest\" nor \"message\""),
                )
            })
    }
}

/// The probe signed by [`RemoteKey::check`]: fixed, so that a provider's audit log shows what it is.
const PROBE_MESSAGE: &[u8] = b"nuvera-signing: remote key check";

/// Where a remote key's signatures come from. `sign` returns the provider's message on failure;
/// it must never contain a secret of the provider's (a PIN, a credential).
pub(crate) trait Provider: Send + Sync {
    /// What `sign` expects.
    fn input(&self) -> SignatureInput;
    /// A raw RSASSA-PKCS1-v1_5 signature of `input`.
    fn sign(&self, input: &[u8]) -> std::result::Result<Vec<u8>, String>;
    /// Names the provider in messages, e.g. `PKCS#11 token "nuvera" key "signing"`.
    fn describe(&self) -> String;
}

/// A signing key held elsewhere: a PKCS#11 token or a callback. Usable wherever a
/// [`PrivateKey`](crate::PrivateKey) is (`Signer::new(remote_key, api_key)`); the tokens are
/// byte-identical to those of the same key in memory.
///
/// Every signature the provider returns is verified against the public key before it is used
/// (an RSA-2048 verification costs tens of microseconds, a remote signature far more), so a
/// provider that signs with another key, or returns something that is not a signature, is
/// reported (`REMOTE_KEY_MISMATCH`, `REMOTE_SIGNER_FAILED`) and never yields a wrong token.
pub struct RemoteKey {
    provider: Box<dyn Provider>,
    public: PublicKey,
    /// Set once a signature has verified, for `check` callers that want to know.
    verified_once: AtomicBool,
}

impl RemoteKey {
    pub(crate) fn new(provider: Box<dyn Provider>, public: PublicKey) -> Self {
        RemoteKey {
            provider,
            public,
            verified_once: AtomicBool::new(false),
        }
    }

    /// A key whose signatures come from `callback`, given what `options.input` says (by default
    /// the SHA-256 digest of the signing input) and bounded by `options.timeout`. `public_key` is
    /// the key's public half, e.g. from AWS KMS `GetPublicKey` ([`PublicKey::from_spki_der`]).
    pub fn from_callback(
        public_key: PublicKey,
        callback: SignCallback,
        options: CallbackOptions,
    ) -> Self {
        Self::new(
            Box::new(callback::CallbackProvider::new(callback, options)),
            public_key,
        )
    }

    /// Signs a probe and verifies it against the public key: `REMOTE_KEY_MISMATCH` when the
    /// provider holds another key, `REMOTE_SIGNER_FAILED` when it cannot sign. Signing does this
    /// check on every signature anyway; call it to fail at start-up rather than on a first request.
    pub fn check(&self) -> Result<()> {
        self.sign_rs256(PROBE_MESSAGE).map(drop)
    }

    /// Whether a signature from the provider has verified under the public key yet.
    pub fn is_verified(&self) -> bool {
        self.verified_once.load(Ordering::Relaxed)
    }

    /// What the provider is given to sign.
    pub fn input(&self) -> SignatureInput {
        self.provider.input()
    }

    /// Names the provider (module, token and key; callback), never a secret.
    pub fn describe(&self) -> String {
        self.provider.describe()
    }

    fn sign_checked(&self, message: &[u8]) -> Result<Vec<u8>> {
        let digest;
        let input = match self.provider.input() {
            SignatureInput::Digest => {
                digest = Sha256::digest(message);
                digest.as_slice()
            }
            SignatureInput::Message => message,
        };
        let signature = self.provider.sign(input).map_err(|message| {
            Error::new(
                ErrorCode::RemoteSignerFailed,
                format!("{} failed: {message}", self.provider.describe()),
            )
        })?;
        let expected_len = self.public.bits().div_ceil(8);
        if signature.len() != expected_len {
            return Err(Error::new(
                ErrorCode::RemoteSignerFailed,
                format!(
                    "{} returned {} bytes where an RSASSA-PKCS1-v1_5 signature of this {}-bit key has {expected_len} \
                     (base64 text or a DER wrapping? return the raw signature bytes)",
                    self.provider.describe(),
                    signature.len(),
                    self.public.bits()
                ),
            ));
        }
        if !self.public.verify_rs256(message, &signature) {
            return Err(Error::new(
                ErrorCode::RemoteKeyMismatch,
                format!(
                    "the signature from {} does not verify under the public key {}: the provider signs with \
                     another key (wrong key id, label or version?){}",
                    self.provider.describe(),
                    self.public.fingerprint(),
                    match self.provider.input() {
                        SignatureInput::Digest =>
                            ", or it hashed the digest again (AWS KMS needs MessageType=DIGEST)",
                        SignatureInput::Message => "",
                    }
                ),
            ));
        }
        self.verified_once.store(true, Ordering::Relaxed);
        Ok(signature)
    }
}

impl SigningKey for RemoteKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.sign_checked(message)
    }

    fn check(&self) -> Result<()> {
        RemoteKey::check(self)
    }
}

impl fmt::Debug for RemoteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteKey")
            .field("provider", &self.provider.describe())
            .field("bits", &self.public.bits())
            .field("fingerprint", &self.public.fingerprint())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_input_is_named_digest_or_message() {
        for input in [SignatureInput::Digest, SignatureInput::Message] {
            assert_eq!(SignatureInput::from_name(input.as_str()), Ok(input));
        }
        assert_eq!(SignatureInput::Message.as_str(), "message");
        let refused = SignatureInput::from_name("raw").unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidArgument);
    }
}
