//! The RSA backend, kept behind three operations (parse, sign, verify) plus key generation so that
//! switching between aws-lc-rs (default) and ring touches this file only.

use crate::error::{Error, ErrorCode, Result};

#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs as backend;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
use ring as backend;

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
compile_error!(
    "nuvera-signing needs a crypto backend: enable feature `aws-lc-rs` (default) or `ring`"
);

use backend::signature;

/// Largest modulus the backend signs with.
#[cfg(feature = "aws-lc-rs")]
pub const MAX_SIGNING_BITS: usize = 8192;
/// Largest modulus the backend signs with.
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub const MAX_SIGNING_BITS: usize = 4096;

/// The backend's name, for diagnostics and benchmarks.
#[cfg(feature = "aws-lc-rs")]
pub const BACKEND: &str = "aws-lc-rs";
/// The backend's name, for diagnostics and benchmarks.
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub const BACKEND: &str = "ring";

/// A parsed RSA key pair, ready to sign.
pub(crate) struct RsaSigningKey {
    pair: signature::RsaKeyPair,
    signature_len: usize,
    rng: backend::rand::SystemRandom,
}

impl RsaSigningKey {
    /// Parses a PKCS#1 `RSAPrivateKey` DER. Size limits were checked by the caller, which gives
    /// the partner a precise error; this is the backend's own consistency check.
    pub(crate) fn from_pkcs1_der(der: &[u8], modulus_bits: usize) -> Result<Self> {
        let pair = signature::RsaKeyPair::from_der(der).map_err(|e| {
            Error::new(
                ErrorCode::InvalidPrivateKey,
                format!("the RSA key is not usable for signing ({e})"),
            )
        })?;
        Ok(RsaSigningKey {
            pair,
            signature_len: modulus_bits.div_ceil(8),
            rng: backend::rand::SystemRandom::new(),
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub(crate) fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0u8; self.signature_len];
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &self.rng, message, &mut sig)
            .map_err(|_| {
                Error::new(
                    ErrorCode::CryptoFailure,
                    "the RSA signature could not be computed",
                )
            })?;
        Ok(sig)
    }
}

/// An RSA public key ready to verify RS256 (2048..=8192 bits).
///
/// aws-lc-rs parses the key once (`ParsedPublicKey`) rather than on every verification; ring has
/// no parsed form and parses on each call.
#[derive(Clone)]
pub(crate) struct RsaVerifyingKey {
    #[cfg(feature = "aws-lc-rs")]
    parsed: std::sync::Arc<signature::ParsedPublicKey>,
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    pkcs1_der: Vec<u8>,
}

impl RsaVerifyingKey {
    /// From a PKCS#1 `RSAPublicKey` DER.
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        #[cfg(feature = "aws-lc-rs")]
        {
            let parsed =
                signature::ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der)
                    .map_err(|e| {
                        Error::new(
                            ErrorCode::InvalidPublicKey,
                            format!("the RSA public key is not usable for verification ({e})"),
                        )
                    })?;
            Ok(RsaVerifyingKey {
                parsed: std::sync::Arc::new(parsed),
            })
        }
        #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
        Ok(RsaVerifyingKey {
            pkcs1_der: der.to_vec(),
        })
    }

    /// Checks an RS256 signature.
    pub(crate) fn verify_rs256(&self, message: &[u8], sig: &[u8]) -> bool {
        #[cfg(feature = "aws-lc-rs")]
        return self.parsed.verify_sig(message, sig).is_ok();
        #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
        signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.pkcs1_der)
            .verify(message, sig)
            .is_ok()
    }
}

/// Generates a new RSA key and returns its PKCS#8 DER.
#[cfg(feature = "aws-lc-rs")]
pub(crate) fn generate_pkcs8(bits: usize) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        8192 => KeySize::Rsa8192,
        _ => {
            return Err(Error::new(
                ErrorCode::Unsupported,
                format!("key size {bits} is not offered; choose 2048, 3072, 4096 or 8192"),
            ))
        }
    };
    let pair = KeyPair::generate(size)
        .map_err(|_| Error::new(ErrorCode::CryptoFailure, "RSA key generation failed"))?;
    let der = pair
        .as_der()
        .map_err(|_| Error::new(ErrorCode::CryptoFailure, "the new key could not be encoded"))?;
    Ok(zeroize::Zeroizing::new(der.as_ref().to_vec()))
}

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
pub(crate) fn generate_pkcs8(_bits: usize) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    Err(Error::new(
        ErrorCode::Unsupported,
        "key generation needs the aws-lc-rs backend (ring cannot generate RSA keys)",
    ))
}
