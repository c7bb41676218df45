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
    // WHATWG `search` is empty for both "no query" and "empty query": `/x?` signs as `/x`.
    let mut uri = url.path().to_owned();
    if let Some(query) = url.query().filter(|q| !q.is_empty()) {
        uri.push('?');
        uri.push_str(query);
    }
    Ok(uri)
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
