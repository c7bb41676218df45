//! Shared by the remote-key tests: every public JWT vector through a given signing key.
#![allow(dead_code)]

use std::sync::Arc;

use crate::common::{b64, s, vectors};
use nuvera_signing::{Body, SignOverrides, Signer, SignerOptions, SigningKey};

/// Signs every JWT vector with `key` and compares whole tokens with the vectors' (made by an
/// independent implementation). Returns how many were compared.
pub fn assert_jwt_vectors(key: Arc<dyn SigningKey>) -> usize {
    let v = vectors();
    let cases = v["jwt"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let options = SignerOptions {
            lifetime_secs: case["lifetime"].as_u64().unwrap() as u32,
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
        assert_eq!(signed.token(), s(&case["token"]), "{}", case["name"]);
    }
    cases.len()
}
