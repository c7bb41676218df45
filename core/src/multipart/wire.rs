//! A streaming `multipart/form-data` parser that turns an encoded body into the canonical object.
//!
//! Why our own parser rather than `multer`: multer is async-only (it consumes a `Stream` and needs
//! an executor), while the core must hash from a blocking `Read`, from bytes, and chunk by chunk
//! from a server; it also hides the difference between a missing and an empty `filename`, which
//! the contract distinguishes. This parser is push-based (`feed` chunks, then `finish`), so the
//! same code serves all three; it keeps at most one chunk plus a boundary's length of body in
//! memory, hashes file content as it passes, and uses kept crates for the fiddly parts (`memchr`
//! for the boundary search, `httparse` for part headers, `mime` for the Content-Type).

use std::io::Read;

use memchr::memmem;

use crate::body_hash::{for_each_chunk, BodyHash, CountingSha256};
use crate::error::{Error, ErrorCode, Result};
use crate::multipart::canonical::{
    normalize_media_type, CanonicalField, CanonicalFile, CanonicalForm,
};
use crate::multipart::disposition::parse_disposition;

/// Bounds on what a multipart body may make the parser hold. File content is never held; text
/// field values are (they are part of the canonical object), so they are bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MultipartLimits {
    /// Most parts in one body.
    pub max_parts: usize,
    /// Largest header block of one part.
    pub max_part_header_bytes: usize,
    /// Largest value of one text field.
    pub max_field_bytes: usize,
    /// Largest sum of all text field values and names.
    pub max_total_field_bytes: usize,
}

impl Default for MultipartLimits {
    fn default() -> Self {
        MultipartLimits {
            max_parts: 10_000,
            max_part_header_bytes: 16 * 1024,
            max_field_bytes: 1024 * 1024,
            max_total_field_bytes: 16 * 1024 * 1024,
        }
    }
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::MultipartMalformed, message)
}

fn too_large(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::MultipartTooLarge, message)
}

/// The boundary parameter of a `multipart/form-data` Content-Type.
pub fn boundary_from_content_type(content_type: &str) -> Result<String> {
    let mime: mime::Mime = content_type
        .parse()
        .map_err(|_| malformed(format!("`{content_type}` is not a valid Content-Type")))?;
    if mime.type_() != mime::MULTIPART || mime.subtype() != mime::FORM_DATA {
        return Err(malformed(format!(
            "Content-Type is `{}`, expected multipart/form-data",
            mime.essence_str()
        )));
    }
    let boundary = mime
        .get_param(mime::BOUNDARY)
        .ok_or_else(|| malformed("the multipart Content-Type has no boundary parameter"))?
        .as_str();
    if boundary.is_empty() || boundary.len() > 200 {
        return Err(malformed(
            "the multipart boundary must be 1 to 200 characters",
        ));
    }
    Ok(boundary.to_owned())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the first boundary; bytes here are discarded.
    Preamble,
    /// Just after a boundary: `--` ends the body, otherwise a line break starts a part.
    AfterBoundary,
    Headers,
    Body,
    /// After the closing boundary; bytes here are discarded.
    Epilogue,
}

enum Part {
    Field {
        name: String,
        value: Vec<u8>,
    },
    File {
        field_name: String,
        file_name: String,
        mime_type: String,
        hasher: CountingSha256,
    },
    Ignored,
}

/// Push parser: [`feed`](Self::feed) the body in chunks of any size, then [`finish`](Self::finish).
pub struct WireCanonicalizer {
    delimiter: Vec<u8>,
    finder: memmem::Finder<'static>,
    buf: Vec<u8>,
    state: State,
    part: Option<Part>,
    parts_seen: usize,
    field_bytes: usize,
    limits: MultipartLimits,
    fields: Vec<CanonicalField>,
    files: Vec<CanonicalFile>,
}

impl WireCanonicalizer {
    /// A parser for a body sent with `content_type` (`multipart/form-data; boundary=…`).
    pub fn new(content_type: &str, limits: MultipartLimits) -> Result<Self> {
        let boundary = boundary_from_content_type(content_type)?;
        let delimiter = [b"\r\n--".as_slice(), boundary.as_bytes()].concat();
        Ok(WireCanonicalizer {
            finder: memmem::Finder::new(&delimiter).into_owned(),
            delimiter,
            // The first boundary has no line break before it; supplying one lets a single
            // delimiter search find every boundary.
            buf: b"\r\n".to_vec(),
            state: State::Preamble,
            part: None,
            parts_seen: 0,
            field_bytes: 0,
            limits,
            fields: Vec::new(),
            files: Vec::new(),
        })
    }

    /// Consumes the next chunk of the body.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        if self.state == State::Epilogue {
            return Ok(());
        }
        self.buf.extend_from_slice(chunk);
        let consumed = self.advance()?;
        self.buf.drain(..consumed);
        Ok(())
    }

    /// Checks the body ended properly and returns the canonical object.
    pub fn finish(self) -> Result<CanonicalForm> {
        if self.state != State::Epilogue {
            return Err(malformed(
                "the multipart body ends before its closing boundary (`--boundary--`); was it truncated?",
            ));
        }
        Ok(CanonicalForm::new(self.fields, self.files))
    }

    /// Runs the state machine over `self.buf`; returns how many bytes it consumed.
    fn advance(&mut self) -> Result<usize> {
        let mut pos = 0;
        loop {
            let rest = &self.buf[pos..];
            match self.state {
                State::Preamble => match self.finder.find(rest) {
                    Some(i) => {
                        pos += i + self.delimiter.len();
                        self.state = State::AfterBoundary;
                    }
                    None => return Ok(pos + rest.len().saturating_sub(self.delimiter.len() - 1)),
                },
                State::AfterBoundary => {
                    // Transport padding (RFC 2046 §5.1.1) may follow a boundary.
                    let padding = rest
                        .iter()
                        .take_while(|&&b| b == b' ' || b == b'\t')
                        .count();
                    if padding > 256 {
                        return Err(malformed(
                            "a multipart boundary line is followed by too much whitespace",
                        ));
                    }
                    let line = &rest[padding..];
                    if rest.starts_with(b"--") {
                        self.state = State::Epilogue;
                        return Ok(self.buf.len());
                    }
                    if line.len() < 2 {
                        return Ok(pos);
                    }
                    if !line.starts_with(b"\r\n") {
                        return Err(malformed(
                            "a multipart boundary is followed by text on the same line (is the boundary in the Content-Type right?)",
                        ));
                    }
                    pos += padding + 2;
                    self.state = State::Headers;
                }
                State::Headers => {
                    let header_len = if rest.starts_with(b"\r\n") {
                        Some(2)
                    } else {
                        memmem::find(rest, b"\r\n\r\n").map(|i| i + 4)
                    };
                    let Some(header_len) = header_len else {
                        if rest.len() > self.limits.max_part_header_bytes {
                            return Err(too_large(
                                "a multipart part's headers exceed the size limit",
                            ));
                        }
                        return Ok(pos);
                    };
                    if header_len > self.limits.max_part_header_bytes {
                        return Err(too_large(
                            "a multipart part's headers exceed the size limit",
                        ));
                    }
                    self.parts_seen += 1;
                    if self.parts_seen > self.limits.max_parts {
                        return Err(too_large(format!(
                            "the multipart body has more than {} parts",
                            self.limits.max_parts
                        )));
                    }
                    let part = parse_part_headers(&self.buf[pos..pos + header_len])?;
                    if let Part::Field { name, .. } = &part {
                        self.count_field_bytes(name.len())?;
                    }
                    self.part = Some(part);
                    pos += header_len;
                    self.state = State::Body;
                }
                State::Body => match self.finder.find(rest) {
                    Some(i) => {
                        let (start, end) = (pos, pos + i);
                        self.part_data(start, end)?;
                        self.end_part()?;
                        pos = end + self.delimiter.len();
                        self.state = State::AfterBoundary;
                    }
                    None => {
                        // Keep a tail that could be the start of a delimiter split across chunks.
                        let safe = rest.len().saturating_sub(self.delimiter.len() - 1);
                        self.part_data(pos, pos + safe)?;
                        return Ok(pos + safe);
                    }
                },
                State::Epilogue => return Ok(self.buf.len()),
            }
        }
    }

    fn count_field_bytes(&mut self, n: usize) -> Result<()> {
        self.field_bytes += n;
        if self.field_bytes > self.limits.max_total_field_bytes {
            return Err(too_large(
                "the multipart text fields exceed the total size limit",
            ));
        }
        Ok(())
    }

    fn part_data(&mut self, start: usize, end: usize) -> Result<()> {
        if start == end {
            return Ok(());
        }
        let data = &self.buf[start..end];
        match self.part.as_mut() {
            Some(Part::Field { value, .. }) => {
                if value.len() + data.len() > self.limits.max_field_bytes {
                    return Err(too_large(format!(
                        "a multipart text field is larger than {} bytes",
                        self.limits.max_field_bytes
                    )));
                }
                value.extend_from_slice(data);
                self.count_field_bytes(end - start)
            }
            Some(Part::File { hasher, .. }) => {
                hasher.update(data);
                Ok(())
            }
            Some(Part::Ignored) | None => Ok(()),
        }
    }

    fn end_part(&mut self) -> Result<()> {
        match self.part.take() {
            Some(Part::Field { name, value }) => {
                let value = String::from_utf8(value).map_err(|_| {
                    malformed(format!("the text field `{name}` is not valid UTF-8"))
                })?;
                self.fields.push(CanonicalField { name, value });
            }
            Some(Part::File {
                field_name,
                file_name,
                mime_type,
                hasher,
            }) => {
                let (sha256, size) = hasher.finish();
                self.files.push(CanonicalFile {
                    field_name,
                    file_name,
                    mime_type,
                    size,
                    sha256: sha256.as_str().to_owned(),
                });
            }
            Some(Part::Ignored) | None => {}
        }
        Ok(())
    }
}

/// Reads one part's header block (ending in an empty line) into the part it starts.
fn parse_part_headers(header_block: &[u8]) -> Result<Part> {
    let mut storage = [httparse::EMPTY_HEADER; 32];
    let headers = match httparse::parse_headers(header_block, &mut storage) {
        Ok(httparse::Status::Complete((_, headers))) => headers,
        Ok(httparse::Status::Partial) | Err(_) => {
            return Err(malformed("a multipart part has malformed headers"))
        }
    };
    let header = |name: &str| headers.iter().find(|h| h.name.eq_ignore_ascii_case(name));
    let disposition = header("content-disposition")
        .ok_or_else(|| malformed("a multipart part has no Content-Disposition header"))?;
    let disposition = parse_disposition(disposition.value)?;
    let content_type = match header("content-type") {
        Some(h) => Some(
            std::str::from_utf8(h.value)
                .map_err(|_| malformed("a part's Content-Type is not valid UTF-8"))?,
        ),
        None => None,
    };
    Ok(match disposition.file_name {
        None => Part::Field {
            name: disposition.name,
            value: Vec::new(),
        },
        Some(file_name) if file_name.is_empty() => Part::Ignored,
        Some(file_name) => Part::File {
            field_name: disposition.name,
            file_name,
            mime_type: normalize_media_type(content_type),
            hasher: CountingSha256::default(),
        },
    })
}

/// The canonical object of an encoded multipart body.
pub fn canonicalize_wire(content_type: &str, body: &[u8]) -> Result<CanonicalForm> {
    let mut parser = WireCanonicalizer::new(content_type, MultipartLimits::default())?;
    parser.feed(body)?;
    parser.finish()
}

/// The canonical object of an encoded multipart body read from `reader`, streamed.
pub fn canonicalize_wire_reader(content_type: &str, reader: impl Read) -> Result<CanonicalForm> {
    let mut parser = WireCanonicalizer::new(content_type, MultipartLimits::default())?;
    for_each_chunk(reader, "cannot read the multipart body", |chunk| {
        parser.feed(chunk)
    })?;
    parser.finish()
}

/// `bodyHash` of an encoded multipart body (contract §5): the hash of its canonical object.
pub fn multipart_body_hash(content_type: &str, body: &[u8]) -> Result<BodyHash> {
    canonicalize_wire(content_type, body).map(|c| c.body_hash())
}

/// `bodyHash` of an encoded multipart body read from `reader`, streamed.
pub fn multipart_body_hash_reader(content_type: &str, reader: impl Read) -> Result<BodyHash> {
    canonicalize_wire_reader(content_type, reader).map(|c| c.body_hash())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=b";

    fn canon(body: &str) -> Result<CanonicalForm> {
        canonicalize_wire(CT, body.as_bytes())
    }

    #[test]
    fn preamble_epilogue_and_padding_are_tolerated() {
        let body = "ignored preamble\r\n--b  \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\nepilogue";
        assert_eq!(
            canon(body).unwrap().to_json(),
            r#"{"fields":[{"name":"a","value":"1"}],"files":[]}"#
        );
    }

    #[test]
    fn every_split_point_gives_the_same_result() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n\r\n-b\r\n--x\r\n--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nv\r\n--b--\r\n";
        let whole = canonicalize_wire(CT, body).unwrap();
        assert_eq!(whole.files()[0].size, 9);
        for split in 0..body.len() {
            let mut p = WireCanonicalizer::new(CT, MultipartLimits::default()).unwrap();
            p.feed(&body[..split]).unwrap();
            p.feed(&body[split..]).unwrap();
            assert_eq!(p.finish().unwrap(), whole, "split at {split}");
        }
    }

    #[test]
    fn truncated_or_foreign_bodies_are_refused() {
        let cases = [
            "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1",
            "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b",
            "no boundary at all",
            "--bogus\r\n",
            "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
        ];
        for body in cases {
            assert_eq!(
                canon(body).unwrap_err().code(),
                ErrorCode::MultipartMalformed,
                "{body:?}"
            );
        }
        assert_eq!(
            canonicalize_wire("application/json", b"{}")
                .unwrap_err()
                .code(),
            ErrorCode::MultipartMalformed
        );
        let invalid_utf8 =
            b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n--b--\r\n";
        assert_eq!(
            canonicalize_wire(CT, invalid_utf8).unwrap_err().code(),
            ErrorCode::MultipartMalformed
        );
    }

    #[test]
    fn limits_are_enforced() {
        let limits = MultipartLimits {
            max_parts: 1,
            ..MultipartLimits::default()
        };
        let body = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n--b--\r\n";
        let mut p = WireCanonicalizer::new(CT, limits).unwrap();
        assert_eq!(
            p.feed(body.as_bytes()).unwrap_err().code(),
            ErrorCode::MultipartTooLarge
        );

        let limits = MultipartLimits {
            max_field_bytes: 3,
            ..MultipartLimits::default()
        };
        let body = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1234\r\n--b--\r\n";
        let mut p = WireCanonicalizer::new(CT, limits).unwrap();
        assert_eq!(
            p.feed(body.as_bytes()).unwrap_err().code(),
            ErrorCode::MultipartTooLarge
        );

        let mut p = WireCanonicalizer::new(CT, MultipartLimits::default()).unwrap();
        let endless_header = format!("--b\r\nX: {}", "a".repeat(20_000));
        assert_eq!(
            p.feed(endless_header.as_bytes()).unwrap_err().code(),
            ErrorCode::MultipartTooLarge
        );
    }
}
