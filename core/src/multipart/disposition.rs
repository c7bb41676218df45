//! `Content-Disposition: form-data; name="…"; filename="…"; filename*=UTF-8''…` of one part, read
//! exactly as busboy 1.6 reads it (`parseDisposition` in `lib/utils.js`), and the base-name rule
//! it applies to file names (`basename`).

use crate::multipart::charset::decode_by_charset;
use crate::multipart::syntax::{
    is_charset_char, is_extended_value_char, is_token, latin1, next_param_name, param_value,
};

/// What the canonical object needs from a part's Content-Disposition.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Disposition {
    /// The disposition type, lower-cased (`form-data` for a form part).
    pub kind: String,
    /// The `name` parameter; `None` when absent or empty (busboy cannot tell them apart).
    pub name: Option<String>,
    /// `filename*` when present and not empty, else `filename` when present and not empty; not
    /// yet reduced to its base name.
    pub file_name: Option<String>,
    /// A `filename` or `filename*` parameter was sent, empty or not.
    pub file_name_sent: bool,
    /// A quoted value held a backslash that escapes neither `"` nor `\`, and it was kept.
    pub kept_backslash: bool,
}

/// `None` when busboy cannot parse the header: it then skips the part.
pub(crate) fn parse_disposition(value: &[u8]) -> Option<Disposition> {
    if value.is_empty() {
        return None;
    }
    let kind_end = value
        .iter()
        .position(|&b| !is_token(b))
        .unwrap_or(value.len());
    let kind = latin1(&value[..kind_end]).to_ascii_lowercase();
    let mut params: Vec<(String, String)> = Vec::new();
    let mut kept_backslash = false;
    let mut i = kind_end;
    let s = value;
    while let Some(name) = next_param_name(s, &mut i).ok()? {
        let key = latin1(name).to_ascii_lowercase();
        let value = if key.ends_with('*') {
            let (value, next) = extended_value(s, i)?;
            i = next;
            value
        } else {
            let (raw, kept) = param_value(s, &mut i)?;
            kept_backslash |= kept;
            // busboy's `defParamCharset`: header parameters are UTF-8 (see the README's
            // "Choices where the contract is silent"); invalid bytes become U+FFFD.
            String::from_utf8_lossy(&raw).into_owned()
        };
        if !params.iter().any(|(k, _)| *k == key) {
            params.push((key, value));
        }
    }
    let param = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    Some(Disposition {
        kind,
        name: param("name"),
        file_name: param("filename*").or_else(|| param("filename")),
        file_name_sent: params
            .iter()
            .any(|(k, _)| k == "filename" || k == "filename*"),
        kept_backslash,
    })
}

/// RFC 5987 `charset'language'percent-encoded` starting at `i`; the value ends at the first byte
/// that is neither an extended-value character nor a `%XX` escape.
fn extended_value(s: &[u8], mut i: usize) -> Option<(String, usize)> {
    let charset_start = i;
    while i < s.len() && is_charset_char(s[i]) {
        i += 1;
    }
    if i == s.len() || s[i] != b'\'' {
        return None;
    }
    let charset = latin1(&s[charset_start..i]);
    i += 1;
    while i < s.len() && s[i] != b'\'' {
        i += 1;
    }
    if i == s.len() {
        return None;
    }
    i += 1;
    if i == s.len() {
        return None;
    }
    let mut bytes = Vec::new();
    while i < s.len() {
        let b = s[i];
        if is_extended_value_char(b) {
            bytes.push(b);
            i += 1;
        } else if b == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            match (
                s.get(i + 1).and_then(|&b| hex(b)),
                s.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(hi), Some(lo)) => bytes.push((hi * 16 + lo) as u8),
                _ => return None,
            }
            i += 3;
        } else {
            break;
        }
    }
    let (value, _) = decode_by_charset(&bytes, &charset)?;
    Some((value, i))
}

/// busboy's `basename`: what follows the last `/` or `\`; `.` and `..` are empty.
pub(crate) fn base_name(path: &str) -> &str {
    let base = match path.rfind(['/', '\\']) {
        Some(i) => &path[i + 1..],
        None => path,
    };
    if base == "." || base == ".." {
        ""
    } else {
        base
    }
}

/// Writes `s` as a quoted-string, escaping `"` and `\` (which busboy unescapes) so that the
/// parser above gives back exactly `s`.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<Disposition> {
        parse_disposition(s.as_bytes())
    }

    #[test]
    fn fields_files_and_empty_file_names() {
        let d = parse(r#"form-data; name="a""#).unwrap();
        assert_eq!(
            (d.kind.as_str(), d.name.as_deref(), d.file_name),
            ("form-data", Some("a"), None)
        );
        let d = parse(r#"Form-Data; NAME="f"; filename="x.pdf""#).unwrap();
        assert_eq!(d.file_name.as_deref(), Some("x.pdf"));
        assert_eq!(
            parse(r#"form-data; name="f"; filename="""#)
                .unwrap()
                .file_name,
            None
        );
        assert_eq!(
            parse("form-data; name=tok").unwrap().name.as_deref(),
            Some("tok")
        );
        assert_eq!(parse(r#"form-data; name="""#).unwrap().name, None);
        assert_eq!(
            parse("form-data; name=\"\u{e9}\"").unwrap().name.as_deref(),
            Some("\u{e9}")
        );
    }

    #[test]
    fn extended_filename_wins_and_escapes_round_trip() {
        let d = parse(r#"form-data; name="f"; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt"#).unwrap();
        assert_eq!(d.file_name.as_deref(), Some("\u{20ac} rates.txt"));
        let tricky = "a \"quoted\" \\ name \u{2603}";
        let header = format!("form-data; name={}", quote(tricky));
        assert_eq!(parse(&header).unwrap().name.as_deref(), Some(tricky));
    }

    #[test]
    fn backslashes_stay_unless_they_escape() {
        let d = parse(r#"form-data; name="a\b""#).unwrap();
        assert_eq!(d.name.as_deref(), Some(r"a\b"));
        assert!(d.kept_backslash);
    }

    #[test]
    fn what_busboy_cannot_parse_is_none() {
        for bad in [
            "",
            "form-data; name=\"unterminated",
            r#"form-data; name="a\""#,
            "form-data; name",
            "form-data; name=",
            "form-data; name=\"a\" junk",
            "form-data; filename*=UTF-8''%ZZ",
            "form-data; filename*=koi8-r''%41",
            "form-data;",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse("attachment; name=\"a\"").unwrap().kind, "attachment");
    }

    #[test]
    fn base_names() {
        assert_eq!(base_name("a/b.txt"), "b.txt");
        assert_eq!(base_name(r"C:\x\y.pdf"), "y.pdf");
        assert_eq!(base_name(".."), "");
        assert_eq!(base_name("a/."), "");
        assert_eq!(base_name("dir/"), "");
        assert_eq!(base_name("plain"), "plain");
    }
}
