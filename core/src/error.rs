//! One error type with a stable, machine-readable code.
//!
//! Codes are part of the public contract: every binding exposes them unchanged, and partners grep
//! logs for them. Add codes; never rename or reuse one.

use std::fmt;

/// A stable error code. `as_str()` is what every language binding exposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The key text is not a PEM private key we can read (garbage, truncated, a public key or a
    /// certificate where a private key belongs).
    InvalidPrivateKey,
    /// A PEM label says one format but the contents are another (e.g. `RSA PRIVATE KEY` around
    /// PKCS#8).
    PemLabelMismatch,
    /// The key is not RSA (e.g. EC P-256). Nuvera signs with RS256 only.
    UnsupportedKeyType,
    /// RSA key under 2048 bits.
    KeyTooSmall,
    /// RSA key larger than the crypto backend signs with.
    KeyTooLarge,
    /// An encrypted key was given without a passphrase.
    PassphraseRequired,
    /// The passphrase does not decrypt the key.
    WrongPassphrase,
    /// The encrypted key uses a scheme other than PBES2 with AES.
    UnsupportedKeyEncryption,
    /// The API key is empty or cannot travel in an HTTP header.
    InvalidApiKey,
    /// The URL or request target cannot be signed.
    InvalidUrl,
    /// The HTTP method is not an RFC 9110 token.
    InvalidMethod,
    /// Token lifetime outside 1..=60 seconds.
    InvalidLifetime,
    /// A claim value given by the caller is unusable (empty issuer, audience or jti, clock before
    /// 1970).
    InvalidClaim,
    /// A precomputed body hash is not 64 lowercase hex digits.
    InvalidBodyHash,
    /// The multipart body or its Content-Type cannot be parsed.
    MultipartMalformed,
    /// The multipart body exceeds a configured limit (part count, header or field size).
    MultipartTooLarge,
    /// A name, file name or media type given to `MultipartForm` cannot be encoded.
    InvalidFormPart,
    /// Reading a body, file or key failed.
    IoError,
    /// The crypto backend refused an operation it should not have (reported, never hidden).
    CryptoFailure,
    /// A verifier registry file is invalid.
    InvalidRegistry,
    /// A feature is not available with this build (e.g. key generation with the `ring` backend).
    Unsupported,
}

impl ErrorCode {
    /// The stable code string, e.g. `INVALID_PRIVATE_KEY`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidPrivateKey => "INVALID_PRIVATE_KEY",
            ErrorCode::PemLabelMismatch => "PEM_LABEL_MISMATCH",
            ErrorCode::UnsupportedKeyType => "UNSUPPORTED_KEY_TYPE",
            ErrorCode::KeyTooSmall => "KEY_TOO_SMALL",
            ErrorCode::KeyTooLarge => "KEY_TOO_LARGE",
            ErrorCode::PassphraseRequired => "PASSPHRASE_REQUIRED",
            ErrorCode::WrongPassphrase => "WRONG_PASSPHRASE",
            ErrorCode::UnsupportedKeyEncryption => "UNSUPPORTED_KEY_ENCRYPTION",
            ErrorCode::InvalidApiKey => "INVALID_API_KEY",
            ErrorCode::InvalidUrl => "INVALID_URL",
            ErrorCode::InvalidMethod => "INVALID_METHOD",
            ErrorCode::InvalidLifetime => "INVALID_LIFETIME",
            ErrorCode::InvalidClaim => "INVALID_CLAIM",
            ErrorCode::InvalidBodyHash => "INVALID_BODY_HASH",
            ErrorCode::MultipartMalformed => "MULTIPART_MALFORMED",
            ErrorCode::MultipartTooLarge => "MULTIPART_TOO_LARGE",
            ErrorCode::InvalidFormPart => "INVALID_FORM_PART",
            ErrorCode::IoError => "IO_ERROR",
            ErrorCode::CryptoFailure => "CRYPTO_FAILURE",
            ErrorCode::InvalidRegistry => "INVALID_REGISTRY",
            ErrorCode::Unsupported => "UNSUPPORTED",
        }
    }

    /// Every code, for documentation and for bindings that mirror the list.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InvalidPrivateKey,
        ErrorCode::PemLabelMismatch,
        ErrorCode::UnsupportedKeyType,
        ErrorCode::KeyTooSmall,
        ErrorCode::KeyTooLarge,
        ErrorCode::PassphraseRequired,
        ErrorCode::WrongPassphrase,
        ErrorCode::UnsupportedKeyEncryption,
        ErrorCode::InvalidApiKey,
        ErrorCode::InvalidUrl,
        ErrorCode::InvalidMethod,
        ErrorCode::InvalidLifetime,
        ErrorCode::InvalidClaim,
        ErrorCode::InvalidBodyHash,
        ErrorCode::MultipartMalformed,
        ErrorCode::MultipartTooLarge,
        ErrorCode::InvalidFormPart,
        ErrorCode::IoError,
        ErrorCode::CryptoFailure,
        ErrorCode::InvalidRegistry,
        ErrorCode::Unsupported,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with a stable [`ErrorCode`] and a message written for the partner who has to fix it.
///
/// Messages never contain key material, API keys or tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn io(what: &str, err: &std::io::Error) -> Self {
        Error::new(ErrorCode::IoError, format!("{what}: {err}"))
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human message (without the code).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
