//! Verification throughput (1 and 2 threads) and the replay cache under 1M distinct jtis.
//! `bash bench/core.sh` prints the ratio to `openssl speed rsa2048` verify/s.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nuvera_signing::verify::{
    ApiKeyStatus, InMemoryReplayCache, PublicKeyStatus, ReplayCache, ReplayKey, ReplayOutcome,
};
use nuvera_signing::{
    Application, Body, BodyHash, FixedClock, PrivateKey, PublicKey, ReceivedRequest, Registry,
    SignOverrides, Signer, Verifier,
};

/// Counts live heap bytes, to report the replay cache's memory.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const NOW: u64 = 1_767_225_600;
const API_KEY: &str = "nv_live_3f9a2c7d1e";

/// Accepts every jti: isolates the signature and claim checks from replay bookkeeping.
struct NoReplayCheck;

impl ReplayCache for NoReplayCheck {
    fn first_use(&self, _: &ReplayKey, _: u64, _: u64) -> ReplayOutcome {
        ReplayOutcome::FirstUse
    }
}

fn testdata(rel: &str) -> String {
    format!("{}/../testdata/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn setup() -> (Verifier, String) {
    let key = PrivateKey::from_file(testdata("keys/test-rsa2048-pkcs8.pem"), None).unwrap();
    let public =
        PublicKey::from_pem(std::fs::read(testdata("keys/test-rsa2048-public.pem")).unwrap())
            .unwrap();
    let mut registry = Registry::new();
    registry
        .add(
            Application::new("bench")
                .with_api_key(API_KEY, ApiKeyStatus::Active)
                .with_public_key(public, PublicKeyStatus::Active, None)
                .with_permission("CUSTOMERS_READ"),
        )
        .unwrap();
    let verifier = Verifier::new(registry)
        .with_clock(Arc::new(FixedClock(NOW)))
        .with_replay_cache(Arc::new(NoReplayCheck));
    let signer = Signer::new(key, API_KEY).unwrap();
    let signed = signer
        .sign_with(
            "GET",
            "/api/v1/customers?limit=20",
            Body::Empty,
            &SignOverrides {
                iat: Some(NOW),
                jti: None,
            },
        )
        .unwrap();
    (verifier, signed.authorization())
}

fn verify_once(verifier: &Verifier, authorization: &str, body_hash: &BodyHash) {
    let request = ReceivedRequest {
        method: "GET",
        target: "/api/v1/customers?limit=20",
        api_key: Some(API_KEY),
        authorization: Some(authorization),
        body_hash,
    };
    verifier.verify(&request).expect("bench token verifies");
}

fn bench_verify(c: &mut Criterion) {
    let (verifier, authorization) = setup();
    let body_hash = BodyHash::empty();
    let mut group = c.benchmark_group(format!("verify-{}", nuvera_signing::crypto::BACKEND));
    group.throughput(Throughput::Elements(1));
    group.bench_function("rsa2048/1-thread", |b| {
        b.iter(|| verify_once(&verifier, &authorization, &body_hash))
    });
    group.throughput(Throughput::Elements(2));
    group.bench_function("rsa2048/2-threads", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        for _ in 0..iters {
                            verify_once(&verifier, &authorization, &body_hash);
                        }
                    });
                }
            });
            start.elapsed()
        })
    });
    group.finish();
}

fn bench_replay_cache(c: &mut Criterion) {
    const ENTRIES: usize = 1_000_000;
    let jtis: Vec<ReplayKey> = (0..ENTRIES)
        .map(|i| {
            ReplayKey::new(
                "Bench",
                &format!("{:032x}", i as u128 * 0x9e37_79b9_7f4a_7c15),
            )
        })
        .collect();
    let before = LIVE.load(Ordering::Relaxed);
    let cache = InMemoryReplayCache::new();
    let start = Instant::now();
    for jti in &jtis {
        assert_eq!(cache.first_use(jti, NOW + 60, NOW), ReplayOutcome::FirstUse);
    }
    let elapsed = start.elapsed();
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    eprintln!(
        "replay cache: {ENTRIES} distinct jtis in {:.2?} ({:.0} inserts/s), {:.1} MiB held ({:.0} bytes per jti)",
        elapsed,
        ENTRIES as f64 / elapsed.as_secs_f64(),
        bytes as f64 / (1024.0 * 1024.0),
        bytes as f64 / ENTRIES as f64
    );
    let mut group = c.benchmark_group("replay-cache");
    group.throughput(Throughput::Elements(1));
    // Steady state at 1M live entries: a fresh jti is recorded, then forgotten once expired.
    let mut next = 0u64;
    group.bench_function("first_use/1M-live", |b| {
        b.iter(|| {
            next += 1;
            cache.first_use(
                &ReplayKey::new("Bench", &format!("1:{next}")),
                NOW + 60,
                NOW,
            )
        })
    });
    group.bench_function("replay-detected/1M-live", |b| {
        b.iter(|| cache.first_use(&jtis[12_345], NOW + 60, NOW))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    targets = bench_verify, bench_replay_cache
}
criterion_main!(benches);
