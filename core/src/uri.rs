//! The `uri` claim (contract §3): a request target is used as given; an absolute URL contributes
//! its WHATWG `pathname + search`.

use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// The `uri` claim for an absolute `http(s)` URL or a request target starting with `/`.
///
/// ```
/// # use nuvera_signing::request_uri;
/// assert_eq!(request_uri("https://user:pw@api.nuvera.global:8443/api/v1/x?q=1#frag").unwrap(), "/api/v1/x?q=1");
/// assert_eq!(request_uri("/api/v1/customers?b=2&a=1").unwrap(), "/api/v1/customers?b=2&a=1");
/// ```
pub fn request_uri(url_or_target: &str) -> Result<String> {
    if url_or_target.starts_with('/') {
        return check_target(url_or_target).map(str::to_owned);
    }
    Ok(target_of(&parse_absolute(url_or_target)?))
}

/// The absolute URL to give an HTTP client so that the request target it sends is exactly
/// [`request_uri`]'s: the WHATWG serialization without fragment and without an empty `?`.
/// (Clients differ in how they clean up a raw URL; they all send a normalized one unchanged.)
///
/// ```
/// # use nuvera_signing::sendable_url;
/// assert_eq!(sendable_url("https://h:443/a/../b c?#f").unwrap(), "https://h/b%20c");
/// ```
pub fn sendable_url(url: &str) -> Result<String> {
    let mut parsed = parse_absolute(url)?;
    parsed.set_fragment(None);
    if parsed.query() == Some("") {
        parsed.set_query(None);
    }
    Ok(parsed.into())
}

pub(crate) fn parse_absolute(url_or_target: &str) -> Result<Url> {
    let url = Url::parse(url_or_target).map_err(|e| {
        Error::new(
            ErrorCode::InvalidUrl,
            format!(
                "`{}` is neither an absolute URL nor a request target starting with `/` ({e})",
                shorten(url_or_target)
            ),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::new(
            ErrorCode::InvalidUrl,
            format!("the URL scheme `{}` is not http or https", url.scheme()),
        ));
    }
    Ok(url)
}

fn target_of(url: &Url) -> String {
    // WHATWG `search` is empty for both "no query" and "empty query": `/x?` signs as `/x`.
    let mut uri = url.path().to_owned();
    if let Some(query) = url.query().filter(|q| !q.is_empty()) {
        uri.push('?');
        uri.push_str(query);
    }
    uri
}

/// A request target is signed byte for byte, so it must be something an HTTP client can send
/// byte for byte: no whitespace or control characters.
fn check_target(target: &str) -> Result<&str> {
    match target.chars().find(|c| c.is_whitespace() || c.is_control()) {
        None => Ok(target),
        Some(c) => Err(Error::new(
            ErrorCode::InvalidUrl,
            format!(
                "the request target contains {:?}, which cannot be sent unencoded; percent-encode it or pass the absolute URL",
                c
            ),
        )),
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatwg_percent_encodes_what_the_url_standard_does_and_nothing_more() {
        assert_eq!(
            request_uri("https://h/a b?x=1 2").unwrap(),
            "/a%20b?x=1%202"
        );
        assert_eq!(
            request_uri("https://h/caf\u{e9}?q=\u{e9}").unwrap(),
            "/caf%C3%A9?q=%C3%A9"
        );
        assert_eq!(request_uri("https://h/a/../b/./c").unwrap(), "/b/c");
        assert_eq!(
            request_uri("https://h/x?b=2&a=1&a=0").unwrap(),
            "/x?b=2&a=1&a=0"
        );
        assert_eq!(request_uri("HTTPS://H").unwrap(), "/");
    }

    #[test]
    fn sendable_url_targets_exactly_the_signed_uri() {
        for url in [
            "https://u:p@h:8443/x/./y?b=2&a=1#f",
            "http://h/\u{e9} x?",
            "https://h",
            "https://h/a?q=%zz",
        ] {
            let sendable = sendable_url(url).unwrap();
            assert_eq!(
                request_uri(&sendable).unwrap(),
                request_uri(url).unwrap(),
                "{url}"
            );
            assert_eq!(sendable_url(&sendable).unwrap(), sendable, "idempotent");
        }
        assert_eq!(
            sendable_url("/relative").unwrap_err().code(),
            ErrorCode::InvalidUrl
        );
    }

    #[test]
    fn refuses_what_cannot_be_signed() {
        for bad in [
            "",
            "api/v1/x",
            "ftp://h/x",
            "mailto:a@b",
            "https://",
            "/a b",
            "/a\r\nb",
        ] {
            let err = request_uri(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidUrl, "{bad:?}");
        }
    }
}
