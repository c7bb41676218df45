//! The replay cache in Redis or Valkey (contract §9), shared by every verifier instance:
//! `SET <prefix><hex sha256(application ‖ jti)> 1 NX PXAT <(exp + skew) ms>`; `OK` is a first use,
//! nil a replay, and no answer within the timeout is `AUTH_REPLAY_CACHE_UNAVAILABLE`.
//!
//! Why the synchronous client of the `redis` crate (the client redis.io documents) with a small
//! pool of our own, rather than its async multiplexed connection or `fred`: the verifier is
//! synchronous and called from every binding's threads. A blocking round trip on the caller's own
//! thread costs one socket write and one read, with the deadline enforced by the socket's
//! timeouts; an async client would add a hand-off to a runtime thread and back on every request
//! and a runtime inside the library. `fred`'s reconnection policies and pools are built for async
//! callers; here reconnection is simply "a connection that failed is dropped, the next request
//! opens a new one within its own deadline", which is what failing closed needs.
//!
//! Asynchronous servers on tokio get the same cache without a blocked worker through the
//! `redis-async` feature ([`pipelined`]): one pipelined connection, awaited.

#[cfg(feature = "redis-async")]
mod pipelined;

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorCode, Result};
#[cfg(feature = "redis-async")]
use crate::verify::replay::ReplayFuture;
use crate::verify::replay::{ReplayCache, ReplayCacheOptions, ReplayKey, ReplayOutcome};

/// A [`ReplayCache`] in Redis or Valkey. Bounded: at most `max_connections` connections, and
/// every call returns within its timeout (plus scheduling), answering
/// [`ReplayOutcome::Unavailable`] when the store is down, slow or saturated.
pub struct RedisReplayCache {
    client: redis::Client,
    key_prefix: String,
    timeout: Duration,
    /// The URL without its password, for messages.
    shown_url: String,
    pool: Mutex<Pool>,
    freed: Condvar,
    /// Replies the `redis` crate reads while setting up a connection (AUTH or HELLO, SELECT).
    setup_replies: u32,
    /// The asynchronous path's connection, opened on its first use.
    #[cfg(feature = "redis-async")]
    pipelined: pipelined::PipelinedConnection,
}

struct Pool {
    idle: Vec<redis::Connection>,
    /// Connections lent out or being opened.
    busy: usize,
    max: usize,
}

impl std::fmt::Debug for RedisReplayCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisReplayCache")
            .field("url", &self.shown_url)
            .field("key_prefix", &self.key_prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What a borrowed slot holds: a pooled connection, or the right to open one.
enum Lease {
    Reused(redis::Connection),
    New,
}

impl RedisReplayCache {
    /// A cache at `options.url`. Nothing is connected yet: connections open on first use (so a
    /// verifier starts while the store is down, and refuses requests until it is back).
    pub fn new(options: &ReplayCacheOptions) -> Result<Self> {
        options.validate()?;
        let not_usable = |e: redis::RedisError| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "the replay cache URL {} is not usable: {e}",
                    options.redacted_url()
                ),
            )
        };
        let info = redis::IntoConnectionInfo::into_connection_info(options.url.as_str())
            .map_err(not_usable)?;
        // No `CLIENT SETINFO` pair after connecting: two more round trips on every new
        // connection, and two more replies to wait for when the store does not answer.
        let settings = info.redis_settings().clone().set_skip_set_lib_name();
        let setup_replies = u32::from(settings.protocol().supports_resp3())
            .max(u32::from(settings.password().is_some()))
            + u32::from(settings.db() != 0);
        let client = redis::Client::open(info.set_redis_settings(settings)).map_err(not_usable)?;
        if matches!(
            client.get_connection_info().addr(),
            redis::ConnectionAddr::TcpTls { .. }
        ) {
            install_tls_provider();
        }
        Ok(RedisReplayCache {
            client,
            key_prefix: options.key_prefix.clone(),
            timeout: options.timeout(),
            shown_url: options.redacted_url(),
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                busy: 0,
                max: options.max_connections as usize,
            }),
            freed: Condvar::new(),
            setup_replies,
            #[cfg(feature = "redis-async")]
            pipelined: pipelined::PipelinedConnection::new(options.max_connections as usize),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Pool> {
        // The pool holds no invariant a panic elsewhere could break beyond a miscount that the
        // next release repairs; refusing every later request would be worse.
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection slot, waiting for one to be freed until `deadline`.
    fn acquire(&self, deadline: Instant) -> Option<Lease> {
        let mut pool = self.lock();
        loop {
            if let Some(connection) = pool.idle.pop() {
                pool.busy += 1;
                return Some(Lease::Reused(connection));
            }
            if pool.busy < pool.max {
                pool.busy += 1;
                return Some(Lease::New);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            if left.is_zero() {
                return None;
            }
            pool = self
                .freed
                .wait_timeout(pool, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Returns a slot; a healthy connection goes back to the pool, a failed one is dropped.
    fn release(&self, connection: Option<redis::Connection>) {
        let mut pool = self.lock();
        pool.busy = pool.busy.saturating_sub(1);
        if let Some(c) = connection {
            pool.idle.push(c);
        }
        drop(pool);
        self.freed.notify_one();
    }

    fn unavailable(&self, why: impl std::fmt::Display) -> ReplayOutcome {
        ReplayOutcome::Unavailable(format!("the replay cache at {} {why}", self.shown_url))
    }

    fn did_not_answer(&self) -> ReplayOutcome {
        self.unavailable(format_args!(
            "did not answer within {} ms",
            self.timeout.as_millis()
        ))
    }

    /// The store's key for `key`: the prefix, then the digest in hex.
    fn key_name(&self, key: &ReplayKey) -> String {
        format!("{}{}", self.key_prefix, key.to_hex())
    }

    fn set_nx(
        &self,
        connection: &mut redis::Connection,
        key: &str,
        expire_at_ms: u64,
        deadline: Instant,
    ) -> std::result::Result<bool, redis::RedisError> {
        let left = remaining(deadline).ok_or_else(timed_out)?;
        connection.set_write_timeout(Some(left))?;
        connection.set_read_timeout(Some(left))?;
        let reply: Option<String> = redis::cmd("SET")
            .arg(key)
            .arg(1)
            .arg("NX")
            .arg("PXAT")
            .arg(expire_at_ms)
            .query(connection)?;
        Ok(reply.is_some())
    }
}

/// `PXAT`'s argument: `forget_after` (Unix seconds, `exp + skew`) in milliseconds.
fn expire_at_ms(forget_after: u64) -> u64 {
    forget_after.saturating_mul(1000)
}

fn remaining(deadline: Instant) -> Option<Duration> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
}

fn timed_out() -> redis::RedisError {
    redis::RedisError::from(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "no time left",
    ))
}

/// rustls needs a process-wide crypto provider when more than one is compiled in; use the one the
/// core signs with. A provider the application installed first is kept.
fn install_tls_provider() {
    #[cfg(feature = "aws-lc-rs")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    let provider = rustls::crypto::ring::default_provider();
    #[cfg(any(feature = "aws-lc-rs", feature = "ring"))]
    let _ = provider.install_default();
}

impl ReplayCache for RedisReplayCache {
    fn first_use(&self, key: &ReplayKey, forget_after: u64, _now: u64) -> ReplayOutcome {
        let deadline = Instant::now() + self.timeout;
        let name = self.key_name(key);
        let expire_at_ms = expire_at_ms(forget_after);
        let Some(mut lease) = self.acquire(deadline) else {
            return self.unavailable(format_args!(
                "had no free connection within {} ms (all busy)",
                self.timeout.as_millis()
            ));
        };
        loop {
            let (mut connection, reused) = match lease {
                Lease::Reused(c) => (c, true),
                Lease::New => {
                    let Some(left) = remaining(deadline) else {
                        self.release(None);
                        return self.did_not_answer();
                    };
                    // The crate gives each set-up reply the whole timeout it is passed, and reads
                    // them all even after one timed out: share `left` between them, or a store
                    // that does not answer holds the refusal for that many timeouts (seen: 2.04 s
                    // for a 1 s timeout with the two `CLIENT SETINFO` replies, issue 16).
                    let per_reply = left / self.setup_replies.max(1);
                    match self.client.get_connection_with_timeout(per_reply) {
                        Ok(c) => (c, false),
                        Err(e) => {
                            self.release(None);
                            return self.unavailable(format_args!("cannot be reached: {e}"));
                        }
                    }
                }
            };
            match self.set_nx(&mut connection, &name, expire_at_ms, deadline) {
                Ok(first) => {
                    self.release(Some(connection));
                    return if first {
                        ReplayOutcome::FirstUse
                    } else {
                        ReplayOutcome::Replayed
                    };
                }
                // A pooled connection may predate a restart of the store: retry once on a new
                // one while time is left. Should the first SET have been applied after all, the
                // retry answers "replayed": a false refusal, never an unrecorded acceptance.
                Err(e) if reused && !e.is_timeout() && remaining(deadline).is_some() => {
                    drop(connection);
                    lease = Lease::New;
                }
                Err(e) => {
                    // Never reuse a connection after an error: a late reply to this command
                    // would be read as the answer to the next one.
                    drop(connection);
                    self.release(None);
                    return if e.is_timeout() {
                        self.did_not_answer()
                    } else {
                        self.unavailable(format_args!("failed: {e}"))
                    };
                }
            }
        }
    }

    fn may_wait(&self) -> bool {
        true
    }

    /// Inside a tokio runtime, the `SET` goes over the pipelined connection and is awaited;
    /// elsewhere (no runtime to drive that connection) it is the blocking round trip.
    #[cfg(feature = "redis-async")]
    fn first_use_async<'a>(
        &'a self,
        key: &'a ReplayKey,
        forget_after: u64,
        now: u64,
    ) -> ReplayFuture<'a> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Box::pin(std::future::ready(self.first_use(key, forget_after, now)));
        }
        Box::pin(
            self.pipelined
                .first_use(self, self.key_name(key), expire_at_ms(forget_after)),
        )
    }
}
