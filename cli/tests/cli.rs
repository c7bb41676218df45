//! The `nuvera-sign` binary, run as a user runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use serde_json::Value;

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

fn vectors() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(testdata("vectors/signing-vectors.json")).unwrap(),
    )
    .unwrap()
}

fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap()
}

/// The binary with a clean environment and the vector key.
fn cli() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nuvera-sign"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NUVERA_API_KEY", "nv_live_3f9a2c7d1e")
        .env(
            "NUVERA_PRIVATE_KEY_FILE",
            testdata("keys/test-rsa2048-pkcs8.pem"),
        );
    cmd
}

fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn ok(cmd: &mut Command) -> String {
    let out = run(cmd, b"");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails_with(cmd: &mut Command, code: &str) {
    let out = run(cmd, b"");
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with(&format!("error: {code}: ")), "{stderr}");
}

#[test]
fn uri_and_hash_commands_follow_the_vectors() {
    let v = vectors();
    for case in v["uri"].as_array().unwrap() {
        assert_eq!(
            ok(cli().args(["uri", case["url"].as_str().unwrap()])).trim(),
            case["uri"].as_str().unwrap()
        );
    }
    let dir = tempfile::tempdir().unwrap();
    for case in v["jwt"].as_array().unwrap() {
        let body = b64(&case["bodyBase64"]);
        let out = run(cli().args(["hash", "body"]), &body);
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim(),
            case["bodyHash"].as_str().unwrap()
        );
    }
    for case in v["multipart"].as_array().unwrap() {
        let path = dir.path().join("wire.bin");
        std::fs::write(&path, b64(&case["bodyBase64"])).unwrap();
        let ct = case["contentType"].as_str().unwrap();
        let plain = ok(cli()
            .args(["hash", "multipart", "--content-type", ct])
            .arg(&path));
        assert_eq!(plain.trim(), case["bodyHash"].as_str().unwrap());
        let json: Value = serde_json::from_str(&ok(cli()
            .args(["hash", "multipart", "--json", "--content-type", ct])
            .arg(&path)))
        .unwrap();
        assert_eq!(json["canonical"], case["canonical"]);
        assert_eq!(json["bodyHash"], case["bodyHash"]);
    }
}

#[test]
fn sign_reproduces_every_jwt_vector() {
    let v = vectors();
    let dir = tempfile::tempdir().unwrap();
    for case in v["jwt"].as_array().unwrap() {
        let body_path = dir.path().join("body");
        std::fs::write(&body_path, b64(&case["bodyBase64"])).unwrap();
        let mut cmd = cli();
        cmd.env("NUVERA_API_KEY", case["apiKey"].as_str().unwrap())
            .args([
                "sign",
                "--method",
                case["method"].as_str().unwrap(),
                "--url",
                case["url"].as_str().unwrap(),
                "--iat",
                &case["iat"].to_string(),
                "--jti",
                case["jti"].as_str().unwrap(),
                "--lifetime",
                &case["lifetime"].to_string(),
                "--body-file",
            ]);
        cmd.arg(&body_path);
        let out = ok(&mut cmd);
        let expected = format!(
            "x-api-key: {}\nAuthorization: Bearer {}\n",
            case["apiKey"].as_str().unwrap(),
            case["token"].as_str().unwrap()
        );
        assert_eq!(out, expected, "{}", case["name"]);
    }
}

#[test]
fn sign_json_and_key_sources() {
    let v = vectors();
    let case = &v["jwt"][0];
    let body = String::from_utf8(b64(&case["bodyBase64"])).unwrap();
    let args = |cmd: &mut Command| {
        cmd.args([
            "sign",
            "--json",
            "-X",
            "POST",
            "--url",
            case["url"].as_str().unwrap(),
            "--body",
            &body,
        ])
        .args([
            "--iat",
            &case["iat"].to_string(),
            "--jti",
            case["jti"].as_str().unwrap(),
        ]);
    };
    let mut from_file = cli();
    args(&mut from_file);
    let json: Value = serde_json::from_str(&ok(&mut from_file)).unwrap();
    assert_eq!(json["token"], case["token"]);
    assert_eq!(json["headers"]["x-api-key"], case["apiKey"]);
    assert_eq!(json["claims"]["bodyHash"], case["bodyHash"]);
    assert_eq!(json["proof"]["claims"]["sub"], "****7d1e");
    assert!(!json["proof"].to_string().contains("nv_live_3f9a2c7d1e"));

    // The same key as PEM text with literal \n in an environment variable, and encrypted with a
    // passphrase from the environment: the same token.
    let escaped =
        std::fs::read_to_string(testdata("keys/test-rsa2048-pkcs8-escaped-newlines.txt")).unwrap();
    let mut from_env = cli();
    from_env
        .env_remove("NUVERA_PRIVATE_KEY_FILE")
        .env("NUVERA_PRIVATE_KEY", escaped);
    args(&mut from_env);
    let json_env: Value = serde_json::from_str(&ok(&mut from_env)).unwrap();
    assert_eq!(json_env["token"], case["token"]);

    let mut encrypted = cli();
    encrypted
        .env(
            "NUVERA_PRIVATE_KEY_FILE",
            testdata("keys/test-rsa2048-encrypted-pkcs8.pem"),
        )
        .env("NUVERA_KEY_PASSPHRASE", "correct horse battery staple");
    args(&mut encrypted);
    let json_enc: Value = serde_json::from_str(&ok(&mut encrypted)).unwrap();
    assert_eq!(json_enc["token"], case["token"]);
}

#[test]
fn errors_are_one_line_with_a_code() {
    fails_with(
        cli().args(["sign", "-X", "GET", "--url", "/x", "--lifetime", "61"]),
        "INVALID_LIFETIME",
    );
    fails_with(
        cli().args(["sign", "-X", "G T", "--url", "/x"]),
        "INVALID_METHOD",
    );
    fails_with(
        cli().args(["sign", "-X", "GET", "--url", "not a url"]),
        "INVALID_URL",
    );
    fails_with(cli().args(["uri", "ftp://x/y"]), "INVALID_URL");
    fails_with(
        cli()
            .env_remove("NUVERA_API_KEY")
            .args(["sign", "-X", "GET", "--url", "/x"]),
        "MISSING_API_KEY",
    );
    fails_with(
        cli()
            .env_remove("NUVERA_PRIVATE_KEY_FILE")
            .args(["sign", "-X", "GET", "--url", "/x"]),
        "MISSING_PRIVATE_KEY",
    );
    fails_with(
        cli()
            .env(
                "NUVERA_PRIVATE_KEY_FILE",
                testdata("keys/weak-rsa1024-pkcs8.pem"),
            )
            .args(["sign", "-X", "GET", "--url", "/x"]),
        "KEY_TOO_SMALL",
    );
    fails_with(
        cli()
            .env(
                "NUVERA_PRIVATE_KEY_FILE",
                testdata("keys/test-rsa2048-encrypted-pkcs8.pem"),
            )
            .args(["sign", "-X", "GET", "--url", "/x"]),
        "PASSPHRASE_REQUIRED",
    );
    fails_with(
        cli().args(["hash", "multipart", "--content-type", "text/plain"]),
        "MULTIPART_MALFORMED",
    );
    fails_with(
        cli().args(["hash", "body", "/nonexistent/file"]),
        "IO_ERROR",
    );
    fails_with(
        cli().args([
            "sign",
            "-X",
            "POST",
            "--url",
            "/x",
            "--file",
            "f=/nonexistent/file",
        ]),
        "IO_ERROR",
    );
}

#[test]
fn keygen_writes_an_owner_only_private_key_and_its_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keys");
    ok(cli().args(["keygen", "--out"]).arg(&out));
    let private = out.join("private-key.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let public = ok(cli().args(["public-key", "--key"]).arg(&private));
    assert_eq!(
        public,
        std::fs::read_to_string(out.join("public-key.pem")).unwrap()
    );
    fails_with(cli().args(["keygen", "--out"]).arg(&out), "FILE_EXISTS");
}

/// (request line, lower-cased headers, body) of one received request.
type Captured = (String, Vec<(String, String)>, Vec<u8>);

/// Accepts one HTTP/1.1 request on loopback and returns (request line, headers, body).
fn capture_one_request(listener: TcpListener) -> std::thread::JoinHandle<Captured> {
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (k, v) = line.split_once(':').unwrap();
            headers.push((k.to_ascii_lowercase(), v.trim().to_owned()));
        }
        let len = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        let mut stream = stream;
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .unwrap();
        (request_line.trim_end().to_owned(), headers, body)
    })
}

fn claims_of(authorization: &str) -> Value {
    let token = authorization.strip_prefix("Bearer ").unwrap();
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn curl_exec_sends_exactly_the_signed_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("cert.pdf");
    std::fs::write(&upload, b"%PDF-1.4 fake\r\n--not-a-boundary\r\n").unwrap();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "--body".into(),
            r#"{"companyName":"Acme Imports","x":"@not-a-file"}"#.into(),
        ],
        vec![
            "--form".into(),
            "customerId=c_42".into(),
            "--file".into(),
            format!("file={};type=application/pdf", upload.display()),
        ],
        vec![],
    ];
    for extra in cases {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = capture_one_request(listener);
        let url =
            format!("http://user@127.0.0.1:{port}/api/v1/customers/../documents?b=2&a=[1]#frag");
        ok(cli()
            .args(["curl", "--exec", "-X", "post", "--url", &url])
            .args(&extra));
        let (request_line, headers, body) = server.join().unwrap();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let claims = claims_of(&header("authorization"));
        assert_eq!(header("x-api-key"), "nv_live_3f9a2c7d1e");
        assert_eq!(
            request_line,
            format!("POST {} HTTP/1.1", claims["uri"].as_str().unwrap())
        );
        assert_eq!(claims["uri"], "/api/v1/documents?b=2&a=[1]");
        let content_type = headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.clone());
        let expected_hash = match content_type {
            Some(ct) if ct.starts_with("multipart/form-data") => {
                nuvera_signing::multipart_body_hash(&ct, &body)
                    .unwrap()
                    .to_string()
            }
            _ => nuvera_signing::body_hash(&body).to_string(),
        };
        assert_eq!(claims["bodyHash"].as_str().unwrap(), expected_hash);
    }
}

fn registry_file(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("registry.toml");
    std::fs::write(
        &path,
        format!(
            "[[applications]]\nname = \"Acme\"\npermissions = [\"CUSTOMERS_WRITE\"]\napiKeys = [{{ key = \"nv_live_3f9a2c7d1e\" }}]\npublicKeys = [{{ file = \"{}\" }}]\n",
            testdata("keys/test-rsa2048-public.pem").display()
        ),
    )
    .unwrap();
    path
}

fn authorization_for(method: &str, url: &str, body: &std::path::Path) -> String {
    let out = ok(cli()
        .args(["sign", "-X", method, "--url", url, "--body-file"])
        .arg(body));
    out.lines()
        .nth(1)
        .unwrap()
        .trim_start_matches("Authorization: ")
        .to_owned()
}

#[test]
fn verify_answers_ok_or_the_auth_code() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry_file(dir.path());
    let body = dir.path().join("body.json");
    std::fs::write(&body, br#"{"companyName":"Acme"}"#).unwrap();
    let url = "https://api.nuvera.global/api/v1/customers";
    let auth = authorization_for("POST", url, &body);
    let verify = |url: &str, auth: &str| {
        let mut cmd = cli();
        cmd.args(["verify", "--registry"])
            .arg(&registry)
            .args(["-X", "POST", "--url", url, "--body-file"])
            .arg(&body);
        cmd.args([
            "-H",
            "x-api-key: nv_live_3f9a2c7d1e",
            "-H",
            &format!("Authorization: {auth}"),
        ]);
        run(&mut cmd, b"")
    };
    let good = verify(url, &auth);
    assert!(good.status.success());
    assert!(String::from_utf8(good.stdout)
        .unwrap()
        .starts_with("OK application=\"Acme\" permission=CUSTOMERS_WRITE"));
    // The same token again is a replay only within one verifier; a new process has a new cache,
    // so refuse on something else: the query.
    let bad = verify(&format!("{url}?x=1"), &auth);
    assert!(!bad.status.success());
    assert!(String::from_utf8(bad.stdout)
        .unwrap()
        .starts_with("AUTH_URI_MISMATCH (HTTP 401): "));
    let garbage = verify(url, "Bearer x.y");
    assert!(String::from_utf8(garbage.stdout)
        .unwrap()
        .starts_with("AUTH_INVALID_HEADER"));

    // A body unreadable as its Content-Type says is a refusal with an AUTH_* code (its parse
    // error named), after a valid token; without credentials the body is never read.
    let form_url = url;
    let form_auth = &auth;
    let multipart = |headers: &[String]| {
        let mut cmd = cli();
        cmd.args(["verify", "--registry"])
            .arg(&registry)
            .args(["-X", "POST", "--url", form_url, "--body-file"])
            .arg(&body)
            .args(["-H", "Content-Type: multipart/form-data; boundary=b"]);
        for header in headers {
            cmd.args(["-H", header]);
        }
        let out = run(&mut cmd, b"");
        assert!(!out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let refused = multipart(&[
        "x-api-key: nv_live_3f9a2c7d1e".to_owned(),
        format!("Authorization: {form_auth}"),
    ]);
    assert!(
        refused.starts_with("AUTH_BODY_HASH_MISMATCH (HTTP 401): ")
            && refused.contains("MULTIPART_MALFORMED"),
        "{refused}"
    );
    let anonymous = multipart(&[]);
    assert!(
        anonymous.starts_with("AUTH_MISSING_HEADER (HTTP 401): "),
        "{anonymous}"
    );
}

#[test]
fn explain_and_bundle_name_the_mistake_without_leaking_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let minified = dir.path().join("min.json");
    let pretty = dir.path().join("pretty.json");
    std::fs::write(&minified, br#"{"companyName":"Acme"}"#).unwrap();
    std::fs::write(&pretty, b"{\n  \"companyName\": \"Acme\"\n}").unwrap();
    let url = "https://api.nuvera.global/api/v1/customers";
    let auth = authorization_for("POST", url, &minified);

    let mut cmd = cli();
    cmd.args(["explain", "-X", "POST", "--url", url, "--body-file"])
        .arg(&pretty);
    cmd.args(["-H", &format!("Authorization: {auth}"), "--public-key"])
        .arg(testdata("keys/test-rsa2048-public.pem"));
    let out = run(&mut cmd, b"");
    assert!(!out.status.success(), "findings exit non-zero");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("AUTH_BODY_HASH_MISMATCH") && text.contains("minified JSON"),
        "{text}"
    );
    assert!(text.contains("signature: verifies"));

    let mut cmd = cli();
    cmd.args([
        "explain",
        "--json",
        "-X",
        "POST",
        "--url",
        url,
        "--body-file",
    ])
    .arg(&minified);
    cmd.args(["--token", &auth]);
    let report: Value = serde_json::from_str(&ok(&mut cmd)).unwrap();
    assert_eq!(report["verdict"], Value::Null);

    let bundle = dir.path().join("bundle.json");
    let mut cmd = cli();
    cmd.args(["bundle", "-X", "POST", "--url", url, "--body-file"])
        .arg(&pretty);
    cmd.args([
        "-H",
        "Content-Type: application/json",
        "-H",
        &format!("Authorization: {auth}"),
        "--status",
        "401",
    ]);
    cmd.args([
        "--response",
        r#"{"errors":[{"code":"AUTH_BODY_HASH_MISMATCH","message":"bodyHash mismatch"}]}"#,
        "--application",
        "Acme",
        "--out",
    ]);
    cmd.arg(&bundle);
    ok(&mut cmd);
    let text = std::fs::read_to_string(&bundle).unwrap();
    let token = auth.trim_start_matches("Bearer ");
    for secret in [
        "nv_live_3f9a2c7d1e",
        token,
        token.split('.').nth(1).unwrap(),
        token.split('.').nth(2).unwrap(),
    ] {
        assert!(!text.contains(secret), "bundle leaks {secret}");
    }
    let again = run(cli().args(["explain", "--bundle"]).arg(&bundle), b"");
    let again = String::from_utf8(again.stdout).unwrap();
    assert!(
        again.contains("AUTH_BODY_HASH_MISMATCH") && again.contains("minified JSON"),
        "{again}"
    );
}
