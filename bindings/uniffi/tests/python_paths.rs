//! The Python per-request C-ABI path, foreign byte sources and support bundles, from Rust.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use nuvera_signing_uniffi::*;

const API_KEY: &str = "nv_test_glue_0001";

fn signer() -> Arc<Signer> {
    let pem = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/keys/test-rsa2048-pkcs8.pem"),
    )
    .unwrap();
    let key = PrivateKey::from_pem(pem, None).unwrap();
    Signer::new(key, API_KEY.to_owned(), None, None, None).unwrap()
}

fn py_sign(
    signer: &Arc<Signer>,
    method: &[u8],
    url: &[u8],
    body: Option<&[u8]>,
    out: &mut [u8],
) -> i32 {
    let body_bytes = body.unwrap_or(&[]);
    // SAFETY: the handle is the Arc's pointer, alive for the call; every slice is valid.
    unsafe {
        nuvera_signing_fast_sign(
            Arc::as_ptr(signer) as u64,
            method.as_ptr(),
            method.len(),
            url.as_ptr(),
            url.len(),
            body_bytes.as_ptr(),
            body_bytes.len(),
            u8::from(body.is_some()),
            out.as_mut_ptr(),
            out.len(),
        )
    }
}

#[test]
fn py_sign_returns_a_request_handle_and_its_token() {
    let signer = signer();
    let mut out = vec![0u8; 4096];
    let status = py_sign(
        &signer,
        b"POST",
        b"https://api.nuvera.global/api/v1/x?a=1",
        Some(b"{}"),
        &mut out,
    );
    assert_eq!(status, FAST_SIGN_OK);
    let handle = u64::from_ne_bytes(out[..8].try_into().unwrap());
    let len = u64::from_ne_bytes(out[8..16].try_into().unwrap()) as usize;
    let token = std::str::from_utf8(&out[16..16 + len]).unwrap().to_owned();
    // SAFETY: the handle was made by `Handle::from_arc` and is used once.
    let request: Arc<SignedRequest> =
        unsafe { uniffi::Handle::from_raw_unchecked(handle).into_arc() };
    assert_eq!(request.token(), token);
    let claims = request.claims();
    assert_eq!(
        (claims.method.as_str(), claims.uri.as_str()),
        ("POST", "/api/v1/x?a=1")
    );
    assert_eq!(claims.body_hash, body_hash(b"{}".to_vec()));
    assert_eq!(claims.sub, API_KEY);
    assert_eq!(Arc::strong_count(&request), 1);
    // no body: the empty-body hash
    let status = py_sign(&signer, b"GET", b"/api/v1/x", None, &mut out);
    assert_eq!(status, FAST_SIGN_OK);
    let handle = u64::from_ne_bytes(out[..8].try_into().unwrap());
    // SAFETY: as above.
    let request: Arc<SignedRequest> =
        unsafe { uniffi::Handle::from_raw_unchecked(handle).into_arc() };
    assert_eq!(request.claims().body_hash, body_hash(Vec::new()));
}

#[test]
fn py_sign_reports_codes_and_small_buffers() {
    let signer = signer();
    let mut out = vec![0u8; 4096];
    assert_eq!(
        py_sign(&signer, b"PO ST", b"/x", None, &mut out),
        FAST_SIGN_ERROR
    );
    let text = std::str::from_utf8(&out[..out.iter().position(|&b| b == 0).unwrap()]).unwrap();
    assert!(text.starts_with("INVALID_METHOD\n"), "{text}");
    assert_eq!(
        py_sign(&signer, b"POST", b"\xff\xfe", None, &mut out),
        FAST_SIGN_ERROR
    );
    assert!(out.starts_with(b"INVALID_URL\n"));
    let mut tiny = vec![0u8; 64];
    assert_eq!(
        py_sign(&signer, b"POST", b"/x", None, &mut tiny),
        FAST_SIGN_TOO_SMALL
    );
    let mut short = vec![0u8; 8];
    assert_eq!(
        py_sign(&signer, b"POST", b"/x", None, &mut short),
        FAST_SIGN_TOO_SMALL
    );
    // an error message is cut to the buffer, on a character boundary
    let mut cut = vec![0u8; 20];
    assert_eq!(
        py_sign(&signer, b"PO ST", b"/x", None, &mut cut),
        FAST_SIGN_ERROR
    );
    assert!(std::str::from_utf8(&cut).is_ok());
}

/// A byte source over memory that records the sizes asked for.
struct Chunks {
    data: Mutex<(Vec<u8>, usize, Vec<i32>)>,
}

impl ByteSource for Chunks {
    fn read(&self, max_len: i32) -> Result<Vec<u8>, NuveraError> {
        let mut g = self.data.lock().unwrap();
        let (data, pos, asked) = &mut *g;
        asked.push(max_len);
        let end = (*pos + max_len as usize).min(data.len());
        let chunk = data[*pos..end].to_vec();
        *pos = end;
        Ok(chunk)
    }
}

struct Failing;

impl ByteSource for Failing {
    fn read(&self, _max_len: i32) -> Result<Vec<u8>, NuveraError> {
        Err(NuveraError::Signing {
            code: "IO_ERROR".to_owned(),
            detail: "the reader broke".to_owned(),
        })
    }
}

#[test]
fn byte_sources_stream_in_chunks_and_hash_like_bytes() {
    let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let source = Arc::new(Chunks {
        data: Mutex::new((data.clone(), 0, Vec::new())),
    });
    let streamed = MultipartForm::new(Some("b0".to_owned())).unwrap();
    streamed
        .add_file_source("file".to_owned(), "d.bin".to_owned(), source.clone(), None)
        .unwrap();
    let in_memory = MultipartForm::new(Some("b0".to_owned())).unwrap();
    in_memory
        .add_file_bytes("file".to_owned(), "d.bin".to_owned(), data, None)
        .unwrap();
    assert_eq!(
        streamed.body_hash().unwrap(),
        in_memory.body_hash().unwrap()
    );
    let asked = &source.data.lock().unwrap().2;
    assert!(asked.len() > 10 && asked.iter().all(|&n| n as usize <= 64 * 1024));

    let failing = MultipartForm::new(None).unwrap();
    failing
        .add_file_source(
            "file".to_owned(),
            "d.bin".to_owned(),
            Arc::new(Failing),
            None,
        )
        .unwrap();
    match failing.body_hash() {
        Err(NuveraError::Signing {
            code,
            detail: message,
        }) => {
            assert_eq!(code, "IO_ERROR");
            assert!(message.contains("the reader broke"), "{message}");
        }
        other => panic!("expected IO_ERROR, got {other:?}"),
    }
}

#[test]
fn support_bundle_holds_no_secret() {
    let signer = signer();
    let signed = signer
        .sign(
            "POST".to_owned(),
            "https://api.nuvera.global/api/v1/customers".to_owned(),
            Some(b"{\"a\":1}".to_vec()),
            None,
            None,
        )
        .unwrap();
    let token = signed.token();
    let json = support_bundle(
        "POST".to_owned(),
        "https://api.nuvera.global/api/v1/customers".to_owned(),
        Vec::new(),
        Some(API_KEY.to_owned()),
        Some("application/json".to_owned()),
        b"{\"a\":1}".to_vec(),
        token.clone(),
        401,
        br#"{"errors":[{"code":"AUTH_INVALID_SIGNATURE"}]}"#.to_vec(),
        Some("glue tests".to_owned()),
        None,
        Some(1_800_000_000),
    )
    .unwrap();
    assert!(!json.contains(API_KEY));
    assert!(!json.contains(&token));
    assert!(!json.contains(token.rsplit('.').next().unwrap()));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["response"]["code"], "AUTH_INVALID_SIGNATURE");
    assert_eq!(v["request"]["headers"][0][0], "x-api-key");
    assert_eq!(v["request"]["headers"][1][0], "Authorization");
}
