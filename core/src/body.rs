//! What a caller can give as a request body, and what a signed request remembers of it.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::body_hash::{body_hash_file, body_hash_reader, open_file, BodyHash};
use crate::error::Result;
use crate::multipart::{canonicalize_wire, canonicalize_wire_reader, CanonicalForm, MultipartForm};

/// A request body to sign.
pub enum Body<'a> {
    /// No body (GET, DELETE…): hashes as the empty byte string.
    Empty,
    /// The exact bytes that will be sent.
    Bytes(&'a [u8]),
    /// A stream of the exact bytes that will be sent (read to its end).
    Reader(&'a mut dyn Read),
    /// A file whose bytes will be sent as they are.
    File(&'a Path),
    /// A multipart form described by parts.
    Multipart(&'a mut MultipartForm),
    /// An encoded multipart body and the Content-Type it is sent with.
    MultipartWire {
        /// `multipart/form-data; boundary=…`
        content_type: &'a str,
        /// The encoded body.
        body: &'a [u8],
    },
    /// The canonical object of a multipart body, e.g. as returned by
    /// [`MultipartForm::write_to`] while encoding it (one pass over the files).
    Canonical(CanonicalForm),
    /// A `bodyHash` computed elsewhere.
    Precomputed(BodyHash),
}

/// How the body was given, as a proof records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    /// No body.
    Empty,
    /// Plain bytes (JSON, text, binary).
    Bytes,
    /// `multipart/form-data`, hashed through its canonical object.
    Multipart,
    /// A hash supplied by the caller.
    Precomputed,
}

/// What a signed request keeps of its body: never the bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodySummary {
    /// How the body was given.
    pub kind: BodyKind,
    /// Its `bodyHash`.
    pub hash: BodyHash,
    /// Plain bodies: the byte count. Multipart: the wire body's byte count when known.
    pub size: Option<u64>,
    /// Multipart bodies: the canonical object (names, sizes, hashes).
    pub multipart: Option<CanonicalForm>,
}

impl<'a> Body<'a> {
    /// The body to sign for bytes about to be sent with `content_type`: an encoded multipart body
    /// ([`Body::MultipartWire`], hashed through its canonical object) for `multipart/form-data`,
    /// the exact bytes ([`Body::Bytes`]) for any other type or none. Every binding and HTTP-client
    /// integration asks this function rather than deciding itself.
    pub fn for_content_type(content_type: Option<&'a str>, body: &'a [u8]) -> Body<'a> {
        match content_type {
            Some(content_type) if crate::received::is_multipart_form_data(content_type) => {
                Body::MultipartWire { content_type, body }
            }
            _ => Body::Bytes(body),
        }
    }

    /// The body to sign for the file at `path` about to be sent with `content_type`, by the rule
    /// of [`Body::for_content_type`]: for `multipart/form-data`, the encoded multipart body it
    /// holds, read once now (streamed) into its canonical object; for any other type or none, the
    /// file's exact bytes ([`Body::File`], read when signing).
    pub fn for_content_type_file(
        content_type: Option<&'a str>,
        path: &'a Path,
    ) -> Result<Body<'a>> {
        match content_type {
            Some(content_type) if crate::received::is_multipart_form_data(content_type) => {
                let file = std::io::BufReader::new(open_file(path)?);
                Ok(Body::Canonical(canonicalize_wire_reader(
                    content_type,
                    file,
                )?))
            }
            _ => Ok(Body::File(path)),
        }
    }

    /// The body to sign for a stream about to be sent with `content_type`, by the rule of
    /// [`Body::for_content_type`]: for `multipart/form-data`, the encoded multipart body it yields,
    /// read now (streamed) into its canonical object; for any other type or none, the stream's
    /// exact bytes ([`Body::Reader`], read when signing).
    pub fn for_content_type_reader(
        content_type: Option<&'a str>,
        reader: &'a mut dyn Read,
    ) -> Result<Body<'a>> {
        match content_type {
            Some(content_type) if crate::received::is_multipart_form_data(content_type) => Ok(
                Body::Canonical(canonicalize_wire_reader(content_type, reader)?),
            ),
            _ => Ok(Body::Reader(reader)),
        }
    }

    /// Hashes the body (streaming readers, files and multipart file parts).
    pub fn summarize(self) -> Result<BodySummary> {
        let plain = |kind, hash, size| BodySummary {
            kind,
            hash,
            size: Some(size),
            multipart: None,
        };
        // A stream's kind is known only once it has been read: empty or bytes.
        let streamed = |(hash, size): (BodyHash, u64)| {
            plain(
                if size == 0 {
                    BodyKind::Empty
                } else {
                    BodyKind::Bytes
                },
                hash,
                size,
            )
        };
        Ok(match self {
            Body::Empty => plain(BodyKind::Empty, BodyHash::empty(), 0),
            Body::Bytes([]) => plain(BodyKind::Empty, BodyHash::empty(), 0),
            Body::Bytes(b) => plain(BodyKind::Bytes, BodyHash::of_bytes(b), b.len() as u64),
            Body::Reader(r) => streamed(body_hash_reader(r)?),
            Body::File(p) => streamed(body_hash_file(p)?),
            Body::Multipart(form) => {
                let canonical = form.canonical()?;
                BodySummary {
                    kind: BodyKind::Multipart,
                    hash: canonical.body_hash(),
                    size: None,
                    multipart: Some(canonical),
                }
            }
            Body::MultipartWire { content_type, body } => {
                let canonical = canonicalize_wire(content_type, body)?;
                BodySummary {
                    kind: BodyKind::Multipart,
                    hash: canonical.body_hash(),
                    size: Some(body.len() as u64),
                    multipart: Some(canonical),
                }
            }
            Body::Canonical(canonical) => BodySummary {
                kind: BodyKind::Multipart,
                hash: canonical.body_hash(),
                size: None,
                multipart: Some(canonical),
            },
            Body::Precomputed(hash) => BodySummary {
                kind: BodyKind::Precomputed,
                hash,
                size: None,
                multipart: None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_type_chooses_multipart_or_plain() {
        let wire: &[u8] =
            b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
        let ct = "Multipart/Form-Data; boundary=b";
        let multipart = Body::for_content_type(Some(ct), wire).summarize().unwrap();
        assert_eq!(multipart.kind, BodyKind::Multipart);
        assert_eq!(
            multipart.hash,
            crate::multipart_body_hash("multipart/form-data; boundary=b", wire).unwrap()
        );
        for plain in [
            Some("application/json"),
            Some("multipart/mixed; boundary=b"),
            None,
        ] {
            let summary = Body::for_content_type(plain, wire).summarize().unwrap();
            assert_eq!(summary.kind, BodyKind::Bytes);
            assert_eq!(summary.hash, BodyHash::of_bytes(wire));
        }
    }

    #[test]
    fn a_file_by_its_content_type_is_hashed_as_its_bytes_would_be() {
        let wire: &[u8] =
            b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("body.multipart");
        std::fs::write(&path, wire).unwrap();
        for ct in [
            Some("multipart/form-data; boundary=b"),
            Some("text/plain"),
            None,
        ] {
            let of_file = Body::for_content_type_file(ct, &path).unwrap();
            let of_bytes = Body::for_content_type(ct, wire).summarize().unwrap();
            let of_file = of_file.summarize().unwrap();
            assert_eq!((of_file.kind, of_file.hash), (of_bytes.kind, of_bytes.hash));
        }
        let missing = dir.path().join("missing");
        let ct = Some("multipart/form-data; boundary=b");
        let err = Body::for_content_type_file(ct, &missing).err().unwrap();
        assert_eq!(err.code(), crate::ErrorCode::IoError);
    }

    #[test]
    fn a_stream_by_its_content_type_is_hashed_as_its_bytes_would_be() {
        let wire: &[u8] =
            b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
        let ct = "multipart/form-data; boundary=b";
        let mut reader = wire;
        let multipart = Body::for_content_type_reader(Some(ct), &mut reader).unwrap();
        let multipart = multipart.summarize().unwrap();
        assert_eq!(multipart.kind, BodyKind::Multipart);
        assert_eq!(
            multipart.hash,
            crate::multipart_body_hash(ct, wire).unwrap()
        );
        for plain in [
            Some("text/plain"),
            Some("multipart/mixed; boundary=b"),
            None,
        ] {
            let mut reader = wire;
            let summary = Body::for_content_type_reader(plain, &mut reader).unwrap();
            let summary = summary.summarize().unwrap();
            assert_eq!(
                (summary.kind, summary.hash),
                (BodyKind::Bytes, BodyHash::of_bytes(wire))
            );
        }
        let mut reader: &[u8] = b"not multipart";
        let err = Body::for_content_type_reader(Some(ct), &mut reader)
            .err()
            .unwrap();
        assert_eq!(err.code(), crate::ErrorCode::MultipartMalformed);
    }
}
