//! Contract §8 end to end: `nuvera-sign serve` with its clock 10 minutes ahead or behind (and 2
//! days, and with its test routes), and `nuvera-sign curl --exec` / `sign` against it over
//! loopback, with real curl.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use nuvera_signing::client::{
    now_unix_ms, parse_http_date_ms, Action, ClientPolicy, Exchange, Request, Response,
};
use nuvera_signing::{Body, PrivateKey, Signer};
use serde_json::Value;

const API_KEY: &str = "nv_test_client_policy_01";

fn key_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/keys/test-rsa2048-pkcs8.pem")
}

/// A running `nuvera-sign serve` with the demo application (the test key); killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_nuvera-sign"))
            .args(["serve", "--listen", "127.0.0.1:0", "--demo-key"])
            .arg(key_file())
            .args(["--demo-api-key", API_KEY])
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

    /// (status, code) of each request the server logged, in order.
    fn requests(&self) -> Vec<(u64, Option<String>)> {
        std::fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v.get("status").is_some())
            .map(|v| {
                (
                    v["status"].as_u64().unwrap(),
                    v["code"].as_str().map(str::to_owned),
                )
            })
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `nuvera-sign <command> --api-key … --key … <args>`.
fn nuvera_sign(command_and_args: &[&str]) -> Output {
    let (command, args) = command_and_args.split_first().unwrap();
    Command::new(env!("CARGO_BIN_EXE_nuvera-sign"))
        .env_remove("NUVERA_API_KEY")
        .env_remove("NUVERA_PRIVATE_KEY")
        .env_remove("NUVERA_PRIVATE_KEY_FILE")
        .env_remove("NUVERA_KEY_PASSPHRASE")
        .arg(command)
        .args(["--api-key", API_KEY, "--key"])
        .arg(key_file())
        .args(args)
        .output()
        .unwrap()
}

fn curl_exec(method: &str, url: &str, extra: &[&str]) -> Output {
    let mut args = vec!["curl", "--exec", "-X", method, "--url", url];
    args.extend_from_slice(extra);
    nuvera_sign(&args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The offset printed on stderr by `curl --exec`, if it learnt one.
fn learnt_offset(stderr: &str) -> Option<i64> {
    let line = stderr.lines().find(|l| l.contains("learnt"))?;
    line.strip_prefix("clock offset: ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

#[test]
fn curl_exec_corrects_its_clock_once_against_a_server_ten_minutes_ahead_or_behind() {
    for (offset, refusal) in [
        (600, "AUTH_TOKEN_EXPIRED"),
        (-600, "AUTH_TOKEN_NOT_YET_VALID"),
    ] {
        let server = Server::start(&["--clock-offset", &offset.to_string()]);
        let out = curl_exec(
            "POST",
            &server.url("/api/v1/customers"),
            &["--body", r#"{"companyName":"Acme"}"#],
        );
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{stdout}{stderr}");
        let record: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(record["companyName"], "Acme");
        // `Date` has one-second resolution and the midpoint of the send is an estimate: the
        // offset learnt is the server's to within a second.
        let learnt = learnt_offset(&stderr).unwrap_or_else(|| panic!("no offset in {stderr}"));
        assert!(
            (learnt - offset).abs() <= 1,
            "learnt {learnt}, server {offset}"
        );
        // One refusal, then the re-send, signed afresh (a reused jti would be AUTH_REPLAYED_JTI).
        assert_eq!(
            server.requests(),
            vec![(401, Some(refusal.to_owned())), (201, None)]
        );

        // A run given the learnt offset is served at once, with nothing to learn.
        let given = learnt.to_string();
        let out = curl_exec(
            "GET",
            &server.url("/api/v1/customers?limit=1"),
            &["--clock-offset", &given],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(learnt_offset(&text(&out.stderr)), None);
        assert_eq!(server.requests().len(), 3);
        assert_eq!(server.requests()[2], (200, None));
    }
}

#[test]
fn sign_applies_a_given_offset_to_iat_and_keeps_the_lifetime() {
    let claims = |offset: &str| -> Value {
        let out = nuvera_sign(&[
            "sign",
            "-X",
            "GET",
            "--url",
            "/api/v1/customers",
            "--iat",
            "1800000000",
            "--json",
            "--clock-offset",
            offset,
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["claims"].clone()
    };
    // An explicit --iat is the caller's exact claim: the offset does not move it.
    assert_eq!(claims("600")["iat"], 1_800_000_000u64);
    let out = nuvera_sign(&[
        "sign",
        "-X",
        "GET",
        "--url",
        "/api/v1/customers",
        "--json",
        "--clock-offset",
        "-600",
    ]);
    assert!(text(&out.stderr).contains("clock offset: -600 s"));
    let claims: Value = serde_json::from_slice::<Value>(&out.stdout).unwrap()["claims"].clone();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let iat = claims["iat"].as_i64().unwrap();
    assert!((now - 600 - iat).abs() <= 2, "iat {iat}, now {now}");
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 55);

    let out = nuvera_sign(&[
        "sign",
        "-X",
        "GET",
        "--url",
        "/x",
        "--clock-offset",
        "172800",
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("CLOCK_SKEW_TOO_LARGE"));
}

#[test]
fn a_server_two_days_off_is_reported_not_papered_over() {
    for offset in ["172800", "-172800"] {
        let server = Server::start(&["--clock-offset", offset]);
        let out = curl_exec("GET", &server.url("/api/v1/customers"), &[]);
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("error: CLOCK_SKEW_TOO_LARGE:"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(server.requests().len(), 1);
    }
}

#[test]
fn every_response_carries_the_servers_date_on_its_clock() {
    let server = Server::start(&["--clock-offset", "-600", "--test-routes"]);
    for target in ["/healthz", "/nowhere", "/api/v1/customers"] {
        let out = Command::new("curl")
            .args(["--silent", "--head", &server.url(target)])
            .output()
            .unwrap();
        let head = text(&out.stdout);
        let date = head
            .lines()
            .find_map(|l| l.strip_prefix("date: "))
            .unwrap_or_else(|| panic!("no Date in {head}"));
        let date_ms = parse_http_date_ms(date).unwrap();
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let behind = (now_ms - date_ms) / 1000;
        assert!((599..=602).contains(&behind), "{target}: {behind} s behind");
    }
}

#[test]
fn redirects_are_followed_and_signed_afresh_and_credentials_stay_home() {
    let server = Server::start(&["--test-routes"]);
    let out = curl_exec(
        "POST",
        &server.url("/__test/redirect?status=307&to=%2Fapi%2Fv1%2Fcustomers"),
        &["--body", r#"{"companyName":"Kept"}"#],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["companyName"], "Kept", "307 keeps method and body");
    assert_eq!(server.requests(), vec![(307, None), (201, None)]);

    let out = curl_exec(
        "POST",
        &server.url("/__test/redirect?status=303&to=%2Fapi%2Fv1%2Fcustomers%3Flimit%3D1"),
        &["--body", r#"{"companyName":"Dropped"}"#],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["limit"], 1, "303 turns POST into GET");

    // Another port is another origin: the hop goes out without x-api-key and Authorization.
    let elsewhere = Server::start(&[]);
    let to = elsewhere.url("/api/v1/customers");
    let target = format!("/__test/redirect?status=302&to={}", to.replace(':', "%3A"));
    let out = curl_exec("GET", &server.url(&target), &[]);
    assert!(text(&out.stderr).contains("without credentials"));
    assert!(text(&out.stdout).contains("AUTH_MISSING_HEADER"));
    assert_eq!(
        elsewhere.requests(),
        vec![(401, Some("AUTH_MISSING_HEADER".to_owned()))]
    );

    // A loop (an empty Location is the URL itself) ends with TOO_MANY_REDIRECTS: 10 hops
    // followed, the 11th redirect refused.
    let before = server.requests().len();
    let out = curl_exec("GET", &server.url("/__test/redirect?status=302&to="), &[]);
    assert!(
        text(&out.stderr).contains("error: TOO_MANY_REDIRECTS:"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(server.requests()[before..], vec![(302, None); 11]);

    let out = curl_exec("GET", &server.url("/api/v1/customers"), &["--", "-L"]);
    assert!(text(&out.stderr).contains("USAGE"));
}

#[test]
fn the_unavailable_parameter_answers_503_with_retry_after_first() {
    let server = Server::start(&["--test-routes"]);
    let url = server.url("/api/v1/customers?__unavailable=u1&__times=2&__retry_after=1");
    let head = |url: &str| {
        text(
            &Command::new("curl")
                .args(["--silent", "--include", url])
                .output()
                .unwrap()
                .stdout,
        )
    };
    for _ in 0..2 {
        let reply = head(&url);
        assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
        assert!(reply.contains("retry-after: 1\r\n"), "{reply}");
    }
    // Then the route is itself again: verified (here refused, as the request is unsigned).
    assert!(head(&url).contains("AUTH_MISSING_HEADER"));
    // curl --exec (retries are opt-in, and off) hands the 503 to the caller.
    let out = curl_exec(
        "GET",
        &server.url("/api/v1/customers?__unavailable=u2"),
        &[],
    );
    assert!(text(&out.stdout).contains("SERVICE_UNAVAILABLE"));
    let out = curl_exec(
        "GET",
        &server.url("/api/v1/customers?__unavailable=u2"),
        &[],
    );
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("\"data\""));
}

/// A Rust integration as a binding writes one: a real HTTP client (ureq, its own redirects off)
/// carrying out the core's answers. Returns the final status and body, and the claims of every
/// token it sent.
fn send_with_policy(
    signer: &Signer,
    policy: &ClientPolicy,
    method: &str,
    url: &str,
    body: Option<&[u8]>,
) -> (u16, String, Vec<Value>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let request = Request {
        method: method.to_owned(),
        url: url.to_owned(),
        has_body: body.is_some(),
    };
    let mut exchange =
        Exchange::new(policy.clone(), request, signer.clock_offset().clone()).unwrap();
    let mut attempt = exchange.first().clone();
    let mut claims = Vec::new();
    loop {
        let bytes = body.filter(|_| attempt.send_body);
        let mut builder = ureq::http::Request::builder()
            .method(attempt.method.as_str())
            .uri(attempt.url.as_str());
        if attempt.credentials {
            let signed = signer
                .sign(
                    &attempt.method,
                    &attempt.url,
                    bytes.map_or(Body::Empty, Body::Bytes),
                )
                .unwrap();
            claims.push(serde_json::to_value(signed.claims()).unwrap());
            for (name, value) in signed.headers() {
                builder = builder.header(name, value);
            }
        }
        let sent_at_ms = now_unix_ms();
        let mut reply = match bytes {
            Some(b) => agent.run(
                builder
                    .header("content-type", "application/json")
                    .body(b.to_vec())
                    .unwrap(),
            ),
            None => agent.run(builder.body(()).unwrap()),
        }
        .unwrap();
        let received_at_ms = now_unix_ms();
        let status = reply.status().as_u16();
        let headers = reply
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let text = reply.body_mut().read_to_string().unwrap();
        let response = Response {
            status,
            headers,
            body: text.as_bytes().to_vec(),
            sent_at_ms,
            received_at_ms,
        };
        match exchange.on_response(&response) {
            Action::Send {
                attempt: next,
                delay_ms,
                ..
            } => {
                std::thread::sleep(std::time::Duration::from_millis(delay_ms));
                attempt = next;
            }
            Action::Done => return (status, text, claims),
            Action::Fail(e) => panic!("{e}"),
        }
    }
}

#[test]
fn one_signer_shared_by_threads_corrects_its_clock_once_for_all_of_them() {
    for offset in [600i64, -600] {
        let server = Server::start(&["--clock-offset", &offset.to_string(), "--test-routes"]);
        let key = PrivateKey::from_file(key_file(), None).unwrap();
        let signer = Signer::new(key, API_KEY).unwrap();
        let policy = ClientPolicy::with_retries();
        let (status, _, first) = send_with_policy(
            &signer,
            &policy,
            "POST",
            &server.url("/api/v1/customers"),
            Some(br#"{"companyName":"Acme"}"#),
        );
        assert_eq!(status, 201);
        assert_eq!(first.len(), 2, "one refused token, one accepted");
        assert!((signer.clock_offset().secs() - offset).abs() <= 1);

        // Every later request, on any thread, is served at the first send: the offset is the
        // signer's. A redirect and a 503 with Retry-After on the way are signed afresh too.
        let targets = [
            "/api/v1/customers?limit=1".to_owned(),
            "/__test/redirect?status=307&to=%2Fapi%2Fv1%2Fcustomers".to_owned(),
        ];
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (signer, policy) = (signer.clone(), policy.clone());
                let mut urls: Vec<String> = targets.iter().map(|p| server.url(p)).collect();
                urls.push(server.url(&format!(
                    "/api/v1/customers?__unavailable=t{t}&__retry_after=0"
                )));
                std::thread::spawn(move || {
                    let mut sent = Vec::new();
                    for url in urls {
                        let (status, _, claims) =
                            send_with_policy(&signer, &policy, "GET", &url, None);
                        assert_eq!(status, 200, "{url}");
                        sent.extend(claims);
                    }
                    sent
                })
            })
            .collect();
        let mut tokens = first;
        for thread in threads {
            let sent = thread.join().unwrap();
            // limit=1: one send; the redirect: two; unavailable once then served: two.
            assert_eq!(sent.len(), 5);
            tokens.extend(sent);
        }
        let refusals: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|(status, _)| *status == 401)
            .collect();
        assert_eq!(refusals.len(), 1, "{refusals:?}");
        let mut jtis: Vec<&str> = tokens.iter().map(|c| c["jti"].as_str().unwrap()).collect();
        jtis.sort_unstable();
        jtis.dedup();
        assert_eq!(jtis.len(), tokens.len(), "a jti was sent twice");
        for claims in &tokens {
            assert_eq!(
                claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
                55
            );
        }
    }
}
