//! Fires pre-signed requests at a running `nuvera-sign serve` over keep-alive connections.
//!
//! Every request carries a fresh `jti` (the server refuses replays), so requests are signed before
//! the clock starts (`throughput`) or by signer threads that keep ahead of the senders (`soak`,
//! which also samples the server's resident memory to show it stays flat).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, ValueEnum};
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use nuvera_signing::client::now_unix_ms;
use nuvera_signing::verify::DEFAULT_CLOCK_SKEW_SECS;
use nuvera_signing::{Body, PrivateKey, Signer, SignerOptions};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Mode {
    /// Sign `--requests` requests first, then send them as fast as possible.
    Throughput,
    /// Sign and send continuously for `--seconds`, sampling the server's memory.
    Soak,
}

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, value_enum)]
    mode: Mode,
    /// Server address, e.g. 127.0.0.1:8045.
    #[arg(long)]
    addr: String,
    /// Private key PEM of the registered application.
    #[arg(long)]
    key: std::path::PathBuf,
    #[arg(long)]
    api_key: String,
    /// Requests to pre-sign (throughput mode).
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Keep-alive connections.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Soak duration.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Token lifetime in soak mode: short, so the replay cache reaches its steady state quickly.
    #[arg(long, default_value_t = 5)]
    lifetime: u32,
    /// Server process id: its resident memory is sampled (soak mode) and the CPU time it spends
    /// while requests are fired is reported (throughput mode).
    #[arg(long)]
    server_pid: Option<u32>,
    /// `redis-server` process id: the CPU time it spends while requests are fired is reported
    /// (throughput mode).
    #[arg(long)]
    redis_pid: Option<u32>,
    /// Signing threads.
    #[arg(long, default_value_t = 2)]
    signers: usize,
    /// Throughput mode: drive the connections from one thread that polls non-blocking sockets
    /// instead of sleeping in epoll. On loopback the server's send wakes a sleeping load
    /// generator, and that wake-up (an inter-processor interrupt, dear on a VM) is charged to the
    /// server's core; a server answering remote clients does not pay it. Spinning leaves the
    /// server's core with the server's own work.
    #[arg(long)]
    spin: bool,
}

/// One pre-signed GET: its target, its two header values and its token's expiry.
struct Signed {
    target: String,
    api_key: String,
    authorization: String,
    /// `exp`, Unix seconds.
    exp: u64,
}

fn sign_one(signer: &Signer, i: usize) -> Signed {
    let target = format!("/api/v1/customers?limit=1&n={i}");
    let signed = signer
        .sign("GET", &target, Body::Empty)
        .expect("signing a GET cannot fail");
    Signed {
        target,
        api_key: signed.api_key().to_owned(),
        authorization: signed.authorization(),
        exp: signed.claims().exp,
    }
}

fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// CPU time (user + system, all threads, including those that have exited) process `pid` has
/// used so far, from `/proc/<pid>/stat` (in clock ticks of 10 ms on Linux; read as such).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / CLOCK_TICKS_PER_SECOND)
}

/// `sysconf(_SC_CLK_TCK)`, 100 on every Linux this runs on (the kernel's USER_HZ).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// CPU time used by the processes that share the machine's cores during the firing: why a run
/// reached the rate it did. When the server's core is not busy all the time, the rate was set by
/// the other core (the load generator and Redis) or by latency, and "verified requests per server
/// CPU-second" is what the server's one core would sustain.
struct CpuUse {
    server: Option<f64>,
    redis: Option<f64>,
    load_generator: Option<f64>,
}

impl CpuUse {
    fn now(args: &Args) -> CpuUse {
        CpuUse {
            server: args.server_pid.and_then(cpu_seconds),
            redis: args.redis_pid.and_then(cpu_seconds),
            load_generator: cpu_seconds(std::process::id()),
        }
    }

    /// Prints what each process used between `self` and `after`, over `elapsed` of firing.
    fn report(&self, after: &CpuUse, verified: usize, elapsed: Duration) {
        let used = |a: Option<f64>, b: Option<f64>| Some(b? - a?);
        let wall = elapsed.as_secs_f64();
        if let Some(server) = used(self.server, after.server) {
            println!(
                "server CPU {server:.2} s over {wall:.2} s of firing ({:.0}% of its core): {:.0} verified requests per server CPU-second, {:.1} µs of server CPU per verified request",
                100.0 * server / wall,
                verified as f64 / server,
                1e6 * server / verified.max(1) as f64,
            );
        }
        let redis = used(self.redis, after.redis);
        if let Some(redis) = redis {
            println!(
                "redis-server CPU {redis:.2} s ({:.1} µs per request)",
                1e6 * redis / verified.max(1) as f64
            );
        }
        if let Some(load) = used(self.load_generator, after.load_generator) {
            println!(
                "load generator CPU {load:.2} s{}",
                match redis {
                    Some(r) => format!(
                        "; with redis-server {:.0}% of the load core",
                        100.0 * (load + r) / wall
                    ),
                    None => format!(" ({:.0}% of the load core)", 100.0 * load / wall),
                }
            );
        }
    }
}

/// Answers other than 200: a 503 is the server failing closed (its replay cache could not answer);
/// a refusal once the token's `exp` plus the server's default skew has passed is the load
/// generator's doing (on a slow machine pre-signing can outlast the 55 s lifetime); anything else
/// is a wrong answer (every request is valid and sent once).
#[derive(Clone, Copy, Default)]
struct Refusals {
    unavailable: usize,
    expired: usize,
    wrong: usize,
}

impl Refusals {
    /// Counts an answer with `status` to a request whose token expires at `exp`.
    fn count(&mut self, status: u16, exp: u64) {
        match status {
            200 => {}
            503 => self.unavailable += 1,
            _ if now_unix_ms() / 1000 >= (exp + u64::from(DEFAULT_CLOCK_SKEW_SECS)) as i64 => {
                self.expired += 1
            }
            _ => self.wrong += 1,
        }
    }

    fn add(&mut self, other: Refusals) {
        self.unavailable += other.unavailable;
        self.expired += other.expired;
        self.wrong += other.wrong;
    }
}

/// Sends requests taken from `next` over one keep-alive connection; returns latencies and refusals.
async fn connection(
    addr: String,
    next: Arc<dyn Fn() -> Option<Signed> + Send + Sync>,
    stop: Arc<AtomicBool>,
) -> (Vec<Duration>, Refusals) {
    let stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect to the server");
    stream.set_nodelay(true).ok();
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .expect("HTTP/1.1 handshake");
    tokio::spawn(conn);
    let mut latencies = Vec::new();
    let mut errors = Refusals::default();
    while !stop.load(Ordering::Relaxed) {
        let Some(signed) = next() else { break };
        let request = Request::get(&signed.target)
            .header("host", &addr)
            .header("x-api-key", &signed.api_key)
            .header("authorization", &signed.authorization)
            .body(Empty::<Bytes>::new())
            .expect("valid request");
        let started = Instant::now();
        if sender.ready().await.is_err() {
            errors.wrong += 1;
            break;
        }
        match sender.send_request(request).await {
            Ok(response) => {
                let status = response.status().as_u16();
                let _ = response.into_body().collect().await;
                latencies.push(started.elapsed());
                errors.count(status, signed.exp);
            }
            Err(_) => {
                errors.wrong += 1;
                break;
            }
        }
    }
    (latencies, errors)
}

async fn fire(
    args: &Args,
    next: Arc<dyn Fn() -> Option<Signed> + Send + Sync>,
    stop: Arc<AtomicBool>,
) -> (Vec<Duration>, Refusals, Duration) {
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| tokio::spawn(connection(args.addr.clone(), next.clone(), stop.clone())))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = Refusals::default();
    for task in tasks {
        let (l, e) = task.await.expect("connection task");
        latencies.extend(l);
        errors.add(e);
    }
    (latencies, errors, started.elapsed())
}

/// One keep-alive connection of the spinning load generator.
struct SpinConnection {
    stream: std::net::TcpStream,
    /// The request being written, and how much of it is written.
    out: Vec<u8>,
    written: usize,
    /// The response read so far.
    response: Vec<u8>,
    started: Instant,
    /// The in-flight request's token expiry, Unix seconds.
    exp: u64,
    /// A request is in flight.
    busy: bool,
    /// The queue ran dry while this connection was idle: it sends nothing more.
    finished: bool,
}

/// `fire` without a runtime: one thread, non-blocking sockets polled in turn, yielding the core
/// (to redis-server, which shares it) when a pass found nothing to do.
fn fire_spinning(
    args: &Args,
    next: &(dyn Fn() -> Option<Signed> + Sync),
) -> (Vec<Duration>, Refusals, Duration) {
    use std::io::{ErrorKind, Read, Write};
    let mut connections: Vec<SpinConnection> = (0..args.connections)
        .map(|_| {
            let stream = std::net::TcpStream::connect(&args.addr).expect("connect to the server");
            stream.set_nodelay(true).ok();
            stream.set_nonblocking(true).expect("non-blocking socket");
            SpinConnection {
                stream,
                out: Vec::new(),
                written: 0,
                response: Vec::new(),
                started: Instant::now(),
                exp: 0,
                busy: false,
                finished: false,
            }
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = Refusals::default();
    let mut buffer = [0u8; 16 * 1024];
    let started = Instant::now();
    while connections.iter().any(|c| !c.finished) {
        let mut progressed = false;
        for c in connections.iter_mut().filter(|c| !c.finished) {
            if !c.busy {
                let Some(signed) = next() else {
                    c.finished = true;
                    continue;
                };
                c.out.clear();
                c.out.extend_from_slice(
                    format!(
                        "GET {} HTTP/1.1\r\nhost: {}\r\nx-api-key: {}\r\nauthorization: {}\r\n\r\n",
                        signed.target, args.addr, signed.api_key, signed.authorization
                    )
                    .as_bytes(),
                );
                c.written = 0;
                c.response.clear();
                c.started = Instant::now();
                c.exp = signed.exp;
                c.busy = true;
            }
            while c.written < c.out.len() {
                match c.stream.write(&c.out[c.written..]) {
                    Ok(n) => {
                        c.written += n;
                        progressed = true;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("writing to the server: {e}"),
                }
            }
            if c.written < c.out.len() {
                continue;
            }
            match c.stream.read(&mut buffer) {
                Ok(0) => panic!("the server closed a keep-alive connection"),
                Ok(n) => {
                    c.response.extend_from_slice(&buffer[..n]);
                    progressed = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(e) => panic!("reading from the server: {e}"),
            }
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut head = httparse::Response::new(&mut headers);
            let Ok(httparse::Status::Complete(head_len)) = head.parse(&c.response) else {
                continue;
            };
            let body_len = head
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.parse::<usize>().ok())
                .expect("a response with content-length");
            if c.response.len() < head_len + body_len {
                continue;
            }
            latencies.push(c.started.elapsed());
            match head.code {
                Some(status) => errors.count(status, c.exp),
                None => errors.wrong += 1,
            }
            c.busy = false;
        }
        if !progressed {
            std::thread::yield_now();
        }
    }
    (latencies, errors, started.elapsed())
}

/// Prints the run's rate and latencies; returns the number of verified requests.
fn report(label: &str, mut latencies: Vec<Duration>, errors: Refusals, elapsed: Duration) -> usize {
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let refused = errors.unavailable + errors.expired + errors.wrong;
    let verified = latencies.len() - refused.min(latencies.len());
    if errors.expired > 0 {
        eprintln!(
            "{label}: {} tokens had expired when they were answered (pre-signed too long before): \
             not counted as verified; fewer --requests on a machine this slow",
            errors.expired
        );
    }
    println!(
        "{label}: {} requests in {:.2}s, {} verified = {:.0} verified req/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} refused 503 (fail closed), {} refused as expired (pre-signed too early), {} wrong answers",
        latencies.len(),
        elapsed.as_secs_f64(),
        verified,
        verified as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        errors.unavailable,
        errors.expired,
        errors.wrong,
    );
    verified
}

fn main() {
    let args = Args::parse();
    let key = Arc::new(PrivateKey::from_file(&args.key, None).expect("readable private key"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match args.mode {
        Mode::Throughput => {
            let signer = Signer::new(key, &args.api_key).expect("signer");
            let started = Instant::now();
            let per_thread = args.requests.div_ceil(args.signers.max(1));
            let signed: Vec<Signed> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..args.signers.max(1))
                    .map(|t| {
                        let signer = &signer;
                        s.spawn(move || {
                            (t * per_thread..((t + 1) * per_thread).min(args.requests))
                                .map(|i| sign_one(signer, i))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().expect("signer thread"))
                    .collect()
            });
            eprintln!(
                "pre-signed {} requests in {:.1?}",
                signed.len(),
                started.elapsed()
            );
            let queue = Arc::new(Mutex::new(VecDeque::from(signed)));
            let next: Arc<dyn Fn() -> Option<Signed> + Send + Sync> =
                Arc::new(move || queue.lock().expect("queue").pop_front());
            let cpu_before = CpuUse::now(&args);
            let (latencies, errors, elapsed) = if args.spin {
                fire_spinning(&args, &*next)
            } else {
                runtime.block_on(fire(&args, next, Arc::new(AtomicBool::new(false))))
            };
            let cpu_after = CpuUse::now(&args);
            let verified = report("throughput", latencies, errors, elapsed);
            cpu_before.report(&cpu_after, verified, elapsed);
        }
        Mode::Soak => {
            let options = SignerOptions {
                lifetime_secs: args.lifetime,
                ..SignerOptions::default()
            };
            let signer =
                Arc::new(Signer::with_options(key, &args.api_key, options).expect("signer"));
            let queue = Arc::new(Mutex::new(VecDeque::<Signed>::new()));
            let stop = Arc::new(AtomicBool::new(false));
            let counter = Arc::new(AtomicUsize::new(0));
            let signers: Vec<_> = (0..args.signers.max(1))
                .map(|_| {
                    let (signer, queue, stop, counter) =
                        (signer.clone(), queue.clone(), stop.clone(), counter.clone());
                    std::thread::spawn(move || {
                        while !stop.load(Ordering::Relaxed) {
                            if queue.lock().expect("queue").len() > 2_000 {
                                std::thread::sleep(Duration::from_millis(2));
                                continue;
                            }
                            let signed = sign_one(&signer, counter.fetch_add(1, Ordering::Relaxed));
                            queue.lock().expect("queue").push_back(signed);
                        }
                    })
                })
                .collect();
            let sampler = args.server_pid.map(|pid| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let started = Instant::now();
                    let mut samples = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        if let Some(kib) = vm_rss_kib(pid) {
                            samples.push((started.elapsed().as_secs(), kib));
                        }
                        std::thread::sleep(Duration::from_secs(5));
                    }
                    samples
                })
            });
            let next_queue = queue.clone();
            let wait_stop = stop.clone();
            let next: Arc<dyn Fn() -> Option<Signed> + Send + Sync> = Arc::new(move || loop {
                if let Some(s) = next_queue.lock().expect("queue").pop_front() {
                    return Some(s);
                }
                if wait_stop.load(Ordering::Relaxed) {
                    return None;
                }
                std::thread::sleep(Duration::from_micros(200));
            });
            let timer = {
                let stop = stop.clone();
                let seconds = args.seconds;
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_secs(seconds));
                    stop.store(true, Ordering::Relaxed);
                })
            };
            let (latencies, errors, elapsed) = runtime.block_on(fire(&args, next, stop.clone()));
            timer.join().expect("timer");
            for s in signers {
                s.join().expect("signer thread");
            }
            report("soak", latencies, errors, elapsed);
            if let Some(sampler) = sampler {
                let samples = sampler.join().expect("sampler");
                let line: Vec<String> = samples
                    .iter()
                    .map(|(t, kib)| format!("{t}s:{:.1}", *kib as f64 / 1024.0))
                    .collect();
                println!("server VmRSS MiB over the soak: {}", line.join(" "));
            }
        }
    }
}
