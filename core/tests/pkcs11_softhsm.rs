//! PKCS#11 remote keys against a real SoftHSM2 token.
//!
//! A PKCS#11 module reads its configuration once, when the process initialises it, so each test
//! runs in a process of its own: the test re-runs this test binary for itself alone, with
//! `SOFTHSM2_CONF` pointing at a fresh token directory where `softhsm2-util` initialised a token
//! and imported the public vectors' key.

mod common;
mod remote_common;
mod softhsm;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::{s, testdata, vectors};
use nuvera_signing::remote::pkcs11::{KeySelector, Pkcs11Config, Pkcs11Pin, TokenSelector};
use nuvera_signing::{
    Body, ErrorCode, PublicKey, RemoteKey, SignOverrides, Signer, SignerOptions, SigningKey,
};
use remote_common::assert_jwt_vectors;

use softhsm::{SoftHsmToken, KEY_LABEL, MODULE, PIN, TOKEN};

const CHILD_ENV: &str = "NUVERA_PKCS11_TEST_CHILD";
const TOKEN_DIR_ENV: &str = "NUVERA_PKCS11_TEST_TOKENS";

/// Runs `body` in a child process with its own SoftHSM token (see the module comment).
fn in_own_token(test_name: &str, body: impl FnOnce(&Path)) {
    if std::env::var_os(CHILD_ENV).is_some() {
        let tokens = PathBuf::from(std::env::var_os(TOKEN_DIR_ENV).unwrap());
        body(&tokens);
        return;
    }
    let token = SoftHsmToken::with_key(&testdata("keys/test-rsa2048-pkcs8.pem"));
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env("SOFTHSM2_CONF", &token.conf)
        .env(CHILD_ENV, "1")
        .env(TOKEN_DIR_ENV, &token.tokens)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test_name} in its own process:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn config(key: KeySelector, pin: &str) -> Pkcs11Config {
    Pkcs11Config {
        module: MODULE.into(),
        token: TokenSelector::Label(TOKEN.to_owned()),
        key,
        pin: Pkcs11Pin::new(pin),
    }
}

fn open() -> RemoteKey {
    RemoteKey::from_pkcs11(config(KeySelector::Label(KEY_LABEL.to_owned()), PIN)).unwrap()
}

/// The first public vector, signed through `signer`: a whole token to compare.
fn first_vector_token(signer: &Signer) -> (String, String) {
    let v = vectors();
    let case = &v["jwt"][0];
    let body = common::b64(&case["bodyBase64"]);
    let signed = signer
        .sign_with(
            s(&case["method"]),
            s(&case["url"]),
            Body::Bytes(&body),
            &SignOverrides {
                iat: case["iat"].as_u64(),
                jti: Some(s(&case["jti"]).to_owned()),
            },
        )
        .unwrap();
    (signed.token().to_owned(), s(&case["token"]).to_owned())
}

fn vector_signer(key: impl nuvera_signing::IntoSigningKey) -> Signer {
    let v = vectors();
    let case = &v["jwt"][0];
    let options = SignerOptions {
        lifetime_secs: case["lifetime"].as_u64().unwrap() as u32,
        ..SignerOptions::default()
    };
    Signer::with_options(key, s(&case["apiKey"]), options).unwrap()
}

#[test]
fn the_token_key_reproduces_every_vector_token_byte_for_byte() {
    in_own_token(
        "the_token_key_reproduces_every_vector_token_byte_for_byte",
        |_| {
            let key = open();
            key.check().unwrap();
            assert!(assert_jwt_vectors(Arc::new(key)) >= 4);
        },
    );
}

#[test]
fn the_public_key_read_from_the_token_is_the_registered_one() {
    in_own_token(
        "the_public_key_read_from_the_token_is_the_registered_one",
        |_| {
            let key = open();
            let registered =
                PublicKey::from_pem(common::key_pem("test-rsa2048-public.pem")).unwrap();
            assert_eq!(key.public_key(), &registered);
            assert_eq!(key.public_key().to_pem(), registered.to_pem());
            assert_eq!(key.fingerprint(), registered.fingerprint());
        },
    );
}

#[test]
fn a_key_found_by_id_signs_the_same() {
    in_own_token("a_key_found_by_id_signs_the_same", |_| {
        let key = RemoteKey::from_pkcs11(config(KeySelector::Id(vec![1]), PIN)).unwrap();
        assert!(assert_jwt_vectors(Arc::new(key)) >= 4);
    });
}

#[test]
fn threads_share_one_signer_and_its_session_pool() {
    in_own_token("threads_share_one_signer_and_its_session_pool", |_| {
        let signer = vector_signer(open());
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..25 {
                        let (token, expected) = first_vector_token(&signer);
                        assert_eq!(token, expected);
                    }
                });
            }
        });
    });
}

#[test]
fn a_refused_pin_is_remote_signer_failed_and_never_shows_the_pin() {
    in_own_token(
        "a_refused_pin_is_remote_signer_failed_and_never_shows_the_pin",
        |_| {
            let wrong = "wrong-pin-918273";
            let cfg = config(KeySelector::Label(KEY_LABEL.to_owned()), wrong);
            assert!(!format!("{cfg:?}").contains(wrong));
            let err = RemoteKey::from_pkcs11(cfg).unwrap_err();
            assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
            assert!(err.message().contains("CKR_PIN_INCORRECT"), "{err}");
            assert!(err.message().contains(TOKEN), "{err}");
            assert!(!err.to_string().contains(wrong));
            assert!(!format!("{err:?}").contains(wrong));
            // The right PIN still opens the token afterwards.
            open().check().unwrap();
        },
    );
}

#[test]
fn an_unknown_token_or_key_is_a_clear_error() {
    in_own_token("an_unknown_token_or_key_is_a_clear_error", |_| {
        let mut cfg = config(KeySelector::Label(KEY_LABEL.to_owned()), PIN);
        cfg.token = TokenSelector::Label("no-such-token".to_owned());
        let err = RemoteKey::from_pkcs11(cfg).unwrap_err();
        assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
        assert!(
            err.message()
                .contains("no token labelled \"no-such-token\""),
            "{err}"
        );
        assert!(
            err.message().contains(TOKEN),
            "lists the tokens present: {err}"
        );
        let err =
            RemoteKey::from_pkcs11(config(KeySelector::Label("nope".to_owned()), PIN)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
        assert!(err.message().contains("no RSA private key"), "{err}");
        let mut cfg = config(KeySelector::Label(KEY_LABEL.to_owned()), PIN);
        cfg.module = "/nonexistent/libpkcs11.so".into();
        let err = RemoteKey::from_pkcs11(cfg).unwrap_err();
        assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
        assert!(
            err.message().contains("cannot load the PKCS#11 module"),
            "{err}"
        );
    });
}

#[test]
fn a_module_finalised_behind_the_signers_back_is_initialised_again() {
    in_own_token(
        "a_module_finalised_behind_the_signers_back_is_initialised_again",
        |_| {
            let signer = vector_signer(open());
            let (token, expected) = first_vector_token(&signer);
            assert_eq!(token, expected);
            // Another user of the same module in this process finalises it: every session of
            // ours is gone.
            let other = cryptoki::context::Pkcs11::new(MODULE).unwrap();
            other.finalize().unwrap();
            let (token, expected) = first_vector_token(&signer);
            assert_eq!(token, expected);
        },
    );
}

#[test]
fn a_token_deleted_while_in_use_is_remote_signer_failed_not_a_hang_or_crash() {
    in_own_token(
        "a_token_deleted_while_in_use_is_remote_signer_failed_not_a_hang_or_crash",
        |tokens| {
            let signer = vector_signer(open());
            let (token, expected) = first_vector_token(&signer);
            assert_eq!(token, expected);
            std::fs::remove_dir_all(tokens).unwrap();
            let v = vectors();
            let case = &v["jwt"][0];
            let err = signer
                .sign("POST", s(&case["url"]), Body::Bytes(b"{}"))
                .unwrap_err();
            assert_eq!(err.code(), ErrorCode::RemoteSignerFailed, "{err}");
            eprintln!("token deleted: {err}");
        },
    );
}

#[test]
fn a_token_selected_by_slot_id_signs_the_same() {
    in_own_token("a_token_selected_by_slot_id_signs_the_same", |_| {
        // The slot id SoftHSM gave the token, read through the module directly.
        let ctx = cryptoki::context::Pkcs11::new(MODULE).unwrap();
        let _ = ctx.initialize(cryptoki::context::CInitializeArgs::new(
            cryptoki::context::CInitializeFlags::OS_LOCKING_OK,
        ));
        let slot = ctx
            .get_slots_with_token()
            .unwrap()
            .into_iter()
            .find(|s| ctx.get_token_info(*s).unwrap().label() == TOKEN)
            .unwrap();
        let mut cfg = config(KeySelector::Label(KEY_LABEL.to_owned()), PIN);
        cfg.token = TokenSelector::Slot(slot.id());
        let key = RemoteKey::from_pkcs11(cfg).unwrap();
        assert!(assert_jwt_vectors(Arc::new(key)) >= 4);
        let mut cfg = config(KeySelector::Label(KEY_LABEL.to_owned()), PIN);
        cfg.token = TokenSelector::Slot(slot.id().wrapping_add(12345));
        let err = RemoteKey::from_pkcs11(cfg).unwrap_err();
        assert_eq!(err.code(), ErrorCode::RemoteSignerFailed);
        assert!(err.message().contains("has no token"), "{err}");
    });
}

#[test]
fn key_ids_are_read_as_hex() {
    assert_eq!(
        KeySelector::id_from_hex("01aB").unwrap(),
        KeySelector::Id(vec![0x01, 0xab])
    );
    for bad in ["", "1", "0g", "é1"] {
        assert_eq!(
            KeySelector::id_from_hex(bad).unwrap_err().code(),
            ErrorCode::InvalidArgument,
            "{bad:?}"
        );
    }
}

/// The bindings' entry point: exactly one of each pair, the PIN never in a message.
#[test]
fn config_from_optional_takes_exactly_one_of_each() {
    let module = Path::new(MODULE);
    let pin_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(pin_file.path(), "pin-from-file\n").unwrap();
    let config = Pkcs11Config::from_optional(
        module,
        Some(TOKEN),
        None,
        None,
        Some("0a1b"),
        None,
        Some(pin_file.path()),
    )
    .unwrap();
    assert_eq!(config.token, TokenSelector::Label(TOKEN.to_owned()));
    assert_eq!(config.key, KeySelector::Id(vec![0x0a, 0x1b]));
    assert!(!format!("{config:?}").contains("pin-from-file"));
    // Cargo sets CARGO_MANIFEST_DIR for every test process: a variable that is surely there.
    let config = Pkcs11Config::from_optional(
        module,
        None,
        Some(3),
        Some(KEY_LABEL),
        None,
        Some("CARGO_MANIFEST_DIR"),
        None,
    )
    .unwrap();
    assert_eq!(config.token, TokenSelector::Slot(3));
    assert!(!format!("{config:?}").contains(env!("CARGO_MANIFEST_DIR")));

    let invalid = |token: (Option<&str>, Option<u64>),
                   key: (Option<&str>, Option<&str>),
                   pin: (Option<&str>, Option<&Path>)| {
        Pkcs11Config::from_optional(module, token.0, token.1, key.0, key.1, pin.0, pin.1)
            .unwrap_err()
            .code()
    };
    let file = Some(pin_file.path());
    let label = (Some(KEY_LABEL), None);
    let token = (Some(TOKEN), None);
    for code in [
        invalid((None, None), label, (None, file)),
        invalid((Some(TOKEN), Some(1)), label, (None, file)),
        invalid(token, (None, None), (None, file)),
        invalid(token, (Some(KEY_LABEL), Some("01")), (None, file)),
        invalid(token, (None, Some("xyz")), (None, file)),
        invalid(token, label, (None, None)),
        invalid(token, label, (Some("CARGO_MANIFEST_DIR"), file)),
        invalid(
            token,
            label,
            (Some("NUVERA_TEST_SURELY_UNSET_PIN_VARIABLE"), None),
        ),
    ] {
        assert_eq!(code, ErrorCode::InvalidArgument);
    }
}
