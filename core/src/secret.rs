//! Secrets that must never reach `Debug`, `Display`, errors, logs or proofs.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

/// An API key as issued by Nuvera. `Debug` shows only its last four characters.
#[derive(Clone)]
pub struct ApiKey(Zeroizing<String>);

impl ApiKey {
    /// Checks that `key` can travel unchanged in the `x-api-key` header.
    pub fn new(key: &str) -> Result<Self> {
        if key.is_empty() {
            return Err(Error::new(ErrorCode::InvalidApiKey, "the API key is empty"));
        }
        if key.trim() != key {
            return Err(Error::new(
                ErrorCode::InvalidApiKey,
                "the API key has leading or trailing whitespace (copied with a line break?); HTTP would strip it and `sub` would no longer match",
            ));
        }
        if key.chars().any(char::is_control) {
            return Err(Error::new(
                ErrorCode::InvalidApiKey,
                "the API key contains control characters",
            ));
        }
        if key.len() > 1024 {
            return Err(Error::new(
                ErrorCode::InvalidApiKey,
                "the API key is longer than 1024 bytes",
            ));
        }
        Ok(ApiKey(Zeroizing::new(key.to_owned())))
    }

    /// The key itself, for the `x-api-key` header and the `sub` claim.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form used in proofs and support bundles.
    pub fn masked(&self) -> String {
        mask_secret(&self.0)
    }
}

impl PartialEq for ApiKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for ApiKey {}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.masked())
    }
}

/// `****` followed by the last four characters, or `****` alone for a value under eight
/// characters, where four would reveal too much of it.
pub fn mask_secret(secret: &str) -> String {
    let count = secret.chars().count();
    if count < 8 {
        return "****".to_owned();
    }
    let tail: String = secret.chars().skip(count - 4).collect();
    format!("****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_at_most_the_last_four_characters() {
        assert_eq!(mask_secret("nv_live_3f9a2c7d1e"), "****7d1e");
        assert_eq!(mask_secret("kéy-☃-long"), "****long");
        assert_eq!(mask_secret("kéy-☃-☃☃☃"), "****-☃☃☃");
        assert_eq!(mask_secret("short"), "****");
        let key = ApiKey::new("nv_live_3f9a2c7d1e").unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey(****7d1e)");
    }

    #[test]
    fn keys_that_cannot_travel_in_a_header_are_refused() {
        for bad in ["", " key", "key\n", "a\u{0}b"] {
            assert_eq!(
                ApiKey::new(bad).unwrap_err().code(),
                ErrorCode::InvalidApiKey
            );
        }
        assert!(ApiKey::new("kéy-☃").is_ok());
    }
}
