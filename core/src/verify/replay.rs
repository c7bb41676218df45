//! Replay protection: each `jti` is accepted once within its token's lifetime.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Result};
use crate::hex::to_hex;

/// The name under which a `jti` is recorded: `sha256(application ‖ jti)` (contract §9), where
/// `‖` is an unambiguous join: the 4-byte big-endian length of the application name's UTF-8
/// bytes, those bytes, then the `jti`'s UTF-8 bytes. The length prefix keeps ("ab", "c") and
/// ("a", "bc") apart whatever characters names and `jti`s contain; hashing keeps a store's keys
/// at 32 bytes whatever the `jti` (up to 256 bytes) and keeps the names of applications out of it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplayKey([u8; 32]);

impl ReplayKey {
    /// The key of `jti` for the application named `application`.
    pub fn new(application: &str, jti: &str) -> Self {
        let name = application.as_bytes();
        // Registry names are far below 4 GiB; saturating keeps this total.
        let length = u32::try_from(name.len()).unwrap_or(u32::MAX);
        let mut hasher = Sha256::new();
        hasher.update(length.to_be_bytes());
        hasher.update(name);
        hasher.update(jti.as_bytes());
        ReplayKey(hasher.finalize().into())
    }

    /// The digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex of the digest, the form a shared store's key uses after its prefix.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl fmt::Debug for ReplayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReplayKey({})", self.to_hex())
    }
}

/// What a replay cache answered for a `jti`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayOutcome {
    /// Not seen before: now recorded. The request may be accepted.
    FirstUse,
    /// Already recorded and not yet forgotten: `AUTH_REPLAYED_JTI`.
    Replayed,
    /// The store could not say in time (down, slow, saturated): the `jti` may not have been
    /// recorded, so the request is refused with `AUTH_REPLAY_CACHE_UNAVAILABLE`, never accepted.
    /// The text says why, without any secret.
    Unavailable(String),
}

/// A store of used `jti`s. The verifier only records tokens that passed every other rule, so a
/// store's size is bounded by the legitimate request rate times the lifetime. Implement it over a
/// shared store to run several verifiers (`RedisReplayCache` with the `redis`
/// feature).
pub trait ReplayCache: Send + Sync {
    /// Records `key` until `forget_after` (Unix seconds) and answers [`ReplayOutcome::FirstUse`],
    /// or answers [`ReplayOutcome::Replayed`] when `key` is recorded and not yet forgotten. Must
    /// be atomic, and must return within a bounded time: a store that cannot answer in time says
    /// [`ReplayOutcome::Unavailable`].
    fn first_use(&self, key: &ReplayKey, forget_after: u64, now: u64) -> ReplayOutcome;

    /// True when `first_use` may wait on I/O (up to its timeout): an asynchronous server calls the
    /// verifier where blocking a thread is allowed, or awaits
    /// [`first_use_async`](Self::first_use_async) when the cache implements it.
    fn may_wait(&self) -> bool {
        false
    }

    /// [`first_use`](Self::first_use) for an asynchronous caller
    /// ([`Verifier::verify_body_async`](crate::Verifier::verify_body_async)), with the same
    /// answers and the same bound on its time. The default runs `first_use` on the caller's
    /// thread, which is right for a cache that never waits (the in-process one); a cache that
    /// waits on the network overrides it so a server's worker is not blocked meanwhile
    /// (`RedisReplayCache` with the `redis-async` feature).
    fn first_use_async<'a>(
        &'a self,
        key: &'a ReplayKey,
        forget_after: u64,
        now: u64,
    ) -> ReplayFuture<'a> {
        Box::pin(std::future::ready(self.first_use(key, forget_after, now)))
    }
}

/// What [`ReplayCache::first_use_async`] returns: boxed, so the trait stays object-safe (the
/// verifier holds its cache as `Arc<dyn ReplayCache>`); one small allocation per request.
pub type ReplayFuture<'a> = Pin<Box<dyn Future<Output = ReplayOutcome> + Send + 'a>>;

/// Default prefix of the keys a shared replay cache writes.
pub const DEFAULT_REPLAY_CACHE_PREFIX: &str = "nuvera:jti:";
/// Default time a shared replay cache has to answer, in milliseconds (contract §9).
pub const DEFAULT_REPLAY_CACHE_TIMEOUT_MS: u32 = 50;
/// Default bound on connections to a shared replay cache, which is also the bound on requests
/// waiting for it at once.
pub const DEFAULT_REPLAY_CACHE_MAX_CONNECTIONS: u32 = 16;
/// Longest timeout a shared replay cache may be given: a verifier must answer promptly.
pub const MAX_REPLAY_CACHE_TIMEOUT_MS: u32 = 10_000;
/// Largest connection bound.
pub const MAX_REPLAY_CACHE_CONNECTIONS: u32 = 1_024;
const MAX_PREFIX_BYTES: usize = 256;

/// A replay cache shared by several verifier instances, by URL: `redis://[user:password@]host[:port][/db]`,
/// `rediss://…` (TLS), `valkey://…`, `valkeys://…`, or `redis+unix:///path/to/socket`. `Debug`
/// never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ReplayCacheOptions {
    /// Where the store is; AUTH credentials and database number come from the URL.
    pub url: String,
    /// Prepended to every key (default `nuvera:jti:`), so several services can share a store.
    pub key_prefix: String,
    /// Time the store has to answer one request, connection included (default 50 ms, 1..=10000).
    pub timeout_ms: u32,
    /// Connections opened at most (default 16, 1..=1024); requests beyond them wait for a free one
    /// within the same timeout, so waiting never piles up past this bound.
    pub max_connections: u32,
}

impl ReplayCacheOptions {
    /// The store at `url` with the default prefix, timeout and connection bound.
    pub fn new(url: &str) -> Self {
        ReplayCacheOptions {
            url: url.to_owned(),
            key_prefix: DEFAULT_REPLAY_CACHE_PREFIX.to_owned(),
            timeout_ms: DEFAULT_REPLAY_CACHE_TIMEOUT_MS,
            max_connections: DEFAULT_REPLAY_CACHE_MAX_CONNECTIONS,
        }
    }

    /// Options from what a binding received: the URL, each other field `None` for its default;
    /// all checked ([`ReplayCacheOptions::validate`]), a negative or too large number being
    /// `INVALID_ARGUMENT`. The one place a binding's optional arguments become options.
    pub fn from_optional(
        url: &str,
        key_prefix: Option<&str>,
        timeout_ms: Option<i64>,
        max_connections: Option<i64>,
    ) -> Result<Self> {
        let defaults = ReplayCacheOptions::new(url);
        let number = |value: Option<i64>, default: u32, what: &str| match value {
            None => Ok(default),
            Some(n) => u32::try_from(n).map_err(|_| {
                Error::new(
                    ErrorCode::InvalidArgument,
                    format!("the replay cache {what} {n} is out of range"),
                )
            }),
        };
        let options = ReplayCacheOptions {
            key_prefix: key_prefix.map_or(defaults.key_prefix.clone(), str::to_owned),
            timeout_ms: number(timeout_ms, defaults.timeout_ms, "timeout")?,
            max_connections: number(
                max_connections,
                defaults.max_connections,
                "connection bound",
            )?,
            ..defaults
        };
        options.validate()?;
        Ok(options)
    }

    /// [`from_optional`](Self::from_optional) when a binding's caller may leave the URL out:
    /// `None` then (the registry file's `replayCache`, else the in-process cache), and the other
    /// arguments, which would be ignored, are `INVALID_ARGUMENT`.
    pub fn from_optional_url(
        url: Option<&str>,
        key_prefix: Option<&str>,
        timeout_ms: Option<i64>,
        max_connections: Option<i64>,
    ) -> Result<Option<Self>> {
        match url {
            Some(url) => {
                Self::from_optional(url, key_prefix, timeout_ms, max_connections).map(Some)
            }
            None if key_prefix.is_none() && timeout_ms.is_none() && max_connections.is_none() => {
                Ok(None)
            }
            None => Err(Error::new(
                ErrorCode::InvalidArgument,
                "a replay cache prefix, timeout or connection bound needs the replay cache's URL",
            )),
        }
    }

    /// Checks every field (the URL's scheme and form, the ranges); the error never shows the
    /// password.
    pub fn validate(&self) -> Result<()> {
        let invalid = |message: String| Err(Error::new(ErrorCode::InvalidArgument, message));
        let parsed = match url::Url::parse(&self.url) {
            Ok(u) => u,
            Err(e) => return invalid(format!("the replay cache URL is not a URL: {e}")),
        };
        const SCHEMES: [&str; 7] = [
            "redis",
            "rediss",
            "valkey",
            "valkeys",
            "redis+unix",
            "valkey+unix",
            "unix",
        ];
        if !SCHEMES.contains(&parsed.scheme()) {
            return invalid(format!(
                "the replay cache URL {} has scheme {:?}; use redis://, rediss:// (TLS), valkey://, valkeys:// or redis+unix://",
                self.redacted_url(),
                parsed.scheme()
            ));
        }
        if parsed.fragment().is_some() {
            // The redis crate reads `#insecure` as "skip certificate checks": never.
            return invalid(format!(
                "the replay cache URL {} has a #fragment; certificate checks cannot be turned off",
                self.redacted_url()
            ));
        }
        if self.timeout_ms == 0 || self.timeout_ms > MAX_REPLAY_CACHE_TIMEOUT_MS {
            return invalid(format!(
                "a replay cache timeout of {} ms is outside 1..={MAX_REPLAY_CACHE_TIMEOUT_MS}",
                self.timeout_ms
            ));
        }
        if self.max_connections == 0 || self.max_connections > MAX_REPLAY_CACHE_CONNECTIONS {
            return invalid(format!(
                "a replay cache connection bound of {} is outside 1..={MAX_REPLAY_CACHE_CONNECTIONS}",
                self.max_connections
            ));
        }
        if self.key_prefix.len() > MAX_PREFIX_BYTES || self.key_prefix.chars().any(char::is_control)
        {
            return invalid(format!(
                "the replay cache key prefix must be at most {MAX_PREFIX_BYTES} bytes without control characters"
            ));
        }
        Ok(())
    }

    /// The timeout as a `Duration`.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.timeout_ms))
    }

    /// The URL with its password (if any) replaced by `***`, for messages and logs.
    pub fn redacted_url(&self) -> String {
        match url::Url::parse(&self.url) {
            Ok(mut u) => {
                if u.password().is_some() {
                    let _ = u.set_password(Some("***"));
                }
                u.to_string()
            }
            Err(_) => "<not a URL>".to_owned(),
        }
    }
}

impl fmt::Debug for ReplayCacheOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayCacheOptions")
            .field("url", &self.redacted_url())
            .field("key_prefix", &self.key_prefix)
            .field("timeout_ms", &self.timeout_ms)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// The shared replay cache `options` describe (checked first).
pub fn shared_replay_cache(options: &ReplayCacheOptions) -> Result<Arc<dyn ReplayCache>> {
    options.validate()?;
    #[cfg(feature = "redis")]
    {
        Ok(Arc::new(crate::verify::redis_cache::RedisReplayCache::new(
            options,
        )?))
    }
    #[cfg(not(feature = "redis"))]
    {
        Err(Error::new(
            ErrorCode::Unsupported,
            format!(
                "this build has no shared replay cache (enable the `redis` feature) for {}",
                options.redacted_url()
            ),
        ))
    }
}

/// A cache that refuses every request: what a verifier uses when its configured shared cache
/// cannot be built, so a misconfiguration fails closed instead of silently falling back to a
/// per-process cache that would let each instance accept every token once.
pub(crate) struct UnusableReplayCache(pub(crate) String);

impl ReplayCache for UnusableReplayCache {
    fn first_use(&self, _key: &ReplayKey, _forget_after: u64, _now: u64) -> ReplayOutcome {
        ReplayOutcome::Unavailable(self.0.clone())
    }
}

#[derive(Default)]
struct Shard {
    forget_after: HashMap<ReplayKey, u64>,
    by_expiry: BinaryHeap<Reverse<(u64, [u8; 32])>>,
}

impl Shard {
    fn forget_expired(&mut self, now: u64) {
        while let Some(Reverse((at, _))) = self.by_expiry.peek() {
            if *at > now {
                break;
            }
            if let Some(Reverse((at, key))) = self.by_expiry.pop() {
                // The key may have been re-recorded with a later expiry since; keep that one.
                let key = ReplayKey(key);
                if self.forget_after.get(&key) == Some(&at) {
                    self.forget_after.remove(&key);
                }
            }
        }
    }
}

/// The in-process replay cache: sharded so concurrent verifications rarely contend. Each write
/// forgets the expired entries of its own shard and of one more, taken in turn, so every shard is
/// swept whatever the traffic pattern and memory stays bounded by the live entries.
pub struct InMemoryReplayCache {
    shards: Vec<Mutex<Shard>>,
    next_sweep: AtomicUsize,
}

const SHARDS: usize = 16;

impl Default for InMemoryReplayCache {
    fn default() -> Self {
        InMemoryReplayCache {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            next_sweep: AtomicUsize::new(0),
        }
    }
}

impl InMemoryReplayCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self, index: usize) -> MutexGuard<'_, Shard> {
        // A panic while holding the lock cannot leave a shard inconsistent in a way that matters
        // more than refusing all later requests would.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn shard_of(key: &ReplayKey) -> usize {
        // The key is a SHA-256 digest: any byte of it is uniformly spread.
        usize::from(key.0[0]) % SHARDS
    }

    /// Entries currently held (for metrics and tests).
    pub fn len(&self) -> usize {
        (0..SHARDS).map(|i| self.lock(i).forget_after.len()).sum()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReplayCache for InMemoryReplayCache {
    fn first_use(&self, key: &ReplayKey, forget_after: u64, now: u64) -> ReplayOutcome {
        // One lock at a time: the sweep's lock is released before the key's shard is locked.
        let sweep = self.next_sweep.fetch_add(1, Ordering::Relaxed) % SHARDS;
        self.lock(sweep).forget_expired(now);
        let mut shard = self.lock(Self::shard_of(key));
        shard.forget_expired(now);
        if shard.forget_after.contains_key(key) {
            return ReplayOutcome::Replayed;
        }
        shard.forget_after.insert(*key, forget_after);
        shard.by_expiry.push(Reverse((forget_after, key.0)));
        ReplayOutcome::FirstUse
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn key(jti: &str) -> ReplayKey {
        ReplayKey::new("Acme", jti)
    }

    fn first(cache: &InMemoryReplayCache, jti: &str, forget_after: u64, now: u64) -> bool {
        match cache.first_use(&key(jti), forget_after, now) {
            ReplayOutcome::FirstUse => true,
            ReplayOutcome::Replayed => false,
            ReplayOutcome::Unavailable(why) => {
                panic!("the in-memory cache is always available: {why}")
            }
        }
    }

    #[test]
    fn a_jti_is_accepted_once_until_it_is_forgotten() {
        let cache = InMemoryReplayCache::new();
        assert!(first(&cache, "a", 100, 10));
        assert!(!first(&cache, "a", 100, 50));
        assert!(first(&cache, "b", 100, 50));
        // After its forget time the entry is gone and memory is returned.
        assert!(first(&cache, "c", 300, 200));
        let held_after_expiry: usize = cache.len();
        assert!(held_after_expiry <= 3);
        for i in 0..1000 {
            assert!(first(&cache, &format!("k{i}"), 1_000 + i, 1_000));
        }
        // Enough later writes that every shard is swept at least once.
        for i in 0..4 * SHARDS {
            assert!(first(&cache, &format!("late{i}"), 5_000, 4_000));
        }
        assert_eq!(
            cache.len(),
            4 * SHARDS,
            "every expired entry is dropped once each shard was swept"
        );
    }

    #[test]
    fn the_same_jti_of_two_applications_is_two_keys() {
        let cache = InMemoryReplayCache::new();
        assert_eq!(
            cache.first_use(&ReplayKey::new("Acme", "j"), 100, 0),
            ReplayOutcome::FirstUse
        );
        assert_eq!(
            cache.first_use(&ReplayKey::new("Other", "j"), 100, 0),
            ReplayOutcome::FirstUse
        );
        // The length prefix keeps a name's end and a jti's start apart.
        assert_ne!(ReplayKey::new("ab", "c"), ReplayKey::new("a", "bc"));
    }

    #[test]
    fn the_key_is_the_sha256_of_the_length_prefixed_join() {
        // From coreutils, not from this code: printf '\x00\x00\x00\x04Acmejti-1' | sha256sum
        assert_eq!(
            ReplayKey::new("Acme", "jti-1").to_hex(),
            "8914264438e3635b532cd0cbc0738ba82e294cbb9f86f5a6ac3ff2d23fd528c4"
        );
    }

    #[test]
    fn options_are_checked_and_never_show_the_password() {
        let options = ReplayCacheOptions::new("redis://app:s3cret-pw@cache.internal:6380/2");
        assert!(options.validate().is_ok());
        let shown = format!("{options:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(
            shown.contains("redis://app:***@cache.internal:6380/2"),
            "{shown}"
        );
        for url in [
            "http://cache:6379",
            "not a url",
            "memcached://x",
            "rediss://cache:6380#insecure",
        ] {
            let err = ReplayCacheOptions::new(url).validate().unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidArgument, "{url}");
        }
        let err = ReplayCacheOptions::new("https://u:s3cret-pw@x/")
            .validate()
            .unwrap_err();
        assert!(!err.message().contains("s3cret-pw"), "{}", err.message());
        for (timeout_ms, max_connections) in [(0, 16), (10_001, 16), (50, 0), (50, 1_025)] {
            let options = ReplayCacheOptions {
                timeout_ms,
                max_connections,
                ..ReplayCacheOptions::new("redis://127.0.0.1")
            };
            assert!(options.validate().is_err(), "{options:?}");
        }
        let options = ReplayCacheOptions {
            key_prefix: "a\nb".to_owned(),
            ..ReplayCacheOptions::new("rediss://127.0.0.1")
        };
        assert!(options.validate().is_err());
    }

    #[test]
    fn bindings_pass_one_url_and_optional_numbers() {
        let options = ReplayCacheOptions::from_optional("redis://cache", None, None, None).unwrap();
        assert_eq!(options, ReplayCacheOptions::new("redis://cache"));
        let options =
            ReplayCacheOptions::from_optional("redis://cache", Some("p:"), Some(200), Some(4))
                .unwrap();
        assert_eq!(
            (
                options.key_prefix.as_str(),
                options.timeout_ms,
                options.max_connections
            ),
            ("p:", 200, 4)
        );
        for (timeout, connections) in [(Some(-1), None), (None, Some(-5)), (Some(1 << 40), None)] {
            let err =
                ReplayCacheOptions::from_optional("redis://cache", None, timeout, connections)
                    .unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn without_a_url_there_is_no_option_to_give() {
        assert_eq!(
            ReplayCacheOptions::from_optional_url(None, None, None, None),
            Ok(None)
        );
        let given = ReplayCacheOptions::from_optional_url(Some("redis://cache"), None, None, None);
        assert_eq!(given, Ok(Some(ReplayCacheOptions::new("redis://cache"))));
        let ignored = ReplayCacheOptions::from_optional_url(None, Some("p:"), None, None);
        assert_eq!(ignored.unwrap_err().code(), ErrorCode::InvalidArgument);
    }

    #[test]
    fn concurrent_first_use_admits_exactly_one() {
        let cache = Arc::new(InMemoryReplayCache::new());
        let winners: usize = (0..8)
            .map(|_| {
                let cache = cache.clone();
                std::thread::spawn(move || {
                    (0..500)
                        .filter(|i| first(&cache, &format!("j{i}"), 1_000, 0))
                        .count()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .sum();
        assert_eq!(winners, 500);
    }
}
