//! The Rust side of `bench/c/run.sh`: signs with the core directly (no C ABI) and prints signs per
//! second of thread CPU time, then per second of wall time, on one line. Same workload as
//! `bench/c/sign_rate.c` and `core/examples/bench_probe.rs sign-rate`.
//!
//! ```text
//! cargo run --release -p nuvera-signing-c --example core_sign_rate -- <pem> <seconds>
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use nuvera::{Body, PrivateKey, Signer};

#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
}

/// CPU time of the calling thread, in seconds (Linux `CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu_secs() -> f64 {
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec (64-bit Linux layout).
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pem, seconds] = args.as_slice() else {
        eprintln!("usage: core_sign_rate <pem> <seconds>");
        std::process::exit(2);
    };
    let seconds: f64 = seconds.parse().expect("seconds");
    let key = PrivateKey::from_file(pem, None).expect("key");
    let signer = Signer::new(key, "nv_live_3f9a2c7d1e").expect("signer");
    let body: &[u8] = br#"{"companyName":"Acme Trading Ltd","country":"GB"}"#;
    let sign = || {
        let signed = signer
            .sign("POST", "/api/v1/customers", Body::Bytes(black_box(body)))
            .expect("sign");
        black_box(signed.token().len());
    };
    let warm_up = Instant::now();
    while warm_up.elapsed() < Duration::from_millis(300) {
        sign();
    }
    let (start, cpu_start) = (Instant::now(), thread_cpu_secs());
    let mut count: u64 = 0;
    while start.elapsed().as_secs_f64() < seconds {
        sign();
        count += 1;
    }
    let (wall, cpu) = (start.elapsed().as_secs_f64(), thread_cpu_secs() - cpu_start);
    eprintln!("rust-core signs={count} wall={wall:.3}s cpu={cpu:.3}s");
    println!("{:.1} {:.1}", count as f64 / cpu, count as f64 / wall);
}
