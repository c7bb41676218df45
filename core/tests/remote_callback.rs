//! Callback keys (contract §9): the shape every language's KMS callback wraps. The "KMS" here is
//! OpenSSL's own RSA (`openssl pkeyutl`, given the digest as AWS KMS `MessageType=DIGEST` is), an
//! implementation independent of this crate's backend.

mod common;
mod remote_common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use common::{key_pem, testdata};
use nuvera_signing::{
    Body, CallbackOptions, ErrorCode, PrivateKey, PublicKey, RemoteKey, SignCallback,
    SignatureInput, Signer, SigningKey,
};
use remote_common::assert_jwt_vectors;
use sha2::{Digest, Sha256};

fn public_2048() -> PublicKey {
    PublicKey::from_pem(key_pem("test-rsa2048-public.pem")).unwrap()
}

/// RSASSA-PKCS1-v1_5 over a SHA-256 digest, by the `openssl` command (the test's stand-in KMS).
fn openssl_sign_digest(key_file: &str, digest: &[u8]) -> Result<Vec<u8>, String> {
    if digest.len() != 32 {
        return Err(format!("expected a 32-byte digest, got {}", digest.len()));
    }
    let mut child = Command::new("openssl")
        .args(["pkeyutl", "-sign", "-pkeyopt", "digest:sha256", "-inkey"])
        .arg(testdata(&format!("keys/{key_file}")))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("openssl: {e}"))?;
    child.stdin.take().unwrap().write_all(digest).unwrap();
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(out.stdout)
}

fn openssl_kms(key_file: &'static str) -> SignCallback {
    Arc::new(move |digest: &[u8]| openssl_sign_digest(key_file, digest))
}

fn callback_key(callback: SignCallback, options: CallbackOptions) -> Arc<dyn SigningKey> {
    Arc::new(RemoteKey::from_callback(public_2048(), callback, options))
}

fn sign_once(key: Arc<dyn SigningKey>) -> nuvera_signing::Result<String> {
    let signer = Signer::new(key, "nv_test_1234")?;
    signer
        .sign(
            "POST",
            "https://api.nuvera.global/api/v1/customers",
            Body::Bytes(b"{}"),
        )
        .map(|s| s.token().to_owned())
}

#[test]
fn a_digest_callback_reproduces_every_vector_token() {
    let key = callback_key(
        openssl_kms("test-rsa2048-pkcs8.pem"),
        CallbackOptions::default(),
    );
    assert!(assert_jwt_vectors(key) >= 4);
}

#[test]
fn a_message_callback_without_timeout_reproduces_every_vector_token() {
    // A provider that hashes the input itself (PKCS#11 CKM_SHA256_RSA_PKCS, Vault without
    // prehashing): here OpenSSL again, given the SHA-256 it would compute.
    let callback: SignCallback = Arc::new(|message: &[u8]| {
        openssl_sign_digest("test-rsa2048-pkcs8.pem", &Sha256::digest(message))
    });
    let options = CallbackOptions {
        input: SignatureInput::Message,
        timeout: None,
    };
    assert!(assert_jwt_vectors(callback_key(callback, options)) >= 4);
}

#[test]
fn the_callback_gets_the_digest_of_the_signing_input() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_in = Arc::clone(&seen);
    let kms = openssl_kms("test-rsa2048-pkcs8.pem");
    let callback: SignCallback = Arc::new(move |input: &[u8]| {
        seen_in.lock().unwrap().push(input.to_vec());
        kms(input)
    });
    let token = sign_once(callback_key(callback, CallbackOptions::default())).unwrap();
    let signing_input = token.rsplit_once('.').unwrap().0;
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Sha256::digest(signing_input.as_bytes()).to_vec()]
    );
}

#[test]
fn a_callback_error_is_remote_signer_failed_with_the_providers_message() {
    let callback: SignCallback =
        Arc::new(|_: &[u8]| Err("AccessDeniedException: not authorized to kms:Sign".to_owned()));
    let err = sign_once(callback_key(callback, CallbackOptions::default())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
    assert!(
        err.message()
            .contains("AccessDeniedException: not authorized to kms:Sign"),
        "{err}"
    );
}

#[test]
fn a_panicking_callback_is_remote_signer_failed_not_a_crash() {
    for timeout in [None, Some(Duration::from_secs(30))] {
        let callback: SignCallback = Arc::new(|_: &[u8]| panic!("KMS client bug"));
        let options = CallbackOptions {
            timeout,
            ..CallbackOptions::default()
        };
        let err = sign_once(callback_key(callback, options)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
        assert!(err.message().contains("KMS client bug"), "{err}");
    }
}

#[test]
fn a_wrong_length_signature_is_remote_signer_failed() {
    let kms = openssl_kms("test-rsa2048-pkcs8.pem");
    // What a caller returns when it forgets to decode a base64 API answer.
    let callback: SignCallback = Arc::new(move |digest: &[u8]| {
        use base64::Engine as _;
        let raw = kms(digest)?;
        Ok(base64::engine::general_purpose::STANDARD
            .encode(raw)
            .into_bytes())
    });
    let err = sign_once(callback_key(callback, CallbackOptions::default())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
    assert!(err.message().contains("returned 344 bytes"), "{err}");
    let short: SignCallback = Arc::new(|_: &[u8]| Ok(vec![7; 255]));
    let err = sign_once(callback_key(short, CallbackOptions::default())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
}

#[test]
fn a_signature_from_another_key_is_remote_key_mismatch_and_no_token() {
    // The 4096-bit test key signs with 512 bytes; a second 2048-bit key is the real trap.
    // A second 2048-bit key made by OpenSSL (the ring backend cannot generate keys).
    let dir = tempfile::tempdir().unwrap();
    let other_file = dir.path().join("other.pem");
    let status = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&other_file)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let other = Arc::new(PrivateKey::from_file(&other_file, None).unwrap());
    let callback: SignCallback = Arc::new(|d: &[u8]| {
        openssl_sign_digest("test-rsa4096-pkcs8.pem", d).map(|s| s[..256].to_vec())
    });
    let err = sign_once(callback_key(callback, CallbackOptions::default())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RemoteKeyMismatch);
    let other_key: SignCallback = {
        let other = Arc::clone(&other);
        Arc::new(move |m: &[u8]| other.sign_rs256(m).map_err(|e| e.to_string()))
    };
    let options = CallbackOptions {
        input: SignatureInput::Message,
        timeout: None,
    };
    let remote = RemoteKey::from_callback(public_2048(), other_key, options);
    let err = remote.check().unwrap_err();
    assert_eq!(err.code(), ErrorCode::RemoteKeyMismatch);
    assert!(
        err.message().contains(&public_2048().fingerprint()),
        "{err}"
    );
    assert!(!remote.is_verified());
    assert_eq!(
        sign_once(Arc::new(remote)).unwrap_err().code(),
        ErrorCode::RemoteKeyMismatch
    );
}

#[test]
fn a_provider_that_hashes_the_digest_again_is_remote_key_mismatch() {
    // moto's KMS emulator does this with MessageType=DIGEST (see BUILD-NOTES).
    let callback: SignCallback = Arc::new(|digest: &[u8]| {
        openssl_sign_digest("test-rsa2048-pkcs8.pem", &Sha256::digest(digest))
    });
    let err = sign_once(callback_key(callback, CallbackOptions::default())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RemoteKeyMismatch);
    assert!(err.message().contains("MessageType=DIGEST"), "{err}");
}

#[test]
fn a_callback_blocked_past_its_timeout_is_remote_signer_failed_and_later_calls_are_refused() {
    // The callback waits for a release that comes only after the assertions: it is blocked for as
    // long as the test needs, with no clock in any assertion.
    let (release, gate) = mpsc::channel::<()>();
    let gate = Arc::new(Mutex::new(gate));
    let entered = Arc::new(Mutex::new(0usize));
    let (gate_in, entered_in) = (Arc::clone(&gate), Arc::clone(&entered));
    let callback: SignCallback = Arc::new(move |_: &[u8]| {
        *entered_in.lock().unwrap() += 1;
        let _ = gate_in.lock().unwrap().recv();
        Err("released".to_owned())
    });
    let options = CallbackOptions {
        input: SignatureInput::Digest,
        timeout: Some(Duration::from_millis(50)),
    };
    let key = callback_key(callback, options);
    for _ in 0..8 {
        let err = sign_once(key.clone()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
        assert!(
            err.message().contains("did not return within 50 ms"),
            "{err}"
        );
    }
    // Eight calls are stuck: the next is refused without starting a ninth thread.
    let err = sign_once(key.clone()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
    assert!(err.message().contains("have not returned yet"), "{err}");
    assert!(*entered.lock().unwrap() <= 8);
    drop(release);
}

#[test]
fn threads_share_one_callback_signer() {
    let key = callback_key(
        openssl_kms("test-rsa2048-pkcs8.pem"),
        CallbackOptions::default(),
    );
    let signer = Signer::new(key, "nv_test_1234").unwrap();
    let public = public_2048();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (signer, public) = (&signer, &public);
            scope.spawn(move || {
                for i in 0..3 {
                    let url = format!("https://api.nuvera.global/api/v1/customers/{t}-{i}");
                    let signed = signer.sign("GET", &url, Body::Empty).unwrap();
                    let (input, sig) = signed.token().rsplit_once('.').unwrap();
                    use base64::Engine as _;
                    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(sig)
                        .unwrap();
                    assert!(public.verify_rs256(input.as_bytes(), &sig));
                    assert_eq!(signed.claims().uri, format!("/api/v1/customers/{t}-{i}"));
                }
            });
        }
    });
}

#[test]
fn debug_of_a_remote_key_names_the_provider_and_the_public_fingerprint_only() {
    let key = RemoteKey::from_callback(
        public_2048(),
        openssl_kms("test-rsa2048-pkcs8.pem"),
        CallbackOptions::default(),
    );
    key.check().unwrap();
    assert!(key.is_verified());
    let debug = format!("{key:?}");
    assert!(debug.contains(&public_2048().fingerprint()), "{debug}");
    assert!(debug.contains("callback"), "{debug}");
}
