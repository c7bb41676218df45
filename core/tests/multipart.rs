//! The issue-19 regression bodies, captured from the encoders named (base64): each is read as
//! busboy 1.6 reads it, with busboy's reading as the issue states it written out by hand.

use base64::Engine;
use nuvera_signing::multipart::{
    canonicalize_wire, MultipartLimits, ReadingNote, WireCanonicalizer,
};
use nuvera_signing::{ErrorCode, MultipartForm};

/// SHA-256 of `x`, the one-byte file content of several bodies.
const SHA256_OF_X: &str = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";

fn decode(b64: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

/// The canonical JSON of `body`, read whole and in 1-, 2-, 3- and 7-byte chunks (all equal), and
/// the notes naming the rules that applied.
fn read(content_type: &str, body: &[u8]) -> (String, Vec<ReadingNote>) {
    let whole = canonicalize_wire(content_type, body).unwrap();
    for chunk in [1, 2, 3, 7] {
        let mut parser = WireCanonicalizer::new(content_type, MultipartLimits::default()).unwrap();
        for piece in body.chunks(chunk) {
            parser.feed(piece).unwrap();
        }
        assert_eq!(parser.finish().unwrap(), whole, "in {chunk}-byte chunks");
    }
    let mut parser = WireCanonicalizer::new(content_type, MultipartLimits::default()).unwrap();
    parser.feed(body).unwrap();
    let (form, notes) = parser.finish_with_notes().unwrap();
    assert_eq!(form, whole);
    (whole.to_json(), notes)
}

/// 1. urllib3, field named `a\b`: busboy reads `a\b`, not `ab`.
#[test]
fn backslash_before_an_ordinary_character_is_kept() {
    let body = decode("LS1mYzYwMmRiZDU4ZjE1YTA4Y2UxZDM3YmQ1ODIzZGJlYw0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJhXGIiDQoNCnYNCi0tZmM2MDJkYmQ1OGYxNWEwOGNlMWQzN2JkNTgyM2RiZWMtLQ0K");
    let (json, notes) = read(
        "multipart/form-data; boundary=fc602dbd58f15a08ce1d37bd5823dbec",
        &body,
    );
    assert_eq!(
        json,
        r#"{"fields":[{"name":"a\\b","value":"v"}],"files":[]}"#
    );
    assert!(
        notes
            .iter()
            .any(|n| matches!(n, ReadingNote::BackslashKept { .. })),
        "{notes:?}"
    );
}

/// 2. urllib3, file `a/b.txt`: busboy reads `b.txt`.
#[test]
fn file_names_are_base_names() {
    let body = decode("LS0xYThhNWM4NzM4Y2FmZTE5ODYzMzAwMzcwZjQyMjc0Yg0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJmIjsgZmlsZW5hbWU9ImEvYi50eHQiDQpDb250ZW50LVR5cGU6IHRleHQvcGxhaW4NCg0KeA0KLS0xYThhNWM4NzM4Y2FmZTE5ODYzMzAwMzcwZjQyMjc0Yi0tDQo=");
    let (json, notes) = read(
        "multipart/form-data; boundary=1a8a5c8738cafe19863300370f42274b",
        &body,
    );
    assert_eq!(
        json,
        format!(
            r#"{{"fields":[],"files":[{{"fieldName":"f","fileName":"b.txt","mimeType":"text/plain","size":1,"sha256":"{SHA256_OF_X}"}}]}}"#
        )
    );
    assert!(
        notes
            .iter()
            .any(|n| matches!(n, ReadingNote::BaseName { .. })),
        "{notes:?}"
    );
}

/// 3. requests with `('', b'x', 'text/plain')`: busboy reads field `f` = `x`.
#[test]
fn empty_file_name_with_a_text_type_is_a_field() {
    let body = decode("LS04ODljNmY5ZjU2YjA2ZGJkOTMwZWRhMThjNTcyNzFmNw0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJmIjsgZmlsZW5hbWU9IiINCkNvbnRlbnQtVHlwZTogdGV4dC9wbGFpbg0KDQp4DQotLTg4OWM2ZjlmNTZiMDZkYmQ5MzBlZGExOGM1NzI3MWY3LS0NCg==");
    let (json, notes) = read(
        "multipart/form-data; boundary=889c6f9f56b06dbd930eda18c57271f7",
        &body,
    );
    assert_eq!(json, r#"{"fields":[{"name":"f","value":"x"}],"files":[]}"#);
    assert!(
        notes
            .iter()
            .any(|n| matches!(n, ReadingNote::EmptyFileNameIsField { .. })),
        "{notes:?}"
    );
}

/// 3. undici's `File` named `""` (octet-stream, no filename): busboy drops it.
#[test]
fn octet_stream_without_file_name_is_an_ignored_file() {
    let body = decode("LS0tLS0tZm9ybWRhdGEtdW5kaWNpLTA5OTE0OTIzMjYzNg0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJmIg0KQ29udGVudC1UeXBlOiBhcHBsaWNhdGlvbi9vY3RldC1zdHJlYW0NCg0KAQINCi0tLS0tLWZvcm1kYXRhLXVuZGljaS0wOTkxNDkyMzI2MzYNCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0iZyINCg0Kdg0KLS0tLS0tZm9ybWRhdGEtdW5kaWNpLTA5OTE0OTIzMjYzNi0tDQo=");
    let (json, notes) = read(
        "multipart/form-data; boundary=----formdata-undici-099149232636",
        &body,
    );
    assert_eq!(json, r#"{"fields":[{"name":"g","value":"v"}],"files":[]}"#);
    assert!(
        notes
            .iter()
            .any(|n| matches!(n, ReadingNote::FileIgnored { .. })),
        "{notes:?}"
    );
}

/// 4. urllib3, a name ending in `\` (an unterminated quoted string): busboy skips that part.
#[test]
fn unparseable_disposition_skips_only_that_part() {
    let body = decode("LS00YjRiNGI0Yg0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJhXCINCg0Kdg0KLS00YjRiNGI0Yg0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJiIg0KDQp3DQotLTRiNGI0YjRiLS0NCg==");
    let (json, notes) = read("multipart/form-data; boundary=4b4b4b4b", &body);
    assert_eq!(json, r#"{"fields":[{"name":"b","value":"w"}],"files":[]}"#);
    assert!(
        notes
            .iter()
            .any(|n| matches!(n, ReadingNote::PartSkipped { .. })),
        "{notes:?}"
    );
}

/// 5. requests, a text part holding byte 0xFF: busboy reads U+FFFD.
#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let body = decode("LS1kZjNkOTM0YmEyY2RjODFhZGMxMDk5OTI2OTU5MGVjNQ0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJ0Ig0KDQph/2INCi0tZGYzZDkzNGJhMmNkYzgxYWRjMTA5OTkyNjk1OTBlYzUtLQ0K");
    let (json, notes) = read(
        "multipart/form-data; boundary=df3d934ba2cdc81adc10999269590ec5",
        &body,
    );
    assert_eq!(
        json,
        r#"{"fields":[{"name":"t","value":"a�b"}],"files":[]}"#
    );
    assert!(
        notes
            .iter()
            .any(|n| matches!(n, ReadingNote::InvalidTextReplaced { .. })),
        "{notes:?}"
    );
}

/// 5. requests, a text part with `charset=iso-8859-1`: busboy decodes latin1.
#[test]
fn latin1_charset_is_decoded() {
    let body = decode("LS0wNTYxZmNmMjZjMDc2ZjY0NWQ3NjZmNDFhNWJhYjk2MQ0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJ0Ig0KQ29udGVudC1UeXBlOiB0ZXh0L3BsYWluOyBjaGFyc2V0PWlzby04ODU5LTENCg0KY2Fm6Q0KLS0wNTYxZmNmMjZjMDc2ZjY0NWQ3NjZmNDFhNWJhYjk2MS0tDQo=");
    let (json, notes) = read(
        "multipart/form-data; boundary=0561fcf26c076f645d766f41a5bab961",
        &body,
    );
    assert_eq!(
        json,
        r#"{"fields":[{"name":"t","value":"café"}],"files":[]}"#
    );
    assert!(
        notes
            .iter()
            .any(|n| matches!(n, ReadingNote::CharsetDecoded { .. })),
        "{notes:?}"
    );
}

/// Issue cause 6: Content-Types that do not parse as `type/subtype` (requests, file `x.bin` =
/// `x`): busboy reports `text/plain`.
#[test]
fn odd_media_types_are_text_plain() {
    let (json, notes) = read(
        "multipart/form-data; boundary=e1863278393cee8211bfb022b514bcba",
        &decode("LS1lMTg2MzI3ODM5M2NlZTgyMTFiZmIwMjJiNTE0YmNiYQ0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJmIjsgZmlsZW5hbWU9InguYmluIg0KQ29udGVudC1UeXBlOiBmb28NCg0KeA0KLS1lMTg2MzI3ODM5M2NlZTgyMTFiZmIwMjJiNTE0YmNiYS0tDQo="),
    );
    assert_eq!(
        json,
        format!(
            r#"{{"fields":[],"files":[{{"fieldName":"f","fileName":"x.bin","mimeType":"text/plain","size":1,"sha256":"{SHA256_OF_X}"}}]}}"#
        )
    );
    assert!(matches!(notes[0], ReadingNote::MediaTypeDefaulted { .. }));
    let (json, notes) = read(
        "multipart/form-data; boundary=9d957c8d101b1e2594d06d21a0bb02c0",
        &decode("LS05ZDk1N2M4ZDEwMWIxZTI1OTRkMDZkMjFhMGJiMDJjMA0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJmIjsgZmlsZW5hbWU9InguYmluIg0KQ29udGVudC1UeXBlOiBhcHBsaWNhdGlvbi9qc29uOw0KDQp4DQotLTlkOTU3YzhkMTAxYjFlMjU5NGQwNmQyMWEwYmIwMmMwLS0NCg=="),
    );
    assert_eq!(
        json,
        format!(
            r#"{{"fields":[],"files":[{{"fieldName":"f","fileName":"x.bin","mimeType":"text/plain","size":1,"sha256":"{SHA256_OF_X}"}}]}}"#
        )
    );
    assert!(matches!(notes[0], ReadingNote::MediaTypeDefaulted { .. }));
    let (json, notes) = read(
        "multipart/form-data; boundary=f535092442e7c9d4bb6403343d2bc463",
        &decode("LS1mNTM1MDkyNDQyZTdjOWQ0YmI2NDAzMzQzZDJiYzQ2Mw0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJmIjsgZmlsZW5hbWU9InguYmluIg0KQ29udGVudC1UeXBlOiBhL2IvYw0KDQp4DQotLWY1MzUwOTI0NDJlN2M5ZDRiYjY0MDMzNDNkMmJjNDYzLS0NCg=="),
    );
    assert_eq!(
        json,
        format!(
            r#"{{"fields":[],"files":[{{"fieldName":"f","fileName":"x.bin","mimeType":"text/plain","size":1,"sha256":"{SHA256_OF_X}"}}]}}"#
        )
    );
    assert!(matches!(notes[0], ReadingNote::MediaTypeDefaulted { .. }));
    let (json, notes) = read(
        "multipart/form-data; boundary=1292680e2b37c99745bf4b9141a3a4e7",
        &decode("LS0xMjkyNjgwZTJiMzdjOTk3NDViZjRiOTE0MWEzYTRlNw0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJmIjsgZmlsZW5hbWU9InguYmluIg0KQ29udGVudC1UeXBlOiB0ZXh0IC8gcGxhaW4NCg0KeA0KLS0xMjkyNjgwZTJiMzdjOTk3NDViZjRiOTE0MWEzYTRlNy0tDQo="),
    );
    assert_eq!(
        json,
        format!(
            r#"{{"fields":[],"files":[{{"fieldName":"f","fileName":"x.bin","mimeType":"text/plain","size":1,"sha256":"{SHA256_OF_X}"}}]}}"#
        )
    );
    assert!(matches!(notes[0], ReadingNote::MediaTypeDefaulted { .. }));
}

/// Issue cause 7, the core's own round trip: a name with a control character is refused up front
/// by the form (busboy refuses the whole body on such a header byte, and so does the core's
/// reader).
#[test]
fn control_characters_in_names_are_refused_up_front() {
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"a\u{1}b\"\r\n\r\nv\r\n--XyZ--\r\n";
    assert_eq!(
        canonicalize_wire("multipart/form-data; boundary=XyZ", body.as_bytes())
            .unwrap_err()
            .code(),
        ErrorCode::MultipartMalformed
    );
    let mut form = MultipartForm::with_boundary("XyZ").unwrap();
    for bad in ["a\u{1}b", "\u{7f}", "a\u{1f}", "x\u{b}", "\u{c}", ""] {
        assert_eq!(
            form.add_field(bad, "v").unwrap_err().code(),
            ErrorCode::InvalidFormPart,
            "{bad:?}"
        );
        assert_eq!(
            form.add_file_bytes("f", &format!("n{bad}"), vec![], None)
                .map(|_| ())
                .err()
                .map(|e| e.code()),
            (!bad.is_empty()).then_some(ErrorCode::InvalidFormPart),
            "{bad:?}"
        );
    }
    form.add_field("tab\there", "v").unwrap();
    let (wire, canonical) = form.to_bytes().unwrap();
    assert_eq!(
        canonicalize_wire(&form.content_type(), &wire).unwrap(),
        canonical
    );
}

/// A structured form applies the same reading: a file given as `dir/a.pdf` is `a.pdf`, and
/// `explain`-style notes say so.
#[test]
fn structured_forms_sign_what_the_server_reads() {
    let mut form = MultipartForm::with_boundary("b").unwrap();
    form.add_file_bytes("f", "dir/a.pdf", b"x".to_vec(), Some("application/pdf"))
        .unwrap()
        .add_file_bytes("g", "..", b"x".to_vec(), None)
        .unwrap()
        .add_field("a\\b", "v")
        .unwrap();
    assert_eq!(
        form.add_file_bytes("h", "", b"x".to_vec(), Some("text/plain"))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidFormPart
    );
    let (wire, canonical) = form.to_bytes().unwrap();
    assert_eq!(
        canonical.to_json(),
        format!(
            r#"{{"fields":[{{"name":"a\\b","value":"v"}}],"files":[{{"fieldName":"f","fileName":"a.pdf","mimeType":"application/pdf","size":1,"sha256":"{SHA256_OF_X}"}}]}}"#
        )
    );
    assert_eq!(
        canonicalize_wire(&form.content_type(), &wire).unwrap(),
        canonical
    );
    let notes: Vec<String> = form.reading_notes().iter().map(|n| n.to_string()).collect();
    assert!(
        notes.contains(
            &"the server reads file names as base names: `dir/a.pdf` is signed as `a.pdf`"
                .to_owned()
        ),
        "{notes:?}"
    );
}

/// A field value or file content holding the form's boundary line is refused up front.
#[test]
fn content_holding_the_boundary_is_refused() {
    let mut form = MultipartForm::with_boundary("XyZ").unwrap();
    for value in ["a\r\n--XyZ", "--XyZ--", "x\r\n--XyZ\r\n"] {
        assert_eq!(
            form.add_field("a", value).unwrap_err().code(),
            ErrorCode::InvalidFormPart,
            "{value:?}"
        );
    }
    form.add_field("a", "-XyZ \r\n-XyZ").unwrap();
    form.add_file_bytes("f", "x", b"\r\n--XyZ".to_vec(), None)
        .unwrap();
    assert_eq!(
        form.canonical().unwrap_err().code(),
        ErrorCode::InvalidFormPart
    );
}

/// Every media type a form accepts is summarized as the server reads it from the header it
/// writes (the header parser drops leading whitespace; odd types are `text/plain`).
#[test]
fn structured_media_types_read_back_the_same() {
    for media_type in [
        " application/pdf",
        "\tImage/PNG; q=\"a b\"",
        "application/json;",
        "text/plain; charset=iso-8859-1",
        "a/b/c",
    ] {
        let mut form = MultipartForm::with_boundary("b").unwrap();
        match form.add_file_bytes("f", "x.bin", b"x".to_vec(), Some(media_type)) {
            Ok(_) => {
                let (wire, canonical) = form.to_bytes().unwrap();
                assert_eq!(
                    canonicalize_wire(&form.content_type(), &wire).unwrap(),
                    canonical,
                    "{media_type:?}"
                );
            }
            Err(e) => assert_eq!(e.code(), ErrorCode::InvalidFormPart, "{media_type:?}"),
        }
    }
}
