//! `Content-Disposition: form-data; name="…"; filename="…"; filename*=UTF-8''…` of one part
//! (RFC 7578 §4.2, RFC 6266 parameter syntax, RFC 5987 extended values).

use crate::error::{Error, ErrorCode, Result};

/// What the canonical object needs from a part's Content-Disposition.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Disposition {
    pub name: String,
    /// `None`: a text field. `Some("")`: an empty file input, ignored by the canonical object.
    pub file_name: Option<String>,
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::MultipartMalformed, message)
}

pub(crate) fn parse_disposition(value: &[u8]) -> Result<Disposition> {
    let value = std::str::from_utf8(value)
        .map_err(|_| malformed("a part's Content-Disposition is not valid UTF-8"))?;
    let (kind, mut rest) = value.split_once(';').unwrap_or((value, ""));
    if !kind.trim().eq_ignore_ascii_case("form-data") {
        return Err(malformed(format!(
            "a part's Content-Disposition is `{}`, expected `form-data`",
            kind.trim()
        )));
    }
    let mut name = None;
    let mut file_name = None;
    let mut file_name_ext = None;
    while !rest.is_empty() {
        let (key, value, remaining) = next_parameter(rest)?;
        rest = remaining;
        let slot = match key.to_ascii_lowercase().as_str() {
            "name" => &mut name,
            "filename" => &mut file_name,
            "filename*" => {
                if file_name_ext.is_none() {
                    file_name_ext = Some(decode_ext_value(&value)?);
                }
                continue;
            }
            _ => continue,
        };
        // The first occurrence wins, as in busboy.
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    let name = name.ok_or_else(|| malformed("a part has no `name` in its Content-Disposition"))?;
    Ok(Disposition {
        name,
        file_name: file_name_ext.or(file_name),
    })
}

/// Splits `; key=value` off the front of `s`; `value` is unquoted and unescaped.
fn next_parameter(s: &str) -> Result<(&str, String, &str)> {
    let s = s.trim_start_matches([' ', '\t', ';']);
    if s.is_empty() {
        return Ok(("", String::new(), ""));
    }
    let (key, after) = s
        .split_once('=')
        .ok_or_else(|| malformed("a Content-Disposition parameter has no `=`"))?;
    let after = after.trim_start_matches([' ', '\t']);
    if let Some(quoted) = after.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Ok((key.trim(), value, &quoted[i + 1..])),
                '\\' => match chars.next() {
                    Some((_, escaped)) => value.push(escaped),
                    None => break,
                },
                c => value.push(c),
            }
        }
        Err(malformed(
            "a quoted Content-Disposition parameter is not closed",
        ))
    } else {
        let (value, remaining) = after.split_once(';').unwrap_or((after, ""));
        Ok((key.trim(), value.trim().to_owned(), remaining))
    }
}

/// RFC 5987 `charset'language'percent-encoded`.
fn decode_ext_value(value: &str) -> Result<String> {
    let bad = || malformed("a `filename*` parameter is not RFC 5987 `UTF-8''percent-encoded`");
    let mut pieces = value.splitn(3, '\'');
    let (charset, _language, encoded) = match (pieces.next(), pieces.next(), pieces.next()) {
        (Some(c), Some(l), Some(e)) => (c, l, e),
        _ => return Err(bad()),
    };
    let bytes = percent_decode(encoded).ok_or_else(bad)?;
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).map_err(|_| bad())
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Ok(bytes.into_iter().map(char::from).collect())
    } else {
        Err(malformed(format!(
            "`filename*` charset `{charset}` is not supported (use UTF-8)"
        )))
    }
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Writes `s` as an RFC 7578 quoted-string, escaping `"` and `\` so that the parser above gives
/// back exactly `s`.
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

    fn parse(s: &str) -> Result<Disposition> {
        parse_disposition(s.as_bytes())
    }

    #[test]
    fn fields_files_and_empty_file_inputs() {
        assert_eq!(
            parse(r#"form-data; name="a""#).unwrap(),
            Disposition {
                name: "a".into(),
                file_name: None
            }
        );
        assert_eq!(
            parse(r#"Form-Data; NAME="f"; filename="x.pdf""#).unwrap(),
            Disposition {
                name: "f".into(),
                file_name: Some("x.pdf".into())
            }
        );
        assert_eq!(
            parse(r#"form-data; name="f"; filename="""#)
                .unwrap()
                .file_name,
            Some(String::new())
        );
        assert_eq!(parse("form-data; name=tok").unwrap().name, "tok");
    }

    #[test]
    fn extended_filename_wins_and_escapes_round_trip() {
        let d = parse(r#"form-data; name="f"; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt"#).unwrap();
        assert_eq!(d.file_name.as_deref(), Some("€ rates.txt"));
        let tricky = "a \"quoted\" \\ name ☃";
        let header = format!("form-data; name={}", quote(tricky));
        assert_eq!(parse(&header).unwrap().name, tricky);
    }

    #[test]
    fn malformed_dispositions_are_refused() {
        for bad in [
            "attachment; name=\"a\"",
            "form-data; filename=\"x\"",
            "form-data; name=\"unterminated",
            "form-data; name",
            "form-data; name=\"a\"; filename*=UTF-8''%ZZ",
        ] {
            assert_eq!(
                parse(bad).unwrap_err().code(),
                ErrorCode::MultipartMalformed,
                "{bad}"
            );
        }
    }
}
