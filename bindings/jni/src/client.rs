//! The contract §8 client policy for Java's HTTP integrations: the core's `ClientPolicy`,
//! `RetryPolicy`, `ClockOffset` and `Exchange`, converted. Java's `NuveraHttpClient` and OkHttp
//! interceptor ask the exchange what to do after each response and carry out its answer; every
//! decision (redirects, retries, clock correction) is the core's.

use std::sync::{Arc, Mutex};

use jni::sys::{jint, jlong};
use nuvera_signing::client::{
    Action, Attempt, ClientPolicy, ClockOffset, Exchange, Request, Response, RetryPolicy,
};
use nuvera_signing::Signer;

use crate::boundary::{borrow, lock, native, Handle};
use crate::convert::Headers;
use crate::errors::Failure;

/// An optional count or delay from Java, in the core's unsigned type.
fn count<J, T: TryFrom<J>>(value: Option<J>) -> Result<Option<T>, Failure> {
    value
        .map(|v| T::try_from(v))
        .transpose()
        .map_err(|_| Failure::argument("a count or delay is negative or too large"))
}

/// Java's `ClientAction`: `[method, url, sendBody, credentials, delayMs, reason]` as texts for a
/// send (`reason` null for the first), six nulls for done.
fn step(attempt: Option<&Attempt>, delay_ms: u64, reason: Option<&str>) -> Vec<Option<String>> {
    match attempt {
        None => vec![None; 6],
        Some(a) => vec![
            Some(a.method.clone()),
            Some(a.url.clone()),
            Some(a.send_body.to_string()),
            Some(a.credentials.to_string()),
            Some(delay_ms.to_string()),
            reason.map(str::to_owned),
        ],
    }
}

/// The clock offset behind `handle`: a signer's (shared with it and its clones, so a correction
/// lasts) or, for the table of cases, an offset of its own.
fn clock_offset(handle: jlong) -> Result<ClockOffset, Failure> {
    Ok(match borrow::<Signer>(handle) {
        Ok(signer) => signer.clock_offset().clone(),
        Err(_) => borrow::<ClockOffset>(handle)?.clone(),
    })
}

native! {
    /// An offset of its own, for the table of cases (a signer has one).
    fn clockOffsetNew(secs: jlong) -> Arc<ClockOffset> {
        Arc::new(ClockOffset::with_secs(secs)?)
    }

    fn clockOffsetSecs(signer_or_offset: jlong) -> jlong {
        clock_offset(signer_or_offset)?.secs()
    }

    /// `[maxRedirects, correctClock (1/0), maxAttempts, baseDelayMs, maxDelayMs]`: the core's
    /// defaults, so Java shows the same numbers without holding them.
    #[native(infallible)]
    fn clientDefaults() -> Vec<jlong> {
        let (retry, policy) = (RetryPolicy::default(), ClientPolicy::default());
        vec![
            jlong::from(policy.max_redirects),
            jlong::from(policy.correct_clock),
            jlong::from(retry.max_attempts),
            jlong::try_from(retry.base_delay_ms).unwrap_or(jlong::MAX),
            jlong::try_from(retry.max_delay_ms).unwrap_or(jlong::MAX),
        ]
    }

    #[native(infallible)]
    fn retryDefaultStatuses() -> Vec<jint> {
        RetryPolicy::default().statuses.iter().map(|s| jint::from(*s)).collect()
    }

    #[native(infallible)]
    fn retryDefaultMethods(including_post: bool) -> Vec<String> {
        match including_post {
            true => RetryPolicy::including_post().methods,
            false => RetryPolicy::default().methods,
        }
    }

    /// Absent values take the core's defaults; `retry` false means no retries.
    fn exchangeNew(signer_or_offset: jlong, max_redirects: Option<jint>, correct_clock: bool,
        retry: bool, statuses: Option<Vec<jint>>, methods: Option<Vec<String>>,
        max_attempts: Option<jint>, base_delay_ms: Option<i64>, max_delay_ms: Option<i64>,
        method: String, url: String, has_body: bool, jitter: Option<Vec<f64>>)
        -> Arc<Mutex<Exchange>> {
        let statuses = statuses
            .map(|s| s.into_iter().map(u16::try_from).collect::<Result<Vec<_>, _>>())
            .transpose()
            .map_err(|_| Failure::argument("a status is not in 0..=65535"))?;
        let retry = match retry {
            true => Some(RetryPolicy::from_optional(
                statuses,
                methods,
                count(max_attempts)?,
                count(base_delay_ms)?,
                count(max_delay_ms)?,
            )?),
            false => None,
        };
        let policy = ClientPolicy::from_optional(count(max_redirects)?, retry, Some(correct_clock));
        let request = Request { method, url, has_body };
        let mut exchange = Exchange::new(policy, request, clock_offset(signer_or_offset)?)?;
        if let Some(fractions) = jitter {
            exchange = exchange.with_jitter_fractions(fractions)?;
        }
        Arc::new(Mutex::new(exchange))
    }

    fn exchangeFirst(exchange: Handle<Mutex<Exchange>>) -> Vec<Option<String>> {
        step(Some(lock(&exchange).first()), 0, None)
    }

    /// A send or done is returned; a failure is thrown with its code.
    fn exchangeOnResponse(exchange: Handle<Mutex<Exchange>>, status: jint, headers: Headers,
        body: Option<Vec<u8>>, sent_at_ms: jlong, received_at_ms: jlong) -> Vec<Option<String>> {
        let status = u16::try_from(status)
            .map_err(|_| Failure::argument("the status is not an HTTP status"))?;
        let response = Response {
            status,
            headers: headers.0,
            body: body.unwrap_or_default(),
            sent_at_ms,
            received_at_ms,
        };
        match lock(&exchange).on_response(&response) {
            Action::Send { attempt, delay_ms, reason } => {
                step(Some(&attempt), delay_ms, Some(reason.as_str()))
            }
            Action::Done => step(None, 0, None),
            Action::Fail(error) => Err(error)?,
        }
    }
}
