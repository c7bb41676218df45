//! Signer behaviour beyond the vectors: options, errors, fresh jtis, multipart, proofs.

mod common;

use std::sync::Arc;

use common::key_pem;
use nuvera_signing::{
    Body, BodyHash, BodyKind, ErrorCode, FixedClock, MultipartForm, PrivateKey, SignOverrides,
    Signer, SignerOptions,
};

const API_KEY: &str = "nv_live_3f9a2c7d1e";

fn key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::from_pem(key_pem("test-rsa2048-pkcs8.pem"), None).unwrap())
}

#[test]
fn lifetime_must_be_between_1_and_60_seconds() {
    for bad in [0, 61, 3600] {
        let options = SignerOptions {
            lifetime_secs: bad,
            ..SignerOptions::default()
        };
        assert_eq!(
            Signer::with_options(key(), API_KEY, options)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidLifetime
        );
    }
    for good in [1, 55, 60] {
        let options = SignerOptions {
            lifetime_secs: good,
            ..SignerOptions::default()
        };
        let signer = Signer::with_options(key(), API_KEY, options)
            .unwrap()
            .with_clock(Arc::new(FixedClock(1_000)));
        let claims = signer
            .sign("GET", "/x", Body::Empty)
            .unwrap()
            .claims()
            .clone();
        assert_eq!((claims.iat, claims.exp), (1_000, 1_000 + u64::from(good)));
    }
}

#[test]
fn default_claims_use_the_clock_and_fresh_uuid_v4_jtis() {
    let signer = Signer::new(key(), API_KEY)
        .unwrap()
        .with_clock(Arc::new(FixedClock(1_767_225_600)));
    let a = signer
        .sign(
            "post",
            "https://api.nuvera.global/api/v1/customers",
            Body::Bytes(b"{}"),
        )
        .unwrap();
    let b = signer
        .sign(
            "post",
            "https://api.nuvera.global/api/v1/customers",
            Body::Bytes(b"{}"),
        )
        .unwrap();
    let ca = a.claims();
    assert_eq!(
        (ca.iss.as_str(), ca.aud.as_str(), ca.sub.as_str()),
        ("nuvera-api", "nuvera-rest-api", API_KEY)
    );
    assert_eq!(
        (ca.method.as_str(), ca.iat, ca.exp),
        ("POST", 1_767_225_600, 1_767_225_655)
    );
    assert_ne!(ca.jti, b.claims().jti);
    let uuid = uuid::Uuid::parse_str(&ca.jti).unwrap();
    assert_eq!(uuid.get_version_num(), 4);
    assert_eq!(
        ca.jti,
        uuid.hyphenated().to_string(),
        "lowercase, hyphenated"
    );
    assert_ne!(a.token(), b.token());
}

#[test]
fn system_clock_is_now() {
    let signer = Signer::new(key(), API_KEY).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let iat = signer.sign("GET", "/x", Body::Empty).unwrap().claims().iat;
    assert!(iat.abs_diff(now) <= 2);
}

#[test]
fn bad_requests_get_their_codes() {
    let signer = Signer::new(key(), API_KEY).unwrap();
    let code = |m: &str, u: &str| signer.sign(m, u, Body::Empty).unwrap_err().code();
    assert_eq!(code("GE T", "/x"), ErrorCode::InvalidMethod);
    assert_eq!(code("GET", "api/v1/x"), ErrorCode::InvalidUrl);
    assert_eq!(code("GET", "ftp://h/x"), ErrorCode::InvalidUrl);
    assert_eq!(
        Signer::new(key(), "").unwrap_err().code(),
        ErrorCode::InvalidApiKey
    );
    assert_eq!(
        Signer::new(key(), "nv_live_x\n").unwrap_err().code(),
        ErrorCode::InvalidApiKey
    );
    let empty_jti = SignOverrides {
        jti: Some(String::new()),
        ..SignOverrides::default()
    };
    assert_eq!(
        signer
            .sign_with("GET", "/x", Body::Empty, &empty_jti)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidClaim
    );
    let missing = std::path::Path::new("/nonexistent/body.json");
    assert_eq!(
        signer
            .sign("POST", "/x", Body::File(missing))
            .unwrap_err()
            .code(),
        ErrorCode::IoError
    );
    let bad_wire = Body::MultipartWire {
        content_type: "multipart/form-data; boundary=b",
        body: b"--b\r\n",
    };
    assert_eq!(
        signer.sign("POST", "/x", bad_wire).unwrap_err().code(),
        ErrorCode::MultipartMalformed
    );
}

#[test]
fn every_way_of_giving_a_body_hashes_the_same_bytes() {
    let signer = Signer::new(key(), API_KEY).unwrap();
    let body = br#"{"companyName":"Acme Imports"}"#;
    let expected = BodyHash::of_bytes(body);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("body.json");
    std::fs::write(&path, body).unwrap();
    let mut reader = &body[..];
    let hashes = [
        signer.sign("POST", "/x", Body::Bytes(body)).unwrap(),
        signer
            .sign("POST", "/x", Body::Reader(&mut reader))
            .unwrap(),
        signer.sign("POST", "/x", Body::File(&path)).unwrap(),
        signer
            .sign("POST", "/x", Body::Precomputed(expected.clone()))
            .unwrap(),
    ];
    for signed in &hashes {
        assert_eq!(signed.claims().body_hash, expected.as_str());
    }
    assert_eq!(hashes[0].body().kind, BodyKind::Bytes);
    assert_eq!(hashes[3].body().kind, BodyKind::Precomputed);
    assert_eq!(
        signer
            .sign("GET", "/x", Body::Bytes(b""))
            .unwrap()
            .body()
            .kind,
        BodyKind::Empty
    );
}

#[test]
fn multipart_structured_and_wire_sign_the_same_hash() {
    let signer = Signer::new(key(), API_KEY).unwrap();
    let mut form = MultipartForm::new();
    form.add_field("customerId", "c_42").unwrap();
    form.add_file_bytes(
        "file",
        "cert.pdf",
        b"%PDF-1.4 fake".to_vec(),
        Some("application/pdf"),
    )
    .unwrap();
    let structured = signer
        .sign_multipart("POST", "/api/v1/documents", &mut form)
        .unwrap();
    let (wire, _) = form.to_bytes().unwrap();
    let ct = form.content_type();
    let from_wire = signer
        .sign(
            "POST",
            "/api/v1/documents",
            Body::MultipartWire {
                content_type: &ct,
                body: &wire,
            },
        )
        .unwrap();
    assert_eq!(structured.claims().body_hash, from_wire.claims().body_hash);
    assert_eq!(structured.body().multipart, from_wire.body().multipart);
    assert_ne!(
        structured.claims().body_hash,
        BodyHash::of_bytes(&wire).as_str(),
        "never the raw stream"
    );
}

#[test]
fn proofs_record_what_was_signed_and_no_secret() {
    let signer = Signer::new(key(), API_KEY).unwrap();
    let secret_file = b"TOP-SECRET-FILE-CONTENT";
    let mut form = MultipartForm::new();
    form.add_field("customerId", "c_42").unwrap();
    form.add_file_bytes(
        "file",
        "passport.png",
        secret_file.to_vec(),
        Some("image/png"),
    )
    .unwrap();
    let signed = signer
        .sign_multipart(
            "POST",
            "https://api.nuvera.global/api/v1/documents?x=1",
            &mut form,
        )
        .unwrap();
    let proof = signed.proof();
    let json = proof.to_json_pretty();
    assert_eq!(proof.uri, "/api/v1/documents?x=1");
    assert_eq!(proof.body_hash, signed.claims().body_hash);
    assert_eq!(proof.claims.sub, "****7d1e");
    assert_eq!(
        proof.multipart.as_ref().unwrap().files()[0].size,
        secret_file.len() as u64
    );
    assert_eq!(
        proof.token_sha256,
        nuvera_signing::token_fingerprint(signed.token())
    );
    assert_eq!(proof.key_fingerprint, signer.key().fingerprint());
    let (_, _, signature) = {
        let mut it = signed.token().split('.');
        (it.next().unwrap(), it.next().unwrap(), it.next().unwrap())
    };
    let pem = String::from_utf8(key_pem("test-rsa2048-pkcs8.pem")).unwrap();
    for secret in [
        API_KEY,
        signed.token(),
        signature,
        "TOP-SECRET",
        "VE9QLVNFQ1JFV",
        pem.lines().nth(2).unwrap(),
    ] {
        assert!(!json.contains(secret), "proof leaks {secret}");
    }
    // And it reads back.
    let back: nuvera_signing::Proof = serde_json::from_str(&json).unwrap();
    assert_eq!(back, proof);
}

#[test]
fn options_from_optional_values_take_the_contract_defaults_and_refuse_bad_ones() {
    use nuvera_signing::{ErrorCode, SignOverrides, SignerOptions};
    let defaults = SignerOptions::from_optional(None, None, None).unwrap();
    assert_eq!(defaults.lifetime_secs, 55);
    assert_eq!(defaults.issuer, "nuvera-api");
    assert_eq!(defaults.audience, "nuvera-rest-api");
    let set = SignerOptions::from_optional(Some(30), Some("i"), Some("a")).unwrap();
    assert_eq!(
        (
            set.lifetime_secs,
            set.issuer.as_str(),
            set.audience.as_str()
        ),
        (30, "i", "a")
    );
    for bad in [0, -1, 61, i64::from(u32::MAX) + 1] {
        let err = SignerOptions::from_optional(Some(bad), None, None).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidLifetime, "{bad}");
    }
    assert_eq!(
        SignerOptions::from_optional(None, Some(""), None)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidClaim
    );
    assert_eq!(
        SignOverrides::from_optional(Some(-5), None)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidClaim
    );
    let o = SignOverrides::from_optional(Some(1_767_225_600), Some("j")).unwrap();
    assert_eq!((o.iat, o.jti.as_deref()), (Some(1_767_225_600), Some("j")));
}
