//! A multipart form built from fields and files, which hashes to the canonical object without
//! encoding, and encodes itself to a wire body whose hash is the same.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::body_hash::{for_each_chunk, open_file, BodyHash, CountingSha256};
use crate::error::{Error, ErrorCode, Result};
use crate::hex::to_hex;
use crate::multipart::canonical::{
    normalize_media_type, CanonicalField, CanonicalFile, CanonicalForm,
};
use crate::multipart::disposition::{base_name, quote};
use crate::multipart::reading::{ReadingNote, MAX_HEADER_BLOCK_BYTES};
use crate::multipart::syntax::is_field_vchar;
use crate::multipart::MultipartLimits;

/// The media type written for a file part when the caller gives none: what browsers send for a
/// `Blob` without a type.
pub const DEFAULT_FILE_MEDIA_TYPE: &str = "application/octet-stream";

/// Where a file part's content comes from.
pub enum FileSource {
    /// Content in memory.
    Bytes(Vec<u8>),
    /// A file, streamed each time it is needed.
    Path(PathBuf),
    /// A reader: it can be read once only, so a reader-backed form can be hashed or encoded once;
    /// after that its summary (size and hash) is kept.
    Reader(Box<dyn Read + Send>),
}

enum Content {
    Bytes(Vec<u8>),
    Path(PathBuf),
    Reader(Box<dyn Read + Send>),
    /// A reader that was read; its summary is all that is left.
    Consumed {
        size: u64,
        sha256: String,
    },
}

enum FormPart {
    Field {
        name: String,
        value: String,
    },
    File {
        field_name: String,
        file_name: String,
        mime_type: String,
        content: Content,
    },
}

/// A `multipart/form-data` request body described by its parts.
///
/// ```
/// # use nuvera_signing::MultipartForm;
/// let mut form = MultipartForm::new();
/// form.add_field("customerId", "c_42")?;
/// form.add_file_bytes("file", "cert.pdf", b"%PDF-1.4 fake".to_vec(), Some("application/pdf"))?;
/// assert_eq!(form.body_hash()?.as_str().len(), 64);
/// # Ok::<(), nuvera_signing::Error>(())
/// ```
pub struct MultipartForm {
    boundary: String,
    parts: Vec<FormPart>,
    /// The canonical object of the last encoding, while no part was added since. Hashing and
    /// signing then cover exactly the bytes that were sent: files are not read a second time,
    /// a reader-backed part stays signable, and a file changed on disk after encoding cannot
    /// make the signature disagree with the body.
    last_encoding: Option<CanonicalForm>,
}

impl Default for MultipartForm {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MultipartForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .parts
            .iter()
            .map(|p| match p {
                FormPart::Field { name, .. } => name.as_str(),
                FormPart::File { field_name, .. } => field_name.as_str(),
            })
            .collect();
        f.debug_struct("MultipartForm")
            .field("boundary", &self.boundary)
            .field("parts", &names)
            .finish()
    }
}

fn invalid_part(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidFormPart, message)
}

/// Names travel inside a quoted-string in a part header, where the server refuses the whole body
/// on a control character other than tab (busboy's header parser): such a name is refused here,
/// rather than signed and then refused, or silently changed.
fn check_header_text(what: &str, s: &str) -> Result<()> {
    if !s.bytes().all(is_field_vchar) {
        return Err(invalid_part(format!(
            "the {what} {s:?} contains a control character (only tab is allowed in a part header)"
        )));
    }
    Ok(())
}

/// A field name must also be non-empty: the server reads `name=""` as no name and refuses the
/// body.
fn check_name(what: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(invalid_part(format!(
            "the {what} is empty; the server refuses a part without a name"
        )));
    }
    check_header_text(what, s)
}

fn check_media_type(mime_type: Option<&str>) -> Result<String> {
    let given = mime_type.unwrap_or(DEFAULT_FILE_MEDIA_TYPE);
    check_header_text("media type", given)?;
    given.parse::<mime::Mime>().map_err(|_| {
        invalid_part(format!(
            "{given:?} is not a media type like `application/pdf`"
        ))
    })?;
    Ok(given.to_owned())
}

/// The header block of a text field's part (after the boundary line, through the blank line).
fn field_header(name: &str) -> String {
    format!(
        "Content-Disposition: form-data; name={}\r\n\r\n",
        quote(name)
    )
}

/// The header block of a file's part.
fn file_header(field_name: &str, file_name: &str, mime_type: &str) -> String {
    format!(
        "Content-Disposition: form-data; name={}; filename={}\r\nContent-Type: {}\r\n\r\n",
        quote(field_name),
        quote(file_name),
        mime_type
    )
}

/// The media type the server reads from `Content-Type: {mime_type}`: its header parser drops the
/// whitespace before a value.
fn media_type_read(mime_type: &str) -> String {
    normalize_media_type(Some(mime_type.trim_start_matches([' ', '\t'])))
}

fn check_header_size(header: &str) -> Result<()> {
    if header.len() > MAX_HEADER_BLOCK_BYTES {
        return Err(invalid_part(
            "a part's names make its headers larger than the server's 16 KiB limit",
        ));
    }
    Ok(())
}

/// Watches content streamed into a part for the form's delimiter (`CRLF--boundary`), which would
/// end the part early on the server. The part's headers end in CRLF, so the watch starts with one.
struct DelimiterWatch<'a> {
    delimiter: &'a [u8],
    tail: Vec<u8>,
}

impl<'a> DelimiterWatch<'a> {
    fn new(delimiter: &'a [u8]) -> Self {
        DelimiterWatch {
            delimiter,
            tail: b"\r\n".to_vec(),
        }
    }

    /// True when the content so far holds the delimiter.
    fn found_in(&mut self, chunk: &[u8]) -> bool {
        let keep = self.delimiter.len() - 1;
        // The delimiter either lies within the chunk or starts in the kept tail.
        let head = &chunk[..chunk.len().min(keep)];
        let mut straddle = std::mem::take(&mut self.tail);
        straddle.extend_from_slice(head);
        if memchr::memmem::find(&straddle, self.delimiter).is_some()
            || memchr::memmem::find(chunk, self.delimiter).is_some()
        {
            return true;
        }
        let source: &[u8] = if chunk.len() >= keep {
            chunk
        } else {
            &straddle
        };
        self.tail = source[source.len().saturating_sub(keep)..].to_vec();
        false
    }
}

impl MultipartForm {
    /// An empty form with a fresh random boundary.
    pub fn new() -> Self {
        let mut random = [0u8; 16];
        // The boundary only has to be unlikely to occur in content; if the OS RNG fails the
        // fixed fallback is still a valid boundary.
        let _ = getrandom::fill(&mut random);
        MultipartForm {
            boundary: format!("----NuveraFormBoundary{}", to_hex(&random)),
            parts: Vec::new(),
            last_encoding: None,
        }
    }

    /// An empty form with a chosen boundary (tests, reproducible encodings).
    pub fn with_boundary(boundary: &str) -> Result<Self> {
        let ok = !boundary.is_empty()
            && boundary.len() <= 70
            && boundary
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&b));
        if !ok {
            return Err(invalid_part(
                "a boundary is 1 to 70 characters of RFC 2046 `bchars`",
            ));
        }
        Ok(MultipartForm {
            boundary: boundary.to_owned(),
            parts: Vec::new(),
            last_encoding: None,
        })
    }

    /// The boundary used when encoding.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// `multipart/form-data; boundary=…`, the Content-Type to send with the encoded body.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    fn delimiter(&self) -> Vec<u8> {
        format!("\r\n--{}", self.boundary).into_bytes()
    }

    /// Adds a text field. Repeated names are kept as separate fields. Refused with
    /// `INVALID_FORM_PART`: an empty name, a name with a control character other than tab, a
    /// value over 1 MiB (the server would truncate it), or a value holding the form's boundary line.
    pub fn add_field(&mut self, name: &str, value: &str) -> Result<&mut Self> {
        check_name("field name", name)?;
        check_header_size(&field_header(name))?;
        if value.len() > MultipartLimits::default().max_field_bytes {
            return Err(invalid_part(format!(
                "the value of field `{name}` is larger than the server's 1 MiB limit for a text field"
            )));
        }
        if DelimiterWatch::new(&self.delimiter()).found_in(value.as_bytes()) {
            return Err(invalid_part(format!(
                "the value of field `{name}` contains the form's boundary line"
            )));
        }
        self.last_encoding = None;
        self.parts.push(FormPart::Field {
            name: name.to_owned(),
            value: value.to_owned(),
        });
        Ok(self)
    }

    fn add_file(
        &mut self,
        field_name: &str,
        file_name: &str,
        mime_type: Option<&str>,
        content: Content,
    ) -> Result<&mut Self> {
        check_name("field name", field_name)?;
        check_header_text("file name", file_name)?;
        let mime_type = check_media_type(mime_type)?;
        check_header_size(&file_header(field_name, file_name, &mime_type))?;
        if file_name.is_empty() && media_type_read(&mime_type) != DEFAULT_FILE_MEDIA_TYPE {
            return Err(invalid_part(format!(
                "the file for field `{field_name}` has an empty file name and type `{mime_type}`: the server would read it as a text field; give a file name (or add a field)"
            )));
        }
        self.last_encoding = None;
        self.parts.push(FormPart::File {
            field_name: field_name.to_owned(),
            file_name: file_name.to_owned(),
            mime_type,
            content,
        });
        Ok(self)
    }

    /// Adds a file from memory. The canonical object records the file name as the server reads
    /// it, its base name (`dir/a.pdf` is `a.pdf`). An empty `file_name` (or one whose base name is
    /// empty) with type `application/octet-stream` is what a browser sends for an empty file
    /// input: it is encoded, but the canonical object ignores it (contract §5); with any other
    /// type it is refused, as the server would read a text field. `mime_type` defaults to
    /// `application/octet-stream`.
    pub fn add_file_bytes(
        &mut self,
        field_name: &str,
        file_name: &str,
        bytes: Vec<u8>,
        mime_type: Option<&str>,
    ) -> Result<&mut Self> {
        self.add_file(field_name, file_name, mime_type, Content::Bytes(bytes))
    }

    /// Adds a file by path; its content is streamed whenever it is hashed or encoded. The file
    /// name defaults to the path's last component.
    pub fn add_file_path(
        &mut self,
        field_name: &str,
        path: impl AsRef<Path>,
        file_name: Option<&str>,
        mime_type: Option<&str>,
    ) -> Result<&mut Self> {
        let path = path.as_ref();
        let file_name = Self::file_name_for_path(path, file_name)?;
        self.add_file(
            field_name,
            &file_name,
            mime_type,
            Content::Path(path.to_owned()),
        )
    }

    /// The file name a part for `path` carries: `file_name` when given, else the path's last
    /// component (`INVALID_FORM_PART` when it has none in UTF-8). For callers that open the file
    /// themselves (e.g. to report progress) and add it as a reader.
    pub fn file_name_for_path(path: &Path, file_name: Option<&str>) -> Result<String> {
        match file_name {
            Some(n) => Ok(n.to_owned()),
            None => path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_owned)
                .ok_or_else(|| {
                    invalid_part(format!(
                        "{} has no UTF-8 file name; give one explicitly",
                        path.display()
                    ))
                }),
        }
    }

    /// Adds a file read from `reader`, which is read once (see [`FileSource::Reader`]).
    pub fn add_file_reader(
        &mut self,
        field_name: &str,
        file_name: &str,
        reader: Box<dyn Read + Send>,
        mime_type: Option<&str>,
    ) -> Result<&mut Self> {
        self.add_file(field_name, file_name, mime_type, Content::Reader(reader))
    }

    /// Adds a file from any [`FileSource`].
    pub fn add_file_source(
        &mut self,
        field_name: &str,
        file_name: &str,
        source: FileSource,
        mime_type: Option<&str>,
    ) -> Result<&mut Self> {
        let content = match source {
            FileSource::Bytes(b) => Content::Bytes(b),
            FileSource::Path(p) => Content::Path(p),
            FileSource::Reader(r) => Content::Reader(r),
        };
        self.add_file(field_name, file_name, mime_type, content)
    }

    /// The rules of the server's reading that change what this form's parts say (file names
    /// reduced to base names, files the canonical object ignores), for diagnostics.
    pub fn reading_notes(&self) -> Vec<ReadingNote> {
        let mut notes = Vec::new();
        for part in &self.parts {
            if let FormPart::File {
                field_name,
                file_name,
                ..
            } = part
            {
                let read = base_name(file_name);
                if read.is_empty() {
                    notes.push(ReadingNote::FileIgnored {
                        field_name: field_name.clone(),
                    });
                } else if read != file_name {
                    notes.push(ReadingNote::BaseName {
                        sent: file_name.clone(),
                        read: read.to_owned(),
                    });
                }
            }
        }
        notes
    }

    /// The canonical object: of the last encoding ([`write_to`](Self::write_to) and the
    /// functions built on it) when no part was added since, else computed now by streaming file
    /// content through SHA-256.
    pub fn canonical(&mut self) -> Result<CanonicalForm> {
        if let Some(encoded) = &self.last_encoding {
            return Ok(encoded.clone());
        }
        self.walk(&mut std::io::sink(), false)
    }

    /// The multipart `bodyHash`.
    pub fn body_hash(&mut self) -> Result<BodyHash> {
        Ok(self.canonical()?.body_hash())
    }

    /// Writes the encoded body to `out` and returns the canonical object of exactly those bytes,
    /// in one pass (so a reader-backed form can be sent and signed).
    pub fn write_to(&mut self, out: &mut dyn Write) -> Result<CanonicalForm> {
        self.last_encoding = None;
        let canonical = self.walk(out, true)?;
        self.last_encoding = Some(canonical.clone());
        Ok(canonical)
    }

    /// Encodes the body into a file (created or truncated), streaming file parts, and returns the
    /// canonical object of exactly the bytes written.
    pub fn write_to_file(&mut self, path: impl AsRef<Path>) -> Result<CanonicalForm> {
        let path = path.as_ref();
        let io = |e: std::io::Error| Error::io(&format!("cannot write {}", path.display()), &e);
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
        let canonical = self.write_to(&mut out)?;
        out.flush().map_err(io)?;
        Ok(canonical)
    }

    /// Encodes the whole body in memory (small forms; prefer [`write_to`](Self::write_to)).
    pub fn to_bytes(&mut self) -> Result<(Vec<u8>, CanonicalForm)> {
        let mut out = Vec::new();
        let canonical = self.write_to(&mut out)?;
        Ok((out, canonical))
    }

    fn walk(&mut self, out: &mut dyn Write, encode: bool) -> Result<CanonicalForm> {
        let write_err = |e: std::io::Error| Error::io("cannot write the multipart body", &e);
        let mut fields = Vec::new();
        let mut files = Vec::new();
        let delimiter = self.delimiter();
        for part in &mut self.parts {
            match part {
                FormPart::Field { name, value } => {
                    if encode {
                        write!(out, "--{}\r\n{}", self.boundary, field_header(name))
                            .and_then(|_| out.write_all(value.as_bytes()))
                            .and_then(|_| out.write_all(b"\r\n"))
                            .map_err(write_err)?;
                    }
                    fields.push(CanonicalField {
                        name: name.clone(),
                        value: value.clone(),
                    });
                }
                FormPart::File {
                    field_name,
                    file_name,
                    mime_type,
                    content,
                } => {
                    if encode {
                        write!(
                            out,
                            "--{}\r\n{}",
                            self.boundary,
                            file_header(field_name, file_name, mime_type)
                        )
                        .map_err(write_err)?;
                    }
                    let (size, sha256) = stream_content(
                        content,
                        field_name,
                        &delimiter,
                        if encode { Some(&mut *out) } else { None },
                    )?;
                    if encode {
                        out.write_all(b"\r\n").map_err(write_err)?;
                    }
                    let read_name = base_name(file_name);
                    if read_name.is_empty() {
                        continue;
                    }
                    files.push(CanonicalFile {
                        field_name: field_name.clone(),
                        file_name: read_name.to_owned(),
                        mime_type: media_type_read(mime_type),
                        size,
                        sha256,
                    });
                }
            }
        }
        if encode {
            write!(out, "--{}--\r\n", self.boundary).map_err(write_err)?;
        }
        Ok(CanonicalForm::new(fields, files))
    }
}

/// Hashes (and, with `out`, copies) one file part's content; returns its size and hex SHA-256.
/// Content holding the form's delimiter is refused (`INVALID_FORM_PART`): the server would end
/// the part there.
fn stream_content(
    content: &mut Content,
    field_name: &str,
    delimiter: &[u8],
    mut out: Option<&mut dyn Write>,
) -> Result<(u64, String)> {
    let mut hasher = CountingSha256::default();
    let mut watch = DelimiterWatch::new(delimiter);
    let mut sink = |chunk: &[u8]| -> Result<()> {
        if watch.found_in(chunk) {
            return Err(invalid_part(format!(
                "the content of the file for field `{field_name}` contains the form's boundary line; use a fresh random boundary"
            )));
        }
        hasher.update(chunk);
        if let Some(out) = out.as_deref_mut() {
            out.write_all(chunk)
                .map_err(|e| Error::io("cannot write the multipart body", &e))?;
        }
        Ok(())
    };
    match content {
        Content::Bytes(bytes) => sink(bytes)?,
        Content::Path(path) => for_each_chunk(
            open_file(path)?,
            &format!("cannot read {}", path.display()),
            sink,
        )?,
        Content::Reader(reader) => for_each_chunk(
            reader,
            &format!("cannot read the file for field `{field_name}`"),
            sink,
        )?,
        Content::Consumed { size, sha256 } => {
            if out.is_some() {
                return Err(invalid_part(format!(
                    "the reader for field `{field_name}` was already read; a reader can be hashed or encoded once \
                     (use `write_to` to encode and hash in one pass, or give a path or bytes)"
                )));
            }
            return Ok((*size, sha256.clone()));
        }
    }
    let (hash, size) = hasher.finish();
    let sha256 = hash.as_str().to_owned();
    if matches!(content, Content::Reader(_)) {
        *content = Content::Consumed {
            size,
            sha256: sha256.clone(),
        };
    }
    Ok((size, sha256))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multipart::wire::canonicalize_wire;

    #[test]
    fn hashing_after_encoding_covers_the_encoded_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, b"as encoded").unwrap();
        let mut form = MultipartForm::with_boundary("b").unwrap();
        form.add_field("a", "1").unwrap();
        form.add_file_path("f", &path, None, None).unwrap();
        let (wire, encoded) = form.to_bytes().unwrap();
        // The file changes after encoding: the hash still covers the bytes that were encoded.
        std::fs::write(&path, b"changed on disk").unwrap();
        assert_eq!(form.canonical().unwrap(), encoded);
        assert_eq!(
            form.body_hash().unwrap(),
            crate::multipart_body_hash(&form.content_type(), &wire).unwrap()
        );
        // A new part forgets the encoding: the form, and the file as it is now, are read again.
        form.add_field("b", "2").unwrap();
        let again = form.canonical().unwrap();
        assert_eq!(again.fields().len(), 2);
        assert_eq!(again.files()[0].size, b"changed on disk".len() as u64);
    }

    #[test]
    fn encoded_body_hashes_like_the_structured_form() {
        let mut form = MultipartForm::new();
        form.add_field("tag", "z")
            .unwrap()
            .add_field("tag", "a")
            .unwrap();
        form.add_file_bytes(
            "f",
            "r\u{e9}sum\u{e9} \"1\".txt",
            b"line\r\n--not a boundary\r\n".to_vec(),
            Some("Text/Plain; charset=utf-8"),
        )
        .unwrap();
        let structured = form.canonical().unwrap();
        let (wire, encoded) = form.to_bytes().unwrap();
        assert_eq!(structured, encoded);
        assert_eq!(
            canonicalize_wire(&form.content_type(), &wire).unwrap(),
            structured
        );
        assert_eq!(structured.files()[0].mime_type, "text/plain");
    }

    #[test]
    fn reader_parts_are_read_once_and_then_summarized() {
        let mut form = MultipartForm::new();
        form.add_file_reader("f", "a.bin", Box::new(&b"abc"[..]), None)
            .unwrap();
        let first = form.canonical().unwrap();
        assert_eq!(form.canonical().unwrap(), first);
        assert_eq!(first.files()[0].mime_type, DEFAULT_FILE_MEDIA_TYPE);
        assert_eq!(
            form.to_bytes().unwrap_err().code(),
            ErrorCode::InvalidFormPart
        );
    }

    #[test]
    fn unencodable_parts_are_refused() {
        let mut form = MultipartForm::new();
        assert_eq!(
            form.add_field("a\r\nb", "v").unwrap_err().code(),
            ErrorCode::InvalidFormPart
        );
        assert_eq!(
            form.add_file_bytes("f", "x", vec![], Some("not a type"))
                .unwrap_err()
                .code(),
            ErrorCode::InvalidFormPart
        );
        assert!(MultipartForm::with_boundary("has space").is_err());
    }
}
