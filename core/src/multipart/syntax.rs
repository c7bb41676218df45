//! The byte classes busboy 1.6 parses part headers with (`lib/utils.js` and
//! `lib/types/multipart.js`: `TOKEN`, `QDTEXT`, `CHARSET`, `EXTENDED_VALUE`, `FIELD_VCHAR`),
//! copied range for range so that the core accepts and refuses exactly what the server does.
//! They work on bytes because busboy reads header bytes as latin1, one character per byte.

/// RFC 7230 `tchar`.
pub(crate) fn is_token(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x27 | 0x2a..=0x2b | 0x2d..=0x2e | 0x30..=0x39 | 0x41..=0x5a | 0x5e..=0x7a | 0x7c | 0x7e)
}

/// What may stand unescaped inside a quoted parameter value.
pub(crate) fn is_qdtext(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff)
}

/// The charset name of an RFC 5987 extended value.
pub(crate) fn is_charset_char(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x26 | 0x2b | 0x2d | 0x30..=0x39 | 0x41..=0x5a | 0x5e..=0x7b | 0x7d..=0x7e)
}

/// The unencoded characters of an RFC 5987 extended value.
pub(crate) fn is_extended_value_char(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x24 | 0x26 | 0x2b | 0x2d..=0x2e | 0x30..=0x39 | 0x41..=0x5a | 0x5e..=0x7a | 0x7c | 0x7e)
}

/// What a header value may hold: busboy refuses the whole body on any other byte (a control
/// character other than tab, or DEL).
pub(crate) fn is_field_vchar(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x7e | 0x80..=0xff)
}

/// Bytes as busboy's `latin1Slice` reads them: one character per byte.
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().copied().map(char::from).collect()
}

pub(crate) fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A quoted-string after its opening `"`, read as busboy reads it: `\"` is `"`, `\\` is `\`, a
/// backslash before anything else stays (browsers and the common encoders do not escape it).
/// Returns the value, the index just past the closing quote, and whether a backslash was kept;
/// `None` when the string is not closed or holds a byte that is not `qdtext`.
pub(crate) fn quoted_value(s: &[u8], mut i: usize) -> Option<(Vec<u8>, usize, bool)> {
    let mut value = Vec::new();
    let mut escaping = false;
    let mut kept_backslash = false;
    while i < s.len() {
        let b = s[i];
        match b {
            b'\\' if escaping => {
                value.push(b'\\');
                escaping = false;
            }
            b'\\' => escaping = true,
            b'"' if escaping => {
                value.push(b'"');
                escaping = false;
            }
            b'"' => return Some((value, i + 1, kept_backslash)),
            _ => {
                if escaping {
                    value.push(b'\\');
                    kept_backslash = true;
                    escaping = false;
                }
                if !is_qdtext(b) {
                    return None;
                }
                value.push(b);
            }
        }
        i += 1;
    }
    None
}

/// The next parameter's name in a header's `; name=value` list, read from `*i` as busboy reads
/// it (spaces, `;`, spaces, a token, `=`), leaving `*i` just past the `=`. `Ok(None)` at the end
/// of the list (trailing spaces allowed), `Err(())` when the rest does not parse.
pub(crate) fn next_param_name<'s>(s: &'s [u8], i: &mut usize) -> Result<Option<&'s [u8]>, ()> {
    skip_spaces(s, i);
    if *i == s.len() {
        return Ok(None);
    }
    if s[*i] != b';' {
        return Err(());
    }
    *i += 1;
    skip_spaces(s, i);
    let name_start = *i;
    while *i < s.len() && is_token(s[*i]) {
        *i += 1;
    }
    if *i == s.len() || s[*i] != b'=' {
        return Err(());
    }
    let name = &s[name_start..*i];
    *i += 1;
    Ok(Some(name))
}

/// A parameter's value from `*i`: a quoted-string ([`quoted_value`]) or a non-empty token,
/// leaving `*i` just past it. The bool says a backslash was kept; `None` when it does not parse.
pub(crate) fn param_value(s: &[u8], i: &mut usize) -> Option<(Vec<u8>, bool)> {
    if *i < s.len() && s[*i] == b'"' {
        let (raw, next, kept) = quoted_value(s, *i + 1)?;
        *i = next;
        return Some((raw, kept));
    }
    let start = *i;
    while *i < s.len() && is_token(s[*i]) {
        *i += 1;
    }
    (*i > start).then(|| (s[start..*i].to_vec(), false))
}

fn skip_spaces(s: &[u8], i: &mut usize) {
    while *i < s.len() && is_space(s[*i]) {
        *i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_lists_read_as_busboy_reads_them() {
        let s = br#"; a=1 ;B="x\"y"  "#;
        let mut i = 0;
        assert_eq!(next_param_name(s, &mut i), Ok(Some(&b"a"[..])));
        assert_eq!(param_value(s, &mut i), Some((b"1".to_vec(), false)));
        assert_eq!(next_param_name(s, &mut i), Ok(Some(&b"B"[..])));
        assert_eq!(param_value(s, &mut i), Some((br#"x"y"#.to_vec(), false)));
        assert_eq!(next_param_name(s, &mut i), Ok(None));
        for bad in [&b" x=1"[..], b";", b"; a", b"; a =1", b";;a=1"] {
            assert_eq!(next_param_name(bad, &mut 0), Err(()), "{bad:?}");
        }
        for bad in [&b""[..], b";", b"\"open"] {
            assert_eq!(param_value(bad, &mut 0), None, "{bad:?}");
        }
    }

    #[test]
    fn quoted_values_unescape_only_quote_and_backslash() {
        assert_eq!(
            quoted_value(br#"a\b""#, 0),
            Some((br"a\b".to_vec(), 4, true))
        );
        assert_eq!(
            quoted_value(br#"a\"b\\c"; x"#, 0),
            Some((br#"a"b\c"#.to_vec(), 8, false))
        );
        assert_eq!(quoted_value(br#"a\""#, 0), None, "unterminated");
        assert_eq!(quoted_value(b"a\x01\"", 0), None, "control byte");
    }

    #[test]
    fn classes_match_busboy() {
        assert!(is_token(b'!') && !is_token(b'"') && !is_token(b'/') && is_token(b'~'));
        assert!(is_field_vchar(b'\t') && !is_field_vchar(0x01) && !is_field_vchar(0x7f));
        assert!(is_field_vchar(0xe9));
        assert!(!is_qdtext(b'"') && !is_qdtext(b'\\') && is_qdtext(0xff));
    }
}
