//! The contract §8 client policy for Java's HTTP integrations: the core's `ClientPolicy`,
//! `RetryPolicy`, `ClockOffset` and `Exchange`, converted. Java's `NuveraHttpClient` and OkHttp
//! interceptor ask the exchange what to do after each response and carry out its answer; every
//! decision (redirects, retries, clock correction) is the core's.

use std::sync::{Arc, Mutex};

use jni::objects::{JObject, JValue};
use jni::sys::{jint, jlong};
use jni::{jni_sig, jni_str, Env};
use nuvera_signing::client::{
    Action, Attempt, ClientPolicy, ClockOffset, Exchange, Request, Response, RetryPolicy,
};
use nuvera_signing::Signer;

use crate::boundary::{lock, native, Handle};
use crate::convert::{nullable_string, Headers, IntoJava};
use crate::errors::Failure;

/// An optional count or delay from Java, in the core's unsigned type.
fn count<T: TryFrom<i64>>(value: Option<i64>) -> Result<Option<T>, Failure> {
    value
        .map(|v| T::try_from(v))
        .transpose()
        .map_err(|_| Failure::argument("a count or delay is negative or too large"))
}

/// What Java's `ClientAction` holds: a send (`reason` null for the first) or done.
struct Step {
    attempt: Option<Attempt>,
    delay_ms: u64,
    reason: Option<&'static str>,
}

impl Step {
    /// The step of the core's answer; a failure is thrown with its code instead.
    fn of(action: Action) -> Result<Step, Failure> {
        match action {
            Action::Send {
                attempt,
                delay_ms,
                reason,
            } => Ok(Step {
                attempt: Some(attempt),
                delay_ms,
                reason: Some(reason.as_str()),
            }),
            Action::Done => Ok(Step {
                attempt: None,
                delay_ms: 0,
                reason: None,
            }),
            Action::Fail(error) => Err(error.into()),
        }
    }
}

impl<'local> IntoJava<'local> for Step {
    type Java = JObject<'local>;
    fn into_java(self, env: &mut Env<'local>) -> Result<JObject<'local>, Failure> {
        let attempt = self.attempt.as_ref();
        let method = nullable_string(env, attempt.map(|a| a.method.as_str()))?;
        let url = nullable_string(env, attempt.map(|a| a.url.as_str()))?;
        let reason = nullable_string(env, self.reason)?;
        Ok(env.new_object(
            jni_str!("global/nuvera/signing/ClientAction"),
            jni_sig!("(Ljava/lang/String;Ljava/lang/String;ZZJLjava/lang/String;)V"),
            &[
                JValue::Object(&method),
                JValue::Object(&url),
                JValue::Bool(attempt.is_some_and(|a| a.send_body)),
                JValue::Bool(attempt.is_some_and(|a| a.credentials)),
                JValue::Long(jlong::try_from(self.delay_ms).unwrap_or(jlong::MAX)),
                JValue::Object(&reason),
            ],
        )?)
    }
}

native! {
    /// An offset of its own, for the table of cases (a signer has one).
    fn clockOffsetNew(secs: jlong) -> Arc<ClockOffset> {
        Arc::new(ClockOffset::with_secs(secs)?)
    }

    /// The offset shared by the signer and its clones.
    fn signerClockOffset(signer: Handle<Signer>) -> Arc<ClockOffset> {
        Arc::new(signer.clock_offset().clone())
    }

    fn clockOffsetSecs(offset: Handle<ClockOffset>) -> jlong {
        offset.secs()
    }

    /// `[maxRedirects, correctClock (1/0), maxAttempts, baseDelayMs, maxDelayMs]`: the core's
    /// defaults, so Java shows the same numbers without holding them.
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

    fn retryDefaultStatuses() -> Vec<jint> {
        RetryPolicy::default().statuses.iter().map(|s| jint::from(*s)).collect()
    }

    fn retryDefaultMethods() -> Vec<String> {
        RetryPolicy::default().methods
    }

    /// Absent values take the core's defaults; `retry` false means no retries.
    fn exchangeNew(offset: Handle<ClockOffset>, max_redirects: Option<i64>, correct_clock: bool,
        retry: bool, statuses: Option<Vec<jint>>, methods: Option<Vec<String>>,
        max_attempts: Option<i64>, base_delay_ms: Option<i64>, max_delay_ms: Option<i64>,
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
        let policy = ClientPolicy {
            max_redirects: count(max_redirects)?
                .unwrap_or(ClientPolicy::default().max_redirects),
            retry,
            correct_clock,
        };
        let request = Request { method, url, has_body };
        let mut exchange = Exchange::new(policy, request, (*offset).clone())?;
        if let Some(fractions) = jitter {
            exchange = exchange.with_jitter_fractions(fractions)?;
        }
        Arc::new(Mutex::new(exchange))
    }

    fn exchangeFirst(exchange: Handle<Mutex<Exchange>>) -> Step {
        let attempt = Some(lock(&exchange).first().clone());
        Step { attempt, delay_ms: 0, reason: None }
    }

    /// A send or done is returned; a failure is thrown with its code.
    fn exchangeOnResponse(exchange: Handle<Mutex<Exchange>>, status: jint, headers: Headers,
        body: Option<Vec<u8>>, sent_at_ms: jlong, received_at_ms: jlong) -> Step {
        let status = u16::try_from(status)
            .map_err(|_| Failure::argument("the status is not an HTTP status"))?;
        let response = Response {
            status,
            headers: headers.0,
            body: body.unwrap_or_default(),
            sent_at_ms,
            received_at_ms,
        };
        Step::of(lock(&exchange).on_response(&response))?
    }
}
