//! A received body's `bodyHash` (contract §4–§5): what a server computes from the bytes it got,
//! and what a client computes when it checks or explains a body it already encoded. Plain or
//! multipart is decided here, by the Content-Type, for every caller.

use std::io::Read;

use crate::body_hash::{for_each_chunk, BodyHash, CountingSha256};
use crate::error::{Error, Result};
use crate::multipart::{CanonicalForm, MultipartLimits, WireCanonicalizer};

/// The `bodyHash` a server computes from what it received: through the multipart canonical
/// object when the Content-Type is `multipart/form-data`, of the raw bytes otherwise.
pub fn received_body_hash(content_type: Option<&str>, body: &[u8]) -> Result<BodyHash> {
    let mut receiver = BodyReceiver::new(content_type, MultipartLimits::default());
    receiver.feed(body)?;
    receiver.finish().map(|r| r.hash)
}

/// [`received_body_hash`] of a body read from `reader` in chunks, never held whole. A reader that
/// fails is `IO_ERROR`; a body that cannot be read as its Content-Type says fails with that error.
pub fn received_body_hash_reader(
    content_type: Option<&str>,
    reader: impl Read,
) -> Result<BodyHash> {
    let mut receiver = BodyReceiver::new(content_type, MultipartLimits::default());
    for_each_chunk(reader, "cannot read the body", |chunk| receiver.feed(chunk))?;
    receiver.finish().map(|r| r.hash)
}

/// A received body, summarized.
#[derive(Clone, Debug)]
pub struct ReceivedBody {
    /// Its `bodyHash`.
    pub hash: BodyHash,
    /// Its size in bytes.
    pub size: u64,
    /// For multipart bodies, the canonical object.
    pub multipart: Option<CanonicalForm>,
}

enum Receiving {
    Plain(CountingSha256),
    Multipart(Box<WireCanonicalizer>),
    Failed(Error),
}

/// Computes a received body's hash as it streams in (`feed` each chunk, then `finish`), plain or
/// multipart by its Content-Type, holding neither the body nor any file in memory.
pub struct BodyReceiver {
    state: Receiving,
    size: u64,
}

impl BodyReceiver {
    /// A receiver for a body sent with `content_type`.
    pub fn new(content_type: Option<&str>, limits: MultipartLimits) -> Self {
        let state = match content_type {
            Some(ct) if is_multipart_form_data(ct) => match WireCanonicalizer::new(ct, limits) {
                Ok(parser) => Receiving::Multipart(Box::new(parser)),
                Err(e) => Receiving::Failed(e),
            },
            _ => Receiving::Plain(CountingSha256::default()),
        };
        BodyReceiver { state, size: 0 }
    }

    /// Consumes the next chunk. A multipart body that cannot be parsed fails here or in `finish`.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<()> {
        self.size += chunk.len() as u64;
        match &mut self.state {
            Receiving::Plain(hasher) => {
                hasher.update(chunk);
                Ok(())
            }
            Receiving::Multipart(parser) => parser.feed(chunk),
            Receiving::Failed(e) => Err(e.clone()),
        }
    }

    /// Bytes received so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The summary of the whole body.
    pub fn finish(self) -> Result<ReceivedBody> {
        match self.state {
            Receiving::Plain(hasher) => {
                let (hash, size) = hasher.finish();
                Ok(ReceivedBody {
                    hash,
                    size,
                    multipart: None,
                })
            }
            Receiving::Multipart(parser) => {
                let canonical = parser.finish()?;
                Ok(ReceivedBody {
                    hash: canonical.body_hash(),
                    size: self.size,
                    multipart: Some(canonical),
                })
            }
            Receiving::Failed(e) => Err(e),
        }
    }
}

/// True for a `multipart/form-data` Content-Type (parameters ignored).
pub fn is_multipart_form_data(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("multipart/form-data")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn received_bodies_are_hashed_by_content_type() {
        let wire = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
        let multipart = received_body_hash(Some("multipart/form-data; boundary=b"), wire).unwrap();
        assert_eq!(
            multipart,
            crate::multipart_body_hash("multipart/form-data; boundary=b", wire).unwrap()
        );
        assert_eq!(
            received_body_hash(Some("application/json"), wire).unwrap(),
            BodyHash::of_bytes(wire)
        );
        assert_eq!(received_body_hash(None, b"").unwrap(), BodyHash::empty());
        assert!(received_body_hash(Some("multipart/form-data"), wire).is_err());
        // From a reader, chunk by chunk: the same hashes and the same refusal.
        for content_type in [
            Some("multipart/form-data; boundary=b"),
            Some("text/plain"),
            None,
        ] {
            assert_eq!(
                received_body_hash_reader(content_type, &wire[..]).unwrap(),
                received_body_hash(content_type, wire).unwrap()
            );
        }
        let err = received_body_hash_reader(Some("multipart/form-data"), &wire[..]).unwrap_err();
        assert_ne!(err.code(), crate::ErrorCode::IoError);
    }
}
