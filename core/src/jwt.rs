//! The compact RS256 JWS of contract §2: a fixed header, nine claims in a fixed order.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::secret::mask_secret;
use crate::signing_key::SigningKey;

/// The only header this project writes, byte for byte.
pub const HEADER_JSON: &str = r#"{"alg":"RS256","typ":"JWT"}"#;

/// Default `iss`.
pub const DEFAULT_ISSUER: &str = "nuvera-api";
/// Default `aud`.
pub const DEFAULT_AUDIENCE: &str = "nuvera-rest-api";

/// Longest `jti` (§6): it is stored in the replay cache.
pub const MAX_JTI_BYTES: usize = 256;

/// Why a `jti` cannot be used, or `None` when it can (§6: 1..=256 bytes and not only
/// whitespace). The signer and the verifier both ask here, so a token this library signs is
/// never one its verifier refuses for its `jti`.
pub fn jti_problem(jti: &str) -> Option<String> {
    if jti.is_empty() {
        Some("the jti is empty".to_owned())
    } else if jti.len() > MAX_JTI_BYTES {
        Some(format!("the jti is longer than {MAX_JTI_BYTES} bytes"))
    } else if jti.chars().all(char::is_whitespace) {
        Some("the jti is only whitespace".to_owned())
    } else {
        None
    }
}

/// The nine claims, declared in the order they are serialized.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// Issuer (profile setting, `nuvera-api`).
    pub iss: String,
    /// Audience (profile setting, `nuvera-rest-api`).
    pub aud: String,
    /// The exact API key sent in `x-api-key`: a secret, masked in `Debug`.
    pub sub: String,
    /// Upper-cased HTTP method.
    pub method: String,
    /// Request target (`pathname + search`).
    pub uri: String,
    /// Lowercase hex SHA-256 of the body or of the multipart canonical object.
    pub body_hash: String,
    /// Issued-at, Unix seconds.
    pub iat: u64,
    /// Expiry, Unix seconds (`iat + lifetime`).
    pub exp: u64,
    /// Unique token id.
    pub jti: String,
}

impl Claims {
    /// Compact JSON, claims in contract order, `JSON.stringify` escaping.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serializing strings and integers cannot fail")
    }

    /// The same claims with `sub` masked, safe to log or put in a proof.
    pub fn masked(&self) -> Claims {
        Claims {
            sub: mask_secret(&self.sub),
            ..self.clone()
        }
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("iss", &self.iss)
            .field("aud", &self.aud)
            .field("sub", &mask_secret(&self.sub))
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("bodyHash", &self.body_hash)
            .field("iat", &self.iat)
            .field("exp", &self.exp)
            .field("jti", &self.jti)
            .finish()
    }
}

/// base64url without padding, as JWS uses.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs `claims` into a compact JWS: `b64(header).b64(payload).b64(signature)`, with a key in
/// memory or a remote one.
pub fn encode_rs256<K: SigningKey + ?Sized>(key: &K, claims: &Claims) -> Result<String> {
    let mut token = b64url(HEADER_JSON.as_bytes());
    token.push('.');
    token.push_str(&b64url(claims.to_json().as_bytes()));
    let signature = key.sign_rs256(token.as_bytes())?;
    token.push('.');
    token.push_str(&b64url(&signature));
    Ok(token)
}
