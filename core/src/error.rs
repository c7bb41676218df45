//! One error type with a stable, machine-readable code, and the project's one list of codes.
//!
//! Codes are part of the public contract: every binding exposes them unchanged, and partners grep
//! logs for them. Add codes; never rename or reuse one. No binding invents a code: each binding's
//! tests compare its own list with `testdata/error-codes.json`, which a core test keeps equal to
//! [`ErrorCode::ALL`].

use std::fmt;

use crate::verify::{AuthCode, VerifyError};

/// The family a code belongs to: which part of the work failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorFamily {
    /// Private keys and API keys: parsing, size, passphrases.
    Key,
    /// A request or option that cannot be signed, or a misuse of the library's objects.
    Request,
    /// Multipart forms and bodies.
    Multipart,
    /// Reading a body, a file or a key.
    Io,
    /// The verifier's registry of applications.
    Registry,
    /// A refusal by the verifier (contract §6); these codes carry an HTTP status.
    Auth,
    /// The HTTP-client behaviour of contract §8 (redirects, streaming bodies, clock correction).
    Client,
    /// A key held elsewhere (PKCS#11, a KMS callback; contract §9).
    Remote,
    /// A failure inside the library or its crypto backend, or a feature missing from this build.
    Internal,
}

impl ErrorFamily {
    /// The family's stable lowercase name, e.g. `multipart`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorFamily::Key => "key",
            ErrorFamily::Request => "request",
            ErrorFamily::Multipart => "multipart",
            ErrorFamily::Io => "io",
            ErrorFamily::Registry => "registry",
            ErrorFamily::Auth => "auth",
            ErrorFamily::Client => "client",
            ErrorFamily::Remote => "remote",
            ErrorFamily::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stable error code. `as_str()` is what every language binding exposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The key text is not a PEM private key we can read (garbage, truncated, a public key or a
    /// certificate where a private key belongs).
    InvalidPrivateKey,
    /// The key text is not an RSA public key we can read (garbage, truncated, a private key or a
    /// certificate where a public key belongs): a registry's key, `explain`'s key, a remote key's
    /// public half, `PublicKey::from_pem`.
    InvalidPublicKey,
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
    /// An argument a binding received cannot be used at all (a NULL pointer, text that is not
    /// UTF-8, a value of the wrong type).
    InvalidArgument,
    /// An object was used after it was closed or freed.
    ObjectClosed,
    /// A request body whose bytes cannot be known before sending (a generator, a one-shot
    /// stream), so it cannot be hashed and signed (contract §8).
    StreamingBody,
    /// More than the allowed number of redirect hops (contract §8).
    TooManyRedirects,
    /// A redirect from `https` to `http` (contract §8).
    InsecureRedirect,
    /// The clock offset learnt from a server's `Date` exceeds 24 hours (contract §8).
    ClockSkewTooLarge,
    /// A remote key's signature does not verify under its public key (contract §9).
    RemoteKeyMismatch,
    /// A remote signer (PKCS#11 token, KMS callback) failed (contract §9).
    RemoteSignerFailed,
    /// A bug: a panic caught at a language boundary, or a state that should not happen.
    InternalError,
    /// A verifier's refusal (contract §6), with its HTTP status.
    Auth(AuthCode),
}

impl ErrorCode {
    /// The stable code string, e.g. `INVALID_PRIVATE_KEY`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidPrivateKey => "INVALID_PRIVATE_KEY",
            ErrorCode::InvalidPublicKey => "INVALID_PUBLIC_KEY",
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
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::ObjectClosed => "OBJECT_CLOSED",
            ErrorCode::StreamingBody => "STREAMING_BODY",
            ErrorCode::TooManyRedirects => "TOO_MANY_REDIRECTS",
            ErrorCode::InsecureRedirect => "INSECURE_REDIRECT",
            ErrorCode::ClockSkewTooLarge => "CLOCK_SKEW_TOO_LARGE",
            ErrorCode::RemoteKeyMismatch => "REMOTE_KEY_MISMATCH",
            ErrorCode::RemoteSignerFailed => "REMOTE_SIGNER_FAILED",
            ErrorCode::InternalError => "INTERNAL_ERROR",
            ErrorCode::Auth(code) => code.as_str(),
        }
    }

    /// The code's family.
    pub const fn family(self) -> ErrorFamily {
        match self {
            ErrorCode::InvalidPrivateKey
            | ErrorCode::InvalidPublicKey
            | ErrorCode::PemLabelMismatch
            | ErrorCode::UnsupportedKeyType
            | ErrorCode::KeyTooSmall
            | ErrorCode::KeyTooLarge
            | ErrorCode::PassphraseRequired
            | ErrorCode::WrongPassphrase
            | ErrorCode::UnsupportedKeyEncryption
            | ErrorCode::InvalidApiKey => ErrorFamily::Key,
            ErrorCode::InvalidUrl
            | ErrorCode::InvalidMethod
            | ErrorCode::InvalidLifetime
            | ErrorCode::InvalidClaim
            | ErrorCode::InvalidBodyHash
            | ErrorCode::InvalidArgument
            | ErrorCode::ObjectClosed => ErrorFamily::Request,
            ErrorCode::MultipartMalformed
            | ErrorCode::MultipartTooLarge
            | ErrorCode::InvalidFormPart => ErrorFamily::Multipart,
            ErrorCode::IoError => ErrorFamily::Io,
            ErrorCode::InvalidRegistry => ErrorFamily::Registry,
            ErrorCode::Auth(_) => ErrorFamily::Auth,
            ErrorCode::StreamingBody
            | ErrorCode::TooManyRedirects
            | ErrorCode::InsecureRedirect
            | ErrorCode::ClockSkewTooLarge => ErrorFamily::Client,
            ErrorCode::RemoteKeyMismatch | ErrorCode::RemoteSignerFailed => ErrorFamily::Remote,
            ErrorCode::CryptoFailure | ErrorCode::Unsupported | ErrorCode::InternalError => {
                ErrorFamily::Internal
            }
        }
    }

    /// The HTTP status a server answers with, for the `AUTH_*` codes; `None` for the others.
    pub const fn http_status(self) -> Option<u16> {
        match self {
            ErrorCode::Auth(code) => Some(code.http_status()),
            _ => None,
        }
    }

    /// The code whose string is `text`, if any.
    pub fn from_code_str(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == text)
    }

    /// The list as JSON (`[{"code","family","httpStatus"}]`), what `testdata/error-codes.json`
    /// holds for the bindings' tests to compare their own lists with.
    pub fn list_json() -> String {
        let list: Vec<serde_json::Value> = ErrorCode::ALL
            .iter()
            .map(|c| {
                serde_json::json!({
                    "code": c.as_str(),
                    "family": c.family().as_str(),
                    "httpStatus": c.http_status(),
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&list).expect("a list of plain values");
        text.push('\n');
        text
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
        ErrorCode::InvalidArgument,
        ErrorCode::ObjectClosed,
        ErrorCode::StreamingBody,
        ErrorCode::TooManyRedirects,
        ErrorCode::InsecureRedirect,
        ErrorCode::ClockSkewTooLarge,
        ErrorCode::RemoteKeyMismatch,
        ErrorCode::RemoteSignerFailed,
        ErrorCode::InternalError,
        ErrorCode::Auth(AuthCode::MissingHeader),
        ErrorCode::Auth(AuthCode::InvalidHeader),
        ErrorCode::Auth(AuthCode::InvalidApiKey),
        ErrorCode::Auth(AuthCode::ApiKeyRevoked),
        ErrorCode::Auth(AuthCode::ApplicationDisabled),
        ErrorCode::Auth(AuthCode::TokenMalformed),
        ErrorCode::Auth(AuthCode::UnsupportedAlg),
        ErrorCode::Auth(AuthCode::SignatureMismatch),
        ErrorCode::Auth(AuthCode::MissingClaim),
        ErrorCode::Auth(AuthCode::InvalidIssuer),
        ErrorCode::Auth(AuthCode::InvalidAudience),
        ErrorCode::Auth(AuthCode::SubjectMismatch),
        ErrorCode::Auth(AuthCode::MethodMismatch),
        ErrorCode::Auth(AuthCode::UriMismatch),
        ErrorCode::Auth(AuthCode::BodyHashMismatch),
        ErrorCode::Auth(AuthCode::LifetimeTooLong),
        ErrorCode::Auth(AuthCode::TokenNotYetValid),
        ErrorCode::Auth(AuthCode::TokenExpired),
        ErrorCode::Auth(AuthCode::ReplayedJti),
        ErrorCode::Auth(AuthCode::PermissionDenied),
        ErrorCode::Auth(AuthCode::ReplayCacheUnavailable),
        // Added later: appended, so every earlier code keeps its index.
        ErrorCode::InvalidPublicKey,
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
    /// An error with this code and message. The core makes its own; bindings use this only to
    /// report what happens at their boundary (`INVALID_ARGUMENT`, `OBJECT_CLOSED`,
    /// `INTERNAL_ERROR`) or what a caller's callback returned, never to invent a code.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    /// An `IO_ERROR` for a failed read or write, unless the reader failed with a core error of
    /// its own (`std::io::Error::other(core_error)`): a reader a binding supplies (e.g. one that
    /// pulls a stream from another language's runtime) then keeps its code.
    pub(crate) fn io(what: &str, err: &std::io::Error) -> Self {
        match err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<Error>())
        {
            Some(carried) => Error::new(carried.code, format!("{what}: {}", carried.message)),
            None => Error::new(ErrorCode::IoError, format!("{what}: {err}")),
        }
    }

    /// The `INTERNAL_ERROR` for a panic a binding caught at its boundary (a panic never crosses
    /// into another language), with the panic's message when it has one (`&str` or `String`).
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        Error::new(
            ErrorCode::InternalError,
            format!("unexpected failure in the native core (a bug; please report it): {text}"),
        )
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human message (without the code).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status for a verifier's refusal (`AUTH_*`), `None` otherwise.
    pub fn http_status(&self) -> Option<u16> {
        self.code.http_status()
    }

    /// For a verifier's refusal (`AUTH_*`), the response body of contract §6
    /// (`{"errors":[{"code":"…","message":"…"}]}`), as [`VerifyError::response_body`] gives it;
    /// `None` otherwise. Bindings hand it to their callers with the code and status.
    pub fn response_body(&self) -> Option<String> {
        match self.code {
            ErrorCode::Auth(code) => {
                Some(VerifyError::new(code, self.message.clone()).response_body())
            }
            _ => None,
        }
    }
}

impl From<VerifyError> for Error {
    fn from(err: VerifyError) -> Self {
        Error::new(ErrorCode::Auth(err.code()), err.message())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_carries_the_contracts_response_body() {
        let refused: Error = VerifyError::new(AuthCode::TokenExpired, "the token expired").into();
        assert_eq!(
            refused.response_body().as_deref(),
            Some(r#"{"errors":[{"code":"AUTH_TOKEN_EXPIRED","message":"the token expired"}]}"#)
        );
        assert_eq!(Error::new(ErrorCode::IoError, "m").response_body(), None);
    }

    #[test]
    fn a_caught_panic_is_an_internal_error_with_its_message() {
        let formatted = std::panic::catch_unwind(|| panic!("bad {}", 42)).unwrap_err();
        let error = Error::from_panic(formatted.as_ref());
        assert_eq!(error.code(), ErrorCode::InternalError);
        assert!(error.message().ends_with(": bad 42"), "{}", error.message());
        let literal = std::panic::catch_unwind(|| panic!("plain")).unwrap_err();
        assert!(Error::from_panic(literal.as_ref())
            .message()
            .ends_with(": plain"));
        let silent = std::panic::catch_unwind(|| std::panic::panic_any(7_u8)).unwrap_err();
        assert!(Error::from_panic(silent.as_ref())
            .message()
            .ends_with("without a message"));
    }

    #[test]
    fn a_reader_failing_with_a_core_error_keeps_its_code() {
        let carried = std::io::Error::other(Error::new(ErrorCode::Unsupported, "not here"));
        let e = Error::io("cannot read the part", &carried);
        assert_eq!(e.code(), ErrorCode::Unsupported);
        assert_eq!(e.message(), "cannot read the part: not here");
        let plain = std::io::Error::other("disk on fire");
        assert_eq!(Error::io("x", &plain).code(), ErrorCode::IoError);
    }

    #[test]
    fn every_code_is_listed_once_with_a_distinct_string() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} listed twice");
            assert_eq!(ErrorCode::from_code_str(code.as_str()), Some(*code));
            assert_eq!(
                code.http_status().is_some(),
                code.family() == ErrorFamily::Auth
            );
        }
        for auth in AuthCode::ALL {
            assert!(
                ErrorCode::ALL.contains(&ErrorCode::Auth(*auth)),
                "{auth} missing"
            );
        }
    }
}
