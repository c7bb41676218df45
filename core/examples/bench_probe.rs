//! A plain measuring binary for `bench/core.sh` (no criterion, single thread).
//!
//! ```text
//! bench_probe sign-rate <pem> <seconds>                      prints RS256 signs per second (stderr: count, wall and CPU seconds)
//! bench_probe verify-rate <pem> <seconds>                    prints whole Verifier::verify calls per second
//! bench_probe hash-rate <MiB> <rounds>                       prints in-memory body_hash GB/s (10^9 B/s)
//! bench_probe hash-multipart-file <content-type> <path>      streams a wire multipart file, prints its bodyHash
//! ```
//!
//! The figure goes to stdout alone on one line; details (backend, counts, times) go to stderr.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use nuvera_signing::crypto::BACKEND;
use nuvera_signing::multipart::canonicalize_wire_reader;
use nuvera_signing::{body_hash, Body, PrivateKey, Signer};

const USAGE: &str = "usage:
  bench_probe sign-rate <pem> <seconds>
  bench_probe verify-rate <pem> <seconds>
  bench_probe hash-rate <MiB> <rounds>
  bench_probe hash-multipart-file <content-type> <path>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match argv.as_slice() {
        ["sign-rate", pem, seconds] => sign_rate(pem, seconds),
        ["verify-rate", pem, seconds] => verify_rate(pem, seconds),
        ["hash-rate", mib, rounds] => hash_rate(mib, rounds),
        ["hash-multipart-file", content_type, path] => hash_multipart_file(content_type, path),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_probe: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse<T: std::str::FromStr>(what: &str, s: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{what} must be a number, got {s:?}"))
}

/// Signs a small JSON body with the whole `Signer::sign` for `seconds`, after a short warm-up.
fn sign_rate(pem_path: &str, seconds: &str) -> Result<(), String> {
    let seconds: f64 = parse("seconds", seconds)?;
    let pem = std::fs::read(pem_path).map_err(|e| format!("cannot read {pem_path}: {e}"))?;
    let key = PrivateKey::from_pem(&pem, None).map_err(|e| e.to_string())?;
    let bits = key.bits();
    let signer = Signer::new(key, "nv_live_3f9a2c7d1e").map_err(|e| e.to_string())?;
    let body: &[u8] = br#"{"companyName":"Acme Trading Ltd","country":"GB"}"#;
    let sign = || {
        signer
            .sign("POST", "/api/v1/customers", Body::Bytes(black_box(body)))
            .map(|s| black_box(s.token().len()))
            .map_err(|e| e.to_string())
    };

    let warm_up = Instant::now();
    while warm_up.elapsed() < Duration::from_millis(300) {
        sign()?;
    }
    let budget = Duration::from_secs_f64(seconds);
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    let mut count: u64 = 0;
    while start.elapsed() < budget {
        sign()?;
        count += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_start
        .zip(cpu_seconds())
        .map_or_else(|| "n/a".to_owned(), |(a, b)| format!("{:.2}s", b - a));
    let rate = count as f64 / elapsed;
    eprintln!("backend={BACKEND} bits={bits} signs={count} elapsed={elapsed:.3}s cpu={cpu}");
    println!("{rate:.1}");
    Ok(())
}

/// Accepts every jti, so one pre-signed token can be verified over and over: the figure is the
/// signature and claim checks, not replay bookkeeping (criterion's `verify` bench covers that).
struct NoReplayCheck;

impl nuvera_signing::verify::ReplayCache for NoReplayCheck {
    fn first_use(
        &self,
        _: &nuvera_signing::verify::ReplayKey,
        _: u64,
        _: u64,
    ) -> nuvera_signing::verify::ReplayOutcome {
        nuvera_signing::verify::ReplayOutcome::FirstUse
    }
}

/// Verifies one RS256 token through the whole `Verifier::verify` (every rule of §6) for `seconds`.
fn verify_rate(pem_path: &str, seconds: &str) -> Result<(), String> {
    use nuvera_signing::verify::{ApiKeyStatus, PublicKeyStatus};
    use nuvera_signing::{Application, BodyHash, ReceivedRequest, Registry, Verifier};
    use std::sync::Arc;

    let seconds: f64 = parse("seconds", seconds)?;
    let pem = std::fs::read(pem_path).map_err(|e| format!("cannot read {pem_path}: {e}"))?;
    let key = PrivateKey::from_pem(&pem, None).map_err(|e| e.to_string())?;
    let mut registry = Registry::new();
    registry
        .add(
            Application::new("bench")
                .with_api_key("nv_live_3f9a2c7d1e", ApiKeyStatus::Active)
                .with_public_key(key.public_key().clone(), PublicKeyStatus::Active, None)
                .with_permission("CUSTOMERS_WRITE"),
        )
        .map_err(|e| e.to_string())?;
    let verifier = Verifier::new(registry).with_replay_cache(Arc::new(NoReplayCheck));
    let signer = Signer::new(key, "nv_live_3f9a2c7d1e").map_err(|e| e.to_string())?;
    let body: &[u8] = br#"{"companyName":"Acme Trading Ltd","country":"GB"}"#;
    let signed = signer
        .sign("POST", "/api/v1/customers", Body::Bytes(body))
        .map_err(|e| e.to_string())?;
    let authorization = signed.authorization();
    let body_hash = BodyHash::of_bytes(body);
    let verify = || {
        let request = ReceivedRequest {
            method: "POST",
            target: "/api/v1/customers",
            api_key: Some("nv_live_3f9a2c7d1e"),
            authorization: Some(black_box(&authorization)),
            body_hash: &body_hash,
        };
        verifier
            .verify(&request)
            .map(|v| black_box(v.claims.iat))
            .map_err(|e| e.to_string())
    };
    let warm_up = Instant::now();
    while warm_up.elapsed() < Duration::from_millis(300) {
        verify()?;
    }
    let budget = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut count: u64 = 0;
    while start.elapsed() < budget {
        verify()?;
        count += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!("backend={BACKEND} verifies={count} elapsed={elapsed:.3}s");
    println!("{:.1}", count as f64 / elapsed);
    Ok(())
}

/// `body_hash` of a `mib`-MiB buffer already in memory, `rounds` times, after one warm-up round.
fn hash_rate(mib: &str, rounds: &str) -> Result<(), String> {
    let mib: usize = parse("MiB", mib)?;
    let rounds: u32 = parse("rounds", rounds)?;
    if mib == 0 || rounds == 0 {
        return Err("MiB and rounds must be positive".to_owned());
    }
    let data: Vec<u8> = (0..mib * 1024 * 1024)
        .map(|i| (i.wrapping_mul(31) >> 3) as u8)
        .collect();
    black_box(body_hash(&data));
    let start = Instant::now();
    for _ in 0..rounds {
        black_box(body_hash(black_box(&data)));
    }
    let elapsed = start.elapsed().as_secs_f64();
    let bytes = data.len() as f64 * f64::from(rounds);
    let gbps = bytes / elapsed / 1e9;
    eprintln!(
        "backend={BACKEND} buffer={mib}MiB rounds={rounds} bytes={bytes:.0} elapsed={elapsed:.3}s"
    );
    println!("{gbps:.3}");
    Ok(())
}

/// Streams an encoded multipart body from a file through the wire canonicalizer.
fn hash_multipart_file(content_type: &str, path: &str) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    let start = Instant::now();
    let canonical = canonicalize_wire_reader(content_type, file).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!("{}", canonical.to_json());
    eprintln!(
        "elapsed={elapsed:.3}s vmhwm_kib={}",
        peak_rss_kib().map_or_else(|| "n/a".to_owned(), |k| k.to_string())
    );
    println!("{}", canonical.body_hash());
    Ok(())
}

/// This process's own peak resident set (`VmHWM` in `/proc/self/status`, Linux only). Unlike a
/// parent's `getrusage(RUSAGE_CHILDREN)`, it does not include the parent's resident set, which
/// Linux carries into the child's `ru_maxrss` when the child execs.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// This process's CPU time (user + system) in seconds, from `/proc/self/stat` (Linux only; 100
/// ticks per second on Linux): lets a benchmark on a machine shared with other work compare
/// signatures per CPU-second, which the others' load disturbs far less than wall-clock rates.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
