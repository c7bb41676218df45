//! What the core decides for the language bindings so that none decides it itself: the body to
//! sign for a Content-Type, verifier option defaults, verification from raw headers and body,
//! and the §6 response body of an `AUTH_*` error.

mod common;

use std::sync::Arc;

use common::key_pem;
use nuvera_signing::verify::{ApiKeyStatus, PublicKeyStatus};
use nuvera_signing::{
    multipart_body_hash, Application, Body, ErrorCode, FixedClock, MultipartForm, PrivateKey,
    PublicKey, Registry, SignOverrides, Signer, Verifier, VerifierOptions,
};

const API_KEY: &str = "nv_live_3f9a2c7d1e";
const NOW: u64 = 1_767_225_600;

fn signer() -> Signer {
    let key = PrivateKey::from_pem(key_pem("test-rsa2048-pkcs8.pem"), None).unwrap();
    Signer::new(key, API_KEY).unwrap()
}

fn verifier() -> Verifier {
    let public = PublicKey::from_pem(key_pem("test-rsa2048-public.pem")).unwrap();
    let mut registry = Registry::new();
    registry
        .add(
            Application::new("Acme")
                .with_api_key(API_KEY, ApiKeyStatus::Active)
                .with_public_key(public, PublicKeyStatus::Active, None)
                .with_permission("DOCUMENTS_WRITE"),
        )
        .unwrap();
    Verifier::new(registry).with_clock(Arc::new(FixedClock(NOW)))
}

fn pinned() -> SignOverrides {
    SignOverrides {
        iat: Some(NOW),
        jti: Some("7d1e2c3a-0000-4000-8000-000000000001".to_owned()),
    }
}

fn multipart() -> (String, Vec<u8>) {
    let mut form = MultipartForm::with_boundary("nv-helper-test").unwrap();
    form.add_field("customerId", "c_42").unwrap();
    form.add_file_bytes("file", "a.txt", b"hello".to_vec(), Some("text/plain"))
        .unwrap();
    let (body, _) = form.to_bytes().unwrap();
    (form.content_type(), body)
}

#[test]
fn the_content_type_chooses_the_body() {
    let (content_type, wire) = multipart();
    let signer = signer();
    let sign = |body| {
        signer
            .sign_with("POST", "/api/v1/documents", body, &pinned())
            .unwrap()
    };

    let chosen = sign(Body::for_content_type(Some(&content_type), &wire));
    let explicit = sign(Body::MultipartWire {
        content_type: &content_type,
        body: &wire,
    });
    assert_eq!(chosen.token(), explicit.token());
    // Independent of the signer: the wire canonicalizer gives the same hash.
    assert_eq!(
        chosen.claims().body_hash,
        multipart_body_hash(&content_type, &wire).unwrap().as_str()
    );

    for content_type in [None, Some("application/json"), Some("text/plain")] {
        let chosen = sign(Body::for_content_type(content_type, &wire));
        assert_eq!(chosen.token(), sign(Body::Bytes(&wire)).token());
    }
}

#[test]
fn verifier_options_from_what_a_caller_gave() {
    assert_eq!(
        VerifierOptions::from_optional(None, None, None).unwrap(),
        VerifierOptions::default()
    );
    let custom = VerifierOptions::from_optional(Some("iss-x"), Some("aud-y"), Some(60)).unwrap();
    assert_eq!(
        (
            custom.issuer.as_str(),
            custom.audience.as_str(),
            custom.clock_skew_secs
        ),
        ("iss-x", "aud-y", 60)
    );
    for bad in [-1, 61, i64::MAX] {
        let err = VerifierOptions::from_optional(None, None, Some(bad)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidClaim, "{bad}");
    }
}

#[test]
fn verify_received_reads_raw_headers_and_body() {
    let (content_type, wire) = multipart();
    let signed = signer()
        .sign_with(
            "POST",
            "/api/v1/documents",
            Body::MultipartWire {
                content_type: &content_type,
                body: &wire,
            },
            &pinned(),
        )
        .unwrap();
    let authorization = signed.authorization();
    let headers = [
        ("Content-Type", content_type.as_str()),
        ("X-API-KEY", API_KEY),
        ("authorization", authorization.as_str()),
    ];
    let verified = verifier()
        .verify_received("POST", "/api/v1/documents", headers, &wire)
        .unwrap();
    assert_eq!(verified.application, "Acme");
    assert_eq!(verified.claims, *signed.claims());

    // The same body read as plain bytes (no Content-Type) does not match the multipart hash.
    let err = verifier()
        .verify_received(
            "POST",
            "/api/v1/documents",
            headers[1..].iter().copied(),
            &wire,
        )
        .unwrap_err();
    assert_eq!(err.code().as_str(), "AUTH_BODY_HASH_MISMATCH");
    assert_eq!(err.http_status(), Some(401));
    let body: serde_json::Value = serde_json::from_str(&err.response_body().unwrap()).unwrap();
    assert_eq!(body["errors"][0]["code"], "AUTH_BODY_HASH_MISMATCH");
    assert_eq!(body["errors"][0]["message"], err.message());

    // A body that cannot be read as the Content-Type says is a refusal (§6), the parse error
    // named in its message.
    let err = verifier()
        .verify_received("POST", "/api/v1/documents", headers, b"--nope")
        .unwrap_err();
    assert_eq!(err.code().as_str(), "AUTH_BODY_HASH_MISMATCH");
    assert!(
        err.message().contains("MULTIPART_MALFORMED"),
        "{}",
        err.message()
    );
    assert_eq!(err.http_status(), Some(401));

    // Without credentials, that body is never looked at: the missing header is the answer.
    let err = verifier()
        .verify_received(
            "POST",
            "/api/v1/documents",
            headers[..1].iter().copied(),
            b"--nope",
        )
        .unwrap_err();
    assert_eq!(err.code().as_str(), "AUTH_MISSING_HEADER");
}

#[test]
fn a_negative_time_a_caller_gives_is_an_invalid_argument_everywhere() {
    use nuvera_signing::explain::{ExplainOptions, OptionalExplainOptions};
    assert_eq!(
        nuvera_signing::given_unix_seconds(NOW as i64, "now").unwrap(),
        NOW
    );
    let err = nuvera_signing::given_unix_seconds(-1, "now").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
    assert!(err.to_string().contains("now -1 is negative"), "{err}");
    let explain = ExplainOptions::from_optional(OptionalExplainOptions {
        now: Some(-1),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(explain.code(), ErrorCode::InvalidArgument);
    let bundle = nuvera_signing::SupportBundle::created_at(Some(-5)).unwrap_err();
    assert_eq!(bundle.code(), ErrorCode::InvalidArgument);
}
