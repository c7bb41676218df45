//! `explain`: decode a token without the private key, re-derive every claim from the request as
//! it was sent, and say which rule fails, in which of the four areas, and what to change.

mod bundle;
mod observe;

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::body_hash::BodyHash;
use crate::error::Result;
use crate::jwt::{DEFAULT_AUDIENCE, DEFAULT_ISSUER};
use crate::key::PublicKey;
use crate::method::normalize_method;
use crate::secret::mask_secret;
use crate::signer::MAX_LIFETIME_SECS;
use crate::uri::request_uri;
use crate::verify::token::{decode_token, FoundClaims};
use crate::verify::{AuthCode, FailureArea, DEFAULT_CLOCK_SKEW_SECS};

pub use bundle::OptionalSupportBundle;
pub use bundle::{BundleRequest, BundleResponse, SupportBundle, SUPPORT_BUNDLE_FORMAT};
pub use observe::{observe_body, BodyObservation};

/// The request as it was sent.
pub struct SentRequest<'a> {
    /// Method as sent.
    pub method: &'a str,
    /// Absolute URL or request target as sent.
    pub url: &'a str,
    /// The `x-api-key` header as sent, if known.
    pub api_key: Option<&'a str>,
    /// Content-Type as sent (decides plain vs multipart hashing).
    pub content_type: Option<&'a str>,
    /// The body as sent (empty for none).
    pub body: &'a mut dyn Read,
}

/// What `explain` checks against.
#[derive(Clone, Debug)]
pub struct ExplainOptions {
    /// Expected `iss`.
    pub issuer: String,
    /// Expected `aud`.
    pub audience: String,
    /// When given, the signature is checked too.
    pub public_key: Option<PublicKey>,
    /// When given, `iat`/`exp` are checked against this time (Unix seconds).
    pub now: Option<u64>,
    /// Allowed clock difference.
    pub clock_skew_secs: u32,
    /// `jti`s already used (e.g. from earlier requests' bundles): reuse is reported.
    pub seen_jtis: Vec<String>,
}

/// What a binding received for [`ExplainOptions::from_optional`]: every field optional.
#[derive(Clone, Debug, Default)]
pub struct OptionalExplainOptions<'a> {
    /// Expected `iss` (default `nuvera-api`).
    pub issuer: Option<&'a str>,
    /// Expected `aud` (default `nuvera-rest-api`).
    pub audience: Option<&'a str>,
    /// A public key PEM to check the signature against.
    pub public_key_pem: Option<&'a [u8]>,
    /// Unix seconds to check `iat`/`exp` against (negative is `INVALID_ARGUMENT`).
    pub now: Option<i64>,
    /// Allowed clock difference, 0..=60 s (default 5).
    pub clock_skew_secs: Option<i64>,
    /// `jti`s already used.
    pub seen_jtis: Vec<String>,
}

impl ExplainOptions {
    /// Options from what a binding received, each `None` taking its default and each value
    /// checked as the verifier checks it; the one place every language's `explain` and support
    /// bundle merge them.
    pub fn from_optional(given: OptionalExplainOptions<'_>) -> Result<Self> {
        let verifier = crate::verify::VerifierOptions::from_optional(
            given.issuer,
            given.audience,
            given.clock_skew_secs,
        )?;
        let now = given
            .now
            .map(|n| crate::signer::given_unix_seconds(n, "now"))
            .transpose()?;
        Ok(ExplainOptions {
            issuer: verifier.issuer,
            audience: verifier.audience,
            public_key: given.public_key_pem.map(PublicKey::from_pem).transpose()?,
            now,
            clock_skew_secs: verifier.clock_skew_secs,
            seen_jtis: given.seen_jtis,
        })
    }
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            issuer: DEFAULT_ISSUER.to_owned(),
            audience: DEFAULT_AUDIENCE.to_owned(),
            public_key: None,
            now: None,
            clock_skew_secs: DEFAULT_CLOCK_SKEW_SECS,
            seen_jtis: Vec::new(),
        }
    }
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The code Nuvera answers with.
    pub code: AuthCode,
    /// Which of the four areas.
    pub area: FailureArea,
    /// The value in the token, if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<String>,
    /// The value derived from the request as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<String>,
    /// What went wrong.
    pub diagnosis: String,
    /// What to change.
    pub fix: String,
}

impl Finding {
    fn new(
        rule: AuthCode,
        signed: Option<String>,
        sent: Option<String>,
        diagnosis: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Finding {
            code: rule,
            area: rule.area(),
            signed,
            sent,
            diagnosis: diagnosis.into(),
            fix: fix.into(),
        }
    }
}

/// The state of the signature check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureCheck {
    /// No public key was given.
    NotChecked,
    /// Verified under the key with this fingerprint.
    Verified(String),
    /// Does not verify under the given key.
    Mismatch,
}

/// The outcome of `explain`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The decoded token header, if it decodes.
    pub header: Option<serde_json::Value>,
    /// The decoded claims with `sub` masked, if they decode.
    pub claims: Option<serde_json::Value>,
    /// Signature state.
    pub signature: SignatureCheck,
    /// Broken rules, in the order Nuvera checks them.
    pub findings: Vec<Finding>,
    /// Remarks that are not failures (e.g. a jti that is not a UUID).
    pub notes: Vec<String>,
    /// The code Nuvera would answer with, if any rule fails.
    pub verdict: Option<AuthCode>,
}

impl Report {
    /// True when no rule fails.
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }

    /// The report as pretty JSON (claims with `sub` masked), the one shape every binding returns.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializing a report cannot fail")
    }

    /// A report for humans.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(claims) = &self.claims {
            let get = |k: &str| {
                claims
                    .get(k)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "(missing)".into())
            };
            out.push_str(&format!(
                "token: alg {}, iat {}, exp {}, jti {}, sub {}\n",
                self.header
                    .as_ref()
                    .and_then(|h| h.get("alg"))
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "(none)".into()),
                get("iat"),
                get("exp"),
                get("jti"),
                get("sub"),
            ));
        }
        out.push_str(&match &self.signature {
            SignatureCheck::NotChecked => {
                "signature: not checked (pass the public key to check it)\n".to_owned()
            }
            SignatureCheck::Verified(fp) => format!("signature: verifies under {fp}\n"),
            SignatureCheck::Mismatch => {
                "signature: DOES NOT VERIFY under the given public key\n".to_owned()
            }
        });
        for f in &self.findings {
            out.push_str(&format!("\n✗ {} [{}]\n", f.code, f.area.as_str()));
            if let Some(signed) = &f.signed {
                out.push_str(&format!("    signed: {signed}\n"));
            }
            if let Some(sent) = &f.sent {
                out.push_str(&format!("    sent:   {sent}\n"));
            }
            out.push_str(&format!(
                "    why:    {}\n    fix:    {}\n",
                f.diagnosis, f.fix
            ));
        }
        for note in &self.notes {
            out.push_str(&format!("\nnote: {note}\n"));
        }
        out.push_str(&match self.verdict {
            None => "\nverdict: every rule the request controls holds; if Nuvera still refuses it, check the API key's state and the application's permissions.\n".to_owned(),
            Some(code) => format!("\nverdict: Nuvera would refuse this request with {code}.\n"),
        });
        out
    }
}

/// Explains `token` against the request as sent.
pub fn explain(request: SentRequest<'_>, token: &str, options: &ExplainOptions) -> Result<Report> {
    let observed_body = observe_body(request.content_type, request.body)?;
    let sent = Observed {
        method: request.method.to_owned(),
        uri: request_uri(request.url).map_err(|e| e.message().to_owned()),
        body: Some(observed_body),
        body_hash: None,
        api_key: request.api_key.map(str::to_owned),
        api_key_last4: None,
    };
    Ok(explain_observed(
        token_parts(token, options),
        &sent,
        options,
    ))
}

/// What the request carried, as far as it is known.
pub(crate) struct Observed {
    pub method: String,
    pub uri: std::result::Result<String, String>,
    pub body: Option<BodyObservation>,
    /// When the body itself is not available (support bundles): its hash as computed then.
    pub body_hash: Option<String>,
    pub api_key: Option<String>,
    /// When the key itself is not available (support bundles): its masked form.
    pub api_key_last4: Option<String>,
}

/// A token taken apart: decoded parts, or the finding that stops there.
pub(crate) struct TokenParts {
    header: Option<serde_json::Value>,
    claims: Option<FoundClaims>,
    signature: SignatureCheck,
    early: Vec<Finding>,
}

pub(crate) fn token_parts(token: &str, options: &ExplainOptions) -> TokenParts {
    let token = token.trim().strip_prefix("Bearer ").unwrap_or(token.trim());
    let decoded = match decode_token(token) {
        Ok(d) => d,
        Err(e) => {
            let fix = "send `Authorization: Bearer <header>.<payload>.<signature>`, each part base64url without padding, header and payload compact JSON objects";
            return TokenParts {
                header: None,
                claims: None,
                signature: SignatureCheck::NotChecked,
                early: vec![Finding::new(e.code(), None, None, e.message(), fix)],
            };
        }
    };
    let header = serde_json::Value::Object(decoded.header.iter().cloned().collect());
    let mut early = Vec::new();
    if let Err(e) = decoded.check_algorithm() {
        early.push(Finding::new(
            e.code(),
            decoded.alg().map(str::to_owned),
            Some("RS256".into()),
            e.message(),
            "sign with RS256 (RSASSA-PKCS1-v1_5, SHA-256) and the header {\"alg\":\"RS256\",\"typ\":\"JWT\"}",
        ));
    }
    let signature = match &options.public_key {
        None => SignatureCheck::NotChecked,
        Some(key) if key.verify_rs256(decoded.signing_input(token), decoded.signature()) => {
            SignatureCheck::Verified(key.fingerprint())
        }
        Some(_) => {
            early.push(Finding::new(
                AuthCode::SignatureMismatch,
                None,
                None,
                "the signature does not verify under the given public key: the token was signed with another private key, or changed after signing",
                "sign with the private key whose public key is registered with Nuvera (compare `nuvera-sign public-key` fingerprints)",
            ));
            SignatureCheck::Mismatch
        }
    };
    TokenParts {
        header: Some(header),
        claims: Some(decoded.claims),
        signature,
        early,
    }
}

pub(crate) fn explain_observed(
    parts: TokenParts,
    sent: &Observed,
    options: &ExplainOptions,
) -> Report {
    let mut findings = parts.early;
    let mut notes = Vec::new();
    let claims_json = parts.claims.as_ref().map(masked_claims_json);
    if let Some(claims) = &parts.claims {
        check_claims(claims, sent, options, &mut findings, &mut notes);
    }
    if let Some(body) = &sent.body {
        notes.extend(
            body.multipart_notes
                .iter()
                .map(|n| format!("multipart: {n}")),
        );
    }
    findings.sort_by_key(|f| f.code);
    Report {
        header: parts.header,
        claims: claims_json,
        signature: parts.signature,
        verdict: findings.first().map(|f| f.code),
        findings,
        notes,
    }
}

fn masked_claims_json(c: &FoundClaims) -> serde_json::Value {
    serde_json::json!({
        "iss": c.iss, "aud": c.aud, "sub": c.sub.as_deref().map(mask_secret), "method": c.method, "uri": c.uri,
        "bodyHash": c.body_hash, "iat": c.iat, "exp": c.exp, "jti": c.jti,
    })
}

fn check_claims(
    c: &FoundClaims,
    sent: &Observed,
    options: &ExplainOptions,
    findings: &mut Vec<Finding>,
    notes: &mut Vec<String>,
) {
    let missing = c.missing();
    if !missing.is_empty() {
        findings.push(Finding::new(
            AuthCode::MissingClaim,
            None,
            None,
            format!("the token lacks {}", missing.join(", ")),
            "include all nine claims: iss, aud, sub, method, uri, bodyHash, iat, exp, jti",
        ));
    }
    for (code, name, signed, expected) in [
        (AuthCode::InvalidIssuer, "iss", &c.iss, &options.issuer),
        (AuthCode::InvalidAudience, "aud", &c.aud, &options.audience),
    ] {
        if let Some(signed) = signed.as_ref().filter(|s| *s != expected) {
            findings.push(Finding::new(
                code,
                Some(signed.clone()),
                Some(expected.clone()),
                format!("{name} is {signed:?}; Nuvera expects {expected:?}"),
                format!("set {name} to {expected:?}"),
            ));
        }
    }
    check_subject(c, sent, findings);
    check_method(c, sent, findings);
    check_uri(c, sent, findings);
    check_body_hash(c, sent, findings);
    check_times(c, options, findings);
    if let Some(jti) = &c.jti {
        if options.seen_jtis.iter().any(|seen| seen == jti) {
            findings.push(Finding::new(
                AuthCode::ReplayedJti,
                Some(jti.clone()),
                None,
                "this jti was already used by an earlier request: a token (or its jti) is being reused",
                "sign every request, and every retry, anew: each token gets a fresh UUID v4 jti",
            ));
        } else if uuid::Uuid::parse_str(jti)
            .map(|u| u.get_version_num() != 4)
            .unwrap_or(true)
        {
            notes.push(format!(
                "jti {jti:?} is not a UUID v4; if it is not fresh for every request, every request after the first is refused with AUTH_REPLAYED_JTI"
            ));
        }
    }
}

fn check_subject(c: &FoundClaims, sent: &Observed, findings: &mut Vec<Finding>) {
    let Some(sub) = &c.sub else { return };
    let mismatch = match (&sent.api_key, &sent.api_key_last4) {
        (Some(key), _) => !bool::from(subtle::ConstantTimeEq::ct_eq(
            sub.as_bytes(),
            key.as_bytes(),
        )),
        (None, Some(masked)) => mask_secret(sub) != *masked,
        (None, None) => false,
    };
    if !mismatch {
        return;
    }
    let sent_key = sent
        .api_key
        .as_deref()
        .map(mask_secret)
        .or(sent.api_key_last4.clone());
    let diagnosis = match &sent.api_key {
        Some(key) if key.trim() == sub.trim() => "sub and x-api-key differ only in surrounding whitespace (a copied line break?)",
        Some(key) if key.eq_ignore_ascii_case(sub) => "sub and x-api-key differ in letter case",
        _ => "sub is not the API key sent in x-api-key (a key from another application or environment?)",
    };
    findings.push(Finding::new(
        AuthCode::SubjectMismatch,
        Some(mask_secret(sub)),
        sent_key,
        diagnosis,
        "set sub to exactly the x-api-key value, from the same variable",
    ));
}

fn check_method(c: &FoundClaims, sent: &Observed, findings: &mut Vec<Finding>) {
    let Some(method) = &c.method else { return };
    if *method == sent.method {
        return;
    }
    let normalized = normalize_method(&sent.method).unwrap_or_else(|_| sent.method.clone());
    let diagnosis = if method.eq_ignore_ascii_case(&sent.method) {
        format!(
            "the method's case differs: signed {method:?}, sent {:?}",
            sent.method
        )
    } else {
        format!(
            "the token was signed for {method} but the request was sent as {}",
            sent.method
        )
    };
    findings.push(Finding::new(
        AuthCode::MethodMismatch,
        Some(method.clone()),
        Some(sent.method.clone()),
        diagnosis,
        format!("sign the method you send, upper-cased: {normalized:?}"),
    ));
}

fn check_uri(c: &FoundClaims, sent: &Observed, findings: &mut Vec<Finding>) {
    let Some(signed) = &c.uri else { return };
    let actual = match &sent.uri {
        Ok(u) => u,
        Err(e) => {
            findings.push(Finding::new(
                AuthCode::UriMismatch,
                Some(signed.clone()),
                None,
                format!("the request URL cannot be signed: {e}"),
                "send to an absolute http(s) URL or a target starting with /",
            ));
            return;
        }
    };
    if signed == actual {
        return;
    }
    findings.push(Finding::new(
        AuthCode::UriMismatch,
        Some(signed.clone()),
        Some(actual.clone()),
        uri_diagnosis(signed, actual),
        "sign `pathname + search` of the URL exactly as it is sent (nuvera-sign uri URL prints it)",
    ));
}

fn split_query(uri: &str) -> (&str, Option<&str>) {
    match uri.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (uri, None),
    }
}

fn uri_diagnosis(signed: &str, actual: &str) -> String {
    if signed.starts_with("http://") || signed.starts_with("https://") || signed.starts_with("//") {
        if request_uri(signed).is_ok_and(|u| u == actual) {
            return "the signed uri includes the scheme and host; Nuvera signs only path and query"
                .into();
        }
        return "the signed uri includes a scheme and host, and its path or query differ too"
            .into();
    }
    if !signed.starts_with('/') {
        return "the signed uri does not start with /".into();
    }
    let (signed_path, signed_query) = split_query(signed);
    let (actual_path, actual_query) = split_query(actual);
    if let Some(fragment_free) = signed.split_once('#').map(|(u, _)| u) {
        if fragment_free == actual {
            return "the signed uri includes the #fragment, which is never sent".into();
        }
    }
    if signed_path == actual_path {
        let signed_query = signed_query.unwrap_or("");
        let actual_query = actual_query.unwrap_or("");
        if signed_query.is_empty() && actual_query.is_empty() {
            return "the signed uri ends in an empty `?`; an empty query is signed without it"
                .into();
        }
        let mut s: Vec<&str> = signed_query.split('&').collect();
        let mut a: Vec<&str> = actual_query.split('&').collect();
        s.sort_unstable();
        a.sort_unstable();
        if s == a {
            return "the query parameters are the same but in a different order; the order signed must be the order sent".into();
        }
        if percent_decode_lossy(signed_query) == percent_decode_lossy(actual_query) {
            return "the query is encoded differently (percent-encoding or `+` vs `%20`); sign the exact encoding sent".into();
        }
        return "the query differs".into();
    }
    if percent_decode_lossy(signed_path) == percent_decode_lossy(actual_path) {
        return "the path is percent-encoded differently; sign the path exactly as sent".into();
    }
    if signed_path.trim_end_matches('/') == actual_path.trim_end_matches('/') {
        return "the paths differ in a trailing slash".into();
    }
    "the path differs (a redirect, a base path, or another endpoint?)".into()
}

fn percent_decode_lossy(s: &str) -> String {
    let bytes = s.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn check_body_hash(c: &FoundClaims, sent: &Observed, findings: &mut Vec<Finding>) {
    let Some(signed) = &c.body_hash else { return };
    let actual = match (&sent.body, &sent.body_hash) {
        (Some(body), _) => match &body.hash {
            Ok(h) => h.as_str().to_owned(),
            Err(e) => {
                findings.push(Finding::new(
                    AuthCode::BodyHashMismatch,
                    Some(signed.clone()),
                    None,
                    format!("the multipart body cannot be parsed, so Nuvera cannot hash it: {e}"),
                    "send a well-formed multipart/form-data body whose boundary matches the Content-Type",
                ));
                return;
            }
        },
        (None, Some(h)) => h.clone(),
        (None, None) => return,
    };
    if *signed == actual {
        return;
    }
    let diagnosis = body_diagnosis(signed, &actual, sent.body.as_ref());
    let fix = if sent.body.as_ref().is_some_and(|b| b.multipart.is_some()) {
        "hash the multipart canonical object, not the stream (MultipartForm / multipart_body_hash do it)"
    } else {
        "hash exactly the bytes you send: serialize the body once, sign those bytes, send those bytes"
    };
    findings.push(Finding::new(
        AuthCode::BodyHashMismatch,
        Some(signed.clone()),
        Some(actual),
        diagnosis,
        fix,
    ));
}

fn body_diagnosis(signed: &str, actual: &str, body: Option<&BodyObservation>) -> String {
    if signed.eq_ignore_ascii_case(actual) {
        return "the bodyHash is upper-case hex; it must be lower-case".into();
    }
    if base64_of_hex(actual).is_some_and(|b64| [b64.0.as_str(), b64.1.as_str()].contains(&signed)) {
        return "the bodyHash is base64; it must be lower-case hex".into();
    }
    let Some(body) = body else {
        return "the body hashed when signing is not the body that was sent".into();
    };
    if body.multipart.is_some() && body.raw_sha256.as_str() == signed {
        return "the raw multipart stream was hashed; a multipart bodyHash is the hash of the canonical object (fields and file summaries, sorted)".into();
    }
    if body.multipart.is_some() && !body.multipart_notes.is_empty() {
        let rules: Vec<String> = body.multipart_notes.iter().map(|n| n.to_string()).collect();
        return format!(
            "the signed hash is not that of the form as the server reads it; its reading changed this form: {}",
            rules.join("; ")
        );
    }
    if signed == BodyHash::empty().as_str() && body.size > 0 {
        return format!("an empty body was signed but {} bytes were sent", body.size);
    }
    if body.size == 0 {
        return "a body was signed but none was sent".into();
    }
    if let Some((label, _)) = body
        .json_variants
        .iter()
        .find(|(_, h)| h.as_str() == signed)
    {
        return format!("the signed hash is that of the same JSON as {label}; the bytes sent are serialized differently");
    }
    "the signed hash matches neither the body sent nor its usual re-serializations: the body changed between signing and sending".into()
}

/// Standard and URL-safe base64 of the digest whose hex is `hex`.
fn base64_of_hex(hex: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    let bytes: Option<Vec<u8>> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    let bytes = bytes?;
    Some((
        base64::engine::general_purpose::STANDARD.encode(&bytes),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes),
    ))
}

fn check_times(c: &FoundClaims, options: &ExplainOptions, findings: &mut Vec<Finding>) {
    let (Some(iat), Some(exp)) = (c.iat, c.exp) else {
        return;
    };
    if exp <= iat || exp - iat > u64::from(MAX_LIFETIME_SECS) {
        findings.push(Finding::new(
            AuthCode::LifetimeTooLong,
            Some(format!("exp - iat = {} s", exp as i128 - iat as i128)),
            Some("1..=60 s".into()),
            "the token's lifetime is outside 1..=60 s",
            "set exp = iat + 55 (at most iat + 60)",
        ));
    }
    let Some(now) = options.now else { return };
    let skew = u64::from(options.clock_skew_secs);
    if iat > now.saturating_add(skew) {
        findings.push(Finding::new(
            AuthCode::TokenNotYetValid,
            Some(format!("iat {iat}")),
            Some(format!("now {now}")),
            format!(
                "iat is {} s in the future: the signing machine's clock is ahead",
                iat - now
            ),
            "synchronize the clock (NTP) of the machine that signs",
        ));
    }
    if now >= exp.saturating_add(skew) {
        findings.push(Finding::new(
            AuthCode::TokenExpired,
            Some(format!("exp {exp}")),
            Some(format!("now {now}")),
            format!("the token expired {} s before it was checked: reused, sent late, or the clock is behind", now - exp),
            "sign each request immediately before sending it; never cache tokens",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_diagnoses_name_the_mistake() {
        assert!(uri_diagnosis("/x?b=2&a=1", "/x?a=1&b=2").contains("different order"));
        assert!(uri_diagnosis("https://api.nuvera.global/x", "/x").contains("scheme and host"));
        assert!(uri_diagnosis("/x?q=a%20b", "/x?q=a+b").contains("encoded differently"));
        assert!(uri_diagnosis("/x?", "/x").contains("empty `?`"));
        assert!(uri_diagnosis("/x/", "/x").contains("trailing slash"));
        assert!(uri_diagnosis("/x#top", "/x").contains("fragment"));
    }
}
