//! `rediss://` for real: a TLS-only `redis-server` with a certificate from a CA made here, trusted
//! through `SSL_CERT_FILE` (read by rustls-native-certs). Its own test binary, because it sets an
//! environment variable for the whole process.
#![cfg(feature = "redis")]

mod common;
#[path = "common/redis_server.rs"]
mod redis_server;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nuvera_signing::verify::{RedisReplayCache, ReplayCache, ReplayKey, ReplayOutcome};
use nuvera_signing::ReplayCacheOptions;
use redis_server::{free_port, RedisServer};

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the openssl command is installed");
    assert!(status.success(), "openssl {args:?}");
}

/// A CA and a server certificate for 127.0.0.1, in `dir`.
fn make_certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=nuvera test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "other-ca.key",
            "-out",
            "other-ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=some other CA",
        ],
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
}

#[test]
fn rediss_urls_connect_over_tls_and_check_the_certificate() {
    let certs = tempfile::tempdir().unwrap();
    make_certificates(certs.path());
    let tls_port = free_port();
    let path = |f: &str| certs.path().join(f).display().to_string();
    let redis = RedisServer::start(&[
        "--tls-port",
        &tls_port.to_string(),
        "--tls-cert-file",
        &path("server.crt"),
        "--tls-key-file",
        &path("server.key"),
        "--tls-ca-cert-file",
        &path("ca.crt"),
        "--tls-auth-clients",
        "no",
    ]);
    let far = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60;
    let key = ReplayKey::new("Acme", "over-tls");
    let cache = |url: &str| {
        RedisReplayCache::new(&ReplayCacheOptions {
            timeout_ms: 2_000,
            ..ReplayCacheOptions::new(url)
        })
        .unwrap()
    };
    let url = format!("rediss://127.0.0.1:{tls_port}");

    // Trusting another CA only, the certificate is refused: closed, not accepted.
    std::env::set_var("SSL_CERT_FILE", path("other-ca.crt"));
    let untrusted = cache(&url).first_use(&key, far, 0);
    assert!(
        matches!(untrusted, ReplayOutcome::Unavailable(_)),
        "{untrusted:?}"
    );
    // The awaited path (feature `redis-async`) checks the certificate the same way.
    #[cfg(feature = "redis-async")]
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    #[cfg(feature = "redis-async")]
    {
        let untrusted = runtime.block_on(cache(&url).first_use_async(&key, far, 0));
        assert!(
            matches!(untrusted, ReplayOutcome::Unavailable(_)),
            "{untrusted:?}"
        );
    }

    std::env::set_var("SSL_CERT_FILE", path("ca.crt"));
    let trusted = cache(&url);
    assert_eq!(trusted.first_use(&key, far, 0), ReplayOutcome::FirstUse);
    assert_eq!(trusted.first_use(&key, far, 0), ReplayOutcome::Replayed);
    #[cfg(feature = "redis-async")]
    {
        let awaited = cache(&url);
        let other = ReplayKey::new("Acme", "over-tls-awaited");
        let first_use = |k| runtime.block_on(awaited.first_use_async(k, far, 0));
        assert_eq!(first_use(&key), ReplayOutcome::Replayed);
        assert_eq!(first_use(&other), ReplayOutcome::FirstUse);
        assert_eq!(first_use(&other), ReplayOutcome::Replayed);
    }
    // The entry is in the same server, seen through its plain port.
    let started = Instant::now();
    let name = format!("nuvera:jti:{}", key.to_hex());
    while redis.cli(&["EXISTS", &name]) != "1" {
        assert!(started.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(10));
    }
}
