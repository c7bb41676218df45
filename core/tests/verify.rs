//! The verifier: every rule of contract §6, with tokens crafted here, in order.

mod common;

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::key_pem;
use hmac::{KeyInit, Mac};
use nuvera_signing::verify::{ApiKeyStatus, PublicKeyStatus};
use nuvera_signing::{
    Application, AuthCode, Body, BodyHash, FixedClock, PrivateKey, PublicKey, ReceivedRequest,
    Registry, SignOverrides, Signer, Verifier, VerifierOptions,
};

const NOW: u64 = 1_767_225_600;
const API_KEY: &str = "nv_live_3f9a2c7d1e";
const REVOKED_KEY: &str = "nv_live_revoked_0001";
const DISABLED_APP_KEY: &str = "nv_live_disabled_0001";
const READ_ONLY_KEY: &str = "nv_live_readonly_0001";
const TARGET: &str = "/api/v1/customers?limit=20";

fn private_key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::from_pem(key_pem("test-rsa2048-pkcs8.pem"), None).unwrap())
}

fn public_key() -> PublicKey {
    PublicKey::from_pem(key_pem("test-rsa2048-public.pem")).unwrap()
}

fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .add(
            Application::new("Acme Payouts")
                .with_api_key(API_KEY, ApiKeyStatus::Active)
                .with_api_key(REVOKED_KEY, ApiKeyStatus::Revoked)
                .with_public_key(public_key(), PublicKeyStatus::Active, None)
                .with_permission("CUSTOMERS_READ")
                .with_permission("CUSTOMERS_WRITE"),
        )
        .unwrap()
        .add(
            Application::new("Dormant")
                .with_api_key(DISABLED_APP_KEY, ApiKeyStatus::Active)
                .with_public_key(public_key(), PublicKeyStatus::Active, None)
                .with_enabled(false),
        )
        .unwrap()
        .add(
            Application::new("Reporting")
                .with_api_key(READ_ONLY_KEY, ApiKeyStatus::Active)
                .with_public_key(public_key(), PublicKeyStatus::Active, None)
                .with_permission("CUSTOMERS_READ"),
        )
        .unwrap();
    registry
}

fn verifier() -> Verifier {
    Verifier::new(registry()).with_clock(Arc::new(FixedClock(NOW)))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A correctly RS256-signed token over any header and payload text.
fn signed_raw(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig = private_key().sign_rs256(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(&sig))
}

const HEADER: &str = r#"{"alg":"RS256","typ":"JWT"}"#;

fn payload(overrides: &[(&str, serde_json::Value)]) -> String {
    let mut claims = serde_json::json!({
        "iss": "nuvera-api", "aud": "nuvera-rest-api", "sub": API_KEY, "method": "GET", "uri": TARGET,
        "bodyHash": BodyHash::empty().as_str(), "iat": NOW, "exp": NOW + 55, "jti": "jti-1",
    });
    for (k, v) in overrides {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(*k);
        } else {
            claims[*k] = v.clone();
        }
    }
    claims.to_string()
}

struct Req {
    method: &'static str,
    target: &'static str,
    api_key: Option<String>,
    authorization: Option<String>,
    body_hash: BodyHash,
}

impl Req {
    fn with_token(token: &str) -> Self {
        Req {
            method: "GET",
            target: TARGET,
            api_key: Some(API_KEY.to_owned()),
            authorization: Some(format!("Bearer {token}")),
            body_hash: BodyHash::empty(),
        }
    }

    fn check(
        &self,
        verifier: &Verifier,
    ) -> Result<nuvera_signing::Verified, nuvera_signing::VerifyError> {
        verifier.verify(&ReceivedRequest {
            method: self.method,
            target: self.target,
            api_key: self.api_key.as_deref(),
            authorization: self.authorization.as_deref(),
            body_hash: &self.body_hash,
        })
    }

    fn code(&self) -> AuthCode {
        self.check(&verifier()).expect_err("must be refused").code()
    }
}

fn code_of(token: &str) -> AuthCode {
    Req::with_token(token).code()
}

#[test]
fn a_correctly_signed_request_is_accepted() {
    let signer = Signer::new(private_key(), API_KEY).unwrap();
    let overrides = SignOverrides {
        iat: Some(NOW),
        jti: None,
    };
    let signed = signer
        .sign_with("get", TARGET, Body::Empty, &overrides)
        .unwrap();
    let verified = Req::with_token(signed.token()).check(&verifier()).unwrap();
    assert_eq!(verified.application, "Acme Payouts");
    assert_eq!(verified.permission, "CUSTOMERS_READ");
    assert_eq!(verified.key_fingerprint, public_key().fingerprint());
}

#[test]
fn claims_in_any_order_and_whitespace_are_accepted() {
    // jose puts `method` first; the verifier parses, it does not compare bytes.
    let pretty = format!(
        "{{ \"method\": \"GET\", \"uri\": \"{TARGET}\", \"iss\": \"nuvera-api\",\n \"aud\": \"nuvera-rest-api\", \"sub\": \"{API_KEY}\", \"bodyHash\": \"{}\", \"jti\": \"j\", \"iat\": {NOW}, \"exp\": {} , \"extra\": [1] }}",
        BodyHash::empty(),
        NOW + 30
    );
    let token = signed_raw(
        "{ \"typ\": \"JWT\", \"alg\": \"RS256\", \"kid\": \"k1\" }",
        &pretty,
    );
    assert!(Req::with_token(&token).check(&verifier()).is_ok());
}

#[test]
fn missing_and_malformed_headers() {
    let token = signed_raw(HEADER, &payload(&[]));
    let mut r = Req::with_token(&token);
    r.api_key = None;
    assert_eq!(r.code(), AuthCode::MissingHeader);
    let mut r = Req::with_token(&token);
    r.authorization = None;
    assert_eq!(r.code(), AuthCode::MissingHeader);
    for auth in [
        format!("Basic {token}"),
        format!("Bearer{token}"),
        "Bearer a.b".to_owned(),
        "Bearer a.b.c.d".to_owned(),
        "Bearer a..c".to_owned(),
        format!("Bearer {token}="),
        format!("Bearer {}", "a".repeat(9000) + ".b.c"),
    ] {
        let mut r = Req::with_token(&token);
        r.authorization = Some(auth.clone());
        assert_eq!(
            r.code(),
            AuthCode::InvalidHeader,
            "{}",
            &auth[..auth.len().min(40)]
        );
    }
}

#[test]
fn api_key_states_each_have_their_code() {
    let token = signed_raw(HEADER, &payload(&[]));
    for (key, code) in [
        ("nv_live_unknown", AuthCode::InvalidApiKey),
        (REVOKED_KEY, AuthCode::ApiKeyRevoked),
        (DISABLED_APP_KEY, AuthCode::ApplicationDisabled),
    ] {
        let mut r = Req::with_token(&token);
        r.api_key = Some(key.to_owned());
        assert_eq!(r.code(), code, "{key}");
    }
}

#[test]
fn malformed_tokens() {
    let cases = [
        signed_raw("not json", &payload(&[])),
        signed_raw("[1]", &payload(&[])),
        signed_raw(HEADER, "[]"),
        signed_raw(r#"{"alg":"RS256","alg":"none"}"#, &payload(&[])),
        signed_raw(
            HEADER,
            &payload(&[]).replacen('{', &format!("{{\"sub\":\"{API_KEY}\","), 1),
        ),
        signed_raw(HEADER, &payload(&[("iat", serde_json::json!(1.5))])),
        signed_raw(
            HEADER,
            &payload(&[("iat", serde_json::json!(1767225600.0))]),
        ),
        signed_raw(
            HEADER,
            &payload(&[("exp", serde_json::json!("1767225655"))]),
        ),
        signed_raw(HEADER, &payload(&[("iat", serde_json::json!(-1))])),
        signed_raw(HEADER, &payload(&[("sub", serde_json::json!(42))])),
        signed_raw(
            HEADER,
            &payload(&[("jti", serde_json::json!("j".repeat(300)))]),
        ),
        signed_raw(
            HEADER,
            &payload(&[]).replace(&format!("\"exp\":{}", NOW + 55), "\"exp\":1.767225655e9"),
        ),
    ];
    for (i, token) in cases.iter().enumerate() {
        assert_eq!(code_of(token), AuthCode::TokenMalformed, "case {i}");
    }
}

#[test]
fn only_rs256_without_extensions() {
    let p = payload(&[]);
    let unsigned = |alg: &str| {
        format!(
            "{}.{}.",
            b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes()),
            b64(p.as_bytes())
        )
    };
    // `alg: none` with an empty signature is not even three segments; with a junk one it is refused for its alg.
    for alg in ["none", "None", "NONE", "nOnE"] {
        assert_eq!(code_of(&unsigned(alg)), AuthCode::InvalidHeader);
        assert_eq!(
            code_of(&format!("{}AAAA", unsigned(alg))),
            AuthCode::UnsupportedAlg,
            "{alg}"
        );
    }
    for header in [
        r#"{"alg":"rs256"}"#,
        r#"{"alg":"RS512"}"#,
        r#"{"alg":"PS256"}"#,
        r#"{"typ":"JWT"}"#,
        r#"{"alg":["RS256"]}"#,
    ] {
        assert_eq!(
            code_of(&signed_raw(header, &p)),
            AuthCode::UnsupportedAlg,
            "{header}"
        );
    }
    assert_eq!(
        code_of(&signed_raw(r#"{"alg":"RS256","crit":["exp"],"exp":1}"#, &p)),
        AuthCode::UnsupportedAlg
    );

    // The classic key-confusion attack: HS256 keyed with the public key's PEM.
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(p.as_bytes())
    );
    for secret in [
        key_pem("test-rsa2048-public.pem"),
        public_key().spki_der().to_vec(),
    ] {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret).unwrap();
        mac.update(input.as_bytes());
        let forged = format!("{input}.{}", b64(&mac.finalize().into_bytes()));
        assert_eq!(code_of(&forged), AuthCode::UnsupportedAlg);
    }
}

#[test]
fn signature_is_checked_before_any_claim_is_trusted() {
    let good = signed_raw(HEADER, &payload(&[]));
    let (input, sig) = good.rsplit_once('.').unwrap();
    // A payload changed after signing, even to wrong claims, is a signature failure first.
    let tampered = format!(
        "{}.{}.{sig}",
        b64(HEADER.as_bytes()),
        b64(payload(&[("iss", "evil".into()), ("iat", 0.into())]).as_bytes())
    );
    assert_eq!(code_of(&tampered), AuthCode::SignatureMismatch);
    let mut flipped = URL_SAFE_NO_PAD.decode(sig).unwrap();
    flipped[0] ^= 1;
    assert_eq!(
        code_of(&format!("{input}.{}", b64(&flipped))),
        AuthCode::SignatureMismatch
    );
    // Signed by a key that is not registered.
    let other = PrivateKey::from_pem(key_pem("test-rsa4096-pkcs8.pem"), None).unwrap();
    let sig = other.sign_rs256(input.as_bytes()).unwrap();
    assert_eq!(
        code_of(&format!("{input}.{}", b64(&sig))),
        AuthCode::SignatureMismatch
    );
}

#[test]
fn claim_rules_in_order() {
    let cases: Vec<(Vec<(&str, serde_json::Value)>, AuthCode)> = vec![
        (
            vec![("jti", serde_json::Value::Null)],
            AuthCode::MissingClaim,
        ),
        (
            vec![("bodyHash", serde_json::Value::Null)],
            AuthCode::MissingClaim,
        ),
        (vec![("iss", "nuvera".into())], AuthCode::InvalidIssuer),
        (
            vec![("aud", "nuvera-api".into())],
            AuthCode::InvalidAudience,
        ),
        (
            vec![("sub", "nv_live_3f9a2c7d1f".into())],
            AuthCode::SubjectMismatch,
        ),
        (vec![("method", "get".into())], AuthCode::MethodMismatch),
        (vec![("method", "POST".into())], AuthCode::MethodMismatch),
        (
            vec![("uri", "/api/v1/customers?limit=20&".into())],
            AuthCode::UriMismatch,
        ),
        (
            vec![(
                "uri",
                "https://api.nuvera.global/api/v1/customers?limit=20".into(),
            )],
            AuthCode::UriMismatch,
        ),
        (
            vec![("bodyHash", BodyHash::of_bytes(b"{}").as_str().into())],
            AuthCode::BodyHashMismatch,
        ),
        (vec![("exp", (NOW + 61).into())], AuthCode::LifetimeTooLong),
        (vec![("exp", NOW.into())], AuthCode::LifetimeTooLong),
        (
            vec![("iat", (NOW + 6).into()), ("exp", (NOW + 60).into())],
            AuthCode::TokenNotYetValid,
        ),
        (
            vec![("iat", (NOW - 60).into()), ("exp", (NOW - 5).into())],
            AuthCode::TokenExpired,
        ),
        // Several faults: the first rule in contract order wins.
        (
            vec![
                ("iss", "x".into()),
                ("uri", "/y".into()),
                ("exp", (NOW + 600).into()),
            ],
            AuthCode::InvalidIssuer,
        ),
    ];
    for (overrides, code) in cases {
        assert_eq!(
            code_of(&signed_raw(HEADER, &payload(&overrides))),
            code,
            "{overrides:?}"
        );
    }
    // Within the skew both ways is fine.
    let edge = payload(&[("iat", (NOW + 5).into()), ("exp", (NOW + 60).into())]);
    assert!(Req::with_token(&signed_raw(HEADER, &edge))
        .check(&verifier())
        .is_ok());
    let edge = payload(&[("iat", (NOW - 59).into()), ("exp", (NOW - 4).into())]);
    assert!(Req::with_token(&signed_raw(HEADER, &edge))
        .check(&verifier())
        .is_ok());
}

#[test]
fn a_jti_is_accepted_once() {
    let v = verifier();
    let token = signed_raw(HEADER, &payload(&[]));
    assert!(Req::with_token(&token).check(&v).is_ok());
    assert_eq!(
        Req::with_token(&token).check(&v).unwrap_err().code(),
        AuthCode::ReplayedJti
    );
    // Refused tokens are never recorded.
    let v = verifier();
    let wrong_uri = signed_raw(
        HEADER,
        &payload(&[("uri", "/other".into()), ("jti", "j2".into())]),
    );
    assert_eq!(
        Req::with_token(&wrong_uri).check(&v).unwrap_err().code(),
        AuthCode::UriMismatch
    );
    let unsigned = format!("{}.AAAA", wrong_uri.rsplit_once('.').unwrap().0);
    assert_eq!(
        Req::with_token(&unsigned).check(&v).unwrap_err().code(),
        AuthCode::SignatureMismatch
    );
    let expired = signed_raw(
        HEADER,
        &payload(&[
            ("iat", (NOW - 100).into()),
            ("exp", (NOW - 50).into()),
            ("jti", "j3".into()),
        ]),
    );
    assert_eq!(
        Req::with_token(&expired).check(&v).unwrap_err().code(),
        AuthCode::TokenExpired
    );
    // Each of those, once corrected and signed, is still fresh: their jtis were not recorded.
    for jti in ["j2", "j3"] {
        let fixed = signed_raw(HEADER, &payload(&[("jti", jti.into())]));
        assert!(Req::with_token(&fixed).check(&v).is_ok(), "{jti}");
    }
}

#[test]
fn replay_cache_only_holds_accepted_jtis() {
    let cache = Arc::new(nuvera_signing::verify::InMemoryReplayCache::new());
    let v = verifier().with_replay_cache(cache.clone());
    let accepted = signed_raw(HEADER, &payload(&[("jti", "a".into())]));
    let refused = signed_raw(
        HEADER,
        &payload(&[("jti", "b".into()), ("method", "POST".into())]),
    );
    assert!(Req::with_token(&accepted).check(&v).is_ok());
    assert!(Req::with_token(&refused).check(&v).is_err());
    assert_eq!(cache.len(), 1);
}

#[test]
fn permission_denied_is_403_and_comes_last() {
    let token = signed_raw(
        HEADER,
        &payload(&[("sub", READ_ONLY_KEY.into()), ("method", "POST".into())]),
    );
    let mut r = Req::with_token(&token);
    r.method = "POST";
    r.api_key = Some(READ_ONLY_KEY.to_owned());
    let err = r.check(&verifier()).unwrap_err();
    assert_eq!(err.code(), AuthCode::PermissionDenied);
    assert_eq!(err.http_status(), 403);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&err.response_body()).unwrap()["errors"][0]
            ["code"],
        "AUTH_PERMISSION_DENIED"
    );
    let read = signed_raw(HEADER, &payload(&[("sub", READ_ONLY_KEY.into())]));
    let mut r = Req::with_token(&read);
    r.api_key = Some(READ_ONLY_KEY.to_owned());
    assert!(r.check(&verifier()).is_ok());
}

#[test]
fn a_request_refused_for_its_permission_does_not_use_up_its_jti() {
    let cache = Arc::new(nuvera_signing::verify::InMemoryReplayCache::new());
    let v = verifier().with_replay_cache(cache.clone());
    let token = signed_raw(
        HEADER,
        &payload(&[("sub", READ_ONLY_KEY.into()), ("method", "POST".into())]),
    );
    let mut r = Req::with_token(&token);
    r.method = "POST";
    r.api_key = Some(READ_ONLY_KEY.to_owned());
    for _ in 0..2 {
        assert_eq!(r.check(&v).unwrap_err().code(), AuthCode::PermissionDenied);
    }
    assert!(cache.is_empty());
}

#[test]
fn a_shared_cache_that_cannot_be_reached_refuses_with_503() {
    // Nothing listens on port 1 of loopback: the verifier must refuse, never accept unrecorded.
    // Without the `redis` feature the option itself is refused as unsupported.
    let options = VerifierOptions {
        replay_cache: Some(nuvera_signing::ReplayCacheOptions::new(
            "redis://127.0.0.1:1",
        )),
        ..VerifierOptions::default()
    };
    match verifier().with_options(options) {
        Ok(v) => {
            let err = Req::with_token(&signed_raw(HEADER, &payload(&[])))
                .check(&v)
                .unwrap_err();
            assert_eq!(err.code(), AuthCode::ReplayCacheUnavailable);
            assert_eq!(err.http_status(), 503);
        }
        Err(e) => assert_eq!(e.code(), nuvera_signing::ErrorCode::Unsupported),
    }
}

#[test]
fn rotated_keys_verify_during_their_grace_window_only() {
    let registry_with = |status, expires_at| {
        let mut registry = Registry::new();
        registry
            .add(
                Application::new("Rotating")
                    .with_api_key(API_KEY, ApiKeyStatus::Active)
                    .with_public_key(public_key(), status, expires_at)
                    .with_permission("CUSTOMERS_READ"),
            )
            .unwrap();
        Verifier::new(registry).with_clock(Arc::new(FixedClock(NOW)))
    };
    let token = signed_raw(HEADER, &payload(&[]));
    assert!(Req::with_token(&token)
        .check(&registry_with(PublicKeyStatus::Expiring, Some(NOW + 3600)))
        .is_ok());
    let after = Req::with_token(&token)
        .check(&registry_with(PublicKeyStatus::Expiring, Some(NOW)))
        .unwrap_err();
    assert_eq!(after.code(), AuthCode::SignatureMismatch);
    let retired = Req::with_token(&token)
        .check(&registry_with(PublicKeyStatus::Retired, None))
        .unwrap_err();
    assert_eq!(retired.code(), AuthCode::SignatureMismatch);
}

#[test]
fn clock_skew_is_bounded() {
    let options = VerifierOptions {
        clock_skew_secs: 61,
        ..VerifierOptions::default()
    };
    assert!(verifier().with_options(options).is_err());
    let options = VerifierOptions {
        clock_skew_secs: 0,
        ..VerifierOptions::default()
    };
    let strict = verifier().with_options(options).unwrap();
    let future = signed_raw(
        HEADER,
        &payload(&[("iat", (NOW + 1).into()), ("exp", (NOW + 56).into())]),
    );
    assert_eq!(
        Req::with_token(&future).check(&strict).unwrap_err().code(),
        AuthCode::TokenNotYetValid
    );
}

#[test]
fn registry_files_in_json_and_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.pub.pem"),
        key_pem("test-rsa2048-public.pem"),
    )
    .unwrap();
    let key_sha = nuvera_signing::to_hex(&<sha2::Sha256 as sha2::Digest>::digest(
        READ_ONLY_KEY.as_bytes(),
    ));
    let json = format!(
        r#"{{"applications":[{{"name":"Acme","permissions":["CUSTOMERS_READ"],
            "apiKeys":[{{"key":"{API_KEY}"}},{{"key":"{REVOKED_KEY}","status":"revoked"}},{{"sha256":"{key_sha}"}}],
            "publicKeys":[{{"file":"acme.pub.pem"}}]}}]}}"#
    );
    std::fs::write(dir.path().join("registry.json"), json).unwrap();
    let toml = format!(
        "[[applications]]\nname = \"Acme\"\npermissions = [\"CUSTOMERS_READ\"]\n\
         apiKeys = [{{ key = \"{API_KEY}\" }}, {{ key = \"{REVOKED_KEY}\", status = \"revoked\" }}, {{ sha256 = \"{key_sha}\" }}]\n\
         publicKeys = [{{ file = \"acme.pub.pem\", status = \"expiring\", expiresAt = {} }}]\n",
        NOW + 10
    );
    std::fs::write(dir.path().join("registry.toml"), toml).unwrap();
    for name in ["registry.json", "registry.toml"] {
        let registry = Registry::from_file(dir.path().join(name)).unwrap();
        let v = Verifier::new(registry).with_clock(Arc::new(FixedClock(NOW)));
        let token = signed_raw(HEADER, &payload(&[]));
        assert!(Req::with_token(&token).check(&v).is_ok(), "{name}");
        let mut revoked = Req::with_token(&token);
        revoked.api_key = Some(REVOKED_KEY.to_owned());
        assert_eq!(
            revoked.check(&v).unwrap_err().code(),
            AuthCode::ApiKeyRevoked,
            "{name}"
        );
        let by_hash = signed_raw(
            HEADER,
            &payload(&[("sub", READ_ONLY_KEY.into()), ("jti", "h".into())]),
        );
        let mut r = Req::with_token(&by_hash);
        r.api_key = Some(READ_ONLY_KEY.to_owned());
        assert!(r.check(&v).is_ok(), "{name}: key by sha256");
    }
    for bad in [
        r#"{"applications":[{"name":"x"}]}"#,
        r#"{"applications":[],"extra":1}"#,
        "not json",
    ] {
        let err = Registry::from_json_str(bad, dir.path()).unwrap_err();
        assert_eq!(
            err.code(),
            nuvera_signing::ErrorCode::InvalidRegistry,
            "{bad}"
        );
    }
}

#[test]
fn a_request_is_verified_from_its_raw_headers_and_body() {
    let signer = Signer::new(private_key(), API_KEY)
        .unwrap()
        .with_clock(Arc::new(FixedClock(NOW)));
    let wire: &[u8] = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
    let content_type = "multipart/form-data; boundary=b";
    let signed = signer
        .sign(
            "POST",
            TARGET,
            Body::for_content_type(Some(content_type), wire),
        )
        .unwrap();
    let [(_, api_key), (_, authorization)] = signed.headers();
    let headers = [
        ("Content-Type", content_type),
        ("X-API-KEY", api_key.as_str()),
        ("authorization", authorization.as_str()),
    ];
    let verified = verifier()
        .verify_received("POST", TARGET, headers, wire)
        .unwrap();
    assert_eq!(verified.application, "Acme Payouts");

    // The same bytes under another Content-Type hash as plain bytes: the body hash differs.
    let other = verifier()
        .verify_received(
            "POST",
            TARGET,
            [headers[1], headers[2], ("content-type", "text/plain")],
            wire,
        )
        .unwrap_err();
    assert_eq!(other.code().as_str(), "AUTH_BODY_HASH_MISMATCH");
    assert_eq!(other.http_status(), Some(401));

    // Without credentials the body is never read: the missing header is the answer (§6).
    let anonymous = verifier()
        .verify_received(
            "POST",
            TARGET,
            [("content-type", "multipart/form-data")],
            wire,
        )
        .unwrap_err();
    assert_eq!(anonymous.code().as_str(), "AUTH_MISSING_HEADER");
    // With them, a body unreadable as its Content-Type is a refusal naming the parse error.
    let malformed = verifier()
        .verify_received(
            "POST",
            TARGET,
            [
                headers[1],
                headers[2],
                ("content-type", "multipart/form-data"),
            ],
            wire,
        )
        .unwrap_err();
    assert_eq!(malformed.code().as_str(), "AUTH_BODY_HASH_MISMATCH");
    assert!(malformed.message().contains("MULTIPART_MALFORMED"));
}

#[test]
fn registry_text_is_read_in_the_named_format() {
    let base = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/keys"));
    let toml = r#"[[applications]]
name = "T"
apiKeys = [{ key = "nv_test_text" }]
publicKeys = [{ file = "test-rsa2048-public.pem" }]
"#;
    let json = r#"{"applications":[{"name":"J","apiKeys":[{"key":"nv_test_text"}],
        "publicKeys":[{"file":"test-rsa2048-public.pem"}]}]}"#;
    assert!(Registry::from_text(toml, "TOML", base).is_ok());
    assert!(Registry::from_text(json, "json", base).is_ok());
    let err = Registry::from_text(toml, "yaml", base).unwrap_err();
    assert_eq!(err.code().as_str(), "INVALID_REGISTRY");
    assert_eq!(
        Registry::from_text(toml, "json", base)
            .unwrap_err()
            .code()
            .as_str(),
        "INVALID_REGISTRY"
    );
}

// ---- Issue 13: deny by default, and nothing unauthenticated is worked on ----

/// A request to `target` with `method`, from the Acme key (CUSTOMERS_READ and _WRITE), signed
/// for exactly that method and target.
fn to_target(method: &'static str, target: &'static str) -> Req {
    let token = signed_raw(
        HEADER,
        &payload(&[("method", method.into()), ("uri", target.into())]),
    );
    let mut r = Req::with_token(&token);
    r.method = method;
    r.target = target;
    r
}

#[test]
fn a_target_that_names_no_area_is_denied_by_default() {
    for target in [
        "/api/v1//customers",
        "/api//v1/customers",
        "/API/V1/customers",
        "/api/v1/Customers",
        "/api/v1",
        "/api/v1/",
        "/api/v1?x=/customers",
        "/healthz",
        "/api/v1/./customers",
        "/api/v1/customers/../bank-accounts",
        "/api/v1/customers/%2e%2E/bank-accounts",
        "/api/v1/customers/.%2E",
        "/api/v1/%63ustomers",
        "/api/v1/customers%2fx",
        "/api/v1/customers/a%5C..",
        "/api/v1/customers\\..",
        "/api/v1/-customers",
        "/api/v1/customers-",
        "/api/v1/bank--accounts",
        "/api/v1/customers;x=1",
    ] {
        for method in ["GET", "POST"] {
            let err = to_target(method, target)
                .check(&verifier())
                .expect_err(target);
            assert_eq!(err.code(), AuthCode::PermissionDenied, "{method} {target}");
            assert_eq!(err.http_status(), 403);
        }
    }
    // The same application is served where the path names its area.
    for target in [
        "/api/v1/customers",
        "/api/v1/customers/",
        "/api/v1/customers/c_1",
        "/api/v1/customers/c%201",
        "/api/v1/customers?next=/api/v1/../x",
    ] {
        let verified = to_target("POST", target).check(&verifier()).expect(target);
        assert_eq!(verified.permission, "CUSTOMERS_WRITE", "{target}");
    }
}

#[test]
fn http_methods_are_compared_byte_for_byte() {
    // A lower-case `get` is not GET: it needs the area's WRITE permission, which the read-only
    // application lacks.
    let token = signed_raw(
        HEADER,
        &payload(&[("sub", READ_ONLY_KEY.into()), ("method", "get".into())]),
    );
    let mut r = Req::with_token(&token);
    r.method = "get";
    r.api_key = Some(READ_ONLY_KEY.to_owned());
    assert_eq!(r.code(), AuthCode::PermissionDenied);
    // A claim `get` for a request sent as GET (or the reverse) is a method mismatch.
    let mut r = Req::with_token(&signed_raw(HEADER, &payload(&[("method", "get".into())])));
    assert_eq!(r.code(), AuthCode::MethodMismatch);
    r = Req::with_token(&signed_raw(HEADER, &payload(&[])));
    r.method = "get";
    assert_eq!(r.code(), AuthCode::MethodMismatch);
    // The application that holds WRITE is served, under WRITE.
    let mut r = Req::with_token(&signed_raw(HEADER, &payload(&[("method", "get".into())])));
    r.method = "get";
    assert_eq!(r.check(&verifier()).unwrap().permission, "CUSTOMERS_WRITE");
}

#[test]
fn a_jti_must_be_one_to_256_bytes_and_not_only_whitespace() {
    for jti in ["", " ", "\t\n", "\u{3000}\u{a0}", &"x".repeat(257)] {
        let token = signed_raw(HEADER, &payload(&[("jti", jti.into())]));
        assert_eq!(code_of(&token), AuthCode::TokenMalformed, "{jti:?}");
    }
    for jti in ["a", " a ", &"x".repeat(256)] {
        let token = signed_raw(HEADER, &payload(&[("jti", jti.into())]));
        assert!(
            Req::with_token(&token).check(&verifier()).is_ok(),
            "{jti:?}"
        );
    }
    // The signer refuses what the verifier would refuse, with a signing error.
    let signer = Signer::new(private_key(), API_KEY).unwrap();
    for jti in ["", "  ", &"x".repeat(257)] {
        let overrides = SignOverrides {
            iat: Some(NOW),
            jti: Some(jti.to_owned()),
        };
        let err = signer
            .sign_with("GET", TARGET, Body::Empty, &overrides)
            .unwrap_err();
        assert_eq!(
            err.code(),
            nuvera_signing::ErrorCode::InvalidClaim,
            "{jti:?}"
        );
    }
}

#[test]
fn a_request_refused_for_its_body_does_not_use_up_its_jti() {
    let cache = Arc::new(nuvera_signing::verify::InMemoryReplayCache::new());
    let v = verifier().with_replay_cache(cache.clone());
    let token = signed_raw(HEADER, &payload(&[]));
    let mut r = Req::with_token(&token);
    r.body_hash = BodyHash::of_bytes(b"not what was signed");
    assert_eq!(r.check(&v).unwrap_err().code(), AuthCode::BodyHashMismatch);
    assert!(cache.is_empty());
    // The same token with the body it was signed for is accepted once, then replayed.
    let r = Req::with_token(&token);
    assert!(r.check(&v).is_ok());
    assert_eq!(r.check(&v).unwrap_err().code(), AuthCode::ReplayedJti);
}

#[test]
fn a_refused_permission_leaves_the_jti_for_a_verifier_that_grants_it() {
    // Two verifiers share one replay cache; the first registry lacks the permission.
    let cache = Arc::new(nuvera_signing::verify::InMemoryReplayCache::new());
    let mut without = Registry::new();
    without
        .add(
            Application::new("Acme Payouts")
                .with_api_key(API_KEY, ApiKeyStatus::Active)
                .with_public_key(public_key(), PublicKeyStatus::Active, None),
        )
        .unwrap();
    let denying = Verifier::new(without)
        .with_clock(Arc::new(FixedClock(NOW)))
        .with_replay_cache(cache.clone());
    let granting = verifier().with_replay_cache(cache.clone());
    let r = Req::with_token(&signed_raw(HEADER, &payload(&[])));
    assert_eq!(
        r.check(&denying).unwrap_err().code(),
        AuthCode::PermissionDenied
    );
    assert!(r.check(&granting).is_ok());
}

#[test]
fn the_head_is_checked_before_the_body() {
    // Expired and with the wrong body: the expiry (no body needed) is the answer.
    let token = signed_raw(
        HEADER,
        &payload(&[("iat", (NOW - 120).into()), ("exp", (NOW - 65).into())]),
    );
    let mut r = Req::with_token(&token);
    r.body_hash = BodyHash::of_bytes(b"other");
    assert_eq!(r.code(), AuthCode::TokenExpired);
    // Denied permission and the wrong body: the permission.
    let mut r = to_target("GET", "/api/v1//customers");
    r.body_hash = BodyHash::of_bytes(b"other");
    assert_eq!(r.code(), AuthCode::PermissionDenied);
    // verify_head alone gives the same answers, and passes a request whose body is still to come.
    let token = signed_raw(HEADER, &payload(&[]));
    let authorization = format!("Bearer {token}");
    let head = nuvera_signing::RequestHead {
        method: "GET",
        target: TARGET,
        api_key: Some(API_KEY),
        authorization: Some(&authorization),
        content_type: None,
    };
    let v = verifier();
    let verified_head = v.verify_head(&head).unwrap();
    assert_eq!(verified_head.application(), "Acme Payouts");
    let mut receiver = head.body_receiver();
    receiver.feed(b"").unwrap();
    let hash = receiver.finish().map(|r| r.hash);
    assert!(v.verify_body(verified_head, hash).is_ok());
}
