//! How the server reads one part (contract §5, "How a wire body is read"): busboy 1.6's header
//! parser, then its decisions — what is a file, which file name, which media type, which
//! charset, which parts it skips — and a note for each rule that changed what the sender meant,
//! so that `explain` can name it.

use std::fmt;

use crate::error::{Error, ErrorCode, Result};
use crate::multipart::disposition::{base_name, parse_disposition};
use crate::multipart::media_type::parse_media_type;
use crate::multipart::syntax::{is_field_vchar, is_space, is_token, latin1};

/// busboy's limit on one part's header block (Node's default header size), counted from the
/// first header byte through the blank line.
pub(crate) const MAX_HEADER_BLOCK_BYTES: usize = 16 * 1024;
/// busboy keeps the first 1,999 header lines of a part and drops the rest.
const MAX_HEADER_PAIRS: usize = 2000;
/// The media type that makes a part a file even without a file name.
const OCTET_STREAM: &str = "application/octet-stream";

/// A rule of the server's reading that made it read a part differently from what its sender
/// may have meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadingNote {
    /// A file name was reduced to its base name.
    BaseName {
        /// The file name as sent.
        sent: String,
        /// The file name the server reads.
        read: String,
    },
    /// A file part whose base name is empty (`dir/`, `.`, `..`, or no file name with type
    /// `application/octet-stream`), which the canonical object leaves out.
    FileIgnored {
        /// The part's field name.
        field_name: String,
    },
    /// A part with `filename=""` and a type other than `application/octet-stream`: a text field.
    EmptyFileNameIsField {
        /// The part's field name.
        name: String,
    },
    /// A quoted name kept a backslash that escapes neither `"` nor `\`.
    BackslashKept {
        /// The name (or file name) as read.
        read: String,
    },
    /// A part the server skips: no or unparseable Content-Disposition, a type other than
    /// `form-data`, or a boundary line followed by other text.
    PartSkipped {
        /// Why.
        reason: String,
    },
    /// A Content-Type that does not parse as `type/subtype`, read as `text/plain`.
    MediaTypeDefaulted {
        /// The Content-Type as sent.
        sent: String,
    },
    /// A text value decoded by a charset other than UTF-8.
    CharsetDecoded {
        /// The field's name.
        name: String,
        /// The charset.
        charset: String,
    },
    /// Bytes of a text value that are invalid in its charset became U+FFFD.
    InvalidTextReplaced {
        /// The field's name.
        name: String,
    },
}

impl fmt::Display for ReadingNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadingNote::BaseName { sent, read } => write!(
                f,
                "the server reads file names as base names: `{sent}` is signed as `{read}`"
            ),
            ReadingNote::FileIgnored { field_name } => write!(
                f,
                "the file part `{field_name}` has an empty file name once reduced to its base name, so the server ignores it (as it does a browser's empty file input)"
            ),
            ReadingNote::EmptyFileNameIsField { name } => write!(
                f,
                "the part `{name}` has an empty file name and is not application/octet-stream, so the server reads it as a text field"
            ),
            ReadingNote::BackslashKept { read } => write!(
                f,
                "in a quoted name the server unescapes only `\\\"` and `\\\\`; other backslashes stay: it reads `{read}`"
            ),
            ReadingNote::PartSkipped { reason } => {
                write!(f, "the server skips a part: {reason}")
            }
            ReadingNote::MediaTypeDefaulted { sent } => write!(
                f,
                "the Content-Type `{sent}` does not parse as type/subtype, so the server reads it as text/plain"
            ),
            ReadingNote::CharsetDecoded { name, charset } => write!(
                f,
                "the text field `{name}` is decoded as {charset}, as its part's charset says"
            ),
            ReadingNote::InvalidTextReplaced { name } => write!(
                f,
                "`{name}` holds bytes that are invalid in its charset; the server reads each as U+FFFD"
            ),
        }
    }
}

/// What the server makes of one part.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PartReading {
    /// A text field, decoded by `charset` when it ends.
    Field { name: String, charset: String },
    /// A file in the canonical object.
    File {
        field_name: String,
        file_name: String,
        mime_type: String,
    },
    /// A part whose content counts for nothing: a file with an empty base name, or a part the
    /// server skips.
    Ignored,
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::MultipartMalformed, message)
}

/// busboy's `HeaderParser` over one part's complete header block (ending in the blank line):
/// each header's lower-cased name and its value bytes (folded lines joined), in order. Any byte
/// busboy refuses fails the whole body, as it does there.
pub(crate) fn parse_header_block(block: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let bad = || malformed("a multipart part has malformed headers");
    if block.len() > MAX_HEADER_BLOCK_BYTES {
        return Err(Error::new(
            ErrorCode::MultipartTooLarge,
            "a multipart part's headers exceed the size limit (16 KiB)",
        ));
    }
    let mut headers = Vec::new();
    let mut i = 0;
    let mut pairs = 0;
    loop {
        let name_start = i;
        while i < block.len() && is_token(block[i]) {
            i += 1;
        }
        if i == block.len() || block[i] != b':' || i == name_start {
            return Err(bad());
        }
        let name = latin1(&block[name_start..i]).to_ascii_lowercase();
        i += 1;
        while i < block.len() && is_space(block[i]) {
            i += 1;
        }
        let mut value = Vec::new();
        loop {
            let start = i;
            while i < block.len() && is_field_vchar(block[i]) {
                i += 1;
            }
            value.extend_from_slice(&block[start..i]);
            if block.get(i) != Some(&b'\r') || block.get(i + 1) != Some(&b'\n') {
                return Err(bad());
            }
            i += 2;
            // A line that starts with a space or tab continues the value (obsolete folding).
            if block.get(i).is_some_and(|&b| is_space(b)) {
                continue;
            }
            break;
        }
        pairs += 1;
        if pairs < MAX_HEADER_PAIRS {
            headers.push((name, value));
        }
        if block.get(i) == Some(&b'\r') {
            return if block.get(i + 1) == Some(&b'\n') && i + 2 == block.len() {
                Ok(headers)
            } else {
                Err(bad())
            };
        }
    }
}

/// What the server makes of a part with these headers; `notes` gets the rules that applied.
pub(crate) fn read_part(
    headers: &[(String, Vec<u8>)],
    notes: &mut Vec<ReadingNote>,
) -> Result<PartReading> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    };
    let skipped = |notes: &mut Vec<ReadingNote>, reason: String| {
        notes.push(ReadingNote::PartSkipped { reason });
        Ok(PartReading::Ignored)
    };
    let Some(raw_disposition) = header("content-disposition") else {
        return skipped(notes, "it has no Content-Disposition header".into());
    };
    let Some(disposition) = parse_disposition(raw_disposition) else {
        return skipped(
            notes,
            format!(
                "its Content-Disposition `{}` does not parse (an unterminated quoted string, e.g. a name ending in a backslash?)",
                String::from_utf8_lossy(raw_disposition)
            ),
        );
    };
    if disposition.kind != "form-data" {
        return skipped(
            notes,
            format!(
                "its Content-Disposition is `{}`, not `form-data`",
                disposition.kind
            ),
        );
    }
    let Some(name) = disposition.name else {
        return Err(malformed(
            "a multipart part has no `name` (or an empty one) in its Content-Disposition",
        ));
    };
    if disposition.kept_backslash {
        notes.push(ReadingNote::BackslashKept { read: name.clone() });
    }
    let media_type = match header("content-type") {
        Some(raw) => {
            let parsed = parse_media_type(raw);
            if parsed.is_none() {
                notes.push(ReadingNote::MediaTypeDefaulted {
                    sent: String::from_utf8_lossy(raw).into_owned(),
                });
            }
            parsed
        }
        None => None,
    };
    let (mime_type, charset) = match media_type {
        Some(m) => (m.essence, m.charset),
        None => ("text/plain".to_owned(), None),
    };
    let sent_file_name = disposition.file_name;
    if sent_file_name.is_none() && mime_type != OCTET_STREAM {
        if disposition.file_name_sent {
            notes.push(ReadingNote::EmptyFileNameIsField { name: name.clone() });
        }
        return Ok(PartReading::Field {
            name,
            charset: charset.unwrap_or_else(|| "utf-8".to_owned()),
        });
    }
    let file_name = sent_file_name
        .as_deref()
        .map(base_name)
        .unwrap_or_default()
        .to_owned();
    if let Some(sent) = &sent_file_name {
        if *sent != file_name && !file_name.is_empty() {
            notes.push(ReadingNote::BaseName {
                sent: sent.clone(),
                read: file_name.clone(),
            });
        }
    }
    if file_name.is_empty() {
        notes.push(ReadingNote::FileIgnored { field_name: name });
        return Ok(PartReading::Ignored);
    }
    Ok(PartReading::File {
        field_name: name,
        file_name,
        mime_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(block: &str) -> (Result<PartReading>, Vec<ReadingNote>) {
        let mut notes = Vec::new();
        let reading = parse_header_block(block.as_bytes()).and_then(|h| read_part(&h, &mut notes));
        (reading, notes)
    }

    #[test]
    fn header_blocks_parse_as_busboy_parses_them() {
        let h = parse_header_block(b"Content-Disposition: form-data;\r\n name=\"a\"\r\nX:\r\n\r\n")
            .unwrap();
        assert_eq!(
            h[0],
            (
                "content-disposition".into(),
                b"form-data; name=\"a\"".to_vec()
            )
        );
        assert_eq!(h[1], ("x".into(), Vec::new()));
        for bad in [
            &b"\r\n"[..],
            b"X: a\x01b\r\n\r\n",
            b"X: a\nb\r\n\r\n",
            b": a\r\n\r\n",
            b"X y: a\r\n\r\n",
        ] {
            assert!(parse_header_block(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn files_fields_and_skips() {
        let (r, _) = read("Content-Disposition: form-data; name=\"f\"; filename=\"a/b.txt\"\r\nContent-Type: text/plain\r\n\r\n");
        assert_eq!(
            r.unwrap(),
            PartReading::File {
                field_name: "f".into(),
                file_name: "b.txt".into(),
                mime_type: "text/plain".into()
            }
        );
        let (r, notes) = read("Content-Disposition: form-data; name=\"f\"; filename=\"\"\r\nContent-Type: text/plain\r\n\r\n");
        assert!(matches!(r.unwrap(), PartReading::Field { .. }));
        assert!(matches!(notes[0], ReadingNote::EmptyFileNameIsField { .. }));
        let (r, _) = read("Content-Disposition: form-data; name=\"f\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        assert_eq!(r.unwrap(), PartReading::Ignored);
        let (r, notes) = read("Content-Disposition: form-data; name=\"a\\\"\r\n\r\n");
        assert_eq!(r.unwrap(), PartReading::Ignored);
        assert!(matches!(notes[0], ReadingNote::PartSkipped { .. }));
        let (r, _) = read("Content-Disposition: form-data; filename=\"x\"\r\n\r\n");
        assert_eq!(r.unwrap_err().code(), ErrorCode::MultipartMalformed);
        let (r, notes) = read(
            "Content-Disposition: form-data; name=\"t\"\r\nContent-Type: application/json;\r\n\r\n",
        );
        assert!(matches!(r.unwrap(), PartReading::Field { .. }));
        assert!(matches!(notes[0], ReadingNote::MediaTypeDefaulted { .. }));
    }
}
