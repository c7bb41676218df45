//! The `AUTH_*` codes of contract §6, in the order the rules are checked.

use std::fmt;

/// Why a request was refused. The order of the variants is the order of the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AuthCode {
    /// `x-api-key` or `Authorization` is missing.
    MissingHeader,
    /// `Authorization` is not `Bearer <three base64url segments>` (or the token is over-long).
    InvalidHeader,
    /// The API key is unknown.
    InvalidApiKey,
    /// The API key was revoked.
    ApiKeyRevoked,
    /// The key's application is disabled.
    ApplicationDisabled,
    /// Header or payload is not a JSON object, has duplicate keys, or a claim has the wrong type.
    TokenMalformed,
    /// `alg` is not exactly `RS256`, or the header asks for an extension (`crit`).
    UnsupportedAlg,
    /// The signature does not verify under any of the application's public keys.
    SignatureMismatch,
    /// One of the nine claims is missing.
    MissingClaim,
    /// `iss` differs from the profile's.
    InvalidIssuer,
    /// `aud` differs from the profile's.
    InvalidAudience,
    /// `sub` differs from `x-api-key`.
    SubjectMismatch,
    /// `method` differs from the request method.
    MethodMismatch,
    /// `uri` differs from the received request target.
    UriMismatch,
    /// `bodyHash` differs from the hash of the received body.
    BodyHashMismatch,
    /// `exp - iat` is not within 1..=60.
    LifetimeTooLong,
    /// `iat` is in the future beyond the allowed skew.
    TokenNotYetValid,
    /// `exp` (plus skew) has passed.
    TokenExpired,
    /// The `jti` was already used.
    ReplayedJti,
    /// The application lacks the route's permission (HTTP 403).
    PermissionDenied,
    /// The shared replay cache did not answer in time, so the `jti` could not be recorded; the
    /// request is refused, never accepted unrecorded (HTTP 503, contract §9).
    ReplayCacheUnavailable,
}

impl AuthCode {
    /// The stable code string.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthCode::MissingHeader => "AUTH_MISSING_HEADER",
            AuthCode::InvalidHeader => "AUTH_INVALID_HEADER",
            AuthCode::InvalidApiKey => "AUTH_INVALID_API_KEY",
            AuthCode::ApiKeyRevoked => "AUTH_API_KEY_REVOKED",
            AuthCode::ApplicationDisabled => "AUTH_APPLICATION_DISABLED",
            AuthCode::TokenMalformed => "AUTH_TOKEN_MALFORMED",
            AuthCode::UnsupportedAlg => "AUTH_UNSUPPORTED_ALG",
            AuthCode::SignatureMismatch => "AUTH_SIGNATURE_MISMATCH",
            AuthCode::MissingClaim => "AUTH_MISSING_CLAIM",
            AuthCode::InvalidIssuer => "AUTH_INVALID_ISSUER",
            AuthCode::InvalidAudience => "AUTH_INVALID_AUDIENCE",
            AuthCode::SubjectMismatch => "AUTH_SUBJECT_MISMATCH",
            AuthCode::MethodMismatch => "AUTH_METHOD_MISMATCH",
            AuthCode::UriMismatch => "AUTH_URI_MISMATCH",
            AuthCode::BodyHashMismatch => "AUTH_BODY_HASH_MISMATCH",
            AuthCode::LifetimeTooLong => "AUTH_LIFETIME_TOO_LONG",
            AuthCode::TokenNotYetValid => "AUTH_TOKEN_NOT_YET_VALID",
            AuthCode::TokenExpired => "AUTH_TOKEN_EXPIRED",
            AuthCode::ReplayedJti => "AUTH_REPLAYED_JTI",
            AuthCode::PermissionDenied => "AUTH_PERMISSION_DENIED",
            AuthCode::ReplayCacheUnavailable => "AUTH_REPLAY_CACHE_UNAVAILABLE",
        }
    }

    /// HTTP status of the refusal: 403 for a missing permission, 503 when the replay cache is
    /// unavailable, 401 otherwise.
    pub const fn http_status(self) -> u16 {
        match self {
            AuthCode::PermissionDenied => 403,
            AuthCode::ReplayCacheUnavailable => 503,
            _ => 401,
        }
    }

    /// Which of the four failure areas a partner should look at.
    pub const fn area(self) -> FailureArea {
        match self {
            AuthCode::InvalidApiKey | AuthCode::ApiKeyRevoked | AuthCode::ApplicationDisabled => {
                FailureArea::ApiKey
            }
            AuthCode::PermissionDenied => FailureArea::Permission,
            AuthCode::ReplayCacheUnavailable => FailureArea::Service,
            AuthCode::BodyHashMismatch => FailureArea::BodyHash,
            _ => FailureArea::JwtClaims,
        }
    }

    /// Every code, in check order.
    pub const ALL: &'static [AuthCode] = &[
        AuthCode::MissingHeader,
        AuthCode::InvalidHeader,
        AuthCode::InvalidApiKey,
        AuthCode::ApiKeyRevoked,
        AuthCode::ApplicationDisabled,
        AuthCode::TokenMalformed,
        AuthCode::UnsupportedAlg,
        AuthCode::SignatureMismatch,
        AuthCode::MissingClaim,
        AuthCode::InvalidIssuer,
        AuthCode::InvalidAudience,
        AuthCode::SubjectMismatch,
        AuthCode::MethodMismatch,
        AuthCode::UriMismatch,
        AuthCode::BodyHashMismatch,
        AuthCode::LifetimeTooLong,
        AuthCode::TokenNotYetValid,
        AuthCode::TokenExpired,
        AuthCode::ReplayedJti,
        AuthCode::PermissionDenied,
        AuthCode::ReplayCacheUnavailable,
    ];
}

impl serde::Serialize for AuthCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for AuthCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        AuthCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown code {text:?}")))
    }
}

impl fmt::Display for AuthCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The four reasons partners' requests fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureArea {
    /// The API key, its state or its application's.
    ApiKey,
    /// The JWT: its form, signature or claims.
    JwtClaims,
    /// The application's permissions for the route.
    Permission,
    /// The body hash.
    BodyHash,
    /// Not the partner's request: the verifier's own dependencies (retry later).
    Service,
}

impl FailureArea {
    /// A short label.
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureArea::ApiKey => "api-key",
            FailureArea::JwtClaims => "jwt-claims",
            FailureArea::Permission => "permission",
            FailureArea::BodyHash => "body-hash",
            FailureArea::Service => "service",
        }
    }
}

/// A refusal: the first failing rule's code and a message that says what to change. Never
/// contains the API key or the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    code: AuthCode,
    message: String,
}

impl VerifyError {
    pub(crate) fn new(code: AuthCode, message: impl Into<String>) -> Self {
        VerifyError {
            code,
            message: message.into(),
        }
    }

    /// The code.
    pub fn code(&self) -> AuthCode {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// HTTP status to answer with.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The response body of contract §6: `{"errors":[{"code":"…","message":"…"}]}`.
    pub fn response_body(&self) -> String {
        serde_json::json!({"errors": [{"code": self.code.as_str(), "message": self.message}]})
            .to_string()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for VerifyError {}
