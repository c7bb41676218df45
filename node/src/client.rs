//! The HTTP-client policy of contract §8 (redirects, opt-in retries, clock correction) as the
//! core decides it: `signedFetch` builds an [`Exchange`] per request and carries out each action
//! it answers. Nothing is decided here: the defaults, the counting and every rule are the core's.

use napi::bindgen_prelude::Buffer;
use napi::Result;
use napi_derive::napi;
use nuvera_signing as core;
use nuvera_signing::client as policy;

use crate::boundary::{fail, guard, header_pairs, http_status, invalid, js_int, Code};
use crate::signing::Signer;

/// Opt-in retries; every absent field takes the core's default.
#[napi(object, js_name = "RetryPolicy")]
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
pub struct JsClientPolicy {
    /// Redirect hops followed (default 10); the next is `TOO_MANY_REDIRECTS`. 0 follows none.
    pub max_redirects: Option<u32>,
    /// Retries: absent = off; `{}` = on with the defaults.
    pub retry: Option<JsRetryPolicy>,
    /// Learn the clock offset from `Date` on a clock refusal and re-send once (default true).
    pub correct_clock: Option<bool>,
}

fn millis(value: Option<i64>, what: &str) -> core::Result<Option<u64>> {
    value
        .map(|v| {
            u64::try_from(v).map_err(|_| {
                invalid(format!(
                    "{what} must be a number of milliseconds >= 0, not {v}"
                ))
            })
        })
        .transpose()
}

/// The core's policy from the JS object (absent fields: the core's defaults).
pub fn to_core_policy(p: Option<&JsClientPolicy>) -> core::Result<core::ClientPolicy> {
    let mut out = core::ClientPolicy::default();
    let Some(p) = p else { return Ok(out) };
    if let Some(n) = p.max_redirects {
        out.max_redirects = n;
    }
    if let Some(c) = p.correct_clock {
        out.correct_clock = c;
    }
    if let Some(r) = &p.retry {
        out.retry = Some(core::RetryPolicy::from_optional(
            r.statuses
                .as_ref()
                .map(|l| l.iter().map(|&s| http_status(s)).collect())
                .transpose()?,
            r.methods.clone(),
            r.max_attempts,
            millis(r.base_delay_ms, "retry.baseDelayMs")?,
            millis(r.max_delay_ms, "retry.maxDelayMs")?,
        )?);
    }
    Ok(out)
}

fn retry_to_js(r: &core::RetryPolicy) -> JsRetryPolicy {
    JsRetryPolicy {
        statuses: Some(r.statuses.iter().map(|&s| u32::from(s)).collect()),
        methods: Some(r.methods.clone()),
        max_attempts: Some(r.max_attempts),
        base_delay_ms: Some(js_int(r.base_delay_ms)),
        max_delay_ms: Some(js_int(r.max_delay_ms)),
    }
}

/// The core's default client policy, with `retry` filled in as `{}` would make it (retries stay
/// off unless a policy names `retry`).
#[napi(js_name = "defaultClientPolicy")]
pub fn default_client_policy() -> JsClientPolicy {
    let p = core::ClientPolicy::with_retries();
    JsClientPolicy {
        max_redirects: Some(p.max_redirects),
        retry: p.retry.as_ref().map(retry_to_js),
        correct_clock: Some(p.correct_clock),
    }
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

impl From<&policy::Attempt> for JsAttempt {
    fn from(a: &policy::Attempt) -> Self {
        JsAttempt {
            method: a.method.clone(),
            url: a.url.clone(),
            send_body: a.send_body,
            credentials: a.credentials,
        }
    }
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

fn to_core_response(r: &JsExchangeResponse) -> core::Result<policy::Response> {
    Ok(policy::Response {
        status: http_status(r.status)?,
        headers: header_pairs(&r.headers)?
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        body: r.body.as_ref().map(|b| b.to_vec()).unwrap_or_default(),
        sent_at_ms: r.sent_at_ms,
        received_at_ms: r.received_at_ms,
    })
}

/// One caller's request through redirects, retries and clock correction (contract §8), decided
/// by the core: sign and send `first`, give each response to `onResponse`, carry out its answer.
/// A clock correction updates the signer's offset, for all its later requests.
#[napi(js_name = "Exchange")]
pub struct JsExchange {
    inner: core::Exchange,
}

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
        guard(|| {
            let policy = to_core_policy(policy.as_ref())?;
            let request = policy::Request {
                method: request.method,
                url: request.url,
                has_body: request.has_body,
            };
            let ex = core::Exchange::new(policy, request, signer.inner.clock_offset().clone())?;
            match jitter {
                Some(fractions) => ex.with_jitter_fractions(fractions),
                None => Ok(ex),
            }
        })
        .map(|inner| JsExchange { inner })
    }

    /// The first send.
    #[napi(getter)]
    pub fn first(&self) -> JsAttempt {
        self.inner.first().into()
    }

    /// The clock offset in seconds this exchange reads and corrects (the signer's).
    #[napi(getter)]
    pub fn clock_offset(&self) -> i64 {
        self.inner.clock_offset().secs()
    }

    /// What follows `response` to the last send; a failure is thrown with its code.
    #[napi]
    pub fn on_response(&mut self, response: JsExchangeResponse) -> Result<JsAction, Code> {
        let response = guard(|| to_core_response(&response))?;
        let ex = &mut self.inner;
        match guard(|| Ok(ex.on_response(&response)))? {
            core::Action::Send {
                attempt,
                delay_ms,
                reason,
            } => Ok(JsAction {
                action: "send".to_owned(),
                reason: Some(reason.as_str().to_owned()),
                delay_ms: Some(js_int(delay_ms)),
                attempt: Some((&attempt).into()),
            }),
            core::Action::Done => Ok(JsAction {
                action: "done".to_owned(),
                reason: None,
                delay_ms: None,
                attempt: None,
            }),
            core::Action::Fail(e) => Err(fail(e)),
        }
    }
}

/// Largest response body the policy reads (64 KiB): `signedFetch` reads no more of a 401.
#[napi]
pub const MAX_REFUSAL_BODY_BYTES: u32 = policy::MAX_REFUSAL_BODY_BYTES as u32;
