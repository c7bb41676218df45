//! A plain measuring binary for `bench/pkcs11.sh`: the whole `Signer::sign` of a small JSON body
//! with the same key held in different places, `threads` threads sharing one signer.
//!
//! ```text
//! remote_bench_probe <where> <pem> <seconds> <threads>     prints signs per second (wall) and
//!                                                          per CPU-second of this process
//!   where = memory            the key parsed into this process (the reference)
//!           pkcs11            a PKCS#11 token: NUVERA_PKCS11_MODULE, NUVERA_PKCS11_TOKEN,
//!                             NUVERA_PKCS11_KEY, NUVERA_PKCS11_PIN
//!           callback          a callback key whose callback signs with the in-memory key
//!                             (the RemoteKey's own cost: helper thread, timeout, verification)
//!           callback-inline   the same with no timeout (called on the signing thread)
//! ```
//!
//! The figure goes to stdout alone on one line; details go to stderr.

use std::hint::black_box;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nuvera_signing::remote::pkcs11::{KeySelector, Pkcs11Config, Pkcs11Pin, TokenSelector};
use nuvera_signing::{
    Body, CallbackOptions, PrivateKey, RemoteKey, SignCallback, SignatureInput, Signer, SigningKey,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("remote_bench_probe: {e}");
            ExitCode::FAILURE
        }
    }
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

fn run(args: &[String]) -> Result<(), String> {
    let [place, pem, seconds, threads] = args else {
        return Err("usage: remote_bench_probe <memory|pkcs11|callback|callback-inline> <pem> <seconds> <threads>".to_owned());
    };
    let seconds: f64 = seconds.parse().map_err(|_| "seconds: a number")?;
    let threads: usize = threads.parse().map_err(|_| "threads: a number")?;
    let memory_key = || PrivateKey::from_file(pem, None).map_err(|e| e.to_string());
    let key: Arc<dyn SigningKey> = match place.as_str() {
        "memory" => Arc::new(memory_key()?),
        "pkcs11" => Arc::new(
            RemoteKey::from_pkcs11(Pkcs11Config {
                module: env("NUVERA_PKCS11_MODULE")?.into(),
                token: TokenSelector::Label(env("NUVERA_PKCS11_TOKEN")?),
                key: KeySelector::Label(env("NUVERA_PKCS11_KEY")?),
                pin: Pkcs11Pin::new(env("NUVERA_PKCS11_PIN")?),
            })
            .map_err(|e| e.to_string())?,
        ),
        "callback" | "callback-inline" => {
            let inner = Arc::new(memory_key()?);
            let public = inner.public_key().clone();
            let callback: SignCallback = Arc::new(move |message: &[u8]| {
                inner.sign_rs256(message).map_err(|e| e.to_string())
            });
            let options = CallbackOptions {
                input: SignatureInput::Message,
                timeout: if place == "callback" {
                    CallbackOptions::default().timeout
                } else {
                    None
                },
            };
            Arc::new(RemoteKey::from_callback(public, callback, options))
        }
        other => return Err(format!("unknown key place {other:?}")),
    };
    let signer = Signer::new(key, "nv_live_3f9a2c7d1e").map_err(|e| e.to_string())?;
    let body: &[u8] = br#"{"companyName":"Acme Trading Ltd","country":"GB"}"#;
    let sign = || {
        signer
            .sign("POST", "/api/v1/customers", Body::Bytes(black_box(body)))
            .map(|s| s.token().len())
            .map_err(|e| e.to_string())
    };
    // Warm-up: sessions opened, the key checked, caches filled.
    for _ in 0..20 {
        sign()?;
    }
    let duration = Duration::from_secs_f64(seconds);
    let cpu_start = process_cpu_seconds()?;
    let start = Instant::now();
    let counts = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> Result<u64, String> {
                    let mut n = 0u64;
                    while start.elapsed() < duration {
                        black_box(sign()?);
                        n += 1;
                    }
                    Ok(n)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect::<Result<Vec<u64>, String>>()
    })?;
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds()? - cpu_start;
    let total: u64 = counts.iter().sum();
    eprintln!(
        "{place}: {total} signatures in {elapsed:.2} s on {threads} thread(s), {cpu:.2} s of CPU"
    );
    println!("{:.0} {:.0}", total as f64 / elapsed, total as f64 / cpu);
    Ok(())
}

/// User + system CPU time of this process, every thread (ended ones included), from
/// `/proc/self/stat`: on a shared machine, the signatures per CPU-second are what other load
/// disturbs least. Clock ticks are taken as 100 per second (Linux's USER_HZ).
fn process_cpu_seconds() -> Result<f64, String> {
    let stat = std::fs::read_to_string("/proc/self/stat").map_err(|e| e.to_string())?;
    // Fields after the command name (which may contain spaces) start at the state, field 3.
    let rest = &stat[stat.rfind(')').ok_or("odd /proc/self/stat")? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64, String> {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .ok_or_else(|| "odd /proc/self/stat".to_owned())
    };
    // utime and stime are fields 14 and 15, i.e. 11 and 12 counting from the state.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}
