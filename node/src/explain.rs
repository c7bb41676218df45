//! Diagnosis (contract §6–§7): `explain` a token against the request it was sent with, and
//! build a support bundle. Neither needs the private key; neither returns a secret.

use napi::bindgen_prelude::{Buffer, Either};
use napi::Result;
use napi_derive::napi;
use nuvera_signing as core;

use crate::boundary::{bytes_of, guard, header_pairs, http_status, invalid, to_js_object, Code};

/// The request as it was sent.
#[napi(object, js_name = "SentRequest")]
pub struct JsSentRequest {
    /// Method as sent.
    pub method: String,
    /// Absolute URL or request target as sent.
    pub url: String,
    /// The `x-api-key` header as sent, if known.
    pub api_key: Option<String>,
    /// Content-Type as sent (decides plain vs multipart hashing).
    pub content_type: Option<String>,
    /// The body as sent (absent for none).
    pub body: Option<Either<Buffer, String>>,
}

/// What `explain` and `supportBundle` check against; every field is optional.
#[napi(object, js_name = "ExplainOptions")]
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

fn unix_seconds(what: &str, value: i64) -> core::Result<u64> {
    u64::try_from(value)
        .map_err(|_| invalid(format!("{what} {value} is negative: it is Unix seconds")))
}

fn explain_options(options: Option<JsExplainOptions>) -> core::Result<core::ExplainOptions> {
    let Some(o) = options else {
        return Ok(core::ExplainOptions::default());
    };
    core::ExplainOptions::from_optional(core::explain::OptionalExplainOptions {
        issuer: o.issuer.as_deref(),
        audience: o.audience.as_deref(),
        public_key_pem: o.public_key_pem.as_deref().map(str::as_bytes),
        now: o.now,
        clock_skew_secs: o.clock_skew_secs,
        seen_jtis: o.seen_jtis.unwrap_or_default(),
    })
}

fn report_to_js(report: &core::Report) -> core::Result<serde_json::Value> {
    let mut value = to_js_object("report", report)?;
    if let Some(map) = value.as_object_mut() {
        map.insert("ok".to_owned(), report.ok().into());
        map.insert("text".to_owned(), report.to_text().into());
    }
    Ok(value)
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
    guard(|| {
        let options = explain_options(options)?;
        let mut body: &[u8] = request.body.as_ref().map_or(&[], bytes_of);
        let sent = core::SentRequest {
            method: &request.method,
            url: &request.url,
            api_key: request.api_key.as_deref(),
            content_type: request.content_type.as_deref(),
            body: &mut body,
        };
        report_to_js(&core::explain(sent, &token, &options)?)
    })
}

/// Nuvera's answer to the request, for a support bundle.
#[napi(object, js_name = "ReceivedResponse")]
pub struct JsReceivedResponse {
    /// HTTP status.
    pub status: u32,
    /// The response body (kept up to 64 KiB).
    pub body: Option<Either<Buffer, String>>,
}

/// The request as sent, with its headers, for a support bundle.
#[napi(object, js_name = "BundleRequest")]
pub struct JsBundleRequest {
    /// Method as sent.
    pub method: String,
    /// Absolute URL or request target as sent.
    pub url: String,
    /// Headers as sent (secrets are masked in the bundle; `x-api-key` and `Authorization` are
    /// completed from `apiKey` and the token when absent).
    #[napi(ts_type = "Array<[string, string]>")]
    pub headers: Option<Vec<Vec<String>>>,
    /// The `x-api-key` as sent, if known (only its last four characters reach the bundle).
    pub api_key: Option<String>,
    /// Content-Type as sent.
    pub content_type: Option<String>,
    /// The body as sent (only its size and hash reach the bundle).
    pub body: Option<Either<Buffer, String>>,
}

/// Extra facts for a support bundle.
#[napi(object, js_name = "SupportBundleOptions")]
pub struct JsSupportBundleOptions {
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
    options: Option<JsExplainOptions>,
    bundle: Option<JsSupportBundleOptions>,
) -> Result<serde_json::Value, Code> {
    guard(|| {
        let options = explain_options(options)?;
        let headers = header_pairs(request.headers.as_deref().unwrap_or_default())?;
        let (application, created_at) = match &bundle {
            None => (None, None),
            Some(b) => (b.application.as_deref(), b.created_at),
        };
        let now = match created_at {
            Some(t) => unix_seconds("createdAt", t)?,
            None => core::Clock::now_unix(&core::SystemClock)?,
        };
        let status = http_status(response.status)?;
        let response_body = response.body.as_ref().map_or(&[][..], bytes_of);
        let mut body: &[u8] = request.body.as_ref().map_or(&[], bytes_of);
        let sent = core::SentRequest {
            method: &request.method,
            url: &request.url,
            api_key: request.api_key.as_deref(),
            content_type: request.content_type.as_deref(),
            body: &mut body,
        };
        let built = core::SupportBundle::build(
            sent,
            &headers,
            &token,
            core::explain::BundleResponse::new(status, response_body),
            application,
            &options,
            now,
        )?;
        to_js_object("support bundle", &built)
    })
}
