//! The `method` claim: the HTTP method, upper-cased.

use crate::error::{Error, ErrorCode, Result};

/// Upper-cases `method` after checking it is an RFC 9110 token (`post` → `POST`).
pub fn normalize_method(method: &str) -> Result<String> {
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if method.is_empty() || method.len() > 32 || !method.bytes().all(is_tchar) {
        return Err(Error::new(
            ErrorCode::InvalidMethod,
            format!(
                "{method:?} is not an HTTP method (expected e.g. GET, POST, PUT, PATCH, DELETE)"
            ),
        ));
    }
    Ok(method.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_cases_tokens_and_refuses_the_rest() {
        assert_eq!(normalize_method("post").unwrap(), "POST");
        assert_eq!(normalize_method("M-SEARCH").unwrap(), "M-SEARCH");
        for bad in ["", "GET ", "PO ST", "GÉT", "GET\n"] {
            assert_eq!(
                normalize_method(bad).unwrap_err().code(),
                ErrorCode::InvalidMethod
            );
        }
    }
}
