//! `nuvera-sign serve` instances sharing a real `redis-server` as their replay cache (contract
//! §9): replays across instances, Redis stopped mid-load, restarted, and paused.
#![cfg(feature = "redis")]

#[path = "../../core/tests/common/redis_server.rs"]
mod redis_server;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nuvera_signing::{Body, PrivateKey, Signer};
use redis_server::{open_connections, RedisServer};
use serde_json::Value;

const API_KEY: &str = "nv_live_3f9a2c7d1e";
const TARGET: &str = "/api/v1/customers?limit=1";
/// Far above every timeout configured here, so the bound cannot flake on a loaded machine; the
/// latencies themselves are measured by bench/server.sh.
const GENEROUS: Duration = Duration::from_secs(5);

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

fn signer() -> Signer {
    let key = PrivateKey::from_file(testdata("keys/test-rsa2048-pkcs8.pem"), None).unwrap();
    Signer::new(Arc::new(key), API_KEY).unwrap()
}

/// A registry file with one application; `replay_cache` becomes its `replayCache` table.
fn write_registry(dir: &Path, replay_cache: Option<&str>) -> PathBuf {
    let mut text = String::new();
    if let Some(table) = replay_cache {
        text.push_str(&format!("replayCache = {table}\n\n"));
    }
    text.push_str(&format!(
        "[[applications]]\nname = \"Acme\"\npermissions = [\"CUSTOMERS_READ\"]\napiKeys = [{{ key = \"{API_KEY}\" }}]\npublicKeys = [{{ file = \"{}\" }}]\n",
        testdata("keys/test-rsa2048-public.pem").display()
    ));
    let path = dir.join("registry.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A running `nuvera-sign serve`; killed when dropped.
struct Server {
    child: Child,
    base: String,
    banner: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(replay_cache_in_file: Option<&str>, extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let registry = write_registry(dir.path(), replay_cache_in_file);
        let mut child = Command::new(env!("CARGO_BIN_EXE_nuvera-sign"))
            .args(["serve", "--quiet", "--listen", "127.0.0.1:0", "--registry"])
            .arg(&registry)
            .args(extra)
            .env_remove("NUVERA_REPLAY_CACHE")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (mut first, mut second) = (String::new(), String::new());
        out.read_line(&mut first).unwrap();
        out.read_line(&mut second).unwrap();
        let base = first.trim().rsplit(' ').next().unwrap().to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{first}");
        Server {
            child,
            base,
            banner: format!("{first}{second}"),
            _dir: dir,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn alive(&self) -> bool {
        let (status, _) = get(&agent(), &format!("{}/healthz", self.base), None);
        status == 200
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// GET with the given signed headers; (status, `errors[0].code` if any).
fn get(agent: &ureq::Agent, url: &str, headers: Option<(String, String)>) -> (u16, Option<String>) {
    let mut request = agent.get(url);
    if let Some((api_key, authorization)) = headers {
        request = request
            .header("x-api-key", api_key)
            .header("authorization", authorization);
    }
    let mut response = request.call().expect("the server answers");
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    let code = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["errors"][0]["code"].as_str().map(str::to_owned));
    (status, code)
}

fn signed_headers(signer: &Signer, base: &str) -> (String, String) {
    let signed = signer
        .sign("GET", &format!("{base}{TARGET}"), Body::Empty)
        .unwrap();
    (signed.api_key().to_owned(), signed.authorization())
}

#[test]
fn a_token_accepted_by_one_instance_is_a_replay_at_another() {
    let redis = RedisServer::start(&[]);
    // One instance names the cache on the command line, the other in its registry file.
    let a = Server::start(
        None,
        &[
            "--replay-cache",
            &redis.url(),
            "--replay-cache-timeout-ms",
            "3000",
        ],
    );
    let b = Server::start(
        Some(&format!(
            "{{ url = \"{}\", timeoutMs = 3000 }}",
            redis.url()
        )),
        &[],
    );
    assert!(a.banner.contains(&redis.url()), "{}", a.banner);
    assert!(b.banner.contains(&redis.url()), "{}", b.banner);
    let signer = signer();
    let agent = agent();
    // The token is signed for the path and query only, so it is valid at either instance.
    let headers = signed_headers(&signer, "");
    assert_eq!(
        get(
            &agent,
            &format!("{}{TARGET}", a.base),
            Some(headers.clone())
        ),
        (200, None)
    );
    assert_eq!(
        get(
            &agent,
            &format!("{}{TARGET}", b.base),
            Some(headers.clone())
        ),
        (401, Some("AUTH_REPLAYED_JTI".to_owned()))
    );
    assert_eq!(
        get(&agent, &format!("{}{TARGET}", a.base), Some(headers)),
        (401, Some("AUTH_REPLAYED_JTI".to_owned()))
    );
    // And the other way round.
    let headers = signed_headers(&signer, "");
    assert_eq!(
        get(
            &agent,
            &format!("{}{TARGET}", b.base),
            Some(headers.clone())
        ),
        (200, None)
    );
    assert_eq!(
        get(&agent, &format!("{}{TARGET}", a.base), Some(headers)),
        (401, Some("AUTH_REPLAYED_JTI".to_owned()))
    );
    assert_eq!(redis.cli(&["DBSIZE"]), "2");
}

/// What the load threads saw, by the phase in which each request was sent.
#[derive(Default)]
struct Tally {
    up: Vec<(u16, Option<String>)>,
    down: Vec<(u16, Option<String>, Duration)>,
    back: Vec<(u16, Option<String>)>,
}

#[test]
fn redis_stopped_mid_load_fails_closed_and_service_resumes_after_a_restart() {
    let mut redis = RedisServer::start(&[]);
    let server = Server::start(
        None,
        &[
            "--replay-cache",
            &redis.url(),
            "--replay-cache-timeout-ms",
            "3000",
        ],
    );
    const UP: usize = 0;
    const DOWN: usize = 1;
    const BACK: usize = 2;
    // Phase changes happen between requests: `changing` holds senders back while Redis is
    // being stopped or restarted, so every request belongs to exactly one phase.
    let phase = Arc::new(AtomicUsize::new(UP));
    let changing = Arc::new(std::sync::RwLock::new(()));
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let base = server.base.clone();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (phase, changing, stop, tally, base) = (
                phase.clone(),
                changing.clone(),
                stop.clone(),
                tally.clone(),
                base.clone(),
            );
            std::thread::spawn(move || {
                let signer = signer();
                let agent = agent();
                while !stop.load(Ordering::Relaxed) {
                    let headers = signed_headers(&signer, "");
                    let _held = changing.read().unwrap();
                    let sent_in = phase.load(Ordering::SeqCst);
                    let started = Instant::now();
                    let (status, code) = get(&agent, &format!("{base}{TARGET}"), Some(headers));
                    let took = started.elapsed();
                    let mut t = tally.lock().unwrap();
                    match sent_in {
                        UP => t.up.push((status, code)),
                        DOWN => t.down.push((status, code, took)),
                        _ => t.back.push((status, code)),
                    }
                }
            })
        })
        .collect();
    let wait_for = |n: usize, which: fn(&Tally) -> usize| {
        let started = Instant::now();
        while which(&tally.lock().unwrap()) < n {
            assert!(started.elapsed() < Duration::from_secs(60), "load stalled");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for(20, |t| t.up.len());
    {
        let _exclusive = changing.write().unwrap();
        redis.stop();
        phase.store(DOWN, Ordering::SeqCst);
    }
    wait_for(40, |t| t.down.len());
    assert!(
        server.alive(),
        "the server answers its health check while Redis is down"
    );
    {
        let _exclusive = changing.write().unwrap();
        redis.restart();
        phase.store(BACK, Ordering::SeqCst);
    }
    wait_for(20, |t| t.back.len());
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let t = tally.lock().unwrap();
    assert!(t.up.iter().all(|r| *r == (200, None)), "{:?}", t.up);
    for (status, code, took) in &t.down {
        assert_eq!(
            (*status, code.as_deref()),
            (503, Some("AUTH_REPLAY_CACHE_UNAVAILABLE")),
            "no request is accepted while its jti cannot be recorded"
        );
        assert!(*took < GENEROUS, "{took:?}");
    }
    assert!(t.back.iter().all(|r| *r == (200, None)), "{:?}", t.back);
    assert!(server.alive());
}

/// Pauses Redis under 24 concurrent requests: every one is answered 503
/// AUTH_REPLAY_CACHE_UNAVAILABLE in time, the server stays alive, it never holds more connections
/// to Redis than its bound, and service resumes with Redis.
#[test]
fn a_paused_redis_fails_closed_without_piling_up_connections_past_the_bound() {
    let redis = RedisServer::start(&[]);
    let max_connections = 3;
    // Each connection is held for the whole timeout while Redis is paused: one second gives the
    // probe below ample samples of them even when the machine is busy with other work.
    let server = Server::start(
        None,
        &[
            "--replay-cache",
            &redis.url(),
            "--replay-cache-timeout-ms",
            "1000",
            "--replay-cache-max-connections",
            &max_connections.to_string(),
        ],
    );
    let signer = signer();
    let url = format!("{}{TARGET}", server.base);
    assert_eq!(
        get(&agent(), &url, Some(signed_headers(&signer, ""))),
        (200, None)
    );
    redis.pause();
    let requests: Vec<_> = (0..24)
        .map(|_| {
            let headers = signed_headers(&signer, "");
            let url = url.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                let answer = get(&agent(), &url, Some(headers));
                (answer, started.elapsed())
            })
        })
        .collect();
    let mut most = 0;
    let mut health_checked = false;
    while !requests.iter().all(|r| r.is_finished()) {
        most = most.max(open_connections(server.pid(), redis.port()));
        if !health_checked {
            // While requests wait on the paused store, the server still serves other routes.
            assert!(server.alive());
            health_checked = true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    for r in requests {
        let ((status, code), took) = r.join().unwrap();
        assert_eq!(
            (status, code.as_deref()),
            (503, Some("AUTH_REPLAY_CACHE_UNAVAILABLE"))
        );
        assert!(took < GENEROUS, "{took:?}");
    }
    // The probe does see connections to the paused store (it is not vacuously under the bound).
    assert!(most >= 1);
    assert!(
        most <= max_connections,
        "{most} connections to Redis at once, bound {max_connections}"
    );
    redis.resume();
    // The resumed server first works through what was queued while it was paused.
    let started = Instant::now();
    loop {
        let answer = get(&agent(), &url, Some(signed_headers(&signer, "")));
        if answer == (200, None) {
            break;
        }
        assert_eq!(answer.1.as_deref(), Some("AUTH_REPLAY_CACHE_UNAVAILABLE"));
        assert!(started.elapsed() < GENEROUS, "service did not resume");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn flags_are_checked_before_serving() {
    let output = Command::new(env!("CARGO_BIN_EXE_nuvera-sign"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--replay-cache",
            "http://user:s3cret-pw@cache:6379",
        ])
        .env_remove("NUVERA_REPLAY_CACHE")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("INVALID_ARGUMENT"), "{stderr}");
    assert!(!stderr.contains("s3cret-pw"), "{stderr}");
}
