//! `Signer`: a key, an API key and options that turn a request into its two headers.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::body::{Body, BodySummary};
use crate::client::ClockOffset;
use crate::error::{Error, ErrorCode, Result};
use crate::jwt::{encode_rs256, Claims, DEFAULT_AUDIENCE, DEFAULT_ISSUER};
use crate::method::normalize_method;
use crate::multipart::MultipartForm;
use crate::proof::Proof;
use crate::secret::ApiKey;
use crate::signing_key::{IntoSigningKey, SigningKey};
use crate::uri::request_uri;

/// Default token lifetime in seconds.
pub const DEFAULT_LIFETIME_SECS: u32 = 55;
/// Longest lifetime Nuvera accepts.
pub const MAX_LIFETIME_SECS: u32 = 60;

/// Where `iat` comes from. Tests inject a fixed clock.
pub trait Clock: Send + Sync {
    /// Current Unix time in whole seconds.
    fn now_unix(&self) -> Result<u64>;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> Result<u64> {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .map_err(|_| {
                Error::new(
                    ErrorCode::InvalidClaim,
                    "the system clock is set before 1970",
                )
            })
    }
}

/// A Unix time in seconds a binding's caller gave (a fixed `now`, a bundle's time): a negative
/// one is `INVALID_ARGUMENT`, named by `what` in the message. (A negative `iat` is a claim, and
/// stays `INVALID_CLAIM`.)
pub fn given_unix_seconds(t: i64, what: &str) -> Result<u64> {
    u64::try_from(t).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("{what} {t} is negative: it is Unix seconds"),
        )
    })
}

/// An integer a binding's caller gave where the core takes an unsigned one (a status, a count,
/// milliseconds): out of range for `T` is `INVALID_ARGUMENT`, named by `what` in the message.
pub fn given_unsigned<T: TryFrom<i64>>(value: i64, what: &str) -> Result<T> {
    T::try_from(value).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("{what} {value} is out of range"),
        )
    })
}

/// A clock stopped at one instant.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now_unix(&self) -> Result<u64> {
        Ok(self.0)
    }
}

/// Where `jti` comes from. The default is a fresh UUID v4 from the OS CSPRNG.
pub trait JtiSource: Send + Sync {
    /// The next token id; must be unique per request.
    fn next_jti(&self) -> String;
}

/// UUID v4 (lowercase, hyphenated) from the operating system's CSPRNG.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomJti;

impl JtiSource for RandomJti {
    fn next_jti(&self) -> String {
        uuid::Uuid::new_v4().hyphenated().to_string()
    }
}

/// Signing options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerOptions {
    /// Token lifetime, 1..=60 s (default 55).
    pub lifetime_secs: u32,
    /// `iss` (default `nuvera-api`).
    pub issuer: String,
    /// `aud` (default `nuvera-rest-api`).
    pub audience: String,
}

impl Default for SignerOptions {
    fn default() -> Self {
        SignerOptions {
            lifetime_secs: DEFAULT_LIFETIME_SECS,
            issuer: DEFAULT_ISSUER.to_owned(),
            audience: DEFAULT_AUDIENCE.to_owned(),
        }
    }
}

impl SignerOptions {
    /// Options from what a binding's caller gave: `None` takes the contract's default (55 s,
    /// `nuvera-api`, `nuvera-rest-api`). Every language builds its options here, so a default lives
    /// in one place; a lifetime outside 1..=60 (negative included) is `INVALID_LIFETIME`.
    pub fn from_optional(
        lifetime_secs: Option<i64>,
        issuer: Option<&str>,
        audience: Option<&str>,
    ) -> Result<Self> {
        let defaults = SignerOptions::default();
        let lifetime_secs = match lifetime_secs {
            None => defaults.lifetime_secs,
            Some(l) => u32::try_from(l)
                .ok()
                .filter(|l| (1..=MAX_LIFETIME_SECS).contains(l))
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidLifetime,
                        format!(
                            "token lifetime {l} s is outside 1..=60 s (Nuvera refuses longer tokens)"
                        ),
                    )
                })?,
        };
        let options = SignerOptions {
            lifetime_secs,
            issuer: issuer.map_or(defaults.issuer, str::to_owned),
            audience: audience.map_or(defaults.audience, str::to_owned),
        };
        options.validate()?;
        Ok(options)
    }

    fn validate(&self) -> Result<()> {
        if !(1..=MAX_LIFETIME_SECS).contains(&self.lifetime_secs) {
            return Err(Error::new(
                ErrorCode::InvalidLifetime,
                format!(
                    "token lifetime {} s is outside 1..=60 s (Nuvera refuses longer tokens)",
                    self.lifetime_secs
                ),
            ));
        }
        for (what, value) in [("issuer", &self.issuer), ("audience", &self.audience)] {
            if value.is_empty() {
                return Err(Error::new(
                    ErrorCode::InvalidClaim,
                    format!("the {what} is empty"),
                ));
            }
        }
        Ok(())
    }
}

/// Per-call values that replace the clock and jti source (reproducing a token, tests).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignOverrides {
    /// Use this `iat` instead of the clock.
    pub iat: Option<u64>,
    /// Use this `jti` instead of a fresh one.
    pub jti: Option<String>,
}

impl SignOverrides {
    /// Overrides from what a binding's caller gave; a negative `iat` is `INVALID_CLAIM`.
    pub fn from_optional(iat: Option<i64>, jti: Option<&str>) -> Result<Self> {
        let iat = match iat {
            None => None,
            Some(i) => Some(u64::try_from(i).map_err(|_| {
                Error::new(
                    ErrorCode::InvalidClaim,
                    format!("iat {i} is negative: it is Unix seconds"),
                )
            })?),
        };
        Ok(SignOverrides {
            iat,
            jti: jti.map(str::to_owned),
        })
    }
}

/// Signs requests for one API key. Cheap to clone, `Send + Sync`: share one per application.
#[derive(Clone)]
pub struct Signer {
    key: Arc<dyn SigningKey>,
    api_key: ApiKey,
    options: SignerOptions,
    clock: Arc<dyn Clock>,
    jti: Arc<dyn JtiSource>,
    clock_offset: ClockOffset,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("key", &self.key)
            .field("api_key", &self.api_key)
            .field("options", &self.options)
            .field("clock_offset", &self.clock_offset)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer with default options, the system clock and random UUID v4 `jti`s. `key` is a
    /// [`PrivateKey`](crate::PrivateKey) or a [`RemoteKey`](crate::RemoteKey), plain or in an `Arc`.
    pub fn new(key: impl IntoSigningKey, api_key: &str) -> Result<Self> {
        Self::with_options(key, api_key, SignerOptions::default())
    }

    /// A signer with explicit options.
    pub fn with_options(
        key: impl IntoSigningKey,
        api_key: &str,
        options: SignerOptions,
    ) -> Result<Self> {
        options.validate()?;
        Ok(Signer {
            key: key.into_signing_key(),
            api_key: ApiKey::new(api_key)?,
            options,
            clock: Arc::new(SystemClock),
            jti: Arc::new(RandomJti),
            clock_offset: ClockOffset::new(),
        })
    }

    /// Starts with a known clock offset in seconds (`iat = now + offset`), e.g. one a previous
    /// run learnt; over 24 h in magnitude is `CLOCK_SKEW_TOO_LARGE`. Later corrections come only
    /// from the client policy (`client::Exchange`).
    pub fn with_clock_offset(mut self, secs: i64) -> Result<Self> {
        self.clock_offset = ClockOffset::with_secs(secs)?;
        Ok(self)
    }

    /// The clock offset, shared by every clone of this signer: read it, or hand it to a
    /// `client::Exchange`, which corrects it from a server's `Date`.
    pub fn clock_offset(&self) -> &ClockOffset {
        &self.clock_offset
    }

    /// Replaces the clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces the jti source.
    pub fn with_jti_source(mut self, jti: Arc<dyn JtiSource>) -> Self {
        self.jti = jti;
        self
    }

    /// The options in use.
    pub fn options(&self) -> &SignerOptions {
        &self.options
    }

    /// The signing key (in memory or remote).
    pub fn key(&self) -> &dyn SigningKey {
        &*self.key
    }

    /// Signs a request. `url_or_target` is an absolute URL or a target starting with `/`.
    pub fn sign(&self, method: &str, url_or_target: &str, body: Body<'_>) -> Result<SignedRequest> {
        self.sign_with(method, url_or_target, body, &SignOverrides::default())
    }

    /// Signs a multipart request described by `form`.
    pub fn sign_multipart(
        &self,
        method: &str,
        url_or_target: &str,
        form: &mut MultipartForm,
    ) -> Result<SignedRequest> {
        self.sign(method, url_or_target, Body::Multipart(form))
    }

    /// Signs with per-call `iat`/`jti`.
    pub fn sign_with(
        &self,
        method: &str,
        url_or_target: &str,
        body: Body<'_>,
        overrides: &SignOverrides,
    ) -> Result<SignedRequest> {
        // Cheap checks first, so a bad URL is reported before a large body is read.
        let method = normalize_method(method)?;
        let uri = request_uri(url_or_target)?;
        let body = body.summarize()?;
        self.sign_summarized(method, uri, body, overrides)
    }

    fn sign_summarized(
        &self,
        method: String,
        uri: String,
        body: BodySummary,
        overrides: &SignOverrides,
    ) -> Result<SignedRequest> {
        let iat = match overrides.iat {
            Some(iat) => iat,
            None => offset_now(self.clock.now_unix()?, self.clock_offset.secs())?,
        };
        let exp = iat
            .checked_add(u64::from(self.options.lifetime_secs))
            .ok_or_else(|| Error::new(ErrorCode::InvalidClaim, "iat is too large"))?;
        let jti = overrides.jti.clone().unwrap_or_else(|| self.jti.next_jti());
        if let Some(problem) = crate::jwt::jti_problem(&jti) {
            return Err(Error::new(ErrorCode::InvalidClaim, problem));
        }
        let claims = Claims {
            iss: self.options.issuer.clone(),
            aud: self.options.audience.clone(),
            sub: self.api_key.expose().to_owned(),
            method,
            uri,
            body_hash: body.hash.as_str().to_owned(),
            iat,
            exp,
            jti,
        };
        let token = encode_rs256(&*self.key, &claims)?;
        Ok(SignedRequest {
            api_key: self.api_key.clone(),
            token: zeroize::Zeroizing::new(token),
            claims,
            body,
            key_fingerprint: self.key.fingerprint(),
        })
    }
}

/// `now + offset`: the server's time as this signer knows it (contract §8).
fn offset_now(now: u64, offset: i64) -> Result<u64> {
    now.checked_add_signed(offset).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidClaim,
            format!("the clock offset {offset} s puts iat outside Unix time"),
        )
    })
}

/// Header name of the API key.
pub const API_KEY_HEADER: &str = "x-api-key";
/// Header name of the token.
pub const AUTHORIZATION_HEADER: &str = "Authorization";

/// A signed request: its two headers, the token and claims, and what it proves.
///
/// `Debug` masks the API key and omits the token.
pub struct SignedRequest {
    api_key: ApiKey,
    token: zeroize::Zeroizing<String>,
    claims: Claims,
    body: BodySummary,
    key_fingerprint: String,
}

impl SignedRequest {
    /// The compact JWT.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// `Bearer <token>`.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", &*self.token)
    }

    /// The API key, exactly as sent in `x-api-key`.
    pub fn api_key(&self) -> &str {
        self.api_key.expose()
    }

    /// The two headers to send: `x-api-key` and `Authorization`.
    pub fn headers(&self) -> [(&'static str, String); 2] {
        [
            (API_KEY_HEADER, self.api_key.expose().to_owned()),
            (AUTHORIZATION_HEADER, self.authorization()),
        ]
    }

    /// The signed claims (`sub` is the API key: do not log them; see [`Claims::masked`]).
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// What was signed of the body.
    pub fn body(&self) -> &BodySummary {
        &self.body
    }

    /// The proof artifact: what was signed, without any secret.
    pub fn proof(&self) -> Proof {
        Proof::new(&self.claims, &self.body, &self.token, &self.key_fingerprint)
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("api_key", &self.api_key)
            .field("claims", &self.claims)
            .field("token", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_integer_fits_its_unsigned_type_or_is_an_invalid_argument() {
        assert_eq!(given_unsigned::<u16>(503, "status").unwrap(), 503);
        assert_eq!(given_unsigned::<u32>(0, "count").unwrap(), 0);
        for (value, what) in [(-1, "status"), (65_536, "status")] {
            let error = given_unsigned::<u16>(value, what).unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidArgument);
            assert_eq!(error.message(), format!("{what} {value} is out of range"));
        }
    }
}
