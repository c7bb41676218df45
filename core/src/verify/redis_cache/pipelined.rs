//! The asynchronous path of the Redis replay cache (feature `redis-async`), for servers on tokio:
//! the same `SET <prefix><hex sha256(application ‖ jti)> 1 NX PXAT <(exp + skew) ms>` and the same
//! answers as the blocking path, sent over one pipelined connection and awaited, so a server's
//! worker thread serves other connections while the store answers.
//!
//! Why the `redis` crate's `MultiplexedConnection` rather than a writer task of our own: it already
//! queues concurrent commands on one socket, writes what is queued together and matches each reply
//! to its command in order; Redis then reads and answers a batch per system call instead of one
//! command per round trip. Why not its `ConnectionManager`: it reconnects in the background with
//! its own retry policy and timeouts, whereas failing closed needs every step (waiting for the
//! bound, connecting, the `SET`) inside the one deadline of the request that pays for it.
//!
//! - **Deadline:** each request's whole wait (a place under the bound, a connection, the reply) is
//!   one `tokio::time::timeout_at`; when it passes the answer is `Unavailable` (503), never an
//!   acceptance. A `SET` already sent may still be applied later: a false refusal at most.
//! - **Bound:** at most `max_connections` requests wait on the store at once (a semaphore, awaited
//!   within the deadline), the same number as the blocking path's connections; every one of them
//!   shares one connection, so the connections to Redis are at most that bound too.
//! - **Reconnection:** a connection on which a command failed or timed out is dropped (a timeout
//!   may be a dead peer that TCP has not noticed), and the next request opens a new one within its
//!   own deadline, one request at a time; a request whose reused connection turned out broken
//!   retries once on a new one while time is left, as the blocking path does.

use std::sync::{Mutex, MutexGuard};

use redis::aio::MultiplexedConnection;
use tokio::sync::Semaphore;
use tokio::time::{timeout_at, Instant};

use super::RedisReplayCache;
use crate::verify::replay::ReplayOutcome;

/// The shared connection of the asynchronous path and the bound on requests waiting on it.
pub(super) struct PipelinedConnection {
    current: Mutex<Current>,
    /// Held while a connection is being opened: one attempt at a time, the others wait for it.
    connecting: tokio::sync::Mutex<()>,
    waiting: Semaphore,
    max_waiting: usize,
}

#[derive(Default)]
struct Current {
    connection: Option<MultiplexedConnection>,
    /// Counts connections opened, so a request drops only the connection it saw fail, never a
    /// newer one another request opened meanwhile.
    generation: u64,
}

/// A clone of the shared connection (cheap: a handle on its queue) and its generation.
struct Lease {
    connection: MultiplexedConnection,
    generation: u64,
}

impl PipelinedConnection {
    /// No connection yet: the first request opens it.
    pub(super) fn new(max_waiting: usize) -> Self {
        PipelinedConnection {
            current: Mutex::new(Current::default()),
            connecting: tokio::sync::Mutex::new(()),
            waiting: Semaphore::new(max_waiting),
            max_waiting,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Current> {
        // Held only to clone or replace a handle: no invariant a panic elsewhere could break.
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lease(&self) -> Option<Lease> {
        let current = self.lock();
        current.connection.as_ref().map(|c| Lease {
            connection: c.clone(),
            generation: current.generation,
        })
    }

    /// Drops the shared connection if it is still the one of `generation`.
    fn discard(&self, generation: u64) {
        let mut current = self.lock();
        if current.generation == generation {
            current.connection = None;
        }
    }

    /// The shared connection, opened now if there is none (the caller bounds the time).
    async fn connect(&self, cache: &RedisReplayCache) -> redis::RedisResult<Lease> {
        let _only_one = self.connecting.lock().await;
        // Another request may have opened it while this one waited.
        if let Some(lease) = self.lease() {
            return Ok(lease);
        }
        // No timeouts of the crate's own: the caller's deadline covers connecting and every reply.
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(None)
            .set_response_timeout(None)
            // The queue to the connection's writer holds every request allowed to wait.
            .set_pipeline_buffer_size(self.max_waiting);
        let connection = cache
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        let mut current = self.lock();
        current.generation += 1;
        current.connection = Some(connection.clone());
        Ok(Lease {
            connection,
            generation: current.generation,
        })
    }

    /// Records `name` until `expire_at_ms` (Unix milliseconds): the asynchronous
    /// [`first_use`](crate::ReplayCache::first_use) of `cache`.
    pub(super) async fn first_use(
        &self,
        cache: &RedisReplayCache,
        name: String,
        expire_at_ms: u64,
    ) -> ReplayOutcome {
        let deadline = Instant::now() + cache.timeout;
        let Ok(Ok(_waiting)) = timeout_at(deadline, self.waiting.acquire()).await else {
            return cache.unavailable(format_args!(
                "had its bound of requests waiting on it for {} ms (all busy)",
                cache.timeout.as_millis()
            ));
        };
        let mut retried = false;
        loop {
            let (mut lease, reused) = match self.lease() {
                Some(lease) => (lease, true),
                None => match timeout_at(deadline, self.connect(cache)).await {
                    Ok(Ok(lease)) => (lease, false),
                    Ok(Err(e)) => return cache.unavailable(format_args!("cannot be reached: {e}")),
                    Err(_) => return cache.did_not_answer(),
                },
            };
            let mut set = redis::cmd("SET");
            set.arg(&name)
                .arg(1)
                .arg("NX")
                .arg("PXAT")
                .arg(expire_at_ms);
            let reply = set.query_async::<Option<String>>(&mut lease.connection);
            match timeout_at(deadline, reply).await {
                Ok(Ok(reply)) => {
                    return if reply.is_some() {
                        ReplayOutcome::FirstUse
                    } else {
                        ReplayOutcome::Replayed
                    }
                }
                Err(_) => {
                    self.discard(lease.generation);
                    return cache.did_not_answer();
                }
                Ok(Err(e)) => {
                    self.discard(lease.generation);
                    // A connection that predates a restart of the store fails at once: retry on a
                    // new one while time is left. Should the first SET have been applied after
                    // all, the retry answers "replayed": a false refusal, never an acceptance.
                    if reused && !retried && !e.is_timeout() && Instant::now() < deadline {
                        retried = true;
                        continue;
                    }
                    return if e.is_timeout() {
                        cache.did_not_answer()
                    } else {
                        cache.unavailable(format_args!("failed: {e}"))
                    };
                }
            }
        }
    }
}
