//! Entry points shared by the `cargo fuzz` targets (`fuzz/`) and the regression tests that replay
//! their findings (`core/tests/fuzz_regressions.rs`). Each checks an invariant, not just "no panic".

use std::sync::{Arc, OnceLock};

use crate::error::ErrorCode;
use crate::multipart::{canonicalize_wire, MultipartLimits, WireCanonicalizer};
use crate::verify::{ApiKeyStatus, PublicKeyStatus};
use crate::{
    explain, Application, BodyHash, ExplainOptions, FixedClock, PrivateKey, PublicKey,
    ReceivedRequest, Registry, SentRequest, Verifier,
};

const BOUNDARIES: [&str; 4] = [
    "b",
    "Xy12",
    "----formdata-123",
    "----NuveraFormBoundary0123456789abcdef",
];

/// Multipart: the streamed parse, in chunks of a size taken from the input, equals the one-shot
/// parse (both the same canonical object, or both an error).
pub fn multipart_wire(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = format!(
        "multipart/form-data; boundary={}",
        BOUNDARIES[usize::from(selector & 3)]
    );
    let chunk = usize::from(selector >> 2) + 1;
    let whole = canonicalize_wire(&content_type, body);
    let mut streamed = WireCanonicalizer::new(&content_type, MultipartLimits::default())
        .expect("valid content type");
    let mut fed = Ok(());
    for piece in body.chunks(chunk) {
        fed = streamed.feed(piece);
        if fed.is_err() {
            break;
        }
    }
    let streamed = fed.and_then(|_| streamed.finish());
    match (whole, streamed) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "streamed and whole parses differ");
            assert_eq!(a.body_hash(), BodyHash::of_bytes(a.to_json().as_bytes()));
        }
        (Err(a), Err(b)) => assert_eq!(
            a.code(),
            b.code(),
            "streamed and whole parses fail differently"
        ),
        (a, b) => panic!("streamed and whole parses disagree: {a:?} vs {b:?}"),
    }
}

/// Reads the fuzzer's bytes as a sequence of length-prefixed pieces.
struct Pieces<'a>(&'a [u8]);

impl<'a> Pieces<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::from(self.byte()?).min(self.0.len());
        let (piece, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(piece)
    }

    /// Any text, control characters and all (invalid UTF-8 becomes U+FFFD).
    fn text(&mut self) -> Option<String> {
        self.bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

const MEDIA_TYPES: [Option<&str>; 6] = [
    None,
    Some("application/pdf"),
    Some("Text/Plain; charset=UTF-8"),
    Some("application/octet-stream"),
    Some("application/json;"),
    Some("image/png; name=\"a b\""),
];

/// Multipart round trip: every name, value and file a structured form accepts encodes to a body
/// that the core reads back, in one shot and in chunks, to the form's own canonical object; what
/// the form refuses is refused with `INVALID_FORM_PART`.
pub fn multipart_roundtrip(data: &[u8]) {
    let mut input = Pieces(data);
    let Some(selector) = input.byte() else {
        return;
    };
    let boundary = BOUNDARIES[usize::from(selector & 3)];
    let chunk = usize::from(selector >> 2) + 1;
    let mut form = crate::MultipartForm::with_boundary(boundary).expect("valid boundary");
    let refused = |e: crate::Error| {
        assert_eq!(
            e.code(),
            ErrorCode::InvalidFormPart,
            "a form refuses with INVALID_FORM_PART only: {e}"
        )
    };
    while let Some(op) = input.byte() {
        let (Some(name), Some(text)) = (input.text(), input.text()) else {
            break;
        };
        let added = if op & 1 == 0 {
            form.add_field(&name, &text).map(|_| ())
        } else {
            let content = input.bytes().unwrap_or_default().to_vec();
            let media_type = match usize::from(op >> 1) % (MEDIA_TYPES.len() + 1) {
                i if i < MEDIA_TYPES.len() => MEDIA_TYPES[i].map(str::to_owned),
                _ => input.text(),
            };
            form.add_file_bytes(&name, &text, content, media_type.as_deref())
                .map(|_| ())
        };
        if let Err(e) = added {
            refused(e);
        }
    }
    let structured = match form.canonical() {
        Ok(c) => c,
        Err(e) => return refused(e),
    };
    let (wire, encoded) = form.to_bytes().expect("a form that hashes also encodes");
    assert_eq!(encoded, structured, "encoding changed the canonical object");
    let content_type = form.content_type();
    let read = canonicalize_wire(&content_type, &wire)
        .unwrap_or_else(|e| panic!("the core refuses its own encoding: {e}"));
    assert_eq!(read, structured, "the wire reading differs from the form");
    let mut streamed =
        WireCanonicalizer::new(&content_type, MultipartLimits::default()).expect("valid type");
    for piece in wire.chunks(chunk) {
        streamed
            .feed(piece)
            .expect("chunked reading of the core's own encoding");
    }
    assert_eq!(streamed.finish().expect("complete body"), structured);
}

/// The public key of the fuzzing registry: `testdata/keys/test-rsa2048-public.pem`, kept inline so
/// that the crate builds from its own files (a packaged crate or the Python sdist has no
/// `testdata/`); `core/tests/fuzz_regressions.rs` checks that the two are the same key.
#[doc(hidden)]
pub const PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmvHjT+ocOEqYUPkM4tJH
pVHmloV9LE7Np+jO18V7I339+IsRSLbUuHGJ2UobI7K8dpls10ih9eBCWg/DRzx9
xP//uM6JPiAsCVqJyDsBFYVyL4GCUjCZHYm8ccDfnWlK5hQnR4QOGtq4U19pmPuD
EHYYqWNjRd3CtcpHtWlFJ4Fl+DWWrylMfkYfMVCrgqUnSkhmTfWZD1D4XSQZCjJG
So0JUlTT+ZfBYCLC4IUaa91nCiDpY0Xd7XMRCjgF8yRAmJZ9eON4QXCvLSFg6i91
PtxMTwtlzBY8hT9BPBRl/dFAJaqkZc3g5YkeIkLkI6X261cbm4zjNm9HbLr+gdaI
TQIDAQAB
-----END PUBLIC KEY-----
";

fn verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        let key = PublicKey::from_pem(PUBLIC_PEM).expect("test public key");
        let mut registry = Registry::new();
        registry
            .add(
                Application::new("fuzz")
                    .with_api_key("nv_fuzz_key_0001", ApiKeyStatus::Active)
                    .with_public_key(key, PublicKeyStatus::Active, None),
            )
            .expect("one application");
        Verifier::new(registry).with_clock(Arc::new(FixedClock(1_767_225_600)))
    })
}

/// Tokens: the verifier and `explain` never panic, and an arbitrary token is never accepted
/// (the fuzzer cannot forge an RS256 signature).
pub fn token(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let authorization = format!("Bearer {text}");
    let body_hash = BodyHash::empty();
    let request = ReceivedRequest {
        method: "GET",
        target: "/api/v1/customers",
        api_key: Some("nv_fuzz_key_0001"),
        authorization: Some(&authorization),
        body_hash: &body_hash,
    };
    assert!(
        verifier().verify(&request).is_err(),
        "a fuzzed token was accepted"
    );
    let mut body: &[u8] = b"";
    let sent = SentRequest {
        method: "GET",
        url: "/api/v1/customers",
        api_key: Some("nv_fuzz_key_0001"),
        content_type: None,
        body: &mut body,
    };
    let report =
        explain(sent, &text, &ExplainOptions::default()).expect("explain reads an in-memory body");
    let _ = report.to_text();
}

/// PEM keys: loading any input gives a key or a coded error, never a panic; a key that loads
/// signs and verifies.
pub fn pem(data: &[u8]) {
    if let Ok(key) = PrivateKey::from_pem(data, Some(b"correct horse battery staple")) {
        let sig = key.sign_rs256(b"probe").expect("a loaded key signs");
        assert!(key.public_key().verify_rs256(b"probe", &sig));
    }
    let _ = PublicKey::from_pem(data);
}
