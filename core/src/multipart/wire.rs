//! A streaming `multipart/form-data` parser that turns an encoded body into the canonical object.
//!
//! Why our own parser rather than `multer`: multer is async-only (it consumes a `Stream` and needs
//! an executor), while the core must hash from a blocking `Read`, from bytes, and chunk by chunk
//! from a server; it also hides the difference between a missing and an empty `filename`, which
//! the contract distinguishes. This parser is push-based (`feed` chunks, then `finish`), so the
//! same code serves all three; it keeps at most one chunk plus a boundary's length of body in
//! memory, hashes file content as it passes, and uses `memchr` for the boundary search and `mime`
//! for the body's Content-Type. Part headers are read by a port of busboy 1.6's own header parser
//! (see `reading`), because the contract is busboy's reading: a general HTTP header parser
//! accepts and refuses different bytes than busboy does.

use std::io::Read;
use std::path::Path;

use memchr::memmem;

use crate::body_hash::{for_each_chunk, BodyHash, CountingSha256};
use crate::error::{Error, ErrorCode, Result};
use crate::multipart::canonical::{CanonicalField, CanonicalFile, CanonicalForm};
use crate::multipart::charset::decode_by_charset;
use crate::multipart::reading::{
    parse_header_block, read_part, PartReading, ReadingNote, MAX_HEADER_BLOCK_BYTES,
};

/// Bounds on what a multipart body may make the parser hold. File content is never held; text
/// field values are (they are part of the canonical object), so they are bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MultipartLimits {
    /// Most parts in one body.
    pub max_parts: usize,
    /// Largest header block of one part (busboy's own limit is 16 KiB; a larger block fails
    /// there whatever this says).
    pub max_part_header_bytes: usize,
    /// Largest value of one text field (busboy truncates a value at 1 MiB by default; the core
    /// refuses instead of signing a value the server would cut).
    pub max_field_bytes: usize,
    /// Largest sum of all text field values and names.
    pub max_total_field_bytes: usize,
}

impl Default for MultipartLimits {
    fn default() -> Self {
        MultipartLimits {
            max_parts: 10_000,
            max_part_header_bytes: MAX_HEADER_BLOCK_BYTES,
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
    /// Just after a boundary: `--` ends the body, a line break starts a part, anything else
    /// makes the server skip everything up to the next boundary.
    AfterBoundary,
    Headers,
    Body,
    /// After the closing boundary; bytes here are discarded.
    Epilogue,
}

enum Part {
    Field {
        name: String,
        charset: String,
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
    notes: Vec<ReadingNote>,
}

/// At most this many notes are kept, so that a body of many odd parts cannot grow them.
const MAX_NOTES: usize = 64;

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
            notes: Vec::new(),
        })
    }

    /// The rules of the server's reading that changed a part so far (base names, skipped parts,
    /// charsets, …), for diagnostics; at most 64.
    pub fn notes(&self) -> &[ReadingNote] {
        &self.notes
    }

    fn note(&mut self, note: ReadingNote) {
        if self.notes.len() < MAX_NOTES && !self.notes.contains(&note) {
            self.notes.push(note);
        }
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
        self.finish_with_notes().map(|(form, _)| form)
    }

    /// [`finish`](Self::finish), with the reading's [`notes`](Self::notes).
    pub fn finish_with_notes(self) -> Result<(CanonicalForm, Vec<ReadingNote>)> {
        if self.state != State::Epilogue {
            return Err(malformed(
                "the multipart body ends before its closing boundary (`--boundary--`); was it truncated?",
            ));
        }
        Ok((CanonicalForm::new(self.fields, self.files), self.notes))
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
                    // busboy: `--` ends the form, CRLF starts a part's headers; anything else
                    // (transport padding included) makes it ignore the bytes up to the next
                    // boundary.
                    let Some(&first) = rest.first() else {
                        return Ok(pos);
                    };
                    // Its boundary search runs ahead of this: a delimiter right here (two
                    // boundary lines in a row) is another boundary, not a part's CRLF.
                    if rest.starts_with(&self.delimiter) {
                        pos += self.delimiter.len();
                        continue;
                    }
                    if rest.len() < self.delimiter.len() && self.delimiter.starts_with(rest) {
                        return Ok(pos);
                    }
                    let opener = match first {
                        b'-' => b'-',
                        b'\r' => b'\n',
                        _ => 0,
                    };
                    if opener != 0 {
                        let Some(&second) = rest.get(1) else {
                            return Ok(pos);
                        };
                        if second == opener {
                            pos += 2;
                            if first == b'-' {
                                self.state = State::Epilogue;
                                return Ok(self.buf.len());
                            }
                            self.state = State::Headers;
                            continue;
                        }
                    }
                    self.note(ReadingNote::PartSkipped {
                        reason: "a boundary line is followed by other text (transport padding?) instead of a line break".into(),
                    });
                    self.part = Some(Part::Ignored);
                    self.state = State::Body;
                }
                State::Headers => {
                    // busboy's header parser refuses a block that starts with a blank line, and
                    // otherwise ends it at the first blank line.
                    let header_len = if rest.starts_with(b"\r\n") {
                        Some(2)
                    } else {
                        memmem::find(rest, b"\r\n\r\n").map(|i| i + 4)
                    };
                    // A boundary that starts inside the header block (its blank line's CRLF
                    // included) makes busboy carry the header parse across it; the core refuses
                    // such a body. Deciding needs the bytes up to where a delimiter starting at
                    // the block's last CRLF would end, so that the answer does not depend on how
                    // the body is chunked.
                    let dlen = self.delimiter.len();
                    let window = header_len.map_or(rest.len(), |h| (h - 2 + dlen).min(rest.len()));
                    let delimiter_at = self.finder.find(&rest[..window]);
                    if delimiter_at.is_some_and(|d| header_len.is_none_or(|h| d < h)) {
                        return Err(malformed(
                            "a multipart boundary comes before the end of a part's headers",
                        ));
                    }
                    if let Some(h) = header_len {
                        if rest.len() < h - 2 + dlen && self.delimiter.starts_with(&rest[h - 2..]) {
                            return Ok(pos);
                        }
                    }
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
                    let headers = parse_header_block(&self.buf[pos..pos + header_len])?;
                    let mut notes = Vec::new();
                    let part = match read_part(&headers, &mut notes)? {
                        PartReading::Field { name, charset } => {
                            self.count_field_bytes(name.len())?;
                            Part::Field {
                                name,
                                charset,
                                value: Vec::new(),
                            }
                        }
                        PartReading::File {
                            field_name,
                            file_name,
                            mime_type,
                        } => Part::File {
                            field_name,
                            file_name,
                            mime_type,
                            hasher: CountingSha256::default(),
                        },
                        PartReading::Ignored => Part::Ignored,
                    };
                    for note in notes {
                        self.note(note);
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
            Some(Part::Field {
                name,
                charset,
                value,
            }) => {
                let Some((value, replaced)) = decode_by_charset(&value, &charset) else {
                    return Err(malformed(format!(
                        "the text field `{name}` cannot be decoded as `{charset}` (the server decodes UTF-8, latin1/ISO-8859-1, US-ASCII, UTF-16LE without unpaired surrogates and base64)"
                    )));
                };
                if replaced {
                    self.note(ReadingNote::InvalidTextReplaced { name: name.clone() });
                }
                if !matches!(charset.as_str(), "utf-8" | "utf8") {
                    self.note(ReadingNote::CharsetDecoded {
                        name: name.clone(),
                        charset,
                    });
                }
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

/// `bodyHash` of an encoded multipart body stored in the file at `path`, streamed.
pub fn multipart_body_hash_file(content_type: &str, path: impl AsRef<Path>) -> Result<BodyHash> {
    let file = crate::body_hash::open_file(path.as_ref())?;
    multipart_body_hash_reader(content_type, std::io::BufReader::new(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=b";

    fn canon(body: &str) -> Result<CanonicalForm> {
        canonicalize_wire(CT, body.as_bytes())
    }

    #[test]
    fn a_file_hashes_as_its_bytes_and_a_missing_one_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("body");
        let body = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
        std::fs::write(&path, body).unwrap();
        assert_eq!(
            multipart_body_hash_file(CT, &path).unwrap(),
            multipart_body_hash(CT, body.as_bytes()).unwrap()
        );
        let missing = multipart_body_hash_file(CT, dir.path().join("none")).unwrap_err();
        assert_eq!(missing.code(), ErrorCode::IoError);
    }

    #[test]
    fn preamble_and_epilogue_are_ignored_and_padding_skips_the_part() {
        let body = "ignored preamble\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\nepilogue";
        assert_eq!(
            canon(body).unwrap().to_json(),
            r#"{"fields":[{"name":"a","value":"1"}],"files":[]}"#
        );
        // busboy reads a boundary followed by anything but CRLF or `--` (RFC 2046's transport
        // padding included) as the start of data it ignores, up to the next boundary.
        let padded = "--b  \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n2\r\n--b--\r\n";
        let mut parser = WireCanonicalizer::new(CT, MultipartLimits::default()).unwrap();
        parser.feed(padded.as_bytes()).unwrap();
        let (form, notes) = parser.finish_with_notes().unwrap();
        assert_eq!(
            form.to_json(),
            r#"{"fields":[{"name":"c","value":"2"}],"files":[]}"#
        );
        assert!(matches!(notes[0], ReadingNote::PartSkipped { .. }));
    }

    #[test]
    fn consecutive_boundaries_are_read_as_busboy_reads_them() {
        let body = "--b\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
        assert_eq!(
            canon(body).unwrap().to_json(),
            r#"{"fields":[{"name":"a","value":"1"}],"files":[]}"#
        );
        for split in 0..body.len() {
            let mut p = WireCanonicalizer::new(CT, MultipartLimits::default()).unwrap();
            p.feed(&body.as_bytes()[..split]).unwrap();
            p.feed(&body.as_bytes()[split..]).unwrap();
            assert_eq!(
                p.finish().unwrap(),
                canon(body).unwrap(),
                "split at {split}"
            );
        }
    }

    #[test]
    fn parts_busboy_skips_or_repairs() {
        let no_disposition = "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--";
        assert_eq!(
            canon(no_disposition).unwrap().to_json(),
            r#"{"fields":[],"files":[]}"#
        );
        let invalid_utf8 =
            b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n--b--\r\n";
        assert_eq!(
            canonicalize_wire(CT, invalid_utf8).unwrap().fields()[0].value,
            "\u{fffd}"
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
            "--b\r\n\r\nno headers\r\n--b--",
            "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n--b--\r\n",
            "--b\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--b--\r\n",
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
