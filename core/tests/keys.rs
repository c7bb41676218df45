//! Key loading: every accepted form, and a distinct code for every way a key can be wrong.

mod common;

use common::{key_pem, testdata};
use nuvera_signing::{ErrorCode, PrivateKey, PublicKey};

const PASSPHRASE: &[u8] = b"correct horse battery staple";

fn code(result: Result<PrivateKey, nuvera_signing::Error>) -> ErrorCode {
    result.expect_err("the key must be refused").code()
}

fn relabel(pem: &[u8], from: &str, to: &str) -> String {
    String::from_utf8(pem.to_vec()).unwrap().replace(from, to)
}

#[test]
fn derived_public_key_is_the_registered_one() {
    let key = PrivateKey::from_pem(key_pem("test-rsa2048-pkcs8.pem"), None).unwrap();
    let expected = PublicKey::from_pem(key_pem("test-rsa2048-public.pem")).unwrap();
    assert_eq!(key.public_key(), &expected);
    assert_eq!(
        key.public_key().to_pem().trim(),
        String::from_utf8(key_pem("test-rsa2048-public.pem"))
            .unwrap()
            .trim()
    );
    assert_eq!(key.bits(), 2048);
    assert!(key.fingerprint().starts_with("SHA256:"));
    assert_eq!(key.fingerprint(), expected.fingerprint());
}

#[test]
fn rsa_4096_signs_and_verifies() {
    let key = PrivateKey::from_pem(key_pem("test-rsa4096-pkcs8.pem"), None).unwrap();
    assert_eq!(key.bits(), 4096);
    let public = PublicKey::from_pem(key_pem("test-rsa4096-public.pem")).unwrap();
    assert_eq!(key.public_key(), &public);
    let signer = nuvera_signing::Signer::new(key, "nv_test_0000").unwrap();
    let signed = signer
        .sign("GET", "/api/v1/customers", nuvera_signing::Body::Empty)
        .unwrap();
    let (input, sig) = signed.token().rsplit_once('.').unwrap();
    let sig =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig).unwrap();
    assert!(public.verify_rs256(input.as_bytes(), &sig));
    assert!(!public.verify_rs256(b"another message", &sig));
}

#[test]
fn weak_and_non_rsa_keys_are_refused_with_their_own_codes() {
    assert_eq!(
        code(PrivateKey::from_pem(
            key_pem("weak-rsa1024-pkcs8.pem"),
            None
        )),
        ErrorCode::KeyTooSmall
    );
    assert_eq!(
        code(PrivateKey::from_pem(key_pem("not-rsa-p256.pem"), None)),
        ErrorCode::UnsupportedKeyType
    );
}

#[test]
fn passphrase_problems_are_named() {
    let encrypted = key_pem("test-rsa2048-encrypted-pkcs8.pem");
    assert_eq!(
        code(PrivateKey::from_pem(&encrypted, None)),
        ErrorCode::PassphraseRequired
    );
    assert_eq!(
        code(PrivateKey::from_pem(&encrypted, Some(b"wrong horse"))),
        ErrorCode::WrongPassphrase
    );
    assert_eq!(
        code(PrivateKey::from_pem(&encrypted, Some(b""))),
        ErrorCode::WrongPassphrase
    );
    assert!(PrivateKey::from_pem(&encrypted, Some(PASSPHRASE)).is_ok());
}

#[test]
fn labels_that_lie_are_caught() {
    let pkcs1 = key_pem("test-rsa2048-pkcs1.pem");
    let pkcs8 = key_pem("test-rsa2048-pkcs8.pem");
    let encrypted = key_pem("test-rsa2048-encrypted-pkcs8.pem");
    let cases = [
        relabel(&pkcs1, "RSA PRIVATE KEY", "PRIVATE KEY"),
        relabel(&pkcs8, "PRIVATE KEY", "RSA PRIVATE KEY"),
        relabel(&pkcs8, "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"),
        relabel(&encrypted, "ENCRYPTED PRIVATE KEY", "PRIVATE KEY"),
    ];
    for pem in cases {
        assert_eq!(
            code(PrivateKey::from_pem(&pem, Some(PASSPHRASE))),
            ErrorCode::PemLabelMismatch,
            "{}",
            &pem[..40]
        );
    }
}

#[test]
fn garbage_public_keys_and_certificates_are_not_private_keys() {
    let cases: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"hello".to_vec(),
        b"-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec(),
        key_pem("test-rsa2048-public.pem"),
        vec![0x30, 0x82, 0xff, 0xff, 0x00],
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec(),
    ];
    for pem in cases {
        assert_eq!(
            code(PrivateKey::from_pem(&pem, None)),
            ErrorCode::InvalidPrivateKey,
            "{:?}",
            String::from_utf8_lossy(&pem)
        );
    }
    // Truncating a real key damages its DER.
    let pkcs8 = String::from_utf8(key_pem("test-rsa2048-pkcs8.pem")).unwrap();
    let lines: Vec<&str> = pkcs8.lines().collect();
    let truncated = [&lines[..5], &lines[lines.len() - 1..]].concat().join("\n");
    assert_eq!(
        code(PrivateKey::from_pem(&truncated, None)),
        ErrorCode::InvalidPrivateKey
    );
}

#[test]
fn unreadable_public_keys_are_invalid_public_key() {
    let cases: Vec<Vec<u8>> = vec![
        b"not a key".to_vec(),
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".to_vec(),
        key_pem("test-rsa2048-pkcs8.pem"),
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec(),
        vec![0xff, 0xfe],
    ];
    for pem in cases {
        let err = PublicKey::from_pem(&pem).unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::InvalidPublicKey,
            "{:?}",
            String::from_utf8_lossy(&pem)
        );
    }
    let err = PublicKey::from_spki_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidPublicKey);
}

#[test]
fn missing_key_file_is_an_io_error() {
    let err = PrivateKey::from_file(testdata("keys/does-not-exist.pem"), None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::IoError);
}

#[test]
fn key_material_never_reaches_debug_or_errors() {
    let pem = String::from_utf8(key_pem("test-rsa2048-pkcs8.pem")).unwrap();
    let key = PrivateKey::from_pem(&pem, None).unwrap();
    let debug = format!("{key:?}");
    assert!(debug.contains("2048") && debug.contains("SHA256:"));
    let body_line = pem.lines().nth(3).unwrap();
    assert!(!debug.contains(&body_line[..16]));
    let signer = nuvera_signing::Signer::new(key, "nv_live_3f9a2c7d1e").unwrap();
    let signed = signer
        .sign("GET", "/api/v1/x", nuvera_signing::Body::Empty)
        .unwrap();
    for text in [format!("{signer:?}"), format!("{signed:?}")] {
        assert!(!text.contains("nv_live_3f9a2c7d1e"), "{text}");
        assert!(!text.contains(signed.token()), "{text}");
        assert!(!text.contains(&body_line[..16]), "{text}");
    }
    // A damaged key's error does not echo its contents.
    let damaged = pem.replace(&body_line[..8], "!!!!!!!!");
    let err = PrivateKey::from_pem(&damaged, None).unwrap_err();
    assert!(!err.to_string().contains(&body_line[8..16]));
}

#[cfg(feature = "aws-lc-rs")]
#[test]
fn generated_keys_round_trip() {
    let (key, pem) = PrivateKey::generate(2048).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let again = PrivateKey::from_pem(pem.as_bytes(), None).unwrap();
    assert_eq!(key.public_key(), again.public_key());
    assert_eq!(
        PrivateKey::generate(1024).unwrap_err().code(),
        ErrorCode::Unsupported
    );
}
