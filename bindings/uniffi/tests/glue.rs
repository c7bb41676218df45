//! The binding's glue: vectors through the exported API, and errors carrying the core's codes.

use std::path::PathBuf;

use base64::Engine;
use nuvera_signing_uniffi::*;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn vectors() -> serde_json::Value {
    let text = std::fs::read_to_string(testdata().join("vectors/signing-vectors.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn b64(v: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap()
}

fn code(e: NuveraError) -> String {
    match e {
        NuveraError::Signing { code, .. } | NuveraError::Verification { code, .. } => code,
    }
}

#[test]
fn jwt_vectors_through_the_binding() {
    let v = vectors();
    let key_path = testdata().join(v["key"].as_str().unwrap());
    let key = PrivateKey::from_file(key_path.to_str().unwrap().to_owned(), None).unwrap();
    let cases = v["jwt"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let signer = Signer::new(
            key.clone(),
            case["apiKey"].as_str().unwrap().to_owned(),
            Some(i32::try_from(case["lifetime"].as_i64().unwrap()).unwrap()),
            None,
            None,
        )
        .unwrap();
        let body = b64(&case["bodyBase64"]);
        let signed = signer
            .sign(
                case["method"].as_str().unwrap().to_owned(),
                case["url"].as_str().unwrap().to_owned(),
                if body.is_empty() { None } else { Some(body) },
                case["iat"].as_i64(),
                Some(case["jti"].as_str().unwrap().to_owned()),
            )
            .unwrap();
        assert_eq!(signed.token(), case["token"].as_str().unwrap());
        assert_eq!(signed.claims().uri, case["uri"].as_str().unwrap());
        let headers = signed.headers();
        assert_eq!(headers[0].name, "x-api-key");
        assert_eq!(headers[1].value, format!("Bearer {}", signed.token()));
    }
}

#[test]
fn multipart_vectors_through_the_binding() {
    let v = vectors();
    for case in v["multipart"].as_array().unwrap() {
        let ct = case["contentType"].as_str().unwrap().to_owned();
        let body = b64(&case["bodyBase64"]);
        let want = case["bodyHash"].as_str().unwrap();
        assert_eq!(multipart_body_hash(ct.clone(), body.clone()).unwrap(), want);
        assert_eq!(received_body_hash(Some(ct), body).unwrap(), want);

        let form = MultipartForm::new(None).unwrap();
        for f in case["fields"].as_array().unwrap() {
            form.add_field(f[0].as_str().unwrap().into(), f[1].as_str().unwrap().into())
                .unwrap();
        }
        for f in case["files"].as_array().unwrap() {
            form.add_file_bytes(
                f[0].as_str().unwrap().into(),
                f[1].as_str().unwrap().into(),
                b64(&f[3]),
                Some(f[2].as_str().unwrap().into()),
            )
            .unwrap();
        }
        assert_eq!(
            form.canonical_json().unwrap(),
            case["canonical"].as_str().unwrap()
        );
        let encoded = form.encode().unwrap();
        assert_eq!(encoded.body_hash, want);
        assert_eq!(
            multipart_body_hash(encoded.content_type, encoded.body).unwrap(),
            want
        );
    }
}

#[test]
fn errors_carry_the_core_codes() {
    assert_eq!(
        code(PrivateKey::from_pem(b"nope".to_vec(), None).unwrap_err()),
        "INVALID_PRIVATE_KEY"
    );
    let enc = testdata().join("keys/test-rsa2048-encrypted-pkcs8.pem");
    let enc = enc.to_str().unwrap().to_owned();
    assert_eq!(
        code(PrivateKey::from_file(enc.clone(), Some(b"wrong".to_vec())).unwrap_err()),
        "WRONG_PASSPHRASE"
    );
    let key = PrivateKey::from_file(enc, Some(b"correct horse battery staple".to_vec())).unwrap();
    assert_eq!(
        code(Signer::new(key.clone(), "k".into(), Some(61), None, None).unwrap_err()),
        "INVALID_LIFETIME"
    );
    let signer = Signer::new(key, "nv_test_0000".into(), None, None, None).unwrap();
    assert_eq!(
        code(
            signer
                .sign("GET".into(), "no url".into(), None, None, None)
                .unwrap_err()
        ),
        "INVALID_URL"
    );
    assert_eq!(
        code(request_uri("http://[::1".into()).unwrap_err()),
        "INVALID_URL"
    );
    let e = format!(
        "{}",
        multipart_body_hash("text/plain".into(), vec![]).unwrap_err()
    );
    assert!(e.starts_with("MULTIPART_MALFORMED: "), "{e}");
}

#[test]
fn verification_errors_carry_code_and_status() {
    let public = testdata().join("keys/test-rsa2048-public.pem");
    let registry = serde_json::json!({"applications": [{
        "name": "T", "permissions": ["CUSTOMERS_READ"],
        "apiKeys": [{"key": "nv_test_0000"}],
        "publicKeys": [{"file": public.to_str().unwrap()}],
    }]});
    let verifier = Verifier::from_text(
        registry.to_string(),
        "json".into(),
        None,
        None,
        None,
        None,
        None,
    )
    .unwrap();
    let pem = std::fs::read(testdata().join("keys/test-rsa2048-pkcs8.pem")).unwrap();
    let key = PrivateKey::from_pem(pem, None).unwrap();
    let signer = Signer::new(key, "nv_test_0000".into(), None, None, None).unwrap();
    let get = |target: &str| {
        let s = signer
            .sign("GET".into(), target.into(), None, None, None)
            .unwrap();
        verifier.verify(
            "GET".into(),
            target.into(),
            Some("nv_test_0000".into()),
            Some(s.authorization()),
            body_hash(vec![]),
        )
    };
    let ok = get("/api/v1/customers?limit=1").unwrap();
    assert_eq!(ok.application, "T");
    match get("/api/v1/payouts").unwrap_err() {
        NuveraError::Verification {
            code, http_status, ..
        } => assert_eq!(
            (code.as_str(), http_status),
            ("AUTH_PERMISSION_DENIED", 403)
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        code(
            Verifier::from_text("{".into(), "yaml".into(), None, None, None, None, None)
                .unwrap_err()
        ),
        "INVALID_REGISTRY"
    );
}

#[test]
fn write_to_file_streams_the_same_body() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.bin");
    std::fs::write(&src, vec![7u8; 200_000]).unwrap();
    let form = MultipartForm::new(Some("Xy12".into())).unwrap();
    form.add_field("k".into(), "v".into()).unwrap();
    form.add_file_path("f".into(), src.to_str().unwrap().into(), None, None)
        .unwrap();
    let out = dir.path().join("body");
    let canonical = form.write_to_file(out.to_str().unwrap().into()).unwrap();
    assert_eq!(canonical, form.canonical_json().unwrap());
    assert_eq!(
        multipart_body_hash_file(form.content_type(), out.to_str().unwrap().into()).unwrap(),
        form.body_hash().unwrap()
    );
}
