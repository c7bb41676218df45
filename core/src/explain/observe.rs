//! What a request actually carried, re-derived the way the server derives it, plus the
//! alternative hashes of the classic mistakes (so a mismatch can be named, not just reported).

use std::io::Read;

use sha2::{Digest, Sha256};

use crate::body_hash::{for_each_chunk, BodyHash, CountingSha256};
use crate::error::Result;
use crate::multipart::{CanonicalForm, MultipartLimits, ReadingNote, WireCanonicalizer};
use crate::received::{is_multipart_form_data, BodyReceiver};

/// Bodies up to this size are kept to try re-serializations of JSON; larger ones are only hashed.
const MAX_BODY_FOR_VARIANTS: usize = 16 * 1024 * 1024;

/// What the body of a request was, as the server sees it.
#[derive(Clone, Debug)]
pub struct BodyObservation {
    /// The `bodyHash` the server computes (multipart: through the canonical object).
    pub hash: std::result::Result<BodyHash, String>,
    /// SHA-256 of the raw bytes (what a client that ignores the multipart rule signs).
    pub raw_sha256: BodyHash,
    /// Byte count.
    pub size: u64,
    /// The multipart canonical object, for multipart bodies that parse.
    pub multipart: Option<CanonicalForm>,
    /// Other serializations of the same JSON document and their hashes.
    pub json_variants: Vec<(&'static str, BodyHash)>,
    /// For multipart bodies: the rules of the server's reading that changed what the parts say
    /// (base names, skipped parts, charsets, …), up to where the body could be read.
    pub multipart_notes: Vec<ReadingNote>,
}

/// Streams a body once, computing everything `explain` may need: the hash the server computes
/// (the same [`BodyReceiver`] a server uses), the raw hash, and for JSON the re-serializations.
pub fn observe_body(content_type: Option<&str>, reader: impl Read) -> Result<BodyObservation> {
    let mut raw = CountingSha256::default();
    let mut receiver = BodyReceiver::new(content_type, MultipartLimits::default());
    let mut receive_error: Option<String> = None;
    let mut kept: Option<Vec<u8>> = Some(Vec::new());
    // A second reading of a multipart body, only to collect its notes: the receiver is the
    // server's own path and stays as it is.
    let mut reading = content_type
        .filter(|ct| is_multipart_form_data(ct))
        .and_then(|ct| WireCanonicalizer::new(ct, MultipartLimits::default()).ok());
    let mut reading_failed = false;
    for_each_chunk(reader, "cannot read the body", |chunk| {
        raw.update(chunk);
        if let (Some(parser), false) = (reading.as_mut(), reading_failed) {
            reading_failed = parser.feed(chunk).is_err();
        }
        if receive_error.is_none() {
            if let Err(e) = receiver.feed(chunk) {
                receive_error = Some(e.message().to_owned());
            }
        }
        if let Some(buf) = kept.as_mut() {
            if buf.len() + chunk.len() <= MAX_BODY_FOR_VARIANTS {
                buf.extend_from_slice(chunk);
            } else {
                kept = None;
            }
        }
        Ok(())
    })?;
    let (raw_sha256, size) = raw.finish();
    let received = match receive_error {
        Some(e) => Err(e),
        None => receiver.finish().map_err(|e| e.message().to_owned()),
    };
    let (hash, multipart) = match received {
        Ok(r) => (Ok(r.hash), r.multipart),
        Err(e) => (Err(e), None),
    };
    let json_variants = kept.map(|body| json_variants(&body)).unwrap_or_default();
    let multipart_notes = reading.map(|p| p.notes().to_vec()).unwrap_or_default();
    Ok(BodyObservation {
        hash,
        raw_sha256,
        size,
        multipart,
        json_variants,
        multipart_notes,
    })
}

/// The serializations a client commonly signs instead of the one it sends.
fn json_variants(body: &[u8]) -> Vec<(&'static str, BodyHash)> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut variants = Vec::new();
    let mut push = |label, bytes: Vec<u8>| {
        variants.push((label, BodyHash::from_digest(&Sha256::digest(&bytes))))
    };
    if let Ok(compact) = serde_json::to_vec(&value) {
        push("minified JSON (JSON.stringify(body))", compact);
    }
    for (label, indent) in [
        ("JSON pretty-printed with 2 spaces", &b"  "[..]),
        ("JSON pretty-printed with 4 spaces", b"    "),
    ] {
        let mut out = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(indent);
        let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
        if serde::Serialize::serialize(&value, &mut ser).is_ok() {
            push(label, out);
        }
    }
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonDefaultFormatter);
    if serde::Serialize::serialize(&value, &mut ser).is_ok() {
        push(
            "JSON with Python's default separators (json.dumps: \", \" and \": \")",
            out,
        );
    }
    let mut with_newline = body.to_vec();
    with_newline.push(b'\n');
    push("the body with a trailing newline", with_newline);
    if body.ends_with(b"\n") {
        push(
            "the body without its trailing newline",
            body[..body.len() - 1].to_vec(),
        );
    }
    variants
}

/// `json.dumps(x)`: `", "` between items, `": "` after keys, no newlines.
struct PythonDefaultFormatter;

impl serde_json::ser::Formatter for PythonDefaultFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_cover_the_usual_serializations() {
        let body = br#"{"b":1,"a":[1,2]}"#;
        let labels: Vec<&str> = json_variants(body).into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels.len(), 5);
        let python = json_variants(body)
            .into_iter()
            .find(|(l, _)| l.contains("Python"))
            .unwrap()
            .1;
        assert_eq!(
            python,
            BodyHash::of_bytes(br#"{"b": 1, "a": [1, 2]}"#),
            "key order is kept"
        );
    }
}
