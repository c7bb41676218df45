//! RSA private keys from PEM: PKCS#8, PKCS#1 and encrypted PKCS#8, with a precise error for each
//! way a partner's key file can be wrong.
//!
//! PEM framing comes from the `pem` crate, ASN.1 from `pkcs8`/`pkcs1`/`spki`, PBES2 from `pkcs8`'s
//! encryption feature; only the final RSA operations go to the crypto backend.

use std::fmt;
use std::path::Path;

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::crypto::{self, RsaSigningKey, RsaVerifyingKey};
use crate::error::{Error, ErrorCode, Result};
use crate::hex::to_hex;

/// Smallest RSA modulus accepted for signing.
pub const MIN_RSA_BITS: usize = 2048;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// PBKDF2 iteration counts above this are refused: an encrypted key is untrusted input and must
/// not be able to stall the process (OpenSSL's default is 2048, OWASP's 2023 advice 600,000).
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

const LABEL_PKCS8: &str = "PRIVATE KEY";
const LABEL_PKCS1: &str = "RSA PRIVATE KEY";
const LABEL_ENCRYPTED: &str = "ENCRYPTED PRIVATE KEY";

/// A parsed RSA private key, ready to sign RS256. Parse once and share it (it is `Send + Sync`).
///
/// `Debug` shows the size and public fingerprint only, never key material.
pub struct PrivateKey {
    signing: RsaSigningKey,
    public: PublicKey,
}

/// An RSA public key (what a partner registers with Nuvera).
#[derive(Clone)]
pub struct PublicKey {
    spki_der: Vec<u8>,
    verifying: RsaVerifyingKey,
    bits: usize,
    /// Computed once: verifiers report it with every accepted request.
    fingerprint: String,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der == other.spki_der
    }
}

impl Eq for PublicKey {}

impl PrivateKey {
    /// Parses a PEM private key. `passphrase` is needed for `ENCRYPTED PRIVATE KEY` and ignored
    /// otherwise. PEM whose line breaks arrive as literal `\n` (environment variables) is accepted.
    pub fn from_pem(pem_text: impl AsRef<[u8]>, passphrase: Option<&[u8]>) -> Result<Self> {
        let text = std::str::from_utf8(pem_text.as_ref()).map_err(|_| {
            Error::new(
                ErrorCode::InvalidPrivateKey,
                "the key is not PEM text (binary data? convert DER with `openssl pkey -in key.der -inform DER`)",
            )
        })?;
        let text = Zeroizing::new(normalize_pem_text(text));
        let blocks = pem::parse_many(text.as_bytes()).map_err(|_| {
            Error::new(
                ErrorCode::InvalidPrivateKey,
                "the key is not valid PEM (expected -----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----)",
            )
        })?;
        let block = select_private_key_block(&blocks)?;
        let contents = Zeroizing::new(block.contents().to_vec());
        let pkcs1 = match block.tag() {
            LABEL_PKCS1 => {
                if block.headers().get("Proc-Type").is_some() {
                    return Err(Error::new(
                        ErrorCode::UnsupportedKeyEncryption,
                        "legacy OpenSSL-encrypted PEM (Proc-Type header) is not supported; convert it with \
                         `openssl pkcs8 -topk8 -v2 aes-256-cbc -in old.pem -out key.pem`",
                    ));
                }
                expect_pkcs1(&contents)?;
                contents
            }
            LABEL_PKCS8 => pkcs1_from_pkcs8(&contents)?,
            LABEL_ENCRYPTED => {
                let decrypted = decrypt_pkcs8(&contents, passphrase)?;
                pkcs1_from_pkcs8(&decrypted)?
            }
            other => {
                return Err(Error::new(
                    ErrorCode::UnsupportedKeyType,
                    format!("a `{other}` is not an RSA key; Nuvera signs with RS256, which needs an RSA key of 2048 bits or more"),
                ))
            }
        };
        Self::from_pkcs1_der(&pkcs1)
    }

    /// Reads and parses a PEM key file.
    pub fn from_file(path: impl AsRef<Path>, passphrase: Option<&[u8]>) -> Result<Self> {
        let path = path.as_ref();
        let text = Zeroizing::new(
            std::fs::read(path)
                .map_err(|e| Error::io(&format!("cannot read key file {}", path.display()), &e))?,
        );
        Self::from_pem(&*text, passphrase)
    }

    /// Generates a new RSA private key (aws-lc-rs backend only) and returns it with its PKCS#8 PEM.
    pub fn generate(bits: usize) -> Result<(Self, Zeroizing<String>)> {
        let der = crypto::generate_pkcs8(bits)?;
        let pem_text = Zeroizing::new(encode_pem(LABEL_PKCS8, &der));
        let key = Self::from_pem(pem_text.as_bytes(), None)?;
        Ok((key, pem_text))
    }

    fn from_pkcs1_der(pkcs1_der: &[u8]) -> Result<Self> {
        let rsa = pkcs1::RsaPrivateKeyRef::from_der(pkcs1_der).map_err(|_| {
            Error::new(
                ErrorCode::InvalidPrivateKey,
                "the RSA private key structure is damaged",
            )
        })?;
        let public = PublicKey::from_pkcs1_public(&rsa.public_key())?;
        check_signing_size(public.bits)?;
        let signing = RsaSigningKey::from_pkcs1_der(pkcs1_der, public.bits)?;
        Ok(PrivateKey { signing, public })
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.public.bits
    }

    /// The public key's fingerprint (see [`PublicKey::fingerprint`]).
    pub fn fingerprint(&self) -> String {
        self.public.fingerprint()
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over arbitrary bytes. `Signer` is the way to sign requests;
    /// this is for interoperability tests and crafted tokens.
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.signing.sign_rs256(message)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.public.bits)
            .field("fingerprint", &self.public.fingerprint())
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Parses an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM.
    pub fn from_pem(pem_text: impl AsRef<[u8]>) -> Result<Self> {
        let invalid = || Error::new(ErrorCode::InvalidPublicKey, "not a PEM RSA public key");
        let text = std::str::from_utf8(pem_text.as_ref()).map_err(|_| invalid())?;
        let block = pem::parse(normalize_pem_text(text)).map_err(|_| invalid())?;
        match block.tag() {
            "PUBLIC KEY" => Self::from_spki_der(block.contents()),
            "RSA PUBLIC KEY" => {
                let rsa =
                    pkcs1::RsaPublicKeyRef::from_der(block.contents()).map_err(|_| invalid())?;
                Self::from_pkcs1_public(&rsa)
            }
            _ => Err(invalid()),
        }
    }

    /// The public key a binding's caller gave as PEM ([`from_pem`](Self::from_pem)) or as SPKI
    /// DER ([`from_spki_der`](Self::from_spki_der)): exactly one of the two, `INVALID_ARGUMENT`
    /// otherwise.
    pub fn from_pem_or_spki_der(pem: Option<&[u8]>, der: Option<&[u8]>) -> Result<Self> {
        match (pem, der) {
            (Some(pem), None) => Self::from_pem(pem),
            (None, Some(der)) => Self::from_spki_der(der),
            _ => Err(Error::new(
                ErrorCode::InvalidArgument,
                "give exactly one of the public key's PEM and its DER",
            )),
        }
    }

    /// Parses a DER SubjectPublicKeyInfo holding an RSA key.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let invalid = || {
            Error::new(
                ErrorCode::InvalidPublicKey,
                "not an RSA SubjectPublicKeyInfo",
            )
        };
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|_| invalid())?;
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(Error::new(
                ErrorCode::UnsupportedKeyType,
                format!(
                    "the public key is {}, not RSA",
                    algorithm_name(spki.algorithm.oid)
                ),
            ));
        }
        let bits = spki.subject_public_key.as_bytes().ok_or_else(invalid)?;
        let rsa = pkcs1::RsaPublicKeyRef::from_der(bits).map_err(|_| invalid())?;
        Self::from_pkcs1_public(&rsa)
    }

    /// From the big-endian modulus and public exponent (what a PKCS#11 token reports as
    /// `CKA_MODULUS` and `CKA_PUBLIC_EXPONENT`).
    pub fn from_rsa_components(modulus: &[u8], public_exponent: &[u8]) -> Result<Self> {
        let invalid = || {
            Error::new(
                ErrorCode::InvalidPublicKey,
                "the RSA modulus or public exponent is not a valid integer",
            )
        };
        // DER integers carry no leading zero bytes (the token may pad them).
        let strip = |b: &[u8]| {
            let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
            b[start..].to_vec()
        };
        let (modulus, exponent) = (strip(modulus), strip(public_exponent));
        let rsa = pkcs1::RsaPublicKeyRef {
            modulus: der::asn1::UintRef::new(&modulus).map_err(|_| invalid())?,
            public_exponent: der::asn1::UintRef::new(&exponent).map_err(|_| invalid())?,
        };
        Self::from_pkcs1_public(&rsa)
    }

    fn from_pkcs1_public(rsa: &pkcs1::RsaPublicKeyRef<'_>) -> Result<Self> {
        let failed = || {
            Error::new(
                ErrorCode::CryptoFailure,
                "the public key could not be encoded",
            )
        };
        let pkcs1_der = rsa.to_der().map_err(|_| failed())?;
        let spki = spki::SubjectPublicKeyInfoRef {
            algorithm: spki::AlgorithmIdentifierRef {
                oid: RSA_ENCRYPTION,
                parameters: Some(AnyRef::NULL),
            },
            subject_public_key: BitStringRef::from_bytes(&pkcs1_der).map_err(|_| failed())?,
        };
        let spki_der = spki.to_der().map_err(|_| failed())?;
        let bits = bit_length(rsa.modulus.as_bytes());
        // The size check comes first: it gives a partner the precise error.
        let verifying = match RsaVerifyingKey::from_pkcs1_der(&pkcs1_der) {
            Ok(v) => v,
            Err(e) if bits >= MIN_RSA_BITS => return Err(e),
            Err(_) => return Err(size_error(bits)),
        };
        let fingerprint = format!("SHA256:{}", to_hex(&Sha256::digest(&spki_der)));
        Ok(PublicKey {
            spki_der,
            verifying,
            bits,
            fingerprint,
        })
    }

    /// `-----BEGIN PUBLIC KEY-----` (SPKI), the form Nuvera's portal takes.
    pub fn to_pem(&self) -> String {
        encode_pem("PUBLIC KEY", &self.spki_der)
    }

    /// SPKI DER bytes.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// `SHA256:` + lowercase hex SHA-256 of the SPKI DER. Identifies a key pair without revealing
    /// anything secret; the same value for the private key and its public key.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// Checks an RS256 signature.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.verifying.verify_rs256(message, signature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

/// Keys kept in environment variables often arrive as one line with literal `\n`, sometimes in
/// quotes; both are undone here so that every way of storing the same key gives the same key.
fn normalize_pem_text(text: &str) -> String {
    let mut t = text.trim();
    if t.len() >= 2
        && ((t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\'')))
    {
        t = t[1..t.len() - 1].trim();
    }
    if t.contains("\\n") {
        t.replace("\\r\\n", "\n").replace("\\n", "\n")
    } else {
        t.to_owned()
    }
}

fn select_private_key_block(blocks: &[pem::Pem]) -> Result<&pem::Pem> {
    if let Some(block) = blocks.iter().find(|b| b.tag().ends_with("PRIVATE KEY")) {
        return Ok(block);
    }
    let message = match blocks.first().map(|b| b.tag()) {
        None => "no PEM block found (expected -----BEGIN PRIVATE KEY-----)".to_owned(),
        Some(tag) if tag.contains("PUBLIC KEY") => {
            "this is a public key; signing needs the private key that belongs to it".to_owned()
        }
        Some("CERTIFICATE") => {
            "this is a certificate; signing needs the RSA private key".to_owned()
        }
        Some(tag) => format!("a `{tag}` PEM block is not a private key"),
    };
    Err(Error::new(ErrorCode::InvalidPrivateKey, message))
}

fn label_mismatch(label: &str, actual: &str) -> Error {
    Error::new(
        ErrorCode::PemLabelMismatch,
        format!(
            "the PEM label says `{label}` but the contents are {actual}; the file was relabelled by hand \
             — re-export the key instead of editing its BEGIN/END lines"
        ),
    )
}

/// What a DER blob actually is, so a lying label can be named.
fn describe_der(der: &[u8]) -> &'static str {
    if pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
        "a PKCS#1 RSA key (`RSA PRIVATE KEY`)"
    } else if pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).is_ok() {
        "an encrypted PKCS#8 key (`ENCRYPTED PRIVATE KEY`)"
    } else if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
        "a PKCS#8 key (`PRIVATE KEY`)"
    } else {
        ""
    }
}

fn damaged(label: &str) -> Error {
    Error::new(
        ErrorCode::InvalidPrivateKey,
        format!("the `{label}` PEM block does not hold a valid key (truncated or damaged?)"),
    )
}

fn expect_pkcs1(der: &[u8]) -> Result<()> {
    if pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
        return Ok(());
    }
    match describe_der(der) {
        "" => Err(damaged(LABEL_PKCS1)),
        actual => Err(label_mismatch(LABEL_PKCS1, actual)),
    }
}

fn pkcs1_from_pkcs8(der: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let info = match pkcs8::PrivateKeyInfoRef::from_der(der) {
        Ok(info) => info,
        Err(_) => {
            return match describe_der(der) {
                "" => Err(damaged(LABEL_PKCS8)),
                actual => Err(label_mismatch(LABEL_PKCS8, actual)),
            }
        }
    };
    let oid = info.algorithm.oid;
    if oid != RSA_ENCRYPTION {
        return Err(Error::new(
            ErrorCode::UnsupportedKeyType,
            format!(
                "the key is {}, not RSA; Nuvera signs with RS256, which needs an RSA key of 2048 bits or more",
                algorithm_name(oid)
            ),
        ));
    }
    let inner = info.private_key.as_bytes();
    if pkcs1::RsaPrivateKeyRef::from_der(inner).is_err() {
        return Err(damaged(LABEL_PKCS8));
    }
    Ok(Zeroizing::new(inner.to_vec()))
}

fn decrypt_pkcs8(der: &[u8], passphrase: Option<&[u8]>) -> Result<Zeroizing<Vec<u8>>> {
    let encrypted = match pkcs8::EncryptedPrivateKeyInfoRef::from_der(der) {
        Ok(e) => e,
        Err(_) => {
            return match describe_der(der) {
                "" => Err(damaged(LABEL_ENCRYPTED)),
                actual => Err(label_mismatch(LABEL_ENCRYPTED, actual)),
            }
        }
    };
    let unsupported = |what: &str| {
        Error::new(
            ErrorCode::UnsupportedKeyEncryption,
            format!(
                "{what}; re-encrypt with `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256`"
            ),
        )
    };
    let params = encrypted.encryption_algorithm.pbes2().ok_or_else(|| {
        unsupported("only PBES2 key encryption is supported (this key uses PBES1)")
    })?;
    match &params.kdf {
        pkcs8::pkcs5::pbes2::Kdf::Pbkdf2(p) if p.iteration_count <= MAX_PBKDF2_ITERATIONS => {}
        pkcs8::pkcs5::pbes2::Kdf::Pbkdf2(_) => {
            return Err(unsupported(
                "the key's PBKDF2 iteration count is over 10,000,000",
            ))
        }
        _ => {
            return Err(unsupported(
                "only PBKDF2 key derivation is supported (this key uses scrypt)",
            ))
        }
    }
    let passphrase = passphrase.ok_or_else(|| {
        Error::new(
            ErrorCode::PassphraseRequired,
            "the key is encrypted (BEGIN ENCRYPTED PRIVATE KEY); give its passphrase",
        )
    })?;
    match encrypted.decrypt(passphrase) {
        Ok(doc) => Ok(Zeroizing::new(doc.as_bytes().to_vec())),
        Err(pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm {
            ..
        }))
        | Err(pkcs8::Error::EncryptedPrivateKey(
            pkcs8::pkcs5::Error::AlgorithmParametersInvalid { .. },
        )) => Err(unsupported(
            "the key's encryption algorithm is not supported",
        )),
        Err(_) => Err(Error::new(
            ErrorCode::WrongPassphrase,
            "the passphrase does not decrypt this key",
        )),
    }
}

fn size_error(bits: usize) -> Error {
    Error::new(
        ErrorCode::KeyTooSmall,
        format!("the RSA key has {bits} bits; Nuvera requires at least {MIN_RSA_BITS} (generate a new key with `nuvera-sign keygen`)"),
    )
}

fn check_signing_size(bits: usize) -> Result<()> {
    if bits < MIN_RSA_BITS {
        return Err(size_error(bits));
    }
    if bits > crypto::MAX_SIGNING_BITS {
        return Err(Error::new(
            ErrorCode::KeyTooLarge,
            format!(
                "the RSA key has {bits} bits; the {} backend signs with at most {}",
                crypto::BACKEND,
                crypto::MAX_SIGNING_BITS
            ),
        ));
    }
    Ok(())
}

fn algorithm_name(oid: ObjectIdentifier) -> String {
    match oid {
        EC_PUBLIC_KEY => "an elliptic-curve (EC) key".to_owned(),
        ED25519 => "an Ed25519 key".to_owned(),
        RSA_PSS => "an RSA-PSS-only key".to_owned(),
        other => format!("a key of algorithm {other}"),
    }
}

fn bit_length(big_endian: &[u8]) -> usize {
    match big_endian.iter().position(|&b| b != 0) {
        None => 0,
        Some(i) => (big_endian.len() - i) * 8 - big_endian[i].leading_zeros() as usize,
    }
}

fn encode_pem(label: &str, der: &[u8]) -> String {
    let block = pem::Pem::new(label, der.to_vec());
    let text = pem::encode_config(
        &block,
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    );
    // `pem::Pem` keeps its own copy of the DER; clear it before it is dropped.
    let mut contents = block.into_contents();
    zeroize::Zeroize::zeroize(&mut contents);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length_ignores_leading_zero_bytes() {
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01]), 1);
        assert_eq!(bit_length(&[]), 0);
    }

    #[test]
    fn a_public_key_is_given_as_exactly_one_of_pem_and_der() {
        let pem = include_str!("../../testdata/keys/test-rsa2048-public.pem").as_bytes();
        let from_pem = PublicKey::from_pem_or_spki_der(Some(pem), None).unwrap();
        assert_eq!(from_pem, PublicKey::from_pem(pem).unwrap());
        let der = pem::parse(pem).unwrap().into_contents();
        let from_der = PublicKey::from_pem_or_spki_der(None, Some(&der)).unwrap();
        assert_eq!(from_der, from_pem);
        for (pem, der) in [(None, None), (Some(pem), Some(der.as_slice()))] {
            let error = PublicKey::from_pem_or_spki_der(pem, der).unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn quotes_and_escaped_newlines_are_undone() {
        assert_eq!(normalize_pem_text("\"a\\nb\"\n"), "a\nb");
        assert_eq!(normalize_pem_text("a\\r\\nb"), "a\nb");
    }
}
