//! End to end: `nuvera-sign serve` on an ephemeral loopback port, real HTTP requests (a Rust HTTP
//! client and the CLI's curl path), and one request for each refusal code of contract §6.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use nuvera_signing::{Body, BodyHash, MultipartForm, PrivateKey, Signer};
use serde_json::{json, Value};

const API_KEY: &str = "nv_live_3f9a2c7d1e";
const REVOKED_KEY: &str = "nv_live_revoked_0001";
const DISABLED_KEY: &str = "nv_live_disabled_0001";
const READ_ONLY_KEY: &str = "nv_live_readonly_0001";

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

fn key() -> PrivateKey {
    PrivateKey::from_file(testdata("keys/test-rsa2048-pkcs8.pem"), None).unwrap()
}

fn write_registry(dir: &Path) -> PathBuf {
    let public = testdata("keys/test-rsa2048-public.pem");
    let app = |name: &str, keys: &str, perms: &str, enabled: bool| {
        format!(
            "[[applications]]\nname = \"{name}\"\nenabled = {enabled}\npermissions = [{perms}]\napiKeys = [{keys}]\npublicKeys = [{{ file = \"{}\" }}]\n",
            public.display()
        )
    };
    let text = [
        app(
            "Acme",
            &format!(
                "{{ key = \"{API_KEY}\" }}, {{ key = \"{REVOKED_KEY}\", status = \"revoked\" }}"
            ),
            "\"CUSTOMERS_READ\", \"CUSTOMERS_WRITE\", \"DOCUMENTS_WRITE\"",
            true,
        ),
        app(
            "Dormant",
            &format!("{{ key = \"{DISABLED_KEY}\" }}"),
            "\"CUSTOMERS_READ\"",
            false,
        ),
        app(
            "Reporting",
            &format!("{{ key = \"{READ_ONLY_KEY}\" }}"),
            "\"CUSTOMERS_READ\"",
            true,
        ),
    ]
    .join("\n");
    let path = dir.join("registry.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A running `nuvera-sign serve`; killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let registry = write_registry(dir.path());
        let log = dir.path().join("server.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_nuvera-sign"))
            .args(["serve", "--listen", "127.0.0.1:0", "--registry"])
            .arg(&registry)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let base = first.trim().rsplit(' ').next().unwrap().to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{first}");
        Server {
            child,
            base,
            log,
            _dir: dir,
        }
    }

    fn url(&self, target: &str) -> String {
        format!("{}{target}", self.base)
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
        .build()
        .into()
}

/// Sends a request and returns (status, JSON body).
fn send(url: &str, method: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> (u16, Value) {
    let agent = agent();
    let mut response = match method {
        "GET" => {
            let mut r = agent.get(url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.call().unwrap()
        }
        "POST" => {
            let mut r = agent.post(url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.send(body.unwrap_or(b"")).unwrap()
        }
        other => panic!("unsupported method {other}"),
    };
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A correctly signed token whose header and claims are exactly these.
fn token(header: &str, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key().sign_rs256(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

const HEADER: &str = r#"{"alg":"RS256","typ":"JWT"}"#;

fn claims(sub: &str, method: &str, uri: &str, body: &[u8]) -> Value {
    let iat = now();
    json!({"iss":"nuvera-api","aud":"nuvera-rest-api","sub":sub,"method":method,"uri":uri,
           "bodyHash":BodyHash::of_bytes(body).as_str(),"iat":iat,"exp":iat+55,
           "jti":nuvera_signing::JtiSource::next_jti(&nuvera_signing::RandomJti)})
}

#[test]
fn signed_requests_are_served() {
    let server = Server::start(&[]);
    let signer = Signer::new(key(), API_KEY).unwrap();
    assert_eq!(send(&server.url("/healthz"), "GET", &[], None).0, 200);

    // JSON POST.
    let body = br#"{"companyName":"Acme Imports","registrationNumber":"ACME-123"}"#;
    let url = server.url("/api/v1/customers");
    let signed = signer.sign("POST", &url, Body::Bytes(body)).unwrap();
    let [(k, kv), (a, av)] = signed.headers();
    let (status, created) = send(
        &url,
        "POST",
        &[(k, &kv), (a, &av), ("Content-Type", "application/json")],
        Some(body),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["companyName"], "Acme Imports");

    // GET with a query, and by id.
    for target in [
        "/api/v1/customers?limit=20&offset=0".to_owned(),
        format!("/api/v1/customers/{id}"),
    ] {
        let url = server.url(&target);
        let signed = signer.sign("GET", &url, Body::Empty).unwrap();
        let [(k, kv), (a, av)] = signed.headers();
        let (status, got) = send(&url, "GET", &[(k, &kv), (a, &av)], None);
        assert_eq!(status, 200, "{target}: {got}");
        assert!(got.to_string().contains(&id));
    }

    // Multipart with two files and a repeated field.
    let mut form = MultipartForm::new();
    form.add_field("customerId", &id)
        .unwrap()
        .add_field("tag", "kyc")
        .unwrap()
        .add_field("tag", "2026")
        .unwrap();
    form.add_file_bytes(
        "file",
        "passport.png",
        vec![0x89, b'P', b'N', b'G', 0, 1, 2],
        Some("image/png"),
    )
    .unwrap();
    form.add_file_bytes(
        "file",
        "cert.pdf",
        b"%PDF-1.4\r\n--x\r\n".to_vec(),
        Some("application/pdf"),
    )
    .unwrap();
    let (wire, canonical) = form.to_bytes().unwrap();
    let url = server.url("/api/v1/documents");
    let signed = signer
        .sign("POST", &url, Body::Canonical(canonical.clone()))
        .unwrap();
    let [(k, kv), (a, av)] = signed.headers();
    let ct = form.content_type();
    let (status, doc) = send(
        &url,
        "POST",
        &[(k, &kv), (a, &av), ("Content-Type", &ct)],
        Some(&wire),
    );
    assert_eq!(status, 201, "{doc}");
    assert_eq!(
        doc["files"],
        serde_json::to_value(canonical.files()).unwrap()
    );
    assert_eq!(
        doc["fields"],
        serde_json::to_value(canonical.fields()).unwrap()
    );

    // The CLI's curl path.
    let out = Command::new(env!("CARGO_BIN_EXE_nuvera-sign"))
        .env("NUVERA_API_KEY", API_KEY)
        .env(
            "NUVERA_PRIVATE_KEY_FILE",
            testdata("keys/test-rsa2048-pkcs8.pem"),
        )
        .args([
            "curl",
            "--exec",
            "-X",
            "POST",
            "--url",
            &server.url("/api/v1/customers"),
            "--body",
            r#"{"companyName":"Via curl"}"#,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["companyName"], "Via curl");
    let out = Command::new(env!("CARGO_BIN_EXE_nuvera-sign"))
        .env("NUVERA_API_KEY", API_KEY)
        .env(
            "NUVERA_PRIVATE_KEY_FILE",
            testdata("keys/test-rsa2048-pkcs8.pem"),
        )
        .args([
            "curl",
            "--exec",
            "-X",
            "POST",
            "--url",
            &server.url("/api/v1/documents"),
            "--form",
            "customerId=c_1",
        ])
        .args([
            "--file",
            &format!(
                "file={};type=application/x-pem-file",
                testdata("keys/test-rsa2048-public.pem").display()
            ),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["files"][0]["fileName"], "test-rsa2048-public.pem");

    // One structured log line per request, never the API key or a token.
    let log = std::fs::read_to_string(&server.log).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 7, "{log}");
    assert!(lines
        .iter()
        .any(|l| l["uri"] == "/api/v1/documents" && l["status"] == 201 && l["key"] == "****7d1e"));
    assert!(lines.iter().all(|l| l["latencyMs"].is_number()));
    assert!(!log.contains(API_KEY) && !log.contains("eyJ"), "{log}");
}

#[test]
fn every_refusal_code_is_answered_exactly() {
    let server = Server::start(&[]);
    let url = server.url("/api/v1/customers");
    let body = br#"{"companyName":"Acme"}"#;
    let valid = claims(API_KEY, "POST", "/api/v1/customers", body);
    let with = |changes: &[(&str, Value)]| {
        let mut c = valid.clone();
        c["jti"] = json!(nuvera_signing::JtiSource::next_jti(
            &nuvera_signing::RandomJti
        ));
        for (k, v) in changes {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(*k);
            } else {
                c[*k] = v.clone();
            }
        }
        token(HEADER, &c)
    };
    let t = now();
    let replayed = with(&[]);
    let tampered = {
        let good = with(&[]);
        let (input, _) = good.rsplit_once('.').unwrap();
        let other = with(&[("iss", json!("x"))]);
        format!("{input}.{}", other.rsplit_once('.').unwrap().1)
    };
    let hs256 = format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
        URL_SAFE_NO_PAD.encode(valid.to_string())
    );
    let cases: Vec<(&str, Option<&str>, Option<String>, u16)> = vec![
        (
            "AUTH_MISSING_HEADER",
            None,
            Some(format!("Bearer {}", with(&[]))),
            401,
        ),
        (
            "AUTH_INVALID_HEADER",
            Some(API_KEY),
            Some("Token abc".into()),
            401,
        ),
        (
            "AUTH_INVALID_API_KEY",
            Some("nv_live_nobody"),
            Some(format!("Bearer {}", with(&[]))),
            401,
        ),
        (
            "AUTH_API_KEY_REVOKED",
            Some(REVOKED_KEY),
            Some(format!("Bearer {}", with(&[]))),
            401,
        ),
        (
            "AUTH_APPLICATION_DISABLED",
            Some(DISABLED_KEY),
            Some(format!("Bearer {}", with(&[]))),
            401,
        ),
        (
            "AUTH_TOKEN_MALFORMED",
            Some(API_KEY),
            Some(format!("Bearer {}", token("not json", &valid))),
            401,
        ),
        (
            "AUTH_UNSUPPORTED_ALG",
            Some(API_KEY),
            Some(format!("Bearer {hs256}")),
            401,
        ),
        (
            "AUTH_SIGNATURE_MISMATCH",
            Some(API_KEY),
            Some(format!("Bearer {tampered}")),
            401,
        ),
        (
            "AUTH_MISSING_CLAIM",
            Some(API_KEY),
            Some(format!("Bearer {}", with(&[("jti", Value::Null)]))),
            401,
        ),
        (
            "AUTH_INVALID_ISSUER",
            Some(API_KEY),
            Some(format!("Bearer {}", with(&[("iss", json!("nuvera"))]))),
            401,
        ),
        (
            "AUTH_INVALID_AUDIENCE",
            Some(API_KEY),
            Some(format!("Bearer {}", with(&[("aud", json!("x"))]))),
            401,
        ),
        (
            "AUTH_SUBJECT_MISMATCH",
            Some(API_KEY),
            Some(format!("Bearer {}", with(&[("sub", json!(READ_ONLY_KEY))]))),
            401,
        ),
        (
            "AUTH_METHOD_MISMATCH",
            Some(API_KEY),
            Some(format!("Bearer {}", with(&[("method", json!("GET"))]))),
            401,
        ),
        (
            "AUTH_URI_MISMATCH",
            Some(API_KEY),
            Some(format!(
                "Bearer {}",
                with(&[("uri", json!("/api/v1/customers?x=1"))])
            )),
            401,
        ),
        (
            "AUTH_BODY_HASH_MISMATCH",
            Some(API_KEY),
            Some(format!(
                "Bearer {}",
                with(&[("bodyHash", json!(BodyHash::empty().as_str()))])
            )),
            401,
        ),
        (
            "AUTH_LIFETIME_TOO_LONG",
            Some(API_KEY),
            Some(format!("Bearer {}", with(&[("exp", json!(t + 3600))]))),
            401,
        ),
        (
            "AUTH_TOKEN_NOT_YET_VALID",
            Some(API_KEY),
            Some(format!(
                "Bearer {}",
                with(&[("iat", json!(t + 30)), ("exp", json!(t + 80))])
            )),
            401,
        ),
        (
            "AUTH_TOKEN_EXPIRED",
            Some(API_KEY),
            Some(format!(
                "Bearer {}",
                with(&[("iat", json!(t - 120)), ("exp", json!(t - 65))])
            )),
            401,
        ),
        (
            "AUTH_PERMISSION_DENIED",
            Some(READ_ONLY_KEY),
            Some(format!("Bearer {}", with(&[("sub", json!(READ_ONLY_KEY))]))),
            403,
        ),
    ];
    for (code, api_key, authorization, status) in cases {
        let mut headers: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
        if let Some(k) = api_key {
            headers.push(("x-api-key", k));
        }
        if let Some(a) = &authorization {
            headers.push(("Authorization", a));
        }
        let (got_status, reply) = send(&url, "POST", &headers, Some(body));
        assert_eq!(reply["errors"][0]["code"], code, "{reply}");
        assert_eq!(got_status, status, "{code}");
        assert!(reply["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    // Replay: the first use is accepted, the second refused.
    let auth = format!("Bearer {replayed}");
    let headers = [
        ("x-api-key", API_KEY),
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    assert_eq!(send(&url, "POST", &headers, Some(body)).0, 201);
    let (status, reply) = send(&url, "POST", &headers, Some(body));
    assert_eq!(
        (status, reply["errors"][0]["code"].as_str()),
        (401, Some("AUTH_REPLAYED_JTI"))
    );
}

#[test]
fn bodies_over_the_limit_get_413_and_garbage_multipart_is_refused() {
    let server = Server::start(&["--max-body-bytes", "65536"]);
    let url = server.url("/api/v1/customers");
    let big = vec![b'x'; 100_000];
    let signer = Signer::new(key(), API_KEY).unwrap();
    let signed = signer.sign("POST", &url, Body::Bytes(&big)).unwrap();
    let [(k, kv), (a, av)] = signed.headers();
    let (status, reply) = send(&url, "POST", &[(k, &kv), (a, &av)], Some(&big));
    assert_eq!(
        (status, reply["errors"][0]["code"].as_str()),
        (413, Some("PAYLOAD_TOO_LARGE"))
    );

    let url = server.url("/api/v1/documents");
    let garbage = b"--b\r\nno headers here";
    let signed = signer.sign("POST", &url, Body::Bytes(garbage)).unwrap();
    let [(k, kv), (a, av)] = signed.headers();
    let (status, reply) = send(
        &url,
        "POST",
        &[
            (k, &kv),
            (a, &av),
            ("Content-Type", "multipart/form-data; boundary=b"),
        ],
        Some(garbage),
    );
    assert_eq!(
        (status, reply["errors"][0]["code"].as_str()),
        (401, Some("AUTH_BODY_HASH_MISMATCH"))
    );
}

#[cfg(unix)]
#[test]
fn sigterm_shuts_the_server_down_gracefully() {
    let mut server = Server::start(&[]);
    assert_eq!(send(&server.url("/healthz"), "GET", &[], None).0, 200);
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            assert!(exit.success(), "{exit}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(std::fs::read_to_string(&server.log)
        .unwrap()
        .contains("\"event\":\"shutdown\""));
}

#[test]
fn demo_shows_the_whole_product() {
    let out = Command::new(env!("CARGO_BIN_EXE_nuvera-sign"))
        .arg("demo")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.matches("✓").count(), 4, "{text}");
    assert!(
        text.contains("→ 401")
            && text.contains("AUTH_BODY_HASH_MISMATCH")
            && text.contains("pretty-printed")
    );
    assert!(
        text.contains("minified JSON"),
        "the explain report names the mistake: {text}"
    );
}

// ---- Issue 13: a server works on nothing unauthenticated ----

/// The server process's peak resident memory so far, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap()
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap()
}

/// Sends `head` in one write, then up to `body_bytes` of body in 64 KiB writes (stopping at the
/// first failed write: the server may close the connection), and returns the response's status
/// and JSON body, read while the body is being sent.
fn raw_exchange(base: &str, head: &str, body_bytes: usize) -> (u16, Value) {
    use std::io::Write;
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let reader = stream.try_clone().unwrap();
    let response = std::thread::spawn(move || read_response(reader));
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'{'; 64 * 1024];
    let mut sent = 0;
    while sent < body_bytes {
        let n = chunk.len().min(body_bytes - sent);
        if stream.write_all(&chunk[..n]).is_err() {
            break;
        }
        sent += n;
    }
    let (status, body) = response.join().unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// One HTTP/1.1 response: its status and its body (by Content-Length).
fn read_response(stream: std::net::TcpStream) -> (u16, String) {
    use std::io::Read;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no response: {status_line:?}"));
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[test]
fn anonymous_bodies_are_never_read_so_the_server_stays_flat() {
    let server = Server::start(&[]);
    let pid = server.child.id();
    // Warm up: one verified request, so allocations made once are in the baseline.
    let url = server.url("/api/v1/customers");
    let signer = Signer::new(key(), API_KEY).unwrap();
    let signed = signer.sign("GET", &url, Body::Empty).unwrap();
    let [(k, kv), (a, av)] = signed.headers();
    assert_eq!(send(&url, "GET", &[(k, &kv), (a, &av)], None).0, 200);
    let rss_before = peak_rss_kib(pid);

    // Four anonymous clients at once, each sending a 60 MiB body, JSON and multipart.
    const BODY: usize = 60 * 1024 * 1024;
    let clients: Vec<_> = (0..4)
        .map(|i| {
            let base = server.base.clone();
            std::thread::spawn(move || {
                let content_type = if i % 2 == 0 {
                    "application/json"
                } else {
                    "multipart/form-data; boundary=b"
                };
                let path = if i % 2 == 0 { "customers" } else { "documents" };
                let head = format!(
                    "POST /api/v1/{path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nContent-Length: {BODY}\r\n\r\n"
                );
                raw_exchange(&base, &head, BODY)
            })
        })
        .collect();
    for client in clients {
        let (status, reply) = client.join().unwrap();
        assert_eq!(
            (status, reply["errors"][0]["code"].as_str()),
            (401, Some("AUTH_MISSING_HEADER")),
            "{reply}"
        );
    }
    // §6: an unauthenticated body is not read (at most what hyper's buffer holds), never held.
    let grown_kib = peak_rss_kib(pid) - rss_before;
    assert!(
        grown_kib < 4 * 1024,
        "peak RSS grew {grown_kib} KiB while anonymous clients sent 240 MiB"
    );
}

#[test]
fn a_bad_token_is_answered_without_waiting_for_the_body() {
    let server = Server::start(&[]);
    // A declared 1 MB body that never arrives: the refusal comes from the headers alone (a
    // server waiting for the body would answer 408 after its 60 s body timeout, past the
    // client's 30 s read timeout).
    let head = format!(
        "POST /api/v1/customers HTTP/1.1\r\nHost: x\r\nx-api-key: {API_KEY}\r\nAuthorization: Bearer a.b.c\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
    );
    let (status, reply) = raw_exchange(&server.base, &head, 0);
    assert_eq!(status, 401, "{reply}");
    assert!(
        reply["errors"][0]["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("AUTH_")),
        "{reply}"
    );
}

#[test]
fn no_credentials_and_an_unparseable_multipart_body_is_a_missing_header() {
    let server = Server::start(&[]);
    let garbage = b"--b\r\nno headers here";
    let (status, reply) = send(
        &server.url("/api/v1/documents"),
        "POST",
        &[("Content-Type", "multipart/form-data; boundary=b")],
        Some(garbage),
    );
    assert_eq!(
        (status, reply["errors"][0]["code"].as_str()),
        (401, Some("AUTH_MISSING_HEADER"))
    );
}

#[test]
fn the_header_limit_holds_when_the_head_arrives_in_one_write() {
    let server = Server::start(&[]);
    let head_of = |filler: usize| {
        format!(
            "GET /api/v1/customers HTTP/1.1\r\nHost: x\r\nx-filler: {}\r\n\r\n",
            "a".repeat(filler)
        )
    };
    let (status, _) = raw_exchange(&server.base, &head_of(48 * 1024), 0);
    assert_eq!(status, 431);
    let (status, _) = raw_exchange(&server.base, &head_of(40 * 1024), 0);
    assert_eq!(status, 431);
    // Under the limit, the request is read (and refused for its missing credentials).
    let (status, reply) = raw_exchange(&server.base, &head_of(30 * 1024), 0);
    assert_eq!(
        (status, reply["errors"][0]["code"].as_str()),
        (401, Some("AUTH_MISSING_HEADER"))
    );
}

#[test]
fn a_verified_json_record_over_64_kib_is_stored_as_its_summary() {
    let server = Server::start(&[]);
    let url = server.url("/api/v1/customers");
    let body = format!("{{\"notes\":\"{}\"}}", "n".repeat(1024 * 1024));
    let signer = Signer::new(key(), API_KEY).unwrap();
    let signed = signer
        .sign("POST", &url, Body::Bytes(body.as_bytes()))
        .unwrap();
    let [(k, kv), (a, av)] = signed.headers();
    let (status, reply) = send(&url, "POST", &[(k, &kv), (a, &av)], Some(body.as_bytes()));
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply["size"], body.len());
    assert_eq!(reply["bodyHash"], signed.claims().body_hash);
    assert!(reply.get("notes").is_none());
}

#[test]
fn a_refused_uploader_gets_its_answer_and_an_orderly_close_not_a_reset() {
    use std::io::Write;
    // A client still sending when the refusal comes (as Node's fetch does) must be able to read
    // the answer and finish its write: the server shuts its side first and lingers (not reading
    // past 64 KiB) instead of resetting the connection under the client's feet.
    let server = Server::start(&[]);
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .write_all(
            b"POST /api/v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n",
        )
        .unwrap();
    stream.write_all(&vec![b'{'; 1024 * 1024]).unwrap();
    let (status, reply) = read_response(stream.try_clone().unwrap());
    assert_eq!(
        (status, reply.contains("AUTH_MISSING_HEADER")),
        (401, true),
        "{reply}"
    );
    std::thread::sleep(Duration::from_millis(100));
    stream
        .write_all(&vec![b'{'; 64 * 1024])
        .expect("the connection was reset right after the answer");
}

#[test]
fn answers_that_leave_a_body_unread_close_the_connection() {
    use std::io::{Read, Write};
    // A test-route redirect (and /healthz) answers without reading the body: a client that then
    // reused the connection (Java's HttpClient after a 303 from a POST) found it closed.
    let server = Server::start(&["--test-routes"]);
    let addr = server.base.trim_start_matches("http://").to_owned();
    let head_of = |request: String| {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut reply = Vec::new();
        // The server closes after its answer, so reading to the end terminates.
        let _ = stream.read_to_end(&mut reply);
        String::from_utf8_lossy(&reply).to_ascii_lowercase()
    };
    let body = "{\"companyName\":\"Acme\"}";
    for target in [
        "/__test/redirect?status=303&to=%2Fapi%2Fv1%2Fcustomers",
        "/healthz",
    ] {
        let reply = head_of(format!(
            "POST {target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len() + 10 // more is announced than sent: the body is still on its way
        ));
        let head = reply.split("\r\n\r\n").next().unwrap_or_default();
        assert!(head.contains("connection: close"), "{target}: {head}");
    }
    // Without a body, keep-alive stays: the answer carries no close.
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (status, _) = read_response(stream.try_clone().unwrap());
    assert_eq!(status, 200);
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_response(stream).0,
        200,
        "the connection was kept alive"
    );
}
