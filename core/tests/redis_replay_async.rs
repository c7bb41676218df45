//! The shared replay cache's asynchronous path (feature `redis-async`: one pipelined connection,
//! awaited by `Verifier::verify_body_async`) against a real `redis-server` started per test: the
//! same contract (§9) as the blocking path, which `redis_replay.rs` tests.
#![cfg(feature = "redis-async")]

mod common;
#[path = "common/redis_server.rs"]
mod redis_server;
#[path = "common/replay_fixture.rs"]
mod replay_fixture;

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nuvera_signing::verify::{RedisReplayCache, ReplayCache, ReplayKey, ReplayOutcome};
use nuvera_signing::{
    AuthCode, BodyHash, ReplayCacheOptions, RequestHead, Verified, Verifier, VerifyError,
};
use redis_server::{open_connections, RedisServer};
use replay_fixture::*;

/// An `Authorization` header for a GET of `TARGET` signed now with `jti`, and its `exp`.
fn token(jti: &str) -> (String, u64) {
    let signed = signed_get(API_KEY, jti);
    (signed.authorization(), signed.claims().exp)
}

fn head(authorization: &str) -> RequestHead<'_> {
    RequestHead {
        method: "GET",
        target: TARGET,
        api_key: Some(API_KEY),
        authorization: Some(authorization),
        content_type: None,
    }
}

/// The whole verification with the replay record awaited.
async fn check_async(verifier: &Verifier, authorization: &str) -> Result<Verified, VerifyError> {
    let verified_head = verifier.verify_head(&head(authorization))?;
    verifier
        .verify_body_async(verified_head, Ok(BodyHash::empty()))
        .await
}

/// The whole verification on the caller's thread (the bindings' path).
fn check_blocking(verifier: &Verifier, authorization: &str) -> Result<Verified, VerifyError> {
    let verified_head = verifier.verify_head(&head(authorization))?;
    verifier.verify_body(verified_head, Ok(BodyHash::empty()))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn far_future() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60
}

fn key(jti: &str) -> ReplayKey {
    ReplayKey::new("Acme Payouts", jti)
}

#[test]
fn the_async_path_writes_the_same_key_and_expiry_and_shares_the_store_with_the_blocking_one() {
    let redis = RedisServer::start(&[]);
    let v = verifier(options(&redis.url()));
    let (authorization, exp) = token("jti-async-1");
    let rt = runtime();
    assert!(rt.block_on(check_async(&v, &authorization)).is_ok());
    // A replay is refused on either path, and by another verifier sharing the store.
    assert_eq!(
        code(rt.block_on(check_async(&v, &authorization))),
        Some(AuthCode::ReplayedJti)
    );
    assert_eq!(
        code(check_blocking(&v, &authorization)),
        Some(AuthCode::ReplayedJti)
    );
    let other = verifier(options(&redis.url()));
    assert_eq!(
        code(rt.block_on(check_async(&other, &authorization))),
        Some(AuthCode::ReplayedJti)
    );
    // A jti first recorded by the blocking path is a replay for the async one.
    let (second, _) = token("jti-async-2");
    assert!(check_blocking(&v, &second).is_ok());
    assert_eq!(
        code(rt.block_on(check_async(&v, &second))),
        Some(AuthCode::ReplayedJti)
    );
    // SET <prefix><hex sha256(application ‖ jti)> 1 NX PXAT <(exp + skew) ms>
    let name = format!("test:jti:{}", key("jti-async-1").to_hex());
    assert_eq!(redis.cli(&["GET", &name]), "1");
    let expire_at_ms: i64 = redis.cli(&["PEXPIRETIME", &name]).parse().unwrap();
    assert_eq!(expire_at_ms, (exp as i64 + i64::from(SKEW)) * 1000);
    assert_eq!(redis.cli(&["DBSIZE"]), "2");
}

#[test]
fn a_refused_request_writes_nothing_on_the_async_path() {
    let redis = RedisServer::start(&[]);
    let v = verifier(options(&redis.url()));
    let (authorization, _) = token("jti-wrong-body");
    let verified_head = v.verify_head(&head(&authorization)).unwrap();
    let wrong_body = runtime()
        .block_on(v.verify_body_async(verified_head, Ok(nuvera_signing::body_hash(b"not empty"))));
    assert_eq!(code(wrong_body), Some(AuthCode::BodyHashMismatch));
    assert_eq!(redis.cli(&["DBSIZE"]), "0");
}

/// Concurrent requests share one connection (pipelined): every distinct jti is a first use, one
/// jti sent many times at once is accepted exactly once.
#[test]
fn concurrent_requests_are_pipelined_on_one_connection_and_one_jti_wins_once() {
    let redis = RedisServer::start(&[]);
    let cache = Arc::new(RedisReplayCache::new(&options(&redis.url())).unwrap());
    let forget_after = far_future();
    let rt = runtime();
    let outcomes = rt.block_on(async {
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let cache = cache.clone();
                // Half distinct, half the same jti.
                let jti = if i % 2 == 0 {
                    format!("distinct-{i}")
                } else {
                    "the-same".to_owned()
                };
                tokio::spawn(async move {
                    let key = key(&jti);
                    (i, cache.first_use_async(&key, forget_after, 0).await)
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        outcomes
    });
    let first_uses = |odd: bool| {
        outcomes
            .iter()
            .filter(|(i, o)| (i % 2 == 1) == odd && *o == ReplayOutcome::FirstUse)
            .count()
    };
    assert!(
        outcomes
            .iter()
            .all(|(_, o)| matches!(o, ReplayOutcome::FirstUse | ReplayOutcome::Replayed)),
        "{outcomes:?}"
    );
    assert_eq!(first_uses(false), 100);
    assert_eq!(first_uses(true), 1);
    assert_eq!(redis.cli(&["DBSIZE"]), "101");
    assert_eq!(open_connections(std::process::id(), redis.port()), 1);
}

#[test]
fn a_paused_redis_fails_closed_in_time_within_the_bound() {
    let redis = RedisServer::start(&[]);
    let bound = 4;
    let cache = Arc::new(
        RedisReplayCache::new(&ReplayCacheOptions {
            timeout_ms: 1_000,
            max_connections: bound,
            ..options(&redis.url())
        })
        .unwrap(),
    );
    let forget_after = far_future();
    let rt = runtime();
    assert_eq!(
        rt.block_on(cache.first_use_async(&key("before"), forget_after, 0)),
        ReplayOutcome::FirstUse
    );
    redis.pause();
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let cache = cache.clone();
            rt.spawn(async move {
                let started = Instant::now();
                let key = key(&format!("paused-{i}"));
                let outcome = cache.first_use_async(&key, forget_after, 0).await;
                (outcome, started.elapsed())
            })
        })
        .collect();
    let mut most_connections = 0;
    while !tasks.iter().all(|t| t.is_finished()) {
        most_connections = most_connections.max(open_connections(std::process::id(), redis.port()));
        std::thread::sleep(Duration::from_millis(2));
    }
    for t in tasks {
        let (outcome, took) = rt.block_on(t).unwrap();
        let ReplayOutcome::Unavailable(why) = &outcome else {
            panic!("a paused store never accepts: {outcome:?}");
        };
        assert!(why.contains("1000 ms"), "{why}");
        assert!(took < GENEROUS, "{took:?}");
    }
    assert!(most_connections >= 1);
    assert!(
        most_connections <= bound as usize,
        "{most_connections} connections at once, bound {bound}"
    );
    redis.resume();
    // The same cache serves again by itself (the timed-out connection was dropped).
    let started = Instant::now();
    loop {
        let outcome = rt.block_on(cache.first_use_async(&key("resumed"), forget_after, 0));
        if outcome == ReplayOutcome::FirstUse {
            break;
        }
        assert!(
            matches!(outcome, ReplayOutcome::Unavailable(_)),
            "{outcome:?}"
        );
        assert!(started.elapsed() < GENEROUS, "service did not resume");
    }
}

#[test]
fn a_stopped_redis_fails_closed_and_the_same_cache_reconnects_after_a_restart() {
    let mut redis = RedisServer::start(&[]);
    let v = verifier(options(&redis.url()));
    let rt = runtime();
    assert!(rt.block_on(check_async(&v, &token("before").0)).is_ok());
    redis.stop();
    for i in 0..10 {
        let started = Instant::now();
        let err = rt
            .block_on(check_async(&v, &token(&format!("down-{i}")).0))
            .unwrap_err();
        assert_eq!(err.code(), AuthCode::ReplayCacheUnavailable, "{err:?}");
        assert_eq!(err.http_status(), 503);
        assert!(started.elapsed() < GENEROUS);
    }
    redis.restart();
    let after = rt.block_on(check_async(&v, &token("after-1").0));
    assert!(after.is_ok(), "{after:?}");
    assert_eq!(redis.cli(&["DBSIZE"]), "1");
}

/// A connection that predates a restart of the store (no request saw it fail) is replaced within
/// the request that finds it broken.
#[test]
fn a_connection_broken_by_a_restart_is_replaced_within_the_request() {
    let mut redis = RedisServer::start(&[]);
    let v = verifier(options(&redis.url()));
    let rt = runtime();
    assert!(rt.block_on(check_async(&v, &token("before").0)).is_ok());
    redis.stop();
    redis.restart();
    let after = rt.block_on(check_async(&v, &token("after").0));
    assert!(after.is_ok(), "{after:?}");
}

#[test]
fn a_slow_redis_fails_closed_on_the_async_path() {
    let redis = RedisServer::start(&["--enable-debug-command", "yes"]);
    let v = verifier(ReplayCacheOptions {
        timeout_ms: 300,
        ..options(&redis.url())
    });
    let rt = runtime();
    assert!(rt.block_on(check_async(&v, &token("warm").0)).is_ok());
    let sleeper = redis.sleep_in_background(3);
    let err = rt
        .block_on(check_async(&v, &token("during-sleep").0))
        .unwrap_err();
    assert_eq!(err.code(), AuthCode::ReplayCacheUnavailable, "{err:?}");
    assert!(
        err.message().contains("did not answer within 300 ms"),
        "{}",
        err.message()
    );
    sleeper.join().unwrap();
    assert!(rt
        .block_on(check_async(&v, &token("after-sleep").0))
        .is_ok());
}

#[test]
fn credentials_and_database_come_from_the_url_on_the_async_path() {
    let redis = RedisServer::start(&["--requirepass", "s3cret-pw"]);
    let rt = runtime();
    let right = verifier(options(&format!(
        "redis://:s3cret-pw@127.0.0.1:{}/2",
        redis.port()
    )));
    assert!(rt.block_on(check_async(&right, &token("authed").0)).is_ok());
    let name = format!("test:jti:{}", key("authed").to_hex());
    assert_eq!(redis.cli(&["-n", "2", "EXISTS", &name]), "1");
    let wrong = verifier(options(&format!(
        "redis://:wrong-pw@127.0.0.1:{}",
        redis.port()
    )));
    let err = rt
        .block_on(check_async(&wrong, &token("wrong").0))
        .unwrap_err();
    assert_eq!(err.code(), AuthCode::ReplayCacheUnavailable);
    assert!(!err.message().contains("wrong-pw"), "{}", err.message());
    assert!(!format!("{err:?}").contains("wrong-pw"));
}

/// Polled by an executor that is not tokio, the async path takes the blocking round trip rather
/// than panic for want of a runtime to drive its connection.
#[test]
fn outside_a_tokio_runtime_the_async_path_blocks_instead() {
    let redis = RedisServer::start(&[]);
    let v = verifier(options(&redis.url()));
    let (authorization, _) = token("no-runtime");
    assert!(block_on(check_async(&v, &authorization)).is_ok());
    assert_eq!(
        code(block_on(check_async(&v, &authorization))),
        Some(AuthCode::ReplayedJti)
    );
}

/// The smallest executor: polls on this thread, parks between wake-ups.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}
