//! The core's reading of multipart bodies, for the differential test against busboy
//! (`tests/multipart-diff/run`). Input: JSON lines `{"id", "contentType", "bodyBase64"}` on
//! stdin. Output: one JSON line per body, `{"id", "canonical", "bodyHash"}` or
//! `{"id", "refused": "<ErrorCode>"}`. Each body is read in one shot and in 7-byte chunks; the
//! two must agree (else the line says `"streamingMismatch": true`).

use std::io::{BufRead, Write};

use base64::Engine;
use nuvera_signing::multipart::{canonicalize_wire, MultipartLimits, WireCanonicalizer};
use serde_json::{json, Value};

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.expect("stdin");
        if line.trim().is_empty() {
            continue;
        }
        let request: Value = serde_json::from_str(&line).expect("a JSON line");
        let id = request["id"].clone();
        let content_type = request["contentType"].as_str().unwrap_or_default();
        let body = base64::engine::general_purpose::STANDARD
            .decode(request["bodyBase64"].as_str().unwrap_or_default())
            .expect("base64 body");
        let whole = canonicalize_wire(content_type, &body);
        let streamed = WireCanonicalizer::new(content_type, MultipartLimits::default()).and_then(
            |mut parser| {
                for piece in body.chunks(7) {
                    parser.feed(piece)?;
                }
                parser.finish()
            },
        );
        let streaming_mismatch = match (&whole, &streamed) {
            (Ok(a), Ok(b)) => a != b,
            (Err(a), Err(b)) => a.code() != b.code(),
            _ => true,
        };
        let mut answer = match whole {
            Ok(form) => json!({
                "id": id,
                "canonical": form.to_json(),
                "bodyHash": form.body_hash().as_str(),
            }),
            Err(e) => json!({"id": id, "refused": e.code().as_str(), "message": e.message()}),
        };
        if streaming_mismatch {
            answer["streamingMismatch"] = json!(true);
        }
        writeln!(out, "{answer}").expect("stdout");
    }
}
