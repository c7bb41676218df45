//! A part's `Content-Type`, read as busboy 1.6 reads it (`parseContentType` in `lib/utils.js`):
//! `type/subtype` of token characters, then `; name=value` parameters; anything else does not
//! parse, and then the part's type is `text/plain` and its charset the default (UTF-8).

use crate::multipart::syntax::{is_token, latin1, next_param_name, param_value};

/// A Content-Type that parses.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct MediaType {
    /// `type/subtype`, lower-cased.
    pub essence: String,
    /// The first `charset` parameter, lower-cased.
    pub charset: Option<String>,
}

/// `None` when busboy cannot parse `value`.
pub(crate) fn parse_media_type(value: &[u8]) -> Option<MediaType> {
    let s = value;
    let slash = s.iter().position(|&b| !is_token(b))?;
    if slash == 0 || s[slash] != b'/' {
        return None;
    }
    let mut i = slash + 1;
    let subtype_start = i;
    while i < s.len() && is_token(s[i]) {
        i += 1;
    }
    if i == subtype_start {
        return None;
    }
    let essence = latin1(&s[..i]).to_ascii_lowercase();
    let mut charset = None;
    while let Some(name) = next_param_name(s, &mut i).ok()? {
        let (raw, _) = param_value(s, &mut i)?;
        if charset.is_none() && name.eq_ignore_ascii_case(b"charset") {
            charset = Some(latin1(&raw).to_lowercase());
        }
    }
    Some(MediaType { essence, charset })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn essence(s: &str) -> Option<String> {
        parse_media_type(s.as_bytes()).map(|m| m.essence)
    }

    #[test]
    fn what_parses_and_what_does_not() {
        assert_eq!(
            essence("Text/Plain; charset=UTF-8").as_deref(),
            Some("text/plain")
        );
        assert_eq!(
            essence("application/pdf ").as_deref(),
            Some("application/pdf")
        );
        for bad in [
            "",
            "foo",
            "application/json;",
            "a/b/c",
            "text / plain",
            "/x",
            "a/",
            "a/b; c",
            "a/b; c=\"x",
        ] {
            assert_eq!(essence(bad), None, "{bad}");
        }
        assert_eq!(
            parse_media_type(b"text/plain; Charset=\"ISO-8859-1\"; charset=utf-8")
                .unwrap()
                .charset
                .as_deref(),
            Some("iso-8859-1")
        );
    }
}
