//! `explain` names the classic mistakes, and support bundles carry no secret.

mod common;

use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use common::key_pem;
use nuvera_signing::explain::{BundleResponse, SignatureCheck};
use nuvera_signing::{
    explain, AuthCode, Body, BodyHash, ExplainOptions, MultipartForm, PrivateKey, PublicKey,
    Report, SentRequest, SignOverrides, Signer, SupportBundle,
};
use serde_json::{json, Value};

const API_KEY: &str = "nv_live_3f9a2c7d1e";
const URL: &str = "https://api.nuvera.global/api/v1/customers";
const NOW: u64 = 1_767_225_600;

fn key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::from_pem(key_pem("test-rsa2048-pkcs8.pem"), None).unwrap())
}

/// A correctly signed token whose claims are exactly `claims`.
fn token_with(claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key().sign_rs256(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn claims(method: &str, uri: &str, body: &[u8]) -> Value {
    json!({"iss":"nuvera-api","aud":"nuvera-rest-api","sub":API_KEY,"method":method,"uri":uri,
           "bodyHash":BodyHash::of_bytes(body).as_str(),"iat":NOW,"exp":NOW+55,"jti":"3b241101-e2bb-4255-8caf-4136c566a962"})
}

fn run(
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: &[u8],
    token: &str,
    options: &ExplainOptions,
) -> Report {
    let mut reader = body;
    explain(
        SentRequest {
            method,
            url,
            api_key: Some(API_KEY),
            content_type,
            body: &mut reader,
        },
        token,
        options,
    )
    .unwrap()
}

fn single(report: &Report, code: AuthCode) -> &nuvera_signing::Finding {
    assert_eq!(report.findings.len(), 1, "{}", report.to_text());
    assert_eq!(report.findings[0].code, code, "{}", report.to_text());
    assert_eq!(report.verdict, Some(code));
    &report.findings[0]
}

#[test]
fn a_correct_request_has_no_findings_and_a_verified_signature() {
    let body = br#"{"companyName":"Acme Imports"}"#;
    let signer = Signer::new(key(), API_KEY).unwrap();
    let signed = signer.sign("POST", URL, Body::Bytes(body)).unwrap();
    let options = ExplainOptions {
        public_key: Some(key().public_key().clone()),
        ..ExplainOptions::default()
    };
    let report = run(
        "POST",
        URL,
        Some("application/json"),
        body,
        &signed.authorization(),
        &options,
    );
    assert!(report.ok(), "{}", report.to_text());
    assert_eq!(report.verdict, None);
    assert_eq!(
        report.signature,
        SignatureCheck::Verified(key().fingerprint())
    );
    assert!(!report.to_text().contains(API_KEY));

    let other = PublicKey::from_pem(key_pem("test-rsa4096-public.pem")).unwrap();
    let options = ExplainOptions {
        public_key: Some(other),
        ..ExplainOptions::default()
    };
    let report = run(
        "POST",
        URL,
        Some("application/json"),
        body,
        signed.token(),
        &options,
    );
    single(&report, AuthCode::SignatureMismatch);
    assert_eq!(report.signature, SignatureCheck::Mismatch);
}

#[test]
fn body_serialization_mistakes_are_named() {
    let minified = br#"{"companyName":"Acme","tags":["a","b"]}"#;
    let pretty = b"{\n  \"companyName\": \"Acme\",\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ]\n}";
    let python = br#"{"companyName": "Acme", "tags": ["a", "b"]}"#;
    let o = ExplainOptions::default();
    // Signed pretty, sent minified.
    let r = run(
        "POST",
        URL,
        Some("application/json"),
        minified,
        &token_with(&claims("POST", "/api/v1/customers", pretty)),
        &o,
    );
    let f = single(&r, AuthCode::BodyHashMismatch);
    assert!(
        f.diagnosis.contains("pretty-printed with 2 spaces"),
        "{}",
        f.diagnosis
    );
    assert_eq!(
        f.sent.as_deref(),
        Some(BodyHash::of_bytes(minified).as_str())
    );
    // Signed minified, sent pretty.
    let r = run(
        "POST",
        URL,
        Some("application/json"),
        pretty,
        &token_with(&claims("POST", "/api/v1/customers", minified)),
        &o,
    );
    assert!(single(&r, AuthCode::BodyHashMismatch)
        .diagnosis
        .contains("minified"));
    // Signed Python's json.dumps default.
    let r = run(
        "POST",
        URL,
        Some("application/json"),
        minified,
        &token_with(&claims("POST", "/api/v1/customers", python)),
        &o,
    );
    assert!(single(&r, AuthCode::BodyHashMismatch)
        .diagnosis
        .contains("Python"));
    // Signed no body.
    let r = run(
        "POST",
        URL,
        Some("application/json"),
        minified,
        &token_with(&claims("POST", "/api/v1/customers", b"")),
        &o,
    );
    assert!(single(&r, AuthCode::BodyHashMismatch)
        .diagnosis
        .contains("empty body was signed"));
    // Upper-case hex.
    let mut upper = claims("POST", "/api/v1/customers", minified);
    upper["bodyHash"] = BodyHash::of_bytes(minified).as_str().to_uppercase().into();
    let r = run(
        "POST",
        URL,
        Some("application/json"),
        minified,
        &token_with(&upper),
        &o,
    );
    assert!(single(&r, AuthCode::BodyHashMismatch)
        .diagnosis
        .contains("upper-case"));
}

#[test]
fn hashing_the_raw_multipart_stream_is_named() {
    let mut form = MultipartForm::new();
    form.add_field("customerId", "c_42").unwrap();
    form.add_file_bytes(
        "file",
        "cert.pdf",
        b"%PDF-1.4".to_vec(),
        Some("application/pdf"),
    )
    .unwrap();
    let (wire, canonical) = form.to_bytes().unwrap();
    let ct = form.content_type();
    let mut raw = claims("POST", "/api/v1/documents", &wire);
    let token = token_with(&raw);
    let r = run(
        "POST",
        "/api/v1/documents",
        Some(&ct),
        &wire,
        &token,
        &ExplainOptions::default(),
    );
    let f = single(&r, AuthCode::BodyHashMismatch);
    assert!(
        f.diagnosis.contains("raw multipart stream"),
        "{}",
        f.diagnosis
    );
    assert!(f.fix.contains("canonical"));
    raw["bodyHash"] = canonical.body_hash().as_str().into();
    let r = run(
        "POST",
        "/api/v1/documents",
        Some(&ct),
        &wire,
        &token_with(&raw),
        &ExplainOptions::default(),
    );
    assert!(r.ok(), "{}", r.to_text());
}

#[test]
fn uri_method_and_profile_mistakes_are_named() {
    let o = ExplainOptions::default();
    let sent_url = "https://api.nuvera.global/api/v1/x?a=1&b=2";
    let cases: Vec<(Value, AuthCode, &str)> = vec![
        (
            claims("GET", "/api/v1/x?b=2&a=1", b""),
            AuthCode::UriMismatch,
            "different order",
        ),
        (
            claims("GET", "https://api.nuvera.global/api/v1/x?a=1&b=2", b""),
            AuthCode::UriMismatch,
            "scheme and host",
        ),
        (
            claims("GET", "/api/v1/x?a=%31&b=2", b""),
            AuthCode::UriMismatch,
            "encoded differently",
        ),
        (
            claims("get", "/api/v1/x?a=1&b=2", b""),
            AuthCode::MethodMismatch,
            "case differs",
        ),
        (
            claims("POST", "/api/v1/x?a=1&b=2", b""),
            AuthCode::MethodMismatch,
            "signed for POST",
        ),
    ];
    for (c, code, words) in cases {
        let r = run("GET", sent_url, None, b"", &token_with(&c), &o);
        let f = single(&r, code);
        assert!(f.diagnosis.contains(words), "{words}: {}", f.diagnosis);
        assert!(f.signed.is_some() && f.sent.is_some());
    }
    let mut c = claims("GET", "/api/v1/x?a=1&b=2", b"");
    c["iss"] = "nuvera".into();
    c["aud"] = "nuvera-api".into();
    let r = run("GET", sent_url, None, b"", &token_with(&c), &o);
    let codes: Vec<AuthCode> = r.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, [AuthCode::InvalidIssuer, AuthCode::InvalidAudience]);
    assert_eq!(r.findings[0].fix, "set iss to \"nuvera-api\"");
}

#[test]
fn subject_lifetime_time_and_jti_mistakes_are_named() {
    let mut c = claims("GET", "/api/v1/customers", b"");
    c["sub"] = "nv_live_3f9a2c7d1e ".into();
    let r = run(
        "GET",
        URL,
        None,
        b"",
        &token_with(&c),
        &ExplainOptions::default(),
    );
    let f = single(&r, AuthCode::SubjectMismatch);
    assert!(f.diagnosis.contains("whitespace"));
    assert!(
        !serde_json::to_string(&r).unwrap().contains(API_KEY),
        "the report masks the key"
    );

    let mut c = claims("GET", "/api/v1/customers", b"");
    c["exp"] = (NOW + 3600).into();
    let r = run(
        "GET",
        URL,
        None,
        b"",
        &token_with(&c),
        &ExplainOptions::default(),
    );
    single(&r, AuthCode::LifetimeTooLong);

    let c = claims("GET", "/api/v1/customers", b"");
    let later = ExplainOptions {
        now: Some(NOW + 120),
        ..ExplainOptions::default()
    };
    single(
        &run("GET", URL, None, b"", &token_with(&c), &later),
        AuthCode::TokenExpired,
    );
    let earlier = ExplainOptions {
        now: Some(NOW - 30),
        ..ExplainOptions::default()
    };
    single(
        &run("GET", URL, None, b"", &token_with(&c), &earlier),
        AuthCode::TokenNotYetValid,
    );

    let seen = ExplainOptions {
        seen_jtis: vec![c["jti"].as_str().unwrap().to_owned()],
        ..ExplainOptions::default()
    };
    single(
        &run("GET", URL, None, b"", &token_with(&c), &seen),
        AuthCode::ReplayedJti,
    );
    let mut fixed_jti = c.clone();
    fixed_jti["jti"] = "1".into();
    let r = run(
        "GET",
        URL,
        None,
        b"",
        &token_with(&fixed_jti),
        &ExplainOptions::default(),
    );
    assert!(r.ok() && r.notes.iter().any(|n| n.contains("not a UUID v4")));
}

#[test]
fn broken_tokens_are_explained_too() {
    let r = run(
        "GET",
        URL,
        None,
        b"",
        "not-a-token",
        &ExplainOptions::default(),
    );
    single(&r, AuthCode::InvalidHeader);
    let none = format!(
        "{}.{}.AAAA",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(claims("GET", "/api/v1/customers", b"").to_string())
    );
    let r = run("GET", URL, None, b"", &none, &ExplainOptions::default());
    single(&r, AuthCode::UnsupportedAlg);
}

#[test]
fn support_bundles_hold_what_support_needs_and_no_secret() {
    let file_bytes = b"PASSPORT-SCAN-BYTES-0123456789".to_vec();
    let mut form = MultipartForm::new();
    form.add_field("customerId", "c_42").unwrap();
    form.add_file_bytes(
        "file",
        "passport.png",
        file_bytes.clone(),
        Some("image/png"),
    )
    .unwrap();
    let (wire, canonical) = form.to_bytes().unwrap();
    let ct = form.content_type();
    let signer = Signer::new(key(), API_KEY).unwrap();
    let signed = signer
        .sign_with(
            "POST",
            "https://user:pw@api.nuvera.global/api/v1/documents",
            Body::Canonical(canonical),
            &SignOverrides {
                iat: Some(NOW),
                jti: None,
            },
        )
        .unwrap();
    let authorization = signed.authorization();
    let headers = [
        ("x-api-key", API_KEY),
        ("Authorization", authorization.as_str()),
        ("Content-Type", ct.as_str()),
        ("Cookie", "sid=abc"),
    ];
    let response = BundleResponse::new(
        403,
        br#"{"errors":[{"code":"AUTH_PERMISSION_DENIED","message":"no"}]}"#,
    );
    let mut reader = &wire[..];
    let bundle = SupportBundle::build(
        SentRequest {
            method: "POST",
            url: "https://user:pw@api.nuvera.global/api/v1/documents",
            api_key: Some(API_KEY),
            content_type: Some(&ct),
            body: &mut reader,
        },
        &headers,
        signed.token(),
        response,
        Some("Acme Payouts"),
        &ExplainOptions::default(),
        NOW + 1,
    )
    .unwrap();
    let json = bundle.to_json_pretty();

    // What support needs.
    assert_eq!(bundle.application.as_deref(), Some("Acme Payouts"));
    assert_eq!(bundle.created_at, "2026-01-01T00:00:01Z");
    assert_eq!(bundle.request.uri, "/api/v1/documents");
    assert_eq!(
        bundle.request.origin.as_deref(),
        Some("https://api.nuvera.global")
    );
    assert_eq!(bundle.request.body_hash, signed.claims().body_hash);
    assert_eq!(
        bundle.request.multipart.as_ref().unwrap().files()[0].size,
        file_bytes.len() as u64
    );
    assert_eq!(bundle.response.status, 403);
    assert_eq!(
        bundle.response.code.as_deref(),
        Some("AUTH_PERMISSION_DENIED")
    );
    assert_eq!(
        bundle.token.sha256,
        nuvera_signing::token_fingerprint(signed.token())
    );
    assert_eq!(bundle.token.claims.as_ref().unwrap()["sub"], "****7d1e");
    assert!(bundle.diagnosis.ok());
    assert!(
        bundle
            .diagnosis
            .notes
            .iter()
            .any(|n| n.contains("DOCUMENTS_WRITE")),
        "{:?}",
        bundle.diagnosis.notes
    );

    // No secret byte: API key (plain or inside a base64 segment), token parts, private key, file bytes, other credentials.
    let token = signed.token();
    let segments: Vec<&str> = token.split('.').collect();
    let pem = String::from_utf8(key_pem("test-rsa2048-pkcs8.pem")).unwrap();
    let mut secrets: Vec<String> = vec![
        API_KEY.into(),
        token.into(),
        segments[1].into(),
        segments[2].into(),
        "PASSPORT-SCAN".into(),
        STANDARD.encode(&file_bytes)[..16].to_owned(),
        "sid=abc".into(),
        "user:pw".into(),
    ];
    secrets.extend(
        pem.lines()
            .filter(|l| !l.starts_with("-----"))
            .map(|l| l[..20].to_owned()),
    );
    for offset in 0..3 {
        // The API key inside any base64 text, at any alignment.
        let prefixed = [&b"xxx"[..offset], API_KEY.as_bytes()].concat();
        let b64 = URL_SAFE_NO_PAD.encode(&prefixed);
        secrets.push(b64[offset * 4 / 3 + 2..b64.len() - 2].to_owned());
    }
    for secret in &secrets {
        assert!(
            !json.contains(secret.as_str()),
            "the bundle leaks {secret:?}"
        );
    }

    // A bundle read back explains the same way.
    let back = SupportBundle::from_json(&json).unwrap();
    let again = back.explain(&ExplainOptions::default());
    assert!(again.ok(), "{}", again.to_text());
    assert!(again.notes.iter().any(|n| n.contains("DOCUMENTS_WRITE")));
}

#[test]
fn a_bundle_of_a_broken_request_reexplains_the_same_finding() {
    let body = br#"{"a":1}"#;
    let token = token_with(&claims("POST", "/api/v1/customers?b=2&a=1", body));
    let authorization = format!("Bearer {token}");
    let mut reader = &body[..];
    let bundle = SupportBundle::build(
        SentRequest {
            method: "POST",
            url: "https://api.nuvera.global/api/v1/customers?a=1&b=2",
            api_key: Some(API_KEY),
            content_type: Some("application/json"),
            body: &mut reader,
        },
        &[("x-api-key", API_KEY), ("Authorization", &authorization)],
        &token,
        BundleResponse::new(
            401,
            br#"{"errors":[{"code":"AUTH_URI_MISMATCH","message":"x"}]}"#,
        ),
        None,
        &ExplainOptions::default(),
        NOW,
    )
    .unwrap();
    assert_eq!(bundle.diagnosis.verdict, Some(AuthCode::UriMismatch));
    let again = SupportBundle::from_json(&bundle.to_json_pretty())
        .unwrap()
        .explain(&ExplainOptions::default());
    assert_eq!(again.verdict, Some(AuthCode::UriMismatch));
    assert_eq!(
        again.findings[0].diagnosis,
        bundle.diagnosis.findings[0].diagnosis
    );
}

#[test]
fn explain_options_merge_their_defaults_and_check_their_values() {
    use nuvera_signing::explain::OptionalExplainOptions;
    let defaults = ExplainOptions::from_optional(OptionalExplainOptions::default()).unwrap();
    let want = ExplainOptions::default();
    assert_eq!(
        (
            &defaults.issuer,
            &defaults.audience,
            defaults.now,
            defaults.clock_skew_secs
        ),
        (&want.issuer, &want.audience, want.now, want.clock_skew_secs)
    );
    assert!(defaults.public_key.is_none() && defaults.seen_jtis.is_empty());

    let public = key_pem("test-rsa2048-public.pem");
    let set = ExplainOptions::from_optional(OptionalExplainOptions {
        issuer: Some("i"),
        public_key_pem: Some(&public),
        now: Some(7),
        clock_skew_secs: Some(0),
        seen_jtis: vec!["j".to_owned()],
        ..OptionalExplainOptions::default()
    })
    .unwrap();
    assert_eq!(
        (set.issuer.as_str(), set.now, set.clock_skew_secs),
        ("i", Some(7), 0)
    );
    assert_eq!(
        set.public_key.unwrap().fingerprint(),
        key().public_key().fingerprint()
    );

    for (bad, code) in [
        (
            OptionalExplainOptions {
                now: Some(-1),
                ..Default::default()
            },
            "INVALID_ARGUMENT",
        ),
        (
            OptionalExplainOptions {
                clock_skew_secs: Some(61),
                ..Default::default()
            },
            "INVALID_CLAIM",
        ),
    ] {
        let err = ExplainOptions::from_optional(bad).unwrap_err();
        assert_eq!(err.code().as_str(), code);
    }
    let err = ExplainOptions::from_optional(OptionalExplainOptions {
        public_key_pem: Some(b"not a key"),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(err.code().as_str(), "INVALID_PUBLIC_KEY");
}

/// A partner that signed the file name it meant (`dir/a.pdf`) rather than the one the server
/// reads (`a.pdf`) is told which reading rule it tripped.
#[test]
fn multipart_reading_rules_are_named() {
    let body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dir/a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--b--\r\n";
    // The canonical object as a client that keeps the whole file name would build it, written
    // out by hand: SHA-256 of `%PDF` and the sent name.
    let meant = r#"{"fields":[],"files":[{"fieldName":"file","fileName":"dir/a.pdf","mimeType":"application/pdf","size":4,"sha256":"315d429b7714cedb6ad04ac31240145257692630457f3c88253c5beceac76027"}]}"#;
    let mut signed = claims("POST", "/api/v1/documents", meant.as_bytes());
    let token = token_with(&signed);
    let r = run(
        "POST",
        "/api/v1/documents",
        Some("multipart/form-data; boundary=b"),
        body,
        &token,
        &ExplainOptions::default(),
    );
    let f = single(&r, AuthCode::BodyHashMismatch);
    let rule = "the server reads file names as base names: `dir/a.pdf` is signed as `a.pdf`";
    assert!(f.diagnosis.contains(rule), "{}", f.diagnosis);
    assert!(r.notes.iter().any(|n| n.contains(rule)), "{:?}", r.notes);
    // Signed as the server reads it, the request passes and the rule stays a note.
    let mut form = MultipartForm::with_boundary("b").unwrap();
    form.add_file_bytes(
        "file",
        "dir/a.pdf",
        b"%PDF".to_vec(),
        Some("application/pdf"),
    )
    .unwrap();
    signed["bodyHash"] = form.body_hash().unwrap().as_str().into();
    let r = run(
        "POST",
        "/api/v1/documents",
        Some("multipart/form-data; boundary=b"),
        body,
        &token_with(&signed),
        &ExplainOptions::default(),
    );
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert!(r.notes.iter().any(|n| n.contains(rule)), "{:?}", r.notes);
}
