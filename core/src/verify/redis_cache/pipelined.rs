//! The asynchronous path of the Redis replay cache (feature `redis-async`), for servers on tokio:
//! the same `SET <prefix><hex sha256(application ‖ jti)> 1 NX PXAT <(exp + skew) ms>` and the same
//! answers as the blocking path, sent over one pipelined connection and awaited, so a server's
//! worker thread serves other connections while the store answers.
//!
//! Batches: the `SET`s that arrive while the connection's previous batch is on the wire wait and
//! go together, as one pipeline (one write, one read, and Redis answers them with one system call
//! each way), as soon as that batch is answered. Why batch ourselves rather than hand each `SET`
//! to the `redis` crate's `MultiplexedConnection` (which pipelines too): on a server's one core,
//! tokio runs the connection's writer right after the request that woke it (its LIFO slot), so
//! every `SET` went out in its own write, and a loopback write costs the sender the receiver's
//! TCP input and its wake-up (about 15% of `serve`'s CPU per request in a profile, issue 16). The
//! multiplexed connection still carries the batches: connection set-up (TLS, AUTH, the database
//! from the URL) and matching replies to commands. Why not its `ConnectionManager`: it reconnects
//! in the background with its own retry policy and timeouts, whereas failing closed needs every
//! step (waiting for the bound, connecting, the `SET`) inside the one deadline of the request
//! that pays for it.
//!
//! - **Deadline:** each request's whole wait (a place under the bound, a connection, the reply) is
//!   one `tokio::time::timeout_at`; when it passes the answer is `Unavailable` (503), never an
//!   acceptance. A `SET` already sent may still be applied later: a false refusal at most.
//! - **Bound:** at most `max_connections` requests wait on the store at once (a semaphore, awaited
//!   within the deadline), the same number as the blocking path's connections; every one of them
//!   shares one connection, so the connections to Redis are at most that bound too. A batch is
//!   given the same timeout.
//! - **Reconnection:** a connection on which a batch failed or timed out is closed at once (a
//!   timeout may be a dead peer that TCP has not noticed), and the next request opens a new one
//!   within its own deadline, one request at a time; a request whose reused connection turned out
//!   broken retries once on a new one while time is left, as the blocking path does.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use tokio::sync::{oneshot, Notify, Semaphore};
use tokio::time::{timeout_at, Instant};

use super::RedisReplayCache;
use crate::verify::replay::ReplayOutcome;

/// The shared connection of the asynchronous path and the bound on requests waiting on it.
pub(super) struct PipelinedConnection {
    current: Mutex<Current>,
    /// Held while a connection is being opened: one attempt at a time, the others wait for it.
    connecting: tokio::sync::Mutex<()>,
    waiting: Semaphore,
}

#[derive(Default)]
struct Current {
    batches: Option<Arc<Batches>>,
    /// Counts connections opened, so a request closes only the connection it saw fail, never a
    /// newer one another request opened meanwhile.
    generation: u64,
}

/// The queue of one connection: the `SET`s waiting for its next batch. Its writer task
/// ([`write_batches`]) owns the connection itself, so closing the queue closes the connection.
#[derive(Default)]
struct Batches {
    queue: Mutex<Queue>,
    /// A `SET` was queued, or the queue closed.
    more: Notify,
    /// The queue closed: the writer stops waiting for its batch's answer.
    end: Notify,
}

#[derive(Default)]
struct Queue {
    sets: Vec<QueuedSet>,
    /// Why the queue closed, once it has.
    closed: Option<Failure>,
}

struct QueuedSet {
    name: String,
    expire_at_ms: u64,
    answer: oneshot::Sender<Result<bool, Failure>>,
}

/// Why a queued `SET` has no answer.
#[derive(Clone)]
enum Failure {
    /// Its batch was not answered within the timeout.
    TimedOut,
    /// The connection failed (the text says how).
    Failed(String),
}

impl Batches {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Held only to push or take: no invariant a panic elsewhere could break.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `set` for the next batch; gives it back when the queue is closed.
    fn push(&self, set: QueuedSet) -> Result<(), QueuedSet> {
        let mut queue = self.lock();
        if queue.closed.is_some() {
            return Err(set);
        }
        queue.sets.push(set);
        drop(queue);
        self.more.notify_one();
        Ok(())
    }

    /// Closes the queue for `why` (the first reason stays): `SET`s still queued, and the batch
    /// on the wire, are answered with it; the writer stops and drops the connection.
    fn close(&self, why: Failure) {
        let mut queue = self.lock();
        let why = queue.closed.get_or_insert(why).clone();
        let sets = std::mem::take(&mut queue.sets);
        drop(queue);
        answer_all(sets, &why);
        self.more.notify_one();
        self.end.notify_one();
    }

    /// Why the queue closed (a request found it closed, or its answer's sender dropped).
    fn closed_because(&self) -> Failure {
        self.lock()
            .closed
            .clone()
            .unwrap_or_else(|| Failure::Failed("closed its connection".to_owned()))
    }
}

fn answer_all(sets: Vec<QueuedSet>, why: &Failure) {
    for set in sets {
        // A request that gave up meanwhile no longer listens: nothing to do.
        let _ = set.answer.send(Err(why.clone()));
    }
}

/// The writer of one connection: sends what is queued as one pipeline, waits for its answers
/// (within `timeout`), hands each to its request, and starts over with what was queued
/// meanwhile. Returns when the queue closes or the connection fails, dropping the connection.
async fn write_batches(
    mut connection: MultiplexedConnection,
    batches: Arc<Batches>,
    timeout: Duration,
) {
    loop {
        batches.more.notified().await;
        let sets = {
            let mut queue = batches.lock();
            if queue.closed.is_some() {
                return;
            }
            std::mem::take(&mut queue.sets)
        };
        if sets.is_empty() {
            continue;
        }
        let mut pipeline = redis::pipe();
        for set in &sets {
            pipeline
                .cmd("SET")
                .arg(&set.name)
                .arg(1)
                .arg("NX")
                .arg("PXAT")
                .arg(set.expire_at_ms);
        }
        let replies = tokio::select! {
            replies = tokio::time::timeout(
                timeout,
                pipeline.query_async::<Vec<Option<String>>>(&mut connection),
            ) => replies,
            () = batches.end.notified() => {
                answer_all(sets, &batches.closed_because());
                return;
            }
        };
        let failure = match replies {
            Ok(Ok(replies)) if replies.len() == sets.len() => {
                for (set, reply) in sets.into_iter().zip(replies) {
                    // A request that gave up meanwhile no longer listens: nothing to do.
                    let _ = set.answer.send(Ok(reply.is_some()));
                }
                continue;
            }
            Ok(Ok(replies)) => Failure::Failed(format!(
                "answered {} SETs with {} replies",
                sets.len(),
                replies.len()
            )),
            Ok(Err(e)) if e.is_timeout() => Failure::TimedOut,
            Ok(Err(e)) => Failure::Failed(e.to_string()),
            Err(_) => Failure::TimedOut,
        };
        answer_all(sets, &failure);
        batches.close(failure);
        return;
    }
}

impl PipelinedConnection {
    /// No connection yet: the first request opens it.
    pub(super) fn new(max_waiting: usize) -> Self {
        PipelinedConnection {
            current: Mutex::new(Current::default()),
            connecting: tokio::sync::Mutex::new(()),
            waiting: Semaphore::new(max_waiting),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Current> {
        // Held only to clone or replace a handle: no invariant a panic elsewhere could break.
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current connection's queue and generation.
    fn lease(&self) -> Option<(Arc<Batches>, u64)> {
        let current = self.lock();
        current
            .batches
            .as_ref()
            .map(|b| (b.clone(), current.generation))
    }

    /// Closes the shared connection for `why` if it is still the one of `generation`.
    fn discard(&self, generation: u64, why: Failure) {
        let batches = {
            let mut current = self.lock();
            if current.generation != generation {
                return;
            }
            current.batches.take()
        };
        if let Some(batches) = batches {
            batches.close(why);
        }
    }

    /// The shared connection, opened now if there is none (the caller bounds the time).
    async fn connect(&self, cache: &RedisReplayCache) -> redis::RedisResult<(Arc<Batches>, u64)> {
        let _only_one = self.connecting.lock().await;
        // Another request may have opened it while this one waited.
        if let Some(lease) = self.lease() {
            return Ok(lease);
        }
        // No timeouts of the crate's own: the caller's deadline covers connecting, and each batch
        // has the cache's timeout.
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(None)
            .set_response_timeout(None);
        let connection = cache
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        let batches = Arc::new(Batches::default());
        tokio::spawn(write_batches(connection, batches.clone(), cache.timeout));
        let mut current = self.lock();
        current.generation += 1;
        current.batches = Some(batches.clone());
        Ok((batches, current.generation))
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
            let ((batches, generation), reused) = match self.lease() {
                Some(lease) => (lease, true),
                None => match timeout_at(deadline, self.connect(cache)).await {
                    Ok(Ok(lease)) => (lease, false),
                    Ok(Err(e)) => return cache.unavailable(format_args!("cannot be reached: {e}")),
                    Err(_) => return cache.did_not_answer(),
                },
            };
            let (answer, answered) = oneshot::channel();
            let queued = batches.push(QueuedSet {
                name: name.clone(),
                expire_at_ms,
                answer,
            });
            let answer = match queued {
                Err(_) => Err(batches.closed_because()),
                Ok(()) => match timeout_at(deadline, answered).await {
                    Ok(Ok(answer)) => answer,
                    Ok(Err(_)) => Err(batches.closed_because()),
                    Err(_) => Err(Failure::TimedOut),
                },
            };
            match answer {
                Ok(true) => return ReplayOutcome::FirstUse,
                Ok(false) => return ReplayOutcome::Replayed,
                Err(Failure::TimedOut) => {
                    self.discard(generation, Failure::TimedOut);
                    return cache.did_not_answer();
                }
                Err(Failure::Failed(why)) => {
                    self.discard(generation, Failure::Failed(why.clone()));
                    // A connection that predates a restart of the store fails at once: retry on a
                    // new one while time is left. Should the first SET have been applied after
                    // all, the retry answers "replayed": a false refusal, never an acceptance.
                    if reused && !retried && Instant::now() < deadline {
                        retried = true;
                        continue;
                    }
                    return cache.unavailable(format_args!("failed: {why}"));
                }
            }
        }
    }
}
