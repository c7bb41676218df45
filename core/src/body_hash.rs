//! `bodyHash` of a plain body (contract §4): lowercase hex SHA-256 of the exact bytes, streamed.

use std::fmt;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, ErrorCode, Result};
use crate::hex::{is_lower_hex, to_hex};

/// Read size for streamed hashing: large enough to amortize syscalls, small enough to keep memory
/// flat whatever the body size.
pub(crate) const STREAM_CHUNK: usize = 64 * 1024;

/// A `bodyHash` value: 64 lowercase hex digits. Equality is constant-time.
#[derive(Clone, Eq)]
pub struct BodyHash(String);

impl BodyHash {
    /// The hash of the empty body (no body at all hashes the same).
    pub fn empty() -> Self {
        Self::of_bytes(b"")
    }

    /// SHA-256 of `bytes`.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        BodyHash(to_hex(&Sha256::digest(bytes)))
    }

    /// Validates a precomputed hash (64 lowercase hex digits).
    pub fn parse(hex: &str) -> Result<Self> {
        if is_lower_hex(hex, 64) {
            Ok(BodyHash(hex.to_owned()))
        } else {
            Err(Error::new(
                ErrorCode::InvalidBodyHash,
                "a bodyHash is 64 lowercase hex digits (SHA-256)",
            ))
        }
    }

    /// The hex string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn from_digest(digest: &[u8]) -> Self {
        BodyHash(to_hex(digest))
    }
}

impl PartialEq for BodyHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl fmt::Display for BodyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BodyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BodyHash({})", self.0)
    }
}

impl AsRef<str> for BodyHash {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// SHA-256 and byte count of a stream.
#[derive(Clone, Default)]
pub(crate) struct CountingSha256 {
    hasher: Sha256,
    len: u64,
}

impl CountingSha256 {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
    }

    pub(crate) fn finish(self) -> (BodyHash, u64) {
        (BodyHash::from_digest(&self.hasher.finalize()), self.len)
    }
}

/// Calls `sink` with successive chunks of `reader` until end of stream, retrying interrupted reads.
pub(crate) fn for_each_chunk(
    mut reader: impl Read,
    what: &str,
    mut sink: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let mut buf = vec![0u8; STREAM_CHUNK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => sink(&buf[..n])?,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(what, &e)),
        }
    }
}

/// SHA-256 of `bytes` as a `bodyHash`.
pub fn body_hash(bytes: &[u8]) -> BodyHash {
    BodyHash::of_bytes(bytes)
}

/// Streams `reader` to its end; returns the hash and the number of bytes read.
pub fn body_hash_reader(reader: impl Read) -> Result<(BodyHash, u64)> {
    let mut hasher = CountingSha256::default();
    for_each_chunk(reader, "cannot read the body", |chunk| {
        hasher.update(chunk);
        Ok(())
    })?;
    Ok(hasher.finish())
}

/// Streams the file at `path`; returns the hash and its size.
pub fn body_hash_file(path: impl AsRef<Path>) -> Result<(BodyHash, u64)> {
    let path = path.as_ref();
    let file = open_file(path)?;
    body_hash_reader(file)
}

pub(crate) fn open_file(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| Error::io(&format!("cannot open {}", path.display()), &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_hash_is_the_sha256_of_nothing() {
        assert_eq!(
            BodyHash::empty().as_str(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn reader_and_bytes_agree_across_chunk_boundaries() {
        let data: Vec<u8> = (0..(3 * STREAM_CHUNK + 17))
            .map(|i| (i * 7) as u8)
            .collect();
        let (h, n) = body_hash_reader(&data[..]).unwrap();
        assert_eq!(h, body_hash(&data));
        assert_eq!(n, data.len() as u64);
    }

    #[test]
    fn parse_accepts_only_lowercase_hex_of_the_right_length() {
        let good = BodyHash::empty().to_string();
        assert!(BodyHash::parse(&good).is_ok());
        for bad in [
            good.to_uppercase(),
            good[1..].to_owned(),
            format!("{good}0"),
            "z".repeat(64),
        ] {
            assert_eq!(
                BodyHash::parse(&bad).unwrap_err().code(),
                ErrorCode::InvalidBodyHash
            );
        }
    }
}
