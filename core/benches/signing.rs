//! Criterion benchmarks of the core: RS256 signing, key parsing, plain and multipart body hashing.
//!
//! Run with `cargo bench -p nuvera-signing` (aws-lc-rs backend) or
//! `cargo bench -p nuvera-signing --no-default-features --features ring`. Every group name carries
//! the backend (`nuvera_signing::crypto::BACKEND`) so results of the two runs don't overwrite each
//! other. Sample sizes and times are kept small so the whole run takes well under three minutes;
//! `bench/core.sh` compares the headline figures with `openssl speed`.

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nuvera_signing::crypto::BACKEND;
use nuvera_signing::{body_hash, Body, MultipartForm, PrivateKey, Signer};

const KEY_2048: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/keys/test-rsa2048-pkcs8.pem"
);
const KEY_4096: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/keys/test-rsa4096-pkcs8.pem"
);

const API_KEY: &str = "nv_live_3f9a2c7d1e";
const TARGET: &str = "/api/v1/customers";
const SMALL_JSON: &[u8] =
    br#"{"companyName":"Acme Trading Ltd","country":"GB","email":"ops@acme.example"}"#;

const MIB: usize = 1024 * 1024;

fn read_pem(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn signer(path: &str) -> Signer {
    let key = PrivateKey::from_pem(read_pem(path), None).expect("test key parses");
    Signer::new(key, API_KEY).expect("signer")
}

/// Non-constant content, so nothing can shortcut a run of zeros.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31) >> 3) as u8).collect()
}

/// The whole `Signer::sign` of a small JSON body: method and target checks, SHA-256 of the body,
/// claims JSON, base64url, and the RSASSA-PKCS1-v1_5 signature. The private-key RSA operation is
/// nearly all of it (hundreds of microseconds against a few microseconds for everything else), so
/// these figures are the backend's RSA speed; `bench/core.sh` compares them with `openssl speed`.
fn bench_sign(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("sign/{BACKEND}"));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(1));
    for (name, path) in [
        ("rsa2048_small_json", KEY_2048),
        ("rsa4096_small_json", KEY_4096),
    ] {
        let signer = signer(path);
        group.bench_function(name, |b| {
            b.iter(|| {
                signer
                    .sign(
                        "POST",
                        black_box(TARGET),
                        Body::Bytes(black_box(SMALL_JSON)),
                    )
                    .expect("sign")
            })
        });
    }
    group.finish();
}

/// `PrivateKey::from_pem` of the 2048-bit PKCS#8 test key: PEM, PKCS#8 and PKCS#1 decoding plus
/// the backend's own key validation.
fn bench_key_parse(c: &mut Criterion) {
    let pem = read_pem(KEY_2048);
    let mut group = c.benchmark_group(format!("key_parse/{BACKEND}"));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("rsa2048_pkcs8_pem", |b| {
        b.iter(|| PrivateKey::from_pem(black_box(&pem), None).expect("parse"))
    });
    group.finish();
}

/// `body_hash` of bytes already in memory (SHA-256 plus hex).
fn bench_body_hash(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("body_hash/{BACKEND}"));
    group.warm_up_time(Duration::from_secs(1));

    let one = pattern(MIB);
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(one.len() as u64));
    group.bench_function("1MiB", |b| b.iter(|| body_hash(black_box(&one))));
    drop(one);

    let big = pattern(64 * MIB);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Bytes(big.len() as u64));
    group.bench_function("64MiB", |b| b.iter(|| body_hash(black_box(&big))));
    group.finish();
}

/// `MultipartForm::body_hash` of a text field plus a 64 MiB file given by path: the file is
/// opened and streamed through SHA-256 on every iteration (from the page cache after the first).
fn bench_multipart_hash(c: &mut Criterion) {
    const FILE_BYTES: usize = 64 * MIB;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("statement.pdf");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        let chunk = pattern(MIB);
        for _ in 0..FILE_BYTES / MIB {
            file.write_all(&chunk).expect("write");
        }
        file.flush().expect("flush");
    }
    let mut form = MultipartForm::new();
    form.add_field("customerId", "c_42").expect("field");
    form.add_file_path(
        "document",
        &path,
        Some("statement.pdf"),
        Some("application/pdf"),
    )
    .expect("file part");

    let mut group = c.benchmark_group(format!("multipart_hash/{BACKEND}"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Bytes(FILE_BYTES as u64));
    group.bench_function("form_with_64MiB_file", |b| {
        b.iter(|| form.body_hash().expect("multipart hash"))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_sign,
    bench_key_parse,
    bench_body_hash,
    bench_multipart_hash
);
criterion_main!(benches);
