//! Diagnosis (contract §6–§7): `explain` a token against the request it was sent with, and
//! build a support bundle. Neither needs the private key; neither returns a secret.

use crate::boundary::*;

/// The request as it was sent.
#[napi(object, js_name = "SentRequest")]
pub struct JsSentRequest {
    /// Method as sent.
    pub method: String,
    /// Absolute URL or request target as sent.
    pub url: String,
    /// Headers as sent, for a support bundle (secrets masked there; `x-api-key` and
    /// `Authorization` completed from `apiKey` and the token when absent).
    #[napi(ts_type = "Array<[string, string]>")]
    pub headers: Option<Vec<Vec<String>>>,
    /// The `x-api-key` header as sent, if known (a bundle keeps its last four characters).
    pub api_key: Option<String>,
    /// Content-Type as sent (decides plain vs multipart hashing).
    pub content_type: Option<String>,
    /// The body as sent (absent for none; a bundle keeps its size and hash).
    pub body: Option<Bytes>,
}

/// The request as sent, with its headers, for a support bundle.
#[napi(js_name = "BundleRequest")]
pub type JsBundleRequest = JsSentRequest;

impl JsSentRequest {
    /// As the core reads it, the body read from `body`.
    fn sent<'a>(&'a self, body: &'a mut dyn std::io::Read) -> core::SentRequest<'a> {
        core::SentRequest {
            method: &self.method,
            url: &self.url,
            api_key: self.api_key.as_deref(),
            content_type: self.content_type.as_deref(),
            body,
        }
    }
}

/// What `explain` checks against; every field is optional.
#[napi(object, js_name = "ExplainOptions")]
#[derive(Default)]
pub struct JsExplainOptions {
    /// Expected `iss` (default `nuvera-api`).
    pub issuer: Option<String>,
    /// Expected `aud` (default `nuvera-rest-api`).
    pub audience: Option<String>,
    /// When given (SPKI PEM), the signature is checked too.
    pub public_key_pem: Option<String>,
    /// When given, `iat`/`exp` are checked against this time (Unix seconds).
    pub now: Option<i64>,
    /// Allowed clock difference, 0..=60 s (default 5).
    pub clock_skew_secs: Option<i64>,
    /// `jti`s already used: reuse is reported.
    pub seen_jtis: Option<Vec<String>>,
}

fn explain_options(options: Option<JsExplainOptions>) -> core::Result<core::ExplainOptions> {
    let o = options.unwrap_or_default();
    core::ExplainOptions::from_optional(core::explain::OptionalExplainOptions {
        issuer: o.issuer.as_deref(),
        audience: o.audience.as_deref(),
        public_key_pem: o.public_key_pem.as_deref().map(str::as_bytes),
        now: o.now,
        clock_skew_secs: o.clock_skew_secs,
        seen_jtis: o.seen_jtis.unwrap_or_default(),
    })
}

/// Diagnoses a token against the request it was sent with: which rule fails (the code Nuvera
/// answers with), in which area, and what to change. `ok` is true when no rule fails; `text` is
/// the report for humans.
#[napi(
    ts_return_type = "{ ok: boolean, text: string, verdict: string | null, findings: Array<{ code: string, area: string, signed?: string, sent?: string, diagnosis: string, fix: string }>, notes: string[], header: Record<string, unknown> | null, claims: Record<string, unknown> | null, signature: unknown }"
)]
pub fn explain(
    request: JsSentRequest,
    token: String,
    options: Option<JsExplainOptions>,
) -> Result<serde_json::Value, Code> {
    let mut body = bytes_or_empty(&request.body);
    guard(|| {
        let report = core::explain(request.sent(&mut body), &token, &explain_options(options)?)?;
        let mut value: serde_json::Value = convert(&report)?;
        if let Some(map) = value.as_object_mut() {
            map.insert("ok".to_owned(), report.ok().into());
            map.insert("text".to_owned(), report.to_text().into());
        }
        Ok(value)
    })
}

/// Nuvera's answer to the request, for a support bundle.
#[napi(object, js_name = "ReceivedResponse")]
pub struct JsReceivedResponse {
    /// HTTP status (the core refuses one outside `0..=65535`).
    pub status: i64,
    /// The response body (kept up to 64 KiB).
    pub body: Option<Bytes>,
}

/// Extra facts for a support bundle; every field is optional.
#[napi(object, js_name = "SupportBundleOptions")]
#[derive(Default)]
pub struct JsSupportBundleOptions {
    /// When given (SPKI PEM), the diagnosis checks the signature too.
    pub public_key_pem: Option<String>,
    /// The application's name.
    pub application: Option<String>,
    /// The bundle's time, Unix seconds (default now).
    pub created_at: Option<i64>,
}

/// A support bundle (contract §7) for a refused request: the request (secrets masked), the token
/// decoded (never the token itself: its SHA-256), Nuvera's answer and the local diagnosis. No API
/// key, no private key, no body bytes. Send `JSON.stringify(bundle, null, 2)` to Nuvera support.
#[napi(ts_return_type = "Record<string, unknown> & { format: string }")]
pub fn support_bundle(
    request: JsBundleRequest,
    token: String,
    response: JsReceivedResponse,
    options: Option<JsSupportBundleOptions>,
) -> Result<serde_json::Value, Code> {
    let (r, o) = (&request, options.unwrap_or_default());
    guard(|| {
        let headers = header_pairs(r.headers.as_deref().unwrap_or_default())?;
        let built = core::SupportBundle::from_optional(core::explain::OptionalSupportBundle {
            method: &r.method,
            url: &r.url,
            headers: &headers,
            api_key: r.api_key.as_deref(),
            content_type: r.content_type.as_deref(),
            body: bytes_or_empty(&r.body),
            token: &token,
            status: response.status,
            response_body: bytes_or_empty(&response.body),
            application: o.application.as_deref(),
            public_key_pem: o.public_key_pem.as_deref().map(str::as_bytes),
            now: o.created_at,
        });
        convert::<serde_json::Value>(&built?)
    })
}
