//! `nuvera-sign` with a key in a PKCS#11 token: the flags, the vectors byte for byte, the PIN's
//! custody, and the proof of where the private key lives.
//!
//! The proof runs the CLI while it waits for its body (a FIFO), after it has loaded its key and had
//! the token sign the start-up check, reads every readable mapping of the process from
//! `/proc/<pid>/mem`, and searches it for the private key's secret numbers (d, p, q, dP, dQ, qInv
//! in both byte orders: big-endian as in DER, little-endian as big-number libraries keep them) and
//! for its DER encodings. The same search on the CLI with the key file in memory must find them —
//! otherwise a clean result would prove nothing.

#[path = "../../core/tests/memory_search/mod.rs"]
mod memory_search;
#[path = "../../core/tests/softhsm/mod.rs"]
mod softhsm;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use memory_search::{search_process_memory, secret_needles};
use serde_json::Value;
use softhsm::{SoftHsmToken, KEY_ID_HEX, KEY_LABEL, MODULE, PIN, TOKEN};

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

fn key_file() -> PathBuf {
    testdata("keys/test-rsa2048-pkcs8.pem")
}

/// The binary with a clean environment: no key file, an API key.
fn cli() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nuvera-sign"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NUVERA_API_KEY", "nv_live_3f9a2c7d1e");
    cmd
}

fn pkcs11_flags() -> Vec<String> {
    [
        "--pkcs11-module",
        MODULE,
        "--pkcs11-token",
        TOKEN,
        "--pkcs11-key",
        KEY_LABEL,
    ]
    .map(str::to_owned)
    .to_vec()
}

fn in_token(token: &SoftHsmToken) -> Command {
    let mut cmd = cli();
    cmd.env("SOFTHSM2_CONF", &token.conf)
        .env("NUVERA_PKCS11_PIN", PIN);
    cmd
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sign_through_the_token_reproduces_every_vector_token() {
    let token = SoftHsmToken::with_key(&key_file());
    let v = vectors();
    for case in v["jwt"].as_array().unwrap() {
        let body = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            case["bodyBase64"].as_str().unwrap(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let body_file = dir.path().join("body");
        std::fs::write(&body_file, &body).unwrap();
        let out = in_token(&token)
            .env("NUVERA_API_KEY", case["apiKey"].as_str().unwrap())
            .args(["sign", "--json", "-X", case["method"].as_str().unwrap()])
            .args(["--url", case["url"].as_str().unwrap()])
            .arg("--body-file")
            .arg(&body_file)
            .args(["--iat", &case["iat"].to_string()])
            .args(["--jti", case["jti"].as_str().unwrap()])
            .args(["--lifetime", &case["lifetime"].to_string()])
            .args(pkcs11_flags())
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        let json: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(json["token"], case["token"], "{}", case["name"]);
        assert!(!stdout.contains(PIN) && !stderr.contains(PIN));
    }
}

#[test]
fn curl_through_the_token_carries_the_vector_token() {
    let token = SoftHsmToken::with_key(&key_file());
    let v = vectors();
    let case = v["jwt"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bodyBase64"] == "" && c["url"].as_str().unwrap().starts_with("https://"))
        .expect("a vector with no body and an absolute URL");
    let out = in_token(&token)
        .env("NUVERA_API_KEY", case["apiKey"].as_str().unwrap())
        .args(["curl", "-X", case["method"].as_str().unwrap()])
        .args(["--url", case["url"].as_str().unwrap()])
        .args(["--iat", &case["iat"].to_string()])
        .args(["--jti", case["jti"].as_str().unwrap()])
        .args(["--lifetime", &case["lifetime"].to_string()])
        .args(pkcs11_flags())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let bearer = format!("Bearer {}", case["token"].as_str().unwrap());
    assert!(stdout.contains(&bearer), "{stdout}");
}

#[test]
fn public_key_prints_the_tokens_key_and_fingerprint_pin_from_a_file_key_by_id() {
    let token = SoftHsmToken::with_key(&key_file());
    let dir = tempfile::tempdir().unwrap();
    let pin_file = dir.path().join("pin");
    std::fs::write(&pin_file, format!("{PIN}\n")).unwrap();
    let out = cli()
        .env("SOFTHSM2_CONF", &token.conf)
        .args([
            "public-key",
            "--pkcs11-module",
            MODULE,
            "--pkcs11-token",
            TOKEN,
        ])
        .args(["--pkcs11-key-id", KEY_ID_HEX])
        .arg("--pkcs11-pin-file")
        .arg(&pin_file)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let registered = std::fs::read_to_string(testdata("keys/test-rsa2048-public.pem")).unwrap();
    assert_eq!(stdout.trim(), registered.trim());
    // The same fingerprint as the key file's own `public-key`.
    let from_file = cli()
        .args(["public-key", "--key"])
        .arg(key_file())
        .output()
        .unwrap();
    let fingerprint = text(&from_file).1;
    assert!(
        fingerprint.starts_with("fingerprint: SHA256:"),
        "{fingerprint}"
    );
    assert_eq!(stderr, fingerprint);
}

#[test]
fn a_refused_pin_is_remote_signer_failed_and_the_pin_is_never_printed() {
    let token = SoftHsmToken::with_key(&key_file());
    let wrong = "wrong-pin-55501";
    let out = cli()
        .env("SOFTHSM2_CONF", &token.conf)
        .env("NUVERA_PKCS11_PIN", wrong)
        .args(["sign", "-X", "GET", "--url", "/api/v1/customers"])
        .args(pkcs11_flags())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("REMOTE_SIGNER_FAILED"), "{stderr}");
    assert!(stderr.contains("CKR_PIN_INCORRECT"), "{stderr}");
    assert!(!stderr.contains(wrong) && !stdout.contains(wrong));
}

#[test]
fn a_missing_pin_or_token_is_a_usage_error() {
    let out = cli()
        .args(["sign", "-X", "GET", "--url", "/api/v1/customers"])
        .args(pkcs11_flags())
        .output()
        .unwrap();
    let stderr = text(&out).1;
    assert!(!out.status.success());
    assert!(stderr.contains("NUVERA_PKCS11_PIN"), "{stderr}");
    let out = cli()
        .env("NUVERA_PKCS11_PIN", PIN)
        .args(["sign", "-X", "GET", "--url", "/api/v1/customers"])
        .args(["--pkcs11-module", MODULE, "--pkcs11-key", KEY_LABEL])
        .output()
        .unwrap();
    let stderr = text(&out).1;
    assert!(!out.status.success());
    assert!(stderr.contains("error: USAGE: "), "{stderr}");
    assert!(stderr.contains("--pkcs11-token"), "{stderr}");
}

// ---- The proof: where the private key's bytes are -------------------------------------------

/// Runs `sign` with its body from a FIFO; once the CLI opens the FIFO (its key is loaded and
/// checked by then) searches its memory, then lets it finish. Returns the findings, the bytes
/// searched and the CLI's output.
fn sign_and_search(mut cmd: Command, extra: &[String]) -> (Vec<String>, u64, Output) {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("body");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let mut child: Child = cmd
        .args(["sign", "--json", "-X", "POST", "--url", "/api/v1/customers"])
        .arg("--body-file")
        .arg(&fifo)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let writer_path = fifo.clone();
    std::thread::spawn(move || {
        // Opening a FIFO for writing returns when the reader has opened it.
        let _ = tx.send(File::options().write(true).open(writer_path));
    });
    let mut writer = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(opened) => break opened.unwrap(),
            Err(_) => {
                if let Some(status) = child.try_wait().unwrap() {
                    // Unblock the opener before failing.
                    let _ = File::open(&fifo);
                    let out = child.wait_with_output().unwrap();
                    panic!(
                        "the CLI ended before reading its body ({status}): {:?}",
                        text(&out)
                    );
                }
            }
        }
    };
    let (found, scanned) = search_process_memory(child.id(), &secret_needles());
    writer.write_all(br#"{"a":1}"#).unwrap();
    drop(writer);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    (found, scanned, out)
}

/// The outputs hold no secret: no private-key bytes (raw, hex or base64) and no PIN.
fn assert_output_clean(out: &Output) {
    let (stdout, stderr) = text(out);
    for (name, bytes) in secret_needles() {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes[..18]);
        for stream in [&stdout, &stderr] {
            assert!(!stream.contains(&hex), "{name} (hex) in the output");
            assert!(!stream.contains(&b64), "{name} (base64) in the output");
        }
        assert!(memchr::memmem::find(&out.stdout, &bytes).is_none());
    }
    assert!(!stdout.contains(PIN) && !stderr.contains(PIN));
}

fn p11_kit_client_module() -> PathBuf {
    let candidates = std::fs::read_dir("/usr/lib")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("pkcs11/p11-kit-client.so"))
        .chain([PathBuf::from("/usr/lib/pkcs11/p11-kit-client.so")]);
    candidates
        .into_iter()
        .find(|p| p.exists())
        .expect("p11-kit-client.so (Debian package p11-kit-modules) is installed")
}

/// `p11-kit server`: SoftHSM runs in that process; clients reach it through a socket.
struct P11KitServer {
    child: Child,
    address: String,
}

impl P11KitServer {
    fn start(token: &SoftHsmToken, dir: &Path) -> Self {
        let socket = dir.join("p11kit.sock");
        let child = Command::new("p11-kit")
            .args(["server", "-f", "-n"])
            .arg(&socket)
            .args(["--provider", MODULE, &format!("pkcs11:token={TOKEN}")])
            .env("SOFTHSM2_CONF", &token.conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("p11-kit (Debian package p11-kit) is installed");
        let mut server = P11KitServer {
            child,
            address: format!("unix:path={}", socket.display()),
        };
        // Readiness, not timing: wait for the socket (or for the server to fail).
        while !socket.exists() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("p11-kit server ended: {status}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }
}

impl Drop for P11KitServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn where_the_private_key_lives_memory_of_the_signing_process() {
    let token = SoftHsmToken::with_key(&key_file());

    // The control: with the key file the CLI holds the key, and the search finds it.
    let mut with_file = cli();
    with_file.env("NUVERA_PRIVATE_KEY_FILE", key_file());
    let (found, scanned, out) = sign_and_search(with_file, &[]);
    eprintln!(
        "key file in memory: {} MiB searched, found {found:?}",
        scanned >> 20
    );
    assert!(found.iter().any(|f| f.starts_with("p (")), "{found:?}");
    assert!(found.iter().any(|f| f.starts_with("q (")), "{found:?}");

    // SoftHSM is a library: the token's key is decrypted inside the signing process itself.
    let (found_in_process, scanned, out_softhsm) =
        sign_and_search(in_token(&token), &pkcs11_flags());
    eprintln!(
        "SoftHSM module in the CLI process: {} MiB searched, found {found_in_process:?}",
        scanned >> 20
    );
    assert_output_clean(&out_softhsm);

    // The same token behind `p11-kit server`: the module in the CLI is p11-kit's client, which
    // forwards each call over a socket; SoftHSM and the key live in the server process.
    let dir = tempfile::tempdir().unwrap();
    let server = P11KitServer::start(&token, dir.path());
    let mut remote = cli();
    remote
        .env("P11_KIT_SERVER_ADDRESS", &server.address)
        .env("NUVERA_PKCS11_PIN", PIN);
    let client = p11_kit_client_module().to_string_lossy().into_owned();
    let flags = [
        "--pkcs11-module",
        &client,
        "--pkcs11-token",
        TOKEN,
        "--pkcs11-key",
        KEY_LABEL,
    ]
    .map(str::to_owned);
    let (found_remote, scanned, out_remote) = sign_and_search(remote, &flags);
    let (found_in_server, server_scanned) =
        search_process_memory(server.child.id(), &secret_needles());
    eprintln!(
        "p11-kit client in the CLI process: {} MiB searched, found {found_remote:?}; \
         in the p11-kit server process ({} MiB): {found_in_server:?}",
        scanned >> 20,
        server_scanned >> 20
    );
    assert_output_clean(&out_remote);
    assert_output_clean(&out);

    // What was measured (Debian's SoftHSM 2.6.1), between operations: no private component in
    // the clear in the signing process, with SoftHSM in it or behind p11-kit. That is not custody:
    // in-process, the module decrypts the key object for every C_Sign (the plaintext exists during
    // each signature) and holds what decrypts it while logged in; only an out-of-process provider
    // (p11-kit server, a network HSM, a KMS callback) keeps it out of the signing process at all
    // times. The server's own memory is printed, not asserted: p11-kit may serve each connection
    // in a child process of its own.
    assert!(found_in_process.is_empty(), "{found_in_process:?}");
    assert!(found_remote.is_empty(), "{found_remote:?}");
}
