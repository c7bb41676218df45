//! The server side of the contract (§6): every rule, in order, first failure wins.

use std::fmt;
use std::sync::Arc;

use subtle::ConstantTimeEq;

use crate::body_hash::BodyHash;
use crate::error::{Error, ErrorCode, Result};
use crate::jwt::{Claims, DEFAULT_AUDIENCE, DEFAULT_ISSUER};
use crate::multipart::MultipartLimits;
use crate::received::BodyReceiver;
use crate::secret::mask_secret;
use crate::signer::{Clock, SystemClock, MAX_LIFETIME_SECS};
use crate::verify::code::{AuthCode, VerifyError};
use crate::verify::registry::{ApiKeyStatus, Registry};
use crate::verify::replay::{
    shared_replay_cache, InMemoryReplayCache, ReplayCache, ReplayCacheOptions, ReplayKey,
    ReplayOutcome, UnusableReplayCache,
};
use crate::verify::token::{check_compact_form, decode_checked_token, DecodedToken, FoundClaims};

/// Default allowance for clocks that disagree, in seconds.
pub const DEFAULT_CLOCK_SKEW_SECS: u32 = 5;
/// Largest skew a verifier may be configured with.
pub const MAX_CLOCK_SKEW_SECS: u32 = 60;

/// The profile a verifier enforces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierOptions {
    /// Expected `iss`.
    pub issuer: String,
    /// Expected `aud`.
    pub audience: String,
    /// Allowed clock difference, 0..=60 s (default 5).
    pub clock_skew_secs: u32,
    /// A replay cache shared by several instances (contract §9), e.g.
    /// `ReplayCacheOptions::new("redis://cache:6379")`. `None` keeps the registry file's
    /// `replayCache` if it has one, else the in-process cache.
    pub replay_cache: Option<ReplayCacheOptions>,
}

impl Default for VerifierOptions {
    fn default() -> Self {
        VerifierOptions {
            issuer: DEFAULT_ISSUER.to_owned(),
            audience: DEFAULT_AUDIENCE.to_owned(),
            clock_skew_secs: DEFAULT_CLOCK_SKEW_SECS,
            replay_cache: None,
        }
    }
}

impl VerifierOptions {
    /// Options from what a binding received, each `None` taking its default (issuer
    /// `nuvera-api`, audience `nuvera-rest-api`, skew 5 s); a skew outside 0..=60 s is
    /// `INVALID_CLAIM`. The one place those defaults and ranges are merged for every language.
    pub fn from_optional(
        issuer: Option<&str>,
        audience: Option<&str>,
        clock_skew_secs: Option<i64>,
    ) -> Result<Self> {
        let defaults = VerifierOptions::default();
        let clock_skew_secs = match clock_skew_secs {
            None => defaults.clock_skew_secs,
            Some(s) => u32::try_from(s)
                .ok()
                .filter(|s| *s <= MAX_CLOCK_SKEW_SECS)
                .ok_or_else(|| {
                    Error::new(
                        ErrorCode::InvalidClaim,
                        format!("a clock skew of {s} s is outside 0..={MAX_CLOCK_SKEW_SECS} s"),
                    )
                })?,
        };
        Ok(VerifierOptions {
            issuer: issuer.map_or(defaults.issuer, str::to_owned),
            audience: audience.map_or(defaults.audience, str::to_owned),
            clock_skew_secs,
            replay_cache: None,
        })
    }
}

/// A verifier's options as a binding's caller gave them, each `None` taking the core's default.
/// No `Debug`: a replay cache URL may hold a password.
#[derive(Clone, Copy, Default)]
pub struct OptionalVerifierOptions<'a> {
    /// Expected `iss` (default `nuvera-api`).
    pub issuer: Option<&'a str>,
    /// Expected `aud` (default `nuvera-rest-api`).
    pub audience: Option<&'a str>,
    /// Allowed clock difference in seconds, 0..=60 (default 5).
    pub clock_skew_secs: Option<i64>,
    /// A clock stopped at these Unix seconds (tests); default the system clock.
    pub now: Option<i64>,
    /// A shared replay cache's URL; default the registry file's `replayCache`, else in-process.
    pub replay_cache: Option<&'a str>,
    /// The shared cache's key prefix.
    pub replay_cache_prefix: Option<&'a str>,
    /// The shared cache's timeout in milliseconds.
    pub replay_cache_timeout_ms: Option<i64>,
    /// The shared cache's connection bound.
    pub replay_cache_max_connections: Option<i64>,
}

impl Verifier {
    /// A verifier of `registry` with the options a binding's caller gave: the one place their
    /// defaults and ranges are merged ([`VerifierOptions::from_optional`],
    /// [`ReplayCacheOptions::from_optional_url`], `now` through
    /// [`given_unix_seconds`](crate::given_unix_seconds)).
    pub fn from_optional(registry: Registry, given: OptionalVerifierOptions<'_>) -> Result<Self> {
        let mut options =
            VerifierOptions::from_optional(given.issuer, given.audience, given.clock_skew_secs)?;
        options.replay_cache = ReplayCacheOptions::from_optional_url(
            given.replay_cache,
            given.replay_cache_prefix,
            given.replay_cache_timeout_ms,
            given.replay_cache_max_connections,
        )?;
        let verifier = Verifier::new(registry).with_options(options)?;
        Ok(match given.now {
            Some(now) => {
                let now = crate::signer::given_unix_seconds(now, "now")?;
                verifier.with_clock(Arc::new(crate::signer::FixedClock(now)))
            }
            None => verifier,
        })
    }
}

/// A request as the server received it.
#[derive(Clone, Copy)]
pub struct ReceivedRequest<'a> {
    /// The method as received.
    pub method: &'a str,
    /// The request target as received (path and query), byte for byte.
    pub target: &'a str,
    /// The `x-api-key` header, if any.
    pub api_key: Option<&'a str>,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The hash of the received body: see [`received_body_hash`](crate::received_body_hash).
    pub body_hash: &'a BodyHash,
}

impl fmt::Debug for ReceivedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("api_key", &self.api_key.map(mask_secret))
            .field("authorization", &self.authorization.map(|_| "<redacted>"))
            .field("body_hash", &self.body_hash)
            .finish()
    }
}

/// What a server knows of a request once its headers are in: everything §6 checks before the
/// body is read.
#[derive(Clone, Copy)]
pub struct RequestHead<'a> {
    /// The method as received.
    pub method: &'a str,
    /// The request target as received (path and query), byte for byte.
    pub target: &'a str,
    /// The `x-api-key` header, if any.
    pub api_key: Option<&'a str>,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The `Content-Type` header, if any: it says how the body is hashed.
    pub content_type: Option<&'a str>,
}

impl<'a> RequestHead<'a> {
    /// The head of a request from its header list: names in any case, the first of a repeated
    /// header counts (a second `Authorization` cannot replace the one verified).
    pub fn from_headers<'h: 'a>(
        method: &'a str,
        target: &'a str,
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    ) -> Self {
        let (mut api_key, mut authorization, mut content_type) = (None, None, None);
        for (name, value) in headers {
            let slot = if name.eq_ignore_ascii_case(crate::API_KEY_HEADER) {
                &mut api_key
            } else if name.eq_ignore_ascii_case(crate::AUTHORIZATION_HEADER) {
                &mut authorization
            } else if name.eq_ignore_ascii_case("content-type") {
                &mut content_type
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        RequestHead {
            method,
            target,
            api_key,
            authorization,
            content_type,
        }
    }

    /// A receiver that hashes this request's body as it streams in, plain or multipart by the
    /// Content-Type (§4/§5), holding neither the body nor any file in memory.
    pub fn body_receiver(&self) -> BodyReceiver {
        BodyReceiver::new(self.content_type, MultipartLimits::default())
    }
}

impl fmt::Debug for RequestHead<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestHead")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("api_key", &self.api_key.map(mask_secret))
            .field("authorization", &self.authorization.map(|_| "<redacted>"))
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A request whose head passed every rule that does not need the body
/// ([`Verifier::verify_head`]); [`Verifier::verify_body`] finishes it once the body is in.
#[derive(Clone, Debug)]
pub struct VerifiedHead {
    application: String,
    claims: Claims,
    permission: String,
    key_fingerprint: String,
}

impl VerifiedHead {
    /// The application's name.
    pub fn application(&self) -> &str {
        &self.application
    }

    /// The claims verified so far (`bodyHash` not yet compared; `Debug` masks `sub`).
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

/// A request that passed every rule but the last: its `jti` is still to be recorded. Private,
/// so the only way to a [`Verified`] is through the replay cache's answer.
struct PendingRecord {
    head: VerifiedHead,
    key: ReplayKey,
    /// `exp + skew`: when the cache may forget the `jti` (contract §9).
    forget_after: u64,
    now: u64,
}

impl PendingRecord {
    /// The verdict from the replay cache's answer: accepted on a first use only; a replay is
    /// `AUTH_REPLAYED_JTI`, a store that could not answer `AUTH_REPLAY_CACHE_UNAVAILABLE` (503),
    /// never an acceptance.
    fn finish(self, outcome: ReplayOutcome) -> Result<Verified, VerifyError> {
        match outcome {
            ReplayOutcome::FirstUse => {}
            ReplayOutcome::Replayed => {
                return refuse(
                    AuthCode::ReplayedJti,
                    "this jti was already used; sign every request (and every retry) anew",
                )
            }
            ReplayOutcome::Unavailable(why) => {
                return refuse(
                    AuthCode::ReplayCacheUnavailable,
                    format!(
                        "{why}; the request was refused because its jti could not be recorded: retry shortly with a freshly signed request"
                    ),
                )
            }
        }
        let head = self.head;
        Ok(Verified {
            application: head.application,
            claims: head.claims,
            permission: head.permission,
            key_fingerprint: head.key_fingerprint,
        })
    }
}

/// The permission a route needs (§6): `<AREA>_READ` for `GET`/`HEAD` (byte for byte: HTTP
/// methods are case-sensitive, so `get` needs `_WRITE`), `<AREA>_WRITE` for every other method,
/// where the area is the first path segment after `/api/v1/`, upper-cased, `-` → `_`.
///
/// `None` when the target names no area, which the verifier refuses (deny by default): anything
/// but `/api/v1/<area>` or `/api/v1/<area>/…` with `<area>` matching `[a-z0-9]+(-[a-z0-9]+)*`.
/// A path that a gateway could normalize into another area is refused too: `.` and `..`
/// segments (also percent-encoded), backslashes and percent-encoded `/` or `\` anywhere in it.
pub fn required_permission(method: &str, target: &str) -> Option<String> {
    let path = target.split('?').next().unwrap_or("");
    let rest = path.strip_prefix("/api/v1/")?;
    let area = rest.split('/').next().unwrap_or("");
    if !is_area(area) || path.split('/').any(could_change_the_area) {
        return None;
    }
    let access = if method == "GET" || method == "HEAD" {
        "READ"
    } else {
        "WRITE"
    };
    // `<AREA>_<ACCESS>` built in one allocation.
    let mut permission = String::with_capacity(area.len() + 1 + access.len());
    permission.extend(area.chars().map(|c| match c {
        '-' => '_',
        c => c.to_ascii_uppercase(),
    }));
    permission.push('_');
    permission.push_str(access);
    Some(permission)
}

/// `[a-z0-9]+(-[a-z0-9]+)*`
fn is_area(segment: &str) -> bool {
    !segment.is_empty()
        && segment.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A segment that path normalization (RFC 3986 dot segments, percent-decoding, `\` as `/`)
/// could turn into a step to another area. Without allocating: this runs for every segment of
/// every request's path.
fn could_change_the_area(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    if bytes.contains(&b'\\') {
        return true;
    }
    // Percent-encoded `/` or `\` anywhere, in either case.
    let encoded_separator = bytes.windows(3).any(|w| {
        w[0] == b'%' && (w[1..].eq_ignore_ascii_case(b"2f") || w[1..].eq_ignore_ascii_case(b"5c"))
    });
    encoded_separator || is_dot_segment(bytes)
}

/// `.` or `..`, each dot possibly percent-encoded (`%2e`, `%2E`).
fn is_dot_segment(mut bytes: &[u8]) -> bool {
    let mut dots = 0;
    while !bytes.is_empty() {
        if bytes[0] == b'.' {
            bytes = &bytes[1..];
        } else if bytes.len() >= 3 && bytes[..3].eq_ignore_ascii_case(b"%2e") {
            bytes = &bytes[3..];
        } else {
            return false;
        }
        dots += 1;
    }
    dots == 1 || dots == 2
}

/// An accepted request.
#[derive(Clone, Debug)]
pub struct Verified {
    /// The application's name.
    pub application: String,
    /// The verified claims (`Debug` masks `sub`).
    pub claims: Claims,
    /// The permission the route required (every accepted request has one: a target that names
    /// no area is refused).
    pub permission: String,
    /// Fingerprint of the public key that verified the signature.
    pub key_fingerprint: String,
}

/// Verifies requests against a registry. `Send + Sync`; share one per server.
#[derive(Clone)]
pub struct Verifier {
    registry: Arc<Registry>,
    options: VerifierOptions,
    clock: Arc<dyn Clock>,
    replay: Arc<dyn ReplayCache>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("applications", &self.registry.applications().len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn refuse<T>(code: AuthCode, message: impl Into<String>) -> Result<T, VerifyError> {
    Err(VerifyError::new(code, message))
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

impl Verifier {
    /// A verifier with default options and the system clock. Its replay cache is the shared one
    /// the registry file names (`replayCache`), else an in-memory one. A shared cache that cannot
    /// be built refuses every request with `AUTH_REPLAY_CACHE_UNAVAILABLE` rather than fall back
    /// to a per-process cache (the registry checks its options when it is loaded, so this only
    /// happens for a build without the `redis` feature).
    pub fn new(registry: Registry) -> Self {
        let replay: Arc<dyn ReplayCache> = match registry.replay_cache() {
            Some(options) => shared_replay_cache(options)
                .unwrap_or_else(|e| Arc::new(UnusableReplayCache(e.message().to_owned()))),
            None => Arc::new(InMemoryReplayCache::new()),
        };
        Verifier {
            registry: Arc::new(registry),
            options: VerifierOptions::default(),
            clock: Arc::new(SystemClock),
            replay,
        }
    }

    /// Replaces the options (skew over 60 s is refused). With `replay_cache` set, the verifier
    /// records `jti`s in that shared store from now on (its options are checked here; nothing
    /// connects until the first request).
    pub fn with_options(mut self, options: VerifierOptions) -> Result<Self> {
        if options.clock_skew_secs > MAX_CLOCK_SKEW_SECS {
            return Err(Error::new(
                ErrorCode::InvalidClaim,
                format!(
                    "a clock skew of {} s is over the {MAX_CLOCK_SKEW_SECS} s maximum",
                    options.clock_skew_secs
                ),
            ));
        }
        if let Some(shared) = &options.replay_cache {
            self.replay = shared_replay_cache(shared)?;
        }
        self.options = options;
        Ok(self)
    }

    /// Replaces the clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces the replay cache (e.g. with a shared store).
    pub fn with_replay_cache(mut self, replay: Arc<dyn ReplayCache>) -> Self {
        self.replay = replay;
        self
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The options.
    pub fn options(&self) -> &VerifierOptions {
        &self.options
    }

    /// True when `verify` may wait on a shared replay cache (up to its timeout): an asynchronous
    /// server then awaits [`verify_body_async`](Self::verify_body_async), or calls the
    /// synchronous forms where blocking a thread is allowed.
    pub fn may_wait(&self) -> bool {
        self.replay.may_wait()
    }

    /// Verifies a request from what arrived: its headers (names in any case; the first of a
    /// repeated header counts) and its raw body. The headers are checked first, exactly as
    /// [`verify_head`](Self::verify_head) does, so a request without credentials is refused
    /// without its body being looked at; then the body is hashed as [`received_body_hash`] does
    /// (multipart through its canonical object, by the `Content-Type` header). A body that cannot
    /// be read as its Content-Type says fails `AUTH_BODY_HASH_MISMATCH`, with the parse error in
    /// the message. Every refusal carries its `AUTH_*` code and HTTP status
    /// ([`Error::http_status`]).
    ///
    /// [`received_body_hash`]: crate::received_body_hash
    pub fn verify_received<'h>(
        &self,
        method: &str,
        target: &str,
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
        body: &[u8],
    ) -> Result<Verified> {
        let head = RequestHead::from_headers(method, target, headers);
        let verified_head = self.verify_head(&head)?;
        let body_hash = crate::received_body_hash(head.content_type, body);
        Ok(self.verify_body(verified_head, body_hash)?)
    }

    /// [`verify`](Self::verify) of a request a binding's caller gives field by field, its body
    /// hash as text ([`BodyHash::parse`]: anything but 64 lowercase hex digits is
    /// `INVALID_BODY_HASH`).
    pub fn verify_given(
        &self,
        method: &str,
        target: &str,
        api_key: Option<&str>,
        authorization: Option<&str>,
        body_hash: &str,
    ) -> Result<Verified> {
        let request = ReceivedRequest {
            method,
            target,
            api_key,
            authorization,
            body_hash: &BodyHash::parse(body_hash)?,
        };
        Ok(self.verify(&request)?)
    }

    /// Applies every rule of contract §6 to a request whose body hash is known; the first failure
    /// is returned. The same as [`verify_head`](Self::verify_head) then
    /// [`verify_body`](Self::verify_body).
    pub fn verify(&self, request: &ReceivedRequest<'_>) -> Result<Verified, VerifyError> {
        let head = RequestHead {
            method: request.method,
            target: request.target,
            api_key: request.api_key,
            authorization: request.authorization,
            content_type: None,
        };
        let verified_head = self.verify_head(&head)?;
        self.verify_body(verified_head, Ok(request.body_hash.clone()))
    }

    /// The verifier's clock, as the clock rules read it.
    fn now(&self) -> Result<u64, VerifyError> {
        self.clock
            .now_unix()
            .map_err(|e| VerifyError::new(AuthCode::TokenNotYetValid, e.message()))
    }

    /// Every rule that does not need the body, in the contract's order: headers, API key and
    /// application, token form, algorithm, signature, then the claims (`bodyHash` excepted), the
    /// lifetime and the clock, and the route's permission. A server calls this as soon as the
    /// headers are in and reads the body only when it passes (§6: nothing unauthenticated is
    /// worked on); nothing is recorded in the replay cache yet.
    pub fn verify_head(&self, head: &RequestHead<'_>) -> Result<VerifiedHead, VerifyError> {
        // Headers present and well-formed.
        let (Some(api_key), Some(authorization)) = (head.api_key, head.authorization) else {
            let missing = if head.api_key.is_none() {
                "x-api-key"
            } else {
                "Authorization"
            };
            return refuse(
                AuthCode::MissingHeader,
                format!("the {missing} header is missing"),
            );
        };
        let token = bearer_token(authorization)?;
        check_compact_form(token)?;

        // The API key and its application.
        let Some((_, app, key_status)) = self.registry.lookup(api_key) else {
            return refuse(
                AuthCode::InvalidApiKey,
                "the API key is not known; check you copied it whole",
            );
        };
        if key_status == ApiKeyStatus::Revoked {
            return refuse(
                AuthCode::ApiKeyRevoked,
                "this API key was revoked; use the application's current key",
            );
        }
        if !app.enabled {
            return refuse(
                AuthCode::ApplicationDisabled,
                format!("the application {:?} is disabled", app.name),
            );
        }

        // Decode, algorithm, signature: nothing in the payload is trusted before this.
        let decoded = decode_checked_token(token)?;
        decoded.check_algorithm()?;
        let now = self.now()?;
        let key_fingerprint = verify_signature(&decoded, token, app, now)?;

        // The claims that do not need the body.
        let claims = self.check_claims(decoded.claims, head, api_key, now)?;
        // Deny by default: a target that names no area is refused like a missing permission.
        let Some(permission) = required_permission(head.method, head.target) else {
            return refuse(
                AuthCode::PermissionDenied,
                format!(
                    "the request target {:?} names no API area (/api/v1/<area>/…), so no permission allows it",
                    head.target
                ),
            );
        };
        if !app.permissions.contains(&permission) {
            return refuse(
                AuthCode::PermissionDenied,
                format!(
                    "the application {:?} lacks the {permission} permission for this route",
                    app.name
                ),
            );
        }
        Ok(VerifiedHead {
            application: app.name.clone(),
            claims,
            permission,
            key_fingerprint,
        })
    }

    /// The rules left once the body has arrived: `bodyHash` equals the received body's hash (in
    /// constant time), then the `jti` is recorded in the replay cache — only now, so a request
    /// refused for any other rule never uses up its `jti` (§6). `body_hash` is the hash the
    /// server computed as the body streamed in ([`BodyReceiver`](crate::BodyReceiver)), or the
    /// error that reading it as its Content-Type gave (refused `AUTH_BODY_HASH_MISMATCH`).
    ///
    /// A shared replay cache makes this wait on the network, up to its timeout, on the caller's
    /// thread; an asynchronous server awaits [`verify_body_async`](Self::verify_body_async)
    /// instead.
    pub fn verify_body(
        &self,
        head: VerifiedHead,
        body_hash: Result<BodyHash>,
    ) -> Result<Verified, VerifyError> {
        let record = self.check_body(head, body_hash)?;
        let outcome = self
            .replay
            .first_use(&record.key, record.forget_after, record.now);
        record.finish(outcome)
    }

    /// [`verify_body`](Self::verify_body) for an asynchronous server: the same rules and
    /// answers, with the replay cache's answer awaited ([`ReplayCache::first_use_async`]) rather
    /// than waited for on the worker's thread. With the `redis-async` feature a Redis cache
    /// sends its `SET` over one pipelined connection from the tokio runtime the caller runs on
    /// (outside a tokio runtime it falls back to the blocking round trip); the in-process cache
    /// answers at once.
    pub async fn verify_body_async(
        &self,
        head: VerifiedHead,
        body_hash: Result<BodyHash>,
    ) -> Result<Verified, VerifyError> {
        let record = self.check_body(head, body_hash)?;
        let outcome = self
            .replay
            .first_use_async(&record.key, record.forget_after, record.now)
            .await;
        record.finish(outcome)
    }

    /// The body's rules, up to the replay record: what both `verify_body` forms share.
    fn check_body(
        &self,
        head: VerifiedHead,
        body_hash: Result<BodyHash>,
    ) -> Result<PendingRecord, VerifyError> {
        let body_hash = match body_hash {
            Ok(hash) => hash,
            Err(e) => {
                return refuse(
                    AuthCode::BodyHashMismatch,
                    format!(
                        "the body cannot be read as its Content-Type says, so its bodyHash cannot match: {} ({})",
                        e.message(),
                        e.code().as_str()
                    ),
                )
            }
        };
        if !ct_eq(&head.claims.body_hash, body_hash.as_str()) {
            return refuse(
                AuthCode::BodyHashMismatch,
                "bodyHash does not match the body received; sign the exact bytes you send (multipart: the canonical form)",
            );
        }
        let now = self.now()?;
        let skew = u64::from(self.options.clock_skew_secs);
        Ok(PendingRecord {
            key: ReplayKey::new(&head.application, &head.claims.jti),
            forget_after: head.claims.exp.saturating_add(skew),
            now,
            head,
        })
    }

    fn check_claims(
        &self,
        found: FoundClaims,
        request: &RequestHead<'_>,
        api_key: &str,
        now: u64,
    ) -> Result<Claims, VerifyError> {
        let missing = found.missing();
        if !missing.is_empty() {
            return refuse(
                AuthCode::MissingClaim,
                format!("the token lacks the claims {}", missing.join(", ")),
            );
        }
        // All nine are present (checked above).
        let claims = Claims {
            iss: found.iss.unwrap_or_default(),
            aud: found.aud.unwrap_or_default(),
            sub: found.sub.unwrap_or_default(),
            method: found.method.unwrap_or_default(),
            uri: found.uri.unwrap_or_default(),
            body_hash: found.body_hash.unwrap_or_default(),
            iat: found.iat.unwrap_or_default(),
            exp: found.exp.unwrap_or_default(),
            jti: found.jti.unwrap_or_default(),
        };
        if claims.iss != self.options.issuer {
            return refuse(
                AuthCode::InvalidIssuer,
                format!(
                    "iss is {:?}, expected {:?}",
                    claims.iss, self.options.issuer
                ),
            );
        }
        if claims.aud != self.options.audience {
            return refuse(
                AuthCode::InvalidAudience,
                format!(
                    "aud is {:?}, expected {:?}",
                    claims.aud, self.options.audience
                ),
            );
        }
        if !ct_eq(&claims.sub, api_key) {
            return refuse(
                AuthCode::SubjectMismatch,
                "sub must be exactly the API key sent in x-api-key",
            );
        }
        if claims.method != request.method {
            return refuse(
                AuthCode::MethodMismatch,
                format!(
                    "the token was signed for {:?} but the request is {:?}",
                    claims.method, request.method
                ),
            );
        }
        if claims.uri != request.target {
            return refuse(
                AuthCode::UriMismatch,
                format!(
                    "the token was signed for uri {:?} but the request target is {:?}",
                    claims.uri, request.target
                ),
            );
        }
        let skew = u64::from(self.options.clock_skew_secs);
        if claims.exp <= claims.iat || claims.exp - claims.iat > u64::from(MAX_LIFETIME_SECS) {
            return refuse(
                AuthCode::LifetimeTooLong,
                format!(
                    "exp - iat is {} s; it must be 1 to 60 s",
                    claims.exp as i128 - claims.iat as i128
                ),
            );
        }
        if claims.iat > now.saturating_add(skew) {
            return refuse(
                AuthCode::TokenNotYetValid,
                format!(
                    "iat is {} s in the future; check the client's clock",
                    claims.iat - now
                ),
            );
        }
        if now >= claims.exp.saturating_add(skew) {
            return refuse(
                AuthCode::TokenExpired,
                format!(
                    "the token expired {} s ago; sign each request just before sending it",
                    now - claims.exp
                ),
            );
        }
        Ok(claims)
    }
}

fn bearer_token(authorization: &str) -> Result<&str, VerifyError> {
    let invalid = || {
        VerifyError::new(
            AuthCode::InvalidHeader,
            "Authorization must be `Bearer <token>`",
        )
    };
    let (scheme, token) = authorization.split_once(' ').ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(invalid());
    }
    Ok(token)
}

fn verify_signature(
    decoded: &DecodedToken,
    token: &str,
    app: &crate::verify::registry::Application,
    now: u64,
) -> Result<String, VerifyError> {
    let input = decoded.signing_input(token);
    let usable: Vec<_> = app
        .public_keys
        .iter()
        .filter(|k| k.usable_at(now))
        .collect();
    if usable.is_empty() {
        return refuse(
            AuthCode::SignatureMismatch,
            format!(
                "the application {:?} has no active public key; register one",
                app.name
            ),
        );
    }
    for registered in usable {
        if registered.key.verify_rs256(input, decoded.signature()) {
            return Ok(registered.key.fingerprint());
        }
    }
    refuse(
        AuthCode::SignatureMismatch,
        "the signature does not verify under the application's public keys; sign with the private key whose public key is registered",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_follow_the_route_area() {
        assert_eq!(
            required_permission("GET", "/api/v1/customers?limit=2").as_deref(),
            Some("CUSTOMERS_READ")
        );
        assert_eq!(
            required_permission("HEAD", "/api/v1/customers/c_1").as_deref(),
            Some("CUSTOMERS_READ")
        );
        assert_eq!(
            required_permission("POST", "/api/v1/bank-accounts").as_deref(),
            Some("BANK_ACCOUNTS_WRITE")
        );
        assert_eq!(
            required_permission("DELETE", "/api/v1/beneficiaries/b_9").as_deref(),
            Some("BENEFICIARIES_WRITE")
        );
        assert_eq!(required_permission("GET", "/healthz"), None);
        assert_eq!(required_permission("GET", "/api/v1/"), None);
    }

    #[test]
    fn segments_a_gateway_could_normalize_into_another_area() {
        for changes in [
            ".", "..", "%2e", "%2E%2e", ".%2E", "a\\b", "%2F", "x%2fy", "x%5Cy", "%5c",
        ] {
            assert!(could_change_the_area(changes), "{changes:?}");
        }
        for stays in [
            "",
            "...",
            "%2e%2e%2e",
            "a.b",
            ".a",
            "a.",
            "%2",
            "%2ex",
            "%%2e",
            "customers",
            "%41",
        ] {
            assert!(!could_change_the_area(stays), "{stays:?}");
        }
    }

    #[test]
    fn verifier_options_merge_their_defaults_and_check_the_skew() {
        assert_eq!(
            VerifierOptions::from_optional(None, None, None).unwrap(),
            VerifierOptions::default()
        );
        let set = VerifierOptions::from_optional(Some("i"), Some("a"), Some(60)).unwrap();
        assert_eq!((set.issuer.as_str(), set.audience.as_str()), ("i", "a"));
        assert_eq!(set.clock_skew_secs, 60);
        for bad in [-1, 61] {
            let err = VerifierOptions::from_optional(None, None, Some(bad)).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidClaim);
        }
    }

    #[test]
    fn verify_given_parses_the_body_hash_then_verifies_as_verify_does() {
        let verifier = Verifier::new(Registry::new());
        let hash = crate::body_hash(b"{}");
        let request = ReceivedRequest {
            method: "GET",
            target: "/api/v1/customers",
            api_key: Some("nv_unknown"),
            authorization: Some("Bearer a.b.c"),
            body_hash: &hash,
        };
        let refused = verifier.verify(&request).unwrap_err();
        let (method, target) = (request.method, request.target);
        let given = verifier.verify_given(
            method,
            target,
            request.api_key,
            request.authorization,
            hash.as_str(),
        );
        assert_eq!(given.unwrap_err().code(), Error::from(refused).code());
        let bad = verifier
            .verify_given(method, target, None, None, "not hex")
            .unwrap_err();
        assert_eq!(bad.code(), BodyHash::parse("not hex").unwrap_err().code());
    }

    #[test]
    fn a_verifier_from_optional_options_takes_the_defaults_and_checks_each() {
        let given = OptionalVerifierOptions {
            issuer: Some("i"),
            clock_skew_secs: Some(7),
            now: Some(1_000),
            ..Default::default()
        };
        let verifier = Verifier::from_optional(Registry::new(), given).unwrap();
        assert_eq!(verifier.options.issuer, "i");
        assert_eq!(verifier.options.audience, DEFAULT_AUDIENCE);
        assert_eq!(verifier.options.clock_skew_secs, 7);
        assert!(verifier.options.replay_cache.is_none());
        assert_eq!(verifier.clock.now_unix().unwrap(), 1_000);
        let unset = Verifier::from_optional(Registry::new(), Default::default()).unwrap();
        assert_eq!(unset.options, VerifierOptions::default());
        let wrong = [
            (
                OptionalVerifierOptions {
                    now: Some(-1),
                    ..Default::default()
                },
                ErrorCode::InvalidArgument,
            ),
            (
                OptionalVerifierOptions {
                    clock_skew_secs: Some(61),
                    ..Default::default()
                },
                ErrorCode::InvalidClaim,
            ),
            (
                OptionalVerifierOptions {
                    replay_cache_prefix: Some("p:"),
                    ..Default::default()
                },
                ErrorCode::InvalidArgument,
            ),
        ];
        for (given, code) in wrong {
            let error = Verifier::from_optional(Registry::new(), given).unwrap_err();
            assert_eq!(error.code(), code);
        }
    }
}
