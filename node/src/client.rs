//! The HTTP-client policy of contract §8 as the core decides it: `signedFetch` builds an
//! [`Exchange`](JsExchange) per request and carries out each action it answers.

use crate::boundary::*;
use crate::signing::Signer;
use nuvera_signing::client as policy;

/// Opt-in retries; every absent field takes the core's default.
#[napi(object, js_name = "RetryPolicy")]
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsRetryPolicy {
    /// Response statuses retried (default 429, 502, 503, 504).
    pub statuses: Option<Vec<u32>>,
    /// Methods retried (default the idempotent ones: GET, HEAD, OPTIONS, TRACE, PUT, DELETE).
    pub methods: Option<Vec<String>>,
    /// Sends of one request at most, the first included (default 3).
    pub max_attempts: Option<u32>,
    /// Backoff base in milliseconds (default 200).
    pub base_delay_ms: Option<i64>,
    /// Cap of every wait in milliseconds, `Retry-After` included (default 10 000).
    pub max_delay_ms: Option<i64>,
}

/// The client policy (contract §8); every absent field takes the core's default.
#[napi(object, js_name = "ClientPolicy")]
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsClientPolicy {
    /// Redirect hops followed (default 10); the next is `TOO_MANY_REDIRECTS`. 0 follows none.
    pub max_redirects: Option<u32>,
    /// Retries: absent = off; `{}` = on with the defaults.
    pub retry: Option<JsRetryPolicy>,
    /// Learn the clock offset from `Date` on a clock refusal and re-send once (default true).
    pub correct_clock: Option<bool>,
}

fn to_core_retry(r: JsRetryPolicy) -> core::Result<core::RetryPolicy> {
    let statuses = r.statuses.map(|l| l.into_iter().map(http_status).collect());
    core::RetryPolicy::from_optional(
        statuses.transpose()?,
        r.methods,
        r.max_attempts,
        millis("retry.baseDelayMs", r.base_delay_ms)?,
        millis("retry.maxDelayMs", r.max_delay_ms)?,
    )
}

/// The core's default client policy, with `retry` filled in as `{}` would make it (retries stay
/// off unless a policy names `retry`).
#[napi(js_name = "defaultClientPolicy")]
pub fn default_client_policy() -> Result<JsClientPolicy, Code> {
    guard(|| convert(&core::ClientPolicy::with_retries()))
}

/// The caller's request, as an exchange needs to know it.
#[napi(object, js_name = "ExchangeRequest")]
pub struct JsExchangeRequest {
    /// The method (any case).
    pub method: String,
    /// The absolute `http`/`https` URL.
    pub url: String,
    /// Whether the request has a body.
    pub has_body: bool,
}

/// One send: what to sign and send now.
#[napi(object, js_name = "Attempt")]
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsAttempt {
    /// The method to send and sign.
    pub method: String,
    /// The absolute URL to send.
    pub url: String,
    /// Send the caller's body (false: no body and no Content-Type of it).
    pub send_body: bool,
    /// Sign and send `x-api-key` and `Authorization` (false after a hop to another origin).
    pub credentials: bool,
}

/// A response as received.
#[napi(object, js_name = "ExchangeResponse")]
pub struct JsExchangeResponse {
    /// The HTTP status.
    pub status: u32,
    /// The headers as `[name, value]` pairs (names in any case).
    pub headers: Vec<Vec<String>>,
    /// The body; needed only for a 401 (at most 64 KiB is read), absent otherwise.
    pub body: Option<Buffer>,
    /// Local Unix time in ms when the request was sent.
    pub sent_at_ms: i64,
    /// Local Unix time in ms when the response headers arrived.
    pub received_at_ms: i64,
}

/// What to do next: `send` (after `delayMs`, signed afresh) or `done` (hand the response to the
/// caller). A failure is thrown with its code instead.
#[napi(object, js_name = "ExchangeAction")]
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsAction {
    /// `send` or `done`.
    #[napi(ts_type = "'send' | 'done'")]
    pub action: String,
    /// For `send`: `redirect`, `retry` or `clock-correction`.
    #[napi(ts_type = "'redirect' | 'retry' | 'clock-correction' | undefined")]
    pub reason: Option<String>,
    /// For `send`: milliseconds to wait first.
    pub delay_ms: Option<i64>,
    /// For `send`: what to send.
    pub attempt: Option<JsAttempt>,
}

/// One caller's request through redirects, retries and clock correction (contract §8), decided
/// by the core: sign and send `first`, give each response to `onResponse`, carry out its answer.
/// A clock correction updates the signer's offset, for all its later requests.
#[napi(js_name = "Exchange")]
pub struct JsExchange(core::Exchange);

#[napi]
impl JsExchange {
    /// An exchange for `request` by `signer` under `policy` (absent fields: the core's defaults).
    /// `jitter` pins the backoff's random fractions (each in 0..=1, used in order): for tests.
    #[napi(constructor)]
    pub fn new(
        signer: &Signer,
        request: JsExchangeRequest,
        policy: Option<JsClientPolicy>,
        jitter: Option<Vec<f64>>,
    ) -> Result<Self, Code> {
        let (p, offset) = (policy.unwrap_or_default(), signer.inner.clock_offset());
        let request = policy::Request {
            method: request.method,
            url: request.url,
            has_body: request.has_body,
        };
        guard(|| {
            let retry = p.retry.map(to_core_retry).transpose()?;
            let policy = core::ClientPolicy::from_optional(p.max_redirects, retry, p.correct_clock);
            // No fractions: the OS's randomness, as the core's exchange starts with.
            core::Exchange::new(policy, request, offset.clone())?
                .with_jitter_fractions(jitter.unwrap_or_default())
        })
        .map(JsExchange)
    }

    /// What follows `response` to the last send; a failure is thrown with its code.
    #[napi]
    pub fn on_response(&mut self, response: JsExchangeResponse) -> Result<JsAction, Code> {
        let r = response;
        guard(|| {
            let headers = header_pairs(&r.headers)?.into_iter();
            let response = policy::Response {
                status: http_status(r.status)?,
                headers: headers.map(|(n, v)| (n.into(), v.into())).collect(),
                body: r.body.map(|b| b.to_vec()).unwrap_or_default(),
                sent_at_ms: r.sent_at_ms,
                received_at_ms: r.received_at_ms,
            };
            match self.0.on_response(&response) {
                core::Action::Fail(e) => Err(e),
                action => convert(&action),
            }
        })
    }
}

methods! { JsExchange |exchange| {
    #[doc = " The first send."]
    #[napi(getter)]
    fn first() -> Result<JsAttempt, Code> = guard(|| convert(exchange.0.first()));
    #[doc = " The clock offset in seconds this exchange reads and corrects (the signer's)."]
    #[napi(getter)]
    fn clock_offset() -> i64 = exchange.0.clock_offset().secs();
}}

/// Largest response body the policy reads (64 KiB): `signedFetch` reads no more of a 401.
#[napi]
pub const MAX_REFUSAL_BODY_BYTES: u32 = policy::MAX_REFUSAL_BODY_BYTES as u32;
