//! Every public vector of `testdata/vectors/signing-vectors.json`, byte for byte.

mod common;

use common::{b64, key_pem, s, testdata, vectors};
use nuvera_signing::multipart::canonicalize_wire;
use nuvera_signing::{
    request_uri, Body, MultipartForm, PrivateKey, SignOverrides, Signer, SignerOptions,
};

#[test]
fn uri_vectors() {
    let v = vectors();
    let cases = v["uri"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        assert_eq!(
            request_uri(s(&case["url"])).unwrap(),
            s(&case["uri"]),
            "{case}"
        );
    }
}

#[test]
fn multipart_wire_vectors() {
    let v = vectors();
    let cases = v["multipart"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let canonical =
            canonicalize_wire(s(&case["contentType"]), &b64(&case["bodyBase64"])).unwrap();
        assert_eq!(
            canonical.to_json(),
            s(&case["canonical"]),
            "{}",
            case["name"]
        );
        assert_eq!(
            canonical.body_hash().as_str(),
            s(&case["bodyHash"]),
            "{}",
            case["name"]
        );
    }
}

#[test]
fn multipart_wire_vectors_streamed_in_small_chunks() {
    let v = vectors();
    for case in v["multipart"].as_array().unwrap() {
        let body = b64(&case["bodyBase64"]);
        for chunk in [1, 2, 3, 7] {
            let mut p = nuvera_signing::multipart::WireCanonicalizer::new(
                s(&case["contentType"]),
                Default::default(),
            )
            .unwrap();
            for piece in body.chunks(chunk) {
                p.feed(piece).unwrap();
            }
            assert_eq!(
                p.finish().unwrap().body_hash().as_str(),
                s(&case["bodyHash"]),
                "{} / {chunk}",
                case["name"]
            );
        }
    }
}

fn structured_form(case: &serde_json::Value) -> MultipartForm {
    let mut form = MultipartForm::new();
    for field in case["fields"].as_array().unwrap() {
        form.add_field(s(&field[0]), s(&field[1])).unwrap();
    }
    for file in case["files"].as_array().unwrap() {
        form.add_file_bytes(s(&file[0]), s(&file[1]), b64(&file[3]), Some(s(&file[2])))
            .unwrap();
    }
    form
}

#[test]
fn multipart_structured_vectors() {
    let v = vectors();
    for case in v["multipart"].as_array().unwrap() {
        let mut form = structured_form(case);
        let canonical = form.canonical().unwrap();
        assert_eq!(
            canonical.to_json(),
            s(&case["canonical"]),
            "{}",
            case["name"]
        );
        assert_eq!(
            form.body_hash().unwrap().as_str(),
            s(&case["bodyHash"]),
            "{}",
            case["name"]
        );
        // The form's own encoding parses back to the same object.
        let (wire, _) = form.to_bytes().unwrap();
        assert_eq!(
            canonicalize_wire(&form.content_type(), &wire).unwrap(),
            canonical,
            "{}",
            case["name"]
        );
    }
}

#[test]
fn multipart_structured_vectors_from_paths_and_readers() {
    let v = vectors();
    let dir = tempfile::tempdir().unwrap();
    for case in v["multipart"].as_array().unwrap() {
        let mut by_path = MultipartForm::new();
        let mut by_reader = MultipartForm::new();
        for field in case["fields"].as_array().unwrap() {
            by_path.add_field(s(&field[0]), s(&field[1])).unwrap();
            by_reader.add_field(s(&field[0]), s(&field[1])).unwrap();
        }
        for (i, file) in case["files"].as_array().unwrap().iter().enumerate() {
            let path = dir.path().join(format!("part{i}"));
            std::fs::write(&path, b64(&file[3])).unwrap();
            by_path
                .add_file_path(s(&file[0]), &path, Some(s(&file[1])), Some(s(&file[2])))
                .unwrap();
            by_reader
                .add_file_reader(
                    s(&file[0]),
                    s(&file[1]),
                    Box::new(std::io::Cursor::new(b64(&file[3]))),
                    Some(s(&file[2])),
                )
                .unwrap();
        }
        assert_eq!(
            by_path.body_hash().unwrap().as_str(),
            s(&case["bodyHash"]),
            "{}",
            case["name"]
        );
        assert_eq!(
            by_reader.body_hash().unwrap().as_str(),
            s(&case["bodyHash"]),
            "{}",
            case["name"]
        );
    }
}

fn vector_key() -> PrivateKey {
    let v = vectors();
    PrivateKey::from_file(testdata(s(&v["key"])), None).unwrap()
}

#[test]
fn jwt_vectors_whole_tokens() {
    let v = vectors();
    let key = std::sync::Arc::new(vector_key());
    let cases = v["jwt"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let lifetime = case["lifetime"].as_u64().unwrap() as u32;
        let options = SignerOptions {
            lifetime_secs: lifetime,
            ..SignerOptions::default()
        };
        let signer = Signer::with_options(key.clone(), s(&case["apiKey"]), options).unwrap();
        let body = b64(&case["bodyBase64"]);
        let overrides = SignOverrides {
            iat: case["iat"].as_u64(),
            jti: Some(s(&case["jti"]).to_owned()),
        };
        let signed = signer
            .sign_with(
                s(&case["method"]),
                s(&case["url"]),
                Body::Bytes(&body),
                &overrides,
            )
            .unwrap();
        let name = &case["name"];
        assert_eq!(signed.claims().uri, s(&case["uri"]), "{name}");
        assert_eq!(signed.claims().body_hash, s(&case["bodyHash"]), "{name}");
        assert_eq!(signed.claims().to_json(), s(&case["payload"]), "{name}");
        assert_eq!(signed.token(), s(&case["token"]), "{name}");
        assert_eq!(signed.headers()[0].1, s(&case["apiKey"]));
        assert_eq!(
            signed.headers()[1].1,
            format!("Bearer {}", s(&case["token"]))
        );
    }
}

#[test]
fn every_form_of_the_2048_bit_key_gives_the_same_token() {
    let v = vectors();
    let case = &v["jwt"][0];
    let passphrase = b"correct horse battery staple";
    let keys = [
        PrivateKey::from_pem(key_pem("test-rsa2048-pkcs8.pem"), None).unwrap(),
        PrivateKey::from_pem(key_pem("test-rsa2048-pkcs1.pem"), None).unwrap(),
        PrivateKey::from_pem(
            key_pem("test-rsa2048-encrypted-pkcs8.pem"),
            Some(passphrase),
        )
        .unwrap(),
        PrivateKey::from_pem(key_pem("test-rsa2048-pkcs8-escaped-newlines.txt"), None).unwrap(),
        PrivateKey::from_file(testdata("keys/test-rsa2048-pkcs8.pem"), None).unwrap(),
    ];
    for key in keys {
        let signer = Signer::new(key, s(&case["apiKey"])).unwrap();
        let overrides = SignOverrides {
            iat: case["iat"].as_u64(),
            jti: Some(s(&case["jti"]).to_owned()),
        };
        let body = b64(&case["bodyBase64"]);
        let signed = signer
            .sign_with(
                s(&case["method"]),
                s(&case["url"]),
                Body::Bytes(&body),
                &overrides,
            )
            .unwrap();
        assert_eq!(signed.token(), s(&case["token"]));
    }
}
