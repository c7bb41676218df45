//! How a client knows that a response refused its token for the clock: status 401 and a §6 body
//! whose first error code is `AUTH_TOKEN_EXPIRED` or `AUTH_TOKEN_NOT_YET_VALID`.

use crate::verify::AuthCode;

/// Largest response body the policy reads; a bigger one is not a §6 refusal.
pub const MAX_REFUSAL_BODY_BYTES: usize = 64 * 1024;

/// The clock refusal a response carries, if any: status 401 and a JSON body
/// `{"errors":[{"code":"AUTH_TOKEN_EXPIRED" | "AUTH_TOKEN_NOT_YET_VALID", …}, …]}` (the first
/// error decides, as the verifier reports its first failing rule first). Anything else (another
/// status, another code, a body that is not that JSON or is over 64 KiB) is `None`.
pub fn clock_refusal(status: u16, body: &[u8]) -> Option<AuthCode> {
    if status != 401 || body.len() > MAX_REFUSAL_BODY_BYTES {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let code = value.get("errors")?.get(0)?.get("code")?.as_str()?;
    [AuthCode::TokenExpired, AuthCode::TokenNotYetValid]
        .into_iter()
        .find(|c| c.as_str() == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_401_with_a_clock_code_first_is_a_clock_refusal() {
        let expired = br#"{"errors":[{"code":"AUTH_TOKEN_EXPIRED","message":"m"}]}"#;
        assert_eq!(clock_refusal(401, expired), Some(AuthCode::TokenExpired));
        assert_eq!(
            clock_refusal(401, br#"{"errors":[{"code":"AUTH_TOKEN_NOT_YET_VALID"}]}"#),
            Some(AuthCode::TokenNotYetValid)
        );
        assert_eq!(clock_refusal(403, expired), None);
        assert_eq!(
            clock_refusal(
                401,
                br#"{"errors":[{"code":"AUTH_SIGNATURE_MISMATCH"},{"code":"AUTH_TOKEN_EXPIRED"}]}"#
            ),
            None
        );
        assert_eq!(clock_refusal(401, b"AUTH_TOKEN_EXPIRED"), None);
        assert_eq!(clock_refusal(401, br#"{"errors":[]}"#), None);
        assert_eq!(
            clock_refusal(401, br#"{"code":"AUTH_TOKEN_EXPIRED"}"#),
            None
        );
    }
}
