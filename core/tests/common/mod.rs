//! Shared helpers: every test reads the project's own copy of the contract's vectors and keys.
#![allow(dead_code)]

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

pub fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

pub fn vectors() -> Value {
    let text = std::fs::read_to_string(testdata("vectors/signing-vectors.json"))
        .expect("testdata/vectors");
    serde_json::from_str(&text).expect("vectors are JSON")
}

pub fn key_pem(name: &str) -> Vec<u8> {
    std::fs::read(testdata(&format!("keys/{name}"))).expect("testdata/keys")
}

pub fn b64(v: &Value) -> Vec<u8> {
    STANDARD
        .decode(v.as_str().expect("base64 string"))
        .expect("valid base64")
}

pub fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}
