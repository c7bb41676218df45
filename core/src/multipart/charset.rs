//! Text decoding by a part's `charset`, as busboy 1.6 does it (`getDecoder` in `lib/utils.js`,
//! which uses Node's Buffer decoders). Written here rather than with `encoding_rs` because busboy
//! does not follow the WHATWG Encoding Standard: its `latin1` (and the names mapped to it,
//! `windows-1252` and `us-ascii` included) is byte = code point, `base64` is a "charset", and every
//! other name decodes to nothing (a bug in busboy 1.6: its fallback `TextDecoder` gets a wrong
//! label), which the core refuses.

use base64::Engine;

/// A decoder busboy has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decoder {
    /// Node's `utf8Slice`: invalid sequences become U+FFFD (maximal subparts, as Rust's lossy
    /// conversion does too).
    Utf8,
    /// Node's `latin1Slice`: each byte is the code point of the same value.
    Latin1,
    /// Node's `ucs2Slice`: little-endian code units, an odd last byte dropped.
    Utf16Le,
    /// Node's `base64Slice`: the bytes base64-encoded (standard alphabet, padded).
    Base64,
}

impl Decoder {
    /// The decoder for `charset`, matched case-insensitively as busboy matches it; `None` for a
    /// charset busboy cannot decode.
    pub(crate) fn for_charset(charset: &str) -> Option<Decoder> {
        Some(match charset.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Decoder::Utf8,
            "latin1" | "ascii" | "us-ascii" | "iso-8859-1" | "iso8859-1" | "iso88591"
            | "iso_8859-1" | "windows-1252" | "iso_8859-1:1987" | "cp1252" | "x-cp1252" => {
                Decoder::Latin1
            }
            "utf16le" | "utf-16le" | "ucs2" | "ucs-2" => Decoder::Utf16Le,
            "base64" => Decoder::Base64,
            _ => return None,
        })
    }

    /// The text of `bytes` and whether bytes had to be replaced by U+FFFD. `None` when the text
    /// has no Unicode form: UTF-16 with an unpaired surrogate (Node keeps it as a lone code
    /// unit, which no UTF-8 string can hold).
    pub(crate) fn decode(self, bytes: &[u8]) -> Option<(String, bool)> {
        Some(match self {
            Decoder::Utf8 => match String::from_utf8_lossy(bytes) {
                std::borrow::Cow::Borrowed(s) => (s.to_owned(), false),
                std::borrow::Cow::Owned(s) => (s, true),
            },
            Decoder::Latin1 => (bytes.iter().copied().map(char::from).collect(), false),
            Decoder::Utf16Le => {
                let units = bytes
                    .chunks_exact(2)
                    .map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
                (
                    char::decode_utf16(units)
                        .collect::<Result<String, _>>()
                        .ok()?,
                    false,
                )
            }
            Decoder::Base64 => (
                base64::engine::general_purpose::STANDARD.encode(bytes),
                false,
            ),
        })
    }
}

/// Decodes `bytes` by `charset` as busboy does: empty is always the empty string (busboy returns
/// `''` before choosing a decoder); `None` when busboy would give `undefined`.
pub(crate) fn decode_by_charset(bytes: &[u8], charset: &str) -> Option<(String, bool)> {
    if bytes.is_empty() {
        return Some((String::new(), false));
    }
    Decoder::for_charset(charset)?.decode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders_behave_like_nodes() {
        assert_eq!(
            decode_by_charset(b"a\xffb", "UTF-8"),
            Some(("a\u{fffd}b".into(), true))
        );
        assert_eq!(
            decode_by_charset(b"caf\xe9 \x80", "iso-8859-1"),
            Some(("caf\u{e9} \u{80}".into(), false)),
            "latin1 is byte = code point, even for windows-1252's 0x80"
        );
        assert_eq!(
            decode_by_charset(b"a\x00b\x00c", "utf-16le"),
            Some(("ab".into(), false))
        );
        assert_eq!(decode_by_charset(b"\x00\xd8", "ucs2"), None);
        assert_eq!(
            decode_by_charset(b"hi", "base64"),
            Some(("aGk=".into(), false))
        );
        assert_eq!(decode_by_charset(b"x", "windows-1251"), None);
        assert_eq!(
            decode_by_charset(b"", "windows-1251"),
            Some((String::new(), false))
        );
    }
}
