//! Support bundles (contract §7): everything Nuvera support asks for about one refused request,
//! and no secret — no API key (masked), no token (decoded claims with `sub` masked, its SHA-256),
//! no private key, no file bytes.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::explain::observe::observe_body;
use crate::explain::{
    explain_observed, token_parts, ExplainOptions, Observed, Report, SentRequest, SignatureCheck,
    TokenParts,
};
use crate::multipart::CanonicalForm;
use crate::proof::token_fingerprint;
use crate::secret::mask_secret;
use crate::signer::{API_KEY_HEADER, AUTHORIZATION_HEADER};
use crate::uri::request_uri;
use crate::verify::token::typed_claims;
use crate::verify::{required_permission, AuthCode};

/// Format marker.
pub const SUPPORT_BUNDLE_FORMAT: &str = "nuvera-support-bundle/1";

/// Response bodies are kept up to this size.
const MAX_RESPONSE_BODY: usize = 64 * 1024;

/// Header names whose values are never copied into a bundle.
const SECRET_HEADER_HINTS: [&str; 6] = [
    "cookie",
    "authorization",
    "secret",
    "token",
    "password",
    "key",
];

/// The request part of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleRequest {
    /// Method as sent.
    pub method: String,
    /// Scheme, host and port the request went to (no user info), when an absolute URL was given.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub origin: Option<String>,
    /// The request target, as signed rules derive it.
    pub uri: String,
    /// Headers as sent, secrets masked (`x-api-key` to its last four characters, `Authorization`
    /// without its token).
    pub headers: Vec<(String, String)>,
    /// Content-Type as sent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub content_type: Option<String>,
    /// Body size in bytes.
    pub body_size: u64,
    /// The body's `bodyHash` as a server computes it (or the parse error).
    pub body_hash: String,
    /// For multipart bodies, the canonical object (names, sizes, hashes; no file bytes).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub multipart: Option<CanonicalForm>,
}

/// The response part of a bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleResponse {
    /// HTTP status.
    pub status: u16,
    /// Response body (truncated to 64 KiB).
    pub body: String,
    /// `errors[0].code` of the body, when it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
}

impl BundleResponse {
    /// From a status and a raw response body.
    pub fn new(status: u16, body: &[u8]) -> Self {
        let code = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v["errors"][0]["code"].as_str().map(str::to_owned));
        let kept = &body[..body.len().min(MAX_RESPONSE_BODY)];
        BundleResponse {
            status,
            body: String::from_utf8_lossy(kept).into_owned(),
            code,
        }
    }
}

/// What the bundle keeps of the token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleToken {
    /// The decoded header.
    pub header: Option<serde_json::Value>,
    /// The decoded claims, `sub` masked.
    pub claims: Option<serde_json::Value>,
    /// SHA-256 of the whole token, to match it against server logs.
    pub sha256: String,
}

/// `headers` with `x-api-key` and `Authorization` added when missing (names compared without case).
fn with_signing_headers<'a>(
    headers: &[(&'a str, &'a str)],
    api_key: Option<&'a str>,
    token: &str,
) -> Vec<(std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)> {
    use std::borrow::Cow;
    let mut all: Vec<(Cow<'a, str>, Cow<'a, str>)> = headers
        .iter()
        .map(|(n, v)| (Cow::Borrowed(*n), Cow::Borrowed(*v)))
        .collect();
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    if let (false, Some(key)) = (has(API_KEY_HEADER), api_key) {
        all.push((Cow::Borrowed(API_KEY_HEADER), Cow::Borrowed(key)));
    }
    if !has(AUTHORIZATION_HEADER) {
        let bare = token.trim();
        let bare = bare.strip_prefix("Bearer ").unwrap_or(bare);
        all.push((
            Cow::Borrowed(AUTHORIZATION_HEADER),
            Cow::Owned(format!("Bearer {bare}")),
        ));
    }
    all
}

/// A support bundle.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupportBundle {
    /// [`SUPPORT_BUNDLE_FORMAT`].
    pub format: String,
    /// When the bundle was made, RFC 3339 UTC.
    pub created_at: String,
    /// The application's name, if given.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub application: Option<String>,
    /// Library name, version and crypto backend that made the bundle.
    pub generator: String,
    /// The request.
    pub request: BundleRequest,
    /// The token, decoded, without its signature.
    pub token: BundleToken,
    /// Nuvera's answer.
    pub response: BundleResponse,
    /// The local diagnosis made when the bundle was created.
    pub diagnosis: Report,
}

/// A support bundle's inputs as a binding's caller gave them: the request as sent, its token,
/// Nuvera's answer, and options that are `None` when not given. No `Debug`: it holds the API key
/// and the token.
#[derive(Clone, Copy, Default)]
pub struct OptionalSupportBundle<'a> {
    /// The method as sent.
    pub method: &'a str,
    /// The URL as sent.
    pub url: &'a str,
    /// The headers as sent (the signing headers are completed when missing).
    pub headers: &'a [(&'a str, &'a str)],
    /// The API key sent.
    pub api_key: Option<&'a str>,
    /// The Content-Type sent.
    pub content_type: Option<&'a str>,
    /// The body sent.
    pub body: &'a [u8],
    /// The token sent.
    pub token: &'a str,
    /// Nuvera's HTTP status (out of `0..=65535` is `INVALID_ARGUMENT`).
    pub status: i64,
    /// Nuvera's response body.
    pub response_body: &'a [u8],
    /// The application's name.
    pub application: Option<&'a str>,
    /// A public key PEM to check the signature against.
    pub public_key_pem: Option<&'a [u8]>,
    /// The creation time, Unix seconds (default now).
    pub now: Option<i64>,
}

impl SupportBundle {
    /// The time (Unix seconds) a bundle is made at, from what a binding's caller gave: `None` is
    /// now, by the system clock; a negative time is `INVALID_ARGUMENT`. The one place every
    /// language's `createdAt`/`created_at` default is decided.
    pub fn created_at(given: Option<i64>) -> Result<u64> {
        match given {
            None => crate::Clock::now_unix(&crate::SystemClock),
            Some(t) => crate::signer::given_unix_seconds(t, "a bundle's time"),
        }
    }

    /// [`build`](Self::build) from what a binding's caller gave: the options through
    /// [`ExplainOptions::from_optional`], the time through [`created_at`](Self::created_at), the
    /// status through [`given_unsigned`](crate::given_unsigned). The one merge every language's
    /// support bundle goes through.
    pub fn from_optional(given: OptionalSupportBundle<'_>) -> Result<Self> {
        let options = ExplainOptions::from_optional(crate::explain::OptionalExplainOptions {
            public_key_pem: given.public_key_pem,
            ..Default::default()
        })?;
        let now = Self::created_at(given.now)?;
        let sent = SentRequest {
            method: given.method,
            url: given.url,
            api_key: given.api_key,
            content_type: given.content_type,
            body: &mut { given.body },
        };
        let status = crate::signer::given_unsigned(given.status, "status")?;
        let response = BundleResponse::new(status, given.response_body);
        let (application, token) = (given.application, given.token);
        Self::build(
            sent,
            given.headers,
            token,
            response,
            application,
            &options,
            now,
        )
    }

    /// Builds a bundle from the request as sent (`headers` as sent, including `x-api-key` and
    /// `Authorization`, which are masked), its token and Nuvera's response.
    ///
    /// The two signing headers are always recorded (masked): when `headers` lacks them, they are
    /// completed from `request.api_key` and `token`, because support reads them from the bundle
    /// whatever the caller thought to include.
    pub fn build(
        request: SentRequest<'_>,
        headers: &[(&str, &str)],
        token: &str,
        response: BundleResponse,
        application: Option<&str>,
        options: &ExplainOptions,
        now: u64,
    ) -> Result<Self> {
        let body = observe_body(request.content_type, request.body)?;
        let headers = with_signing_headers(headers, request.api_key, token);
        let uri = request_uri(request.url);
        let origin = url::Url::parse(request.url)
            .ok()
            .map(|u| u.origin().ascii_serialization());
        let bundle_request = BundleRequest {
            method: request.method.to_owned(),
            origin,
            uri: uri
                .clone()
                .unwrap_or_else(|e| format!("(invalid: {})", e.message())),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), mask_header(n, v)))
                .collect(),
            content_type: request.content_type.map(str::to_owned),
            body_size: body.size,
            body_hash: match &body.hash {
                Ok(h) => h.as_str().to_owned(),
                Err(e) => format!("(unparseable: {e})"),
            },
            multipart: body.multipart.clone(),
        };
        let observed = Observed {
            method: request.method.to_owned(),
            uri: uri.map_err(|e| e.message().to_owned()),
            body: Some(body),
            body_hash: None,
            api_key: request.api_key.map(str::to_owned),
            api_key_last4: None,
        };
        let parts = token_parts(token, options);
        let mut diagnosis = explain_observed(parts, &observed, options);
        add_response_notes(&mut diagnosis, &response, &bundle_request);
        let bare = token.trim().strip_prefix("Bearer ").unwrap_or(token.trim());
        Ok(SupportBundle {
            format: SUPPORT_BUNDLE_FORMAT.to_owned(),
            created_at: rfc3339(now),
            application: application.map(str::to_owned),
            generator: format!(
                "nuvera-signing {} ({})",
                env!("CARGO_PKG_VERSION"),
                crate::crypto::BACKEND
            ),
            request: bundle_request,
            token: BundleToken {
                header: diagnosis.header.clone(),
                claims: diagnosis.claims.clone(),
                sha256: token_fingerprint(bare),
            },
            response,
            diagnosis,
        })
    }

    /// Pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializing a bundle cannot fail")
    }

    /// Reads a bundle.
    pub fn from_json(text: &str) -> Result<Self> {
        let bundle: SupportBundle = serde_json::from_str(text).map_err(|e| {
            Error::new(
                ErrorCode::InvalidClaim,
                format!("not a support bundle: {e}"),
            )
        })?;
        if bundle.format != SUPPORT_BUNDLE_FORMAT {
            return Err(Error::new(
                ErrorCode::InvalidClaim,
                format!("unknown bundle format {:?}", bundle.format),
            ));
        }
        Ok(bundle)
    }

    /// Re-runs the diagnosis from what the bundle holds (the body and the full API key are not in
    /// it: the body is compared by hash, the key by its last four characters).
    pub fn explain(&self, options: &ExplainOptions) -> Report {
        let claims = self
            .token
            .claims
            .as_ref()
            .and_then(|c| c.as_object())
            .map(|o| {
                let object: Vec<(String, serde_json::Value)> = o
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                typed_claims(&object).unwrap_or_default()
            });
        let parts = TokenParts {
            header: self.token.header.clone(),
            claims,
            signature: SignatureCheck::NotChecked,
            early: Vec::new(),
        };
        let api_key_masked = self
            .request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-api-key"))
            .map(|(_, v)| v.clone());
        let observed = Observed {
            method: self.request.method.clone(),
            uri: Ok(self.request.uri.clone()),
            body: None,
            body_hash: Some(self.request.body_hash.clone()),
            api_key: None,
            api_key_last4: api_key_masked,
        };
        let mut report = explain_observed(parts, &observed, options);
        // The diagnosis made with the body at hand names the mistake more precisely (e.g. which
        // JSON serialization was signed); keep it where the finding is the same.
        for finding in &mut report.findings {
            let earlier = self.diagnosis.findings.iter().find(|f| {
                f.code == finding.code && f.signed == finding.signed && f.sent == finding.sent
            });
            if let Some(earlier) = earlier {
                finding.diagnosis = earlier.diagnosis.clone();
                finding.fix = earlier.fix.clone();
            }
        }
        add_response_notes(&mut report, &self.response, &self.request);
        report
    }
}

fn mask_header(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower == "x-api-key" {
        return mask_secret(value);
    }
    if lower == "authorization" {
        let scheme = value.split(' ').next().unwrap_or("");
        return format!("{scheme} <token removed: see token.claims and token.sha256>");
    }
    if SECRET_HEADER_HINTS.iter().any(|hint| lower.contains(hint)) {
        return "****".to_owned();
    }
    value.to_owned()
}

/// What Nuvera's answer says beyond the local checks: the two areas only the server knows.
fn add_response_notes(report: &mut Report, response: &BundleResponse, request: &BundleRequest) {
    let Some(code) = response.code.as_deref() else {
        return;
    };
    let advice = match code {
        c if c == AuthCode::InvalidApiKey.as_str() => {
            "Nuvera does not know this API key: check it is the key of this environment (test vs live) and copied whole".to_owned()
        }
        c if c == AuthCode::ApiKeyRevoked.as_str() => "this API key was revoked: create a new one in the Nuvera portal".to_owned(),
        c if c == AuthCode::ApplicationDisabled.as_str() => {
            "the application is disabled: ask Nuvera support to re-enable it".to_owned()
        }
        c if c == AuthCode::PermissionDenied.as_str() => match required_permission(&request.method, &request.uri) {
            Some(p) => format!("the application lacks {p}: ask Nuvera to grant it"),
            None => "the request path names no API area (/api/v1/<area>/…, the area in lower case, no `//`, `..` or percent-encoding), so no permission allows it: fix the path".to_owned(),
        },
        c if report.findings.iter().any(|f| f.code.as_str() == c) => return,
        other => format!("Nuvera answered {other}, which the local checks did not reproduce"),
    };
    report.notes.push(advice);
}

/// Unix seconds as `YYYY-MM-DDThh:mm:ssZ` (proleptic Gregorian, UTC).
fn rfc3339(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn created_at_defaults_to_now_and_refuses_negative_times() {
        assert_eq!(
            SupportBundle::created_at(Some(1_700_000_000)).unwrap(),
            1_700_000_000
        );
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let now = SupportBundle::created_at(None).unwrap();
        assert!(now.abs_diff(before) <= 60, "{now} vs {before}");
        let err = SupportBundle::created_at(Some(-1)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
    }

    use super::*;

    #[test]
    fn a_bundle_from_optional_arguments_is_the_one_build_makes_from_them() {
        let headers = [("Content-Type", "application/json")];
        let given = OptionalSupportBundle {
            method: "POST",
            url: "https://api.nuvera.global/api/v1/customers",
            headers: &headers,
            api_key: Some("nv_live_3f9a2c7d1e"),
            content_type: Some("application/json"),
            body: b"{}",
            token: "not.a.token",
            status: 401,
            response_body: br#"{"errors":[{"code":"AUTH_INVALID_TOKEN","message":"no"}]}"#,
            application: Some("Acme"),
            public_key_pem: None,
            now: Some(1_767_225_600),
        };
        let built = SupportBundle::build(
            SentRequest {
                method: given.method,
                url: given.url,
                api_key: given.api_key,
                content_type: given.content_type,
                body: &mut &b"{}"[..],
            },
            &headers,
            given.token,
            BundleResponse::new(401, given.response_body),
            given.application,
            &ExplainOptions::default(),
            1_767_225_600,
        )
        .unwrap();
        let from_optional = SupportBundle::from_optional(given).unwrap();
        assert_eq!(from_optional.to_json_pretty(), built.to_json_pretty());
        for (wrong, code) in [
            (
                OptionalSupportBundle {
                    status: 65_536,
                    ..given
                },
                ErrorCode::InvalidArgument,
            ),
            (
                OptionalSupportBundle {
                    now: Some(-1),
                    ..given
                },
                ErrorCode::InvalidArgument,
            ),
            (
                OptionalSupportBundle {
                    public_key_pem: Some(b"no"),
                    ..given
                },
                ErrorCode::InvalidPublicKey,
            ),
        ] {
            let error = SupportBundle::from_optional(wrong).unwrap_err();
            assert_eq!(error.code(), code);
        }
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400 + 3_661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn secret_headers_are_masked() {
        assert_eq!(mask_header("X-Api-Key", "nv_live_3f9a2c7d1e"), "****7d1e");
        assert!(!mask_header("Authorization", "Bearer abc.def.ghi").contains("abc"));
        assert_eq!(mask_header("Cookie", "session=1"), "****");
        assert_eq!(
            mask_header("Content-Type", "application/json"),
            "application/json"
        );
    }
}
