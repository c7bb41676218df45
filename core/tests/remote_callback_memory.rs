//! The proof for a callback key: a process that signs through a callback whose "KMS" is another
//! process (`openssl pkeyutl`, given only the digest) holds none of the private key's bytes.
//!
//! The test re-runs this test binary as the signing process: it builds the signer, signs (the
//! check before first use), says so on stdout and waits on stdin while this process reads every
//! readable mapping of its `/proc/<pid>/mem`. The same child with the key parsed into memory is the
//! control: the search must find the key there, or a clean result would prove nothing.

mod memory_search;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;

use memory_search::{search_process_memory, secret_needles};
use nuvera_signing::{
    Body, CallbackOptions, PrivateKey, PublicKey, RemoteKey, SignCallback, Signer, SigningKey,
};

const CHILD_ENV: &str = "NUVERA_CALLBACK_MEMORY_CHILD";

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

/// The child: builds a signer with the key where `place` says, signs, and waits.
fn signing_process(place: &str) {
    let key: Arc<dyn SigningKey> = match place {
        "memory" => {
            Arc::new(PrivateKey::from_file(testdata("keys/test-rsa2048-pkcs8.pem"), None).unwrap())
        }
        "callback" => {
            let public = PublicKey::from_pem(
                std::fs::read(testdata("keys/test-rsa2048-public.pem")).unwrap(),
            )
            .unwrap();
            let key_path = testdata("keys/test-rsa2048-pkcs8.pem");
            let callback: SignCallback = Arc::new(move |digest: &[u8]| {
                let mut child = Command::new("openssl")
                    .args(["pkeyutl", "-sign", "-pkeyopt", "digest:sha256", "-inkey"])
                    .arg(&key_path)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .map_err(|e| e.to_string())?;
                child.stdin.take().unwrap().write_all(digest).unwrap();
                let out = child.wait_with_output().map_err(|e| e.to_string())?;
                Ok(out.stdout)
            });
            Arc::new(RemoteKey::from_callback(
                public,
                callback,
                CallbackOptions::default(),
            ))
        }
        other => panic!("unknown place {other}"),
    };
    let signer = Signer::new(key, "nv_live_3f9a2c7d1e").unwrap();
    let signed = signer
        .sign("POST", "/api/v1/customers", Body::Bytes(b"{}"))
        .unwrap();
    println!("ready {}", signed.token().len());
    std::io::stdout().flush().unwrap();
    let mut rest = Vec::new();
    std::io::stdin().read_to_end(&mut rest).unwrap();
}

/// Runs the child for `place`, searches its memory once it has signed; returns what was found.
fn search_signing_process(place: &str) -> (Vec<String>, u64) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            &format!("child_{place}"),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, place)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the signing process ended before it signed"
        );
        // libtest writes "test child_… ... " on the same line first.
        if line.contains("ready ") {
            break;
        }
    }
    let found = search_process_memory(child.id(), &secret_needles());
    drop(child.stdin.take());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    found
}

#[test]
fn child_memory() {
    if std::env::var(CHILD_ENV).as_deref() == Ok("memory") {
        signing_process("memory");
    }
}

#[test]
fn child_callback() {
    if std::env::var(CHILD_ENV).as_deref() == Ok("callback") {
        signing_process("callback");
    }
}

#[test]
fn a_callback_signer_holds_no_private_key_byte_a_key_in_memory_does() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let (found, scanned) = search_signing_process("memory");
    eprintln!(
        "key in memory: {} MiB searched, found {found:?}",
        scanned >> 20
    );
    for secret in ["d (", "p (", "q ("] {
        assert!(
            found.iter().any(|f| f.starts_with(secret)),
            "control: {found:?}"
        );
    }
    let (found, scanned) = search_signing_process("callback");
    eprintln!(
        "callback key: {} MiB searched, found {found:?}",
        scanned >> 20
    );
    assert!(scanned > 1 << 20);
    assert!(found.is_empty(), "{found:?}");
}
