//! Strict decoding of a compact JWS, without trusting anything in it yet.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde_json::Value;

use crate::verify::code::{AuthCode, VerifyError};

/// Tokens longer than this are refused before any decoding: a legitimate token is about 700
/// bytes with a 2048-bit key and under 1.5 KiB with 8192 bits.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

pub use crate::jwt::MAX_JTI_BYTES;

/// The nine claim names, in contract order.
pub const CLAIM_NAMES: [&str; 9] = [
    "iss", "aud", "sub", "method", "uri", "bodyHash", "iat", "exp", "jti",
];

/// A JSON object whose keys are known to be unique, in document order.
pub type JsonObject = Vec<(String, Value)>;

/// The claims as found in a token: each may be missing, but those present have the right type.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct FoundClaims {
    /// `iss`
    pub iss: Option<String>,
    /// `aud`
    pub aud: Option<String>,
    /// `sub` (the API key: masked in `Debug`)
    pub sub: Option<String>,
    /// `method`
    pub method: Option<String>,
    /// `uri`
    pub uri: Option<String>,
    /// `bodyHash`
    pub body_hash: Option<String>,
    /// `iat`
    pub iat: Option<u64>,
    /// `exp`
    pub exp: Option<u64>,
    /// `jti`
    pub jti: Option<String>,
}

impl fmt::Debug for FoundClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FoundClaims")
            .field("iss", &self.iss)
            .field("aud", &self.aud)
            .field("sub", &self.sub.as_deref().map(crate::secret::mask_secret))
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("bodyHash", &self.body_hash)
            .field("iat", &self.iat)
            .field("exp", &self.exp)
            .field("jti", &self.jti)
            .finish()
    }
}

impl FoundClaims {
    /// Names of the claims that are absent, in contract order.
    pub fn missing(&self) -> Vec<&'static str> {
        let present = [
            self.iss.is_some(),
            self.aud.is_some(),
            self.sub.is_some(),
            self.method.is_some(),
            self.uri.is_some(),
            self.body_hash.is_some(),
            self.iat.is_some(),
            self.exp.is_some(),
            self.jti.is_some(),
        ];
        CLAIM_NAMES
            .iter()
            .zip(present)
            .filter(|(_, p)| !p)
            .map(|(n, _)| *n)
            .collect()
    }
}

/// A token split and decoded, nothing verified.
#[derive(Clone)]
pub struct DecodedToken {
    /// Header parameters, unique keys, in document order.
    pub header: JsonObject,
    /// Payload members, unique keys, in document order.
    pub payload: JsonObject,
    /// The nine claims, typed.
    pub claims: FoundClaims,
    /// The raw payload JSON (for showing how it was serialized).
    pub payload_json: String,
    signing_input_len: usize,
    signature: Vec<u8>,
}

impl fmt::Debug for DecodedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedToken")
            .field("header", &self.header)
            .field("claims", &self.claims)
            .finish()
    }
}

fn malformed(message: impl Into<String>) -> VerifyError {
    VerifyError::new(AuthCode::TokenMalformed, message)
}

/// Checks the compact form (`AUTH_INVALID_HEADER`): three non-empty base64url segments.
pub fn check_compact_form(token: &str) -> Result<(), VerifyError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(VerifyError::new(
            AuthCode::InvalidHeader,
            format!(
                "the token is {} bytes, over the {MAX_TOKEN_BYTES}-byte limit",
                token.len()
            ),
        ));
    }
    // Two passes without allocation and without a branch per byte: every byte is in the
    // base64url alphabet or a dot (folded 32 bytes at a time), then the dots are found with
    // memchr. The byte-at-a-time loop with a table it replaces was still 1.1% of `serve`'s CPU
    // per request (issue 16 profile); this form took 273-311 ns against 379-428 ns for a 680-byte
    // token (standalone `rustc -O` loop, shared machine, the dots found there without memchr).
    let bytes = token.as_bytes();
    let all_allowed = bytes.chunks(32).all(|chunk| {
        chunk
            .iter()
            .fold(true, |ok, &b| ok & is_base64url_or_dot(b))
    });
    let mut dots = memchr::memchr_iter(b'.', bytes);
    let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(not_compact());
    };
    // Three segments, none empty.
    if !all_allowed || first == 0 || second == first + 1 || second + 1 == bytes.len() {
        return Err(not_compact());
    }
    Ok(())
}

/// The base64url alphabet (RFC 4648 §5; no padding `=`) and the segment separator `.`, as
/// comparisons rather than a table so that a loop over them vectorizes.
fn is_base64url_or_dot(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'
}

fn not_compact() -> VerifyError {
    VerifyError::new(
        AuthCode::InvalidHeader,
        "the token is not three base64url segments (header.payload.signature, no padding)",
    )
}

/// Decodes a token (`AUTH_INVALID_HEADER` unless it passes [`check_compact_form`],
/// `AUTH_TOKEN_MALFORMED` when a segment or its JSON is not valid).
pub fn decode_token(token: &str) -> Result<DecodedToken, VerifyError> {
    check_compact_form(token)?;
    decode_checked_token(token)
}

/// [`decode_token`] for a token the caller has just passed through [`check_compact_form`]: the
/// verifier checks the form first (before the API key, §6 order) and does not pay for it twice
/// (the check was about 3% of `serve`'s CPU per request when it ran twice). A token that is not
/// in compact form still gets an error here (a segment that does not decode), never a panic.
pub(crate) fn decode_checked_token(token: &str) -> Result<DecodedToken, VerifyError> {
    let mut segments = token.split('.');
    let (h, p, s) = (
        segments.next().unwrap_or(""),
        segments.next().unwrap_or(""),
        segments.next().unwrap_or(""),
    );
    let decode = |what: &str, seg: &str| {
        URL_SAFE_NO_PAD
            .decode(seg)
            .map_err(|_| malformed(format!("the token {what} is not valid base64url")))
    };
    let header_bytes = decode("header", h)?;
    let payload_bytes = decode("payload", p)?;
    let signature = decode("signature", s)?;
    let header = parse_unique_object(&header_bytes)
        .map_err(|e| malformed(format!("the token header {e}")))?;
    let payload = parse_unique_object(&payload_bytes)
        .map_err(|e| malformed(format!("the token payload {e}")))?;
    let claims = typed_claims(&payload)?;
    Ok(DecodedToken {
        header,
        payload,
        claims,
        // serde_json has just parsed these bytes, so they are UTF-8: moved, not copied (the
        // lossy conversion, a copy and a slower scan, showed in `serve`'s profile).
        payload_json: String::from_utf8(payload_bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        signing_input_len: h.len() + 1 + p.len(),
        signature,
    })
}

impl DecodedToken {
    /// `AUTH_UNSUPPORTED_ALG` unless `alg` is exactly `"RS256"` and no extension is demanded.
    pub fn check_algorithm(&self) -> Result<(), VerifyError> {
        let get = |k: &str| {
            self.header
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v)
        };
        match get("alg") {
            Some(Value::String(alg)) if alg == "RS256" => {}
            Some(other) => {
                return Err(VerifyError::new(
                    AuthCode::UnsupportedAlg,
                    format!("the token's alg is {other}; Nuvera accepts only \"RS256\""),
                ))
            }
            None => {
                return Err(VerifyError::new(
                    AuthCode::UnsupportedAlg,
                    "the token header has no alg",
                ))
            }
        }
        if let Some(crit) = get("crit") {
            return Err(VerifyError::new(
                AuthCode::UnsupportedAlg,
                format!(
                    "the token header demands extensions {crit} (crit), which are not supported"
                ),
            ));
        }
        Ok(())
    }

    /// The bytes the signature covers (`header.payload` of `token`).
    pub fn signing_input<'t>(&self, token: &'t str) -> &'t [u8] {
        &token.as_bytes()[..self.signing_input_len.min(token.len())]
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The `alg` header value, if it is a string.
    pub fn alg(&self) -> Option<&str> {
        self.header
            .iter()
            .find(|(k, _)| k == "alg")
            .and_then(|(_, v)| v.as_str())
    }
}

/// Types the nine claims of a payload (`AUTH_TOKEN_MALFORMED` for a wrong type).
pub fn typed_claims(payload: &JsonObject) -> Result<FoundClaims, VerifyError> {
    let mut claims = FoundClaims::default();
    for (name, value) in payload {
        let string = |v: &Value| -> Result<Option<String>, VerifyError> {
            v.as_str()
                .map(|s| Some(s.to_owned()))
                .ok_or_else(|| malformed(format!("the claim {name} must be a string, not {v}")))
        };
        let integer = |v: &Value| -> Result<Option<u64>, VerifyError> {
            // `as_u64` is None for floats (1.0, 1e3) and negatives: both are refused.
            v.as_u64().map(Some).ok_or_else(|| {
                malformed(format!(
                    "the claim {name} must be a non-negative integer of seconds, not {v}"
                ))
            })
        };
        match name.as_str() {
            "iss" => claims.iss = string(value)?,
            "aud" => claims.aud = string(value)?,
            "sub" => claims.sub = string(value)?,
            "method" => claims.method = string(value)?,
            "uri" => claims.uri = string(value)?,
            "bodyHash" => claims.body_hash = string(value)?,
            "jti" => claims.jti = string(value)?,
            "iat" => claims.iat = integer(value)?,
            "exp" => claims.exp = integer(value)?,
            _ => {}
        }
    }
    if let Some(problem) = claims.jti.as_deref().and_then(crate::jwt::jti_problem) {
        return Err(malformed(problem));
    }
    Ok(claims)
}

/// Parses a JSON object, refusing duplicate keys (which parsers resolve differently, so a token
/// with them could mean one thing here and another elsewhere) and trailing data.
pub fn parse_unique_object(bytes: &[u8]) -> Result<JsonObject, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let object = UniqueObject
        .deserialize(&mut de)
        .map_err(|e| format!("is not a JSON object with unique keys ({e})"))?;
    de.end()
        .map_err(|_| "has data after its JSON object".to_owned())?;
    Ok(object)
}

struct UniqueObject;

impl<'de> DeserializeSeed<'de> for UniqueObject {
    type Value = JsonObject;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<JsonObject, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for UniqueObject {
    type Value = JsonObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonObject, A::Error> {
        let mut entries: JsonObject = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(serde::de::Error::custom(format!("duplicate key {key:?}")));
            }
            let value: Value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_form_is_three_non_empty_base64url_segments() {
        for good in ["a.b.c", "AZaz09-_.x.y", "eyJh.eyJp.c2ln"] {
            assert!(check_compact_form(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a.b",
            "a.b.c.d",
            ".b.c",
            "a..c",
            "a.b.",
            "a.b.c.",
            "a.b.c=",
            "a+b.c.d",
            "a/b.c.d",
            "a.b.c ",
            " a.b.c",
            "a.b.\u{e9}",
            "a.b.c\n",
        ] {
            let error = check_compact_form(bad).unwrap_err();
            assert_eq!(error.code(), AuthCode::InvalidHeader, "{bad:?}");
        }
    }

    #[test]
    fn unique_objects_only() {
        assert_eq!(
            parse_unique_object(br#"{"a":1,"b":{"a":2}}"#)
                .unwrap()
                .len(),
            2
        );
        assert!(parse_unique_object(br#"{"a":1,"a":2}"#).is_err());
        assert!(parse_unique_object(br#"[1]"#).is_err());
        assert!(parse_unique_object(br#"{"a":1} x"#).is_err());
        assert!(parse_unique_object(b"{\"a\":\"\xff\"}").is_err());
    }
}
