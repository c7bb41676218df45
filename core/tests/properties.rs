//! Property tests: a form's structured hash equals the hash of its own wire encoding, however the
//! wire arrives; and no input makes a parser panic.

mod common;

use nuvera_signing::multipart::{canonicalize_wire, MultipartLimits, WireCanonicalizer};
use nuvera_signing::{ErrorCode, MultipartForm, PrivateKey};
use proptest::prelude::*;

/// Names: any text (the form refuses what a part header cannot carry), biased towards the
/// characters that break naive encoders.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,3}",
        "[a-zA-Z0-9 _\"\\\\;=%é☃😀\u{e000}-]{0,12}",
        any::<String>(),
    ]
}

/// Content: arbitrary bytes, often containing CRLF and boundary-like dashes.
fn content() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'-'), any::<u8>()],
            0..64
        ),
    ]
}

#[derive(Debug, Clone)]
enum PartSpec {
    Field(String, String),
    File(String, String, Option<String>, Vec<u8>),
}

fn part() -> impl Strategy<Value = PartSpec> {
    let mime = proptest::option::of(prop_oneof![
        Just("application/pdf".to_owned()),
        Just("Text/Plain; charset=UTF-8".to_owned()),
        Just("image/PNG".to_owned()),
    ]);
    prop_oneof![
        (name(), any::<String>().prop_map(|s| s.replace('\0', "")))
            .prop_map(|(n, v)| PartSpec::Field(n, v)),
        (name(), name(), mime, content()).prop_map(|(n, f, m, c)| PartSpec::File(n, f, m, c)),
    ]
}

/// The form of every part the form accepts; a part it refuses must be refused as
/// `INVALID_FORM_PART` (what the server could not read back the same way).
fn build(parts: &[PartSpec]) -> MultipartForm {
    let mut form = MultipartForm::new();
    for p in parts {
        let added = match p {
            PartSpec::Field(n, v) => form.add_field(n, v).map(|_| ()),
            PartSpec::File(n, f, m, c) => form
                .add_file_bytes(n, f, c.clone(), m.as_deref())
                .map(|_| ()),
        };
        if let Err(e) = added {
            assert_eq!(e.code(), ErrorCode::InvalidFormPart, "{p:?}: {e}");
        }
    }
    form
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn structured_equals_wire(
        parts in proptest::collection::vec(part(), 0..8),
        repeat in any::<bool>(),
        chunk in 1usize..97,
    ) {
        let mut parts = parts;
        if repeat && !parts.is_empty() {
            // Repeated fields and files with the same name must all be kept.
            parts.push(parts[0].clone());
        }
        let mut form = build(&parts);
        let structured = form.canonical().unwrap();
        let (wire, encoded) = form.to_bytes().unwrap();
        prop_assert_eq!(&encoded, &structured);
        let parsed = canonicalize_wire(&form.content_type(), &wire).unwrap();
        prop_assert_eq!(&parsed, &structured);
        let mut streamed = WireCanonicalizer::new(&form.content_type(), MultipartLimits::default()).unwrap();
        for piece in wire.chunks(chunk) {
            streamed.feed(piece).unwrap();
        }
        prop_assert_eq!(streamed.finish().unwrap().body_hash(), structured.body_hash());
    }

    #[test]
    fn wire_parser_never_panics(body in proptest::collection::vec(any::<u8>(), 0..400), boundary in "[a-zA-Z0-9'()+_,./:=?-]{1,8}") {
        let ct = format!("multipart/form-data; boundary={boundary}");
        let _ = canonicalize_wire(&ct, &body);
        let mut framed = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n").into_bytes();
        framed.extend_from_slice(&body);
        let _ = canonicalize_wire(&ct, &framed);
    }

    #[test]
    fn key_parser_never_panics(text in ".{0,200}", bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = PrivateKey::from_pem(&text, None);
        let _ = PrivateKey::from_pem(&bytes, Some(b"x"));
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes));
        let _ = PrivateKey::from_pem(&pem, None);
    }
}
