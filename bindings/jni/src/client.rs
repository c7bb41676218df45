//! The contract §8 client policy for Java's HTTP integrations: the core's `ClientPolicy`,
//! `RetryPolicy`, `ClockOffset` and `Exchange`, converted. Java's `NuveraHttpClient` and OkHttp
//! interceptor ask the exchange what to do after each response and carry out its answer; every
//! decision (redirects, retries, clock correction) is the core's.

use std::sync::{Arc, Mutex};

use jni::objects::{
    JByteArray, JClass, JDoubleArray, JIntArray, JObject, JObjectArray, JString, JValue,
};
use jni::sys::{jint, jlong};
use jni::{jni_sig, jni_str, Env, EnvUnowned};
use nuvera_signing::client::{
    Action, Attempt, ClientPolicy, ClockOffset, Exchange, Request, Response, RetryPolicy,
};
use nuvera_signing::Signer;

use crate::boundary::{borrow, free, into_handle, optional_bytes, run, string};
use crate::errors::Failure;
use crate::verify::header_pairs;

/// `Native.clockOffsetNew(secs)`: a clock offset of its own (the table of cases; a signer has one).
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_clockOffsetNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    secs: jlong,
) -> jlong {
    run(env, |_| {
        Ok(into_handle(Arc::new(ClockOffset::with_secs(secs)?)))
    })
}

/// `Native.signerClockOffset(signer)`: the offset shared by the signer and its clones.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_signerClockOffset<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
) -> jlong {
    run(env, |_| {
        let signer = borrow::<Signer>(signer)?;
        Ok(into_handle(Arc::new(signer.clock_offset().clone())))
    })
}

/// `Native.clockOffsetSecs(offset)`: the offset in seconds now.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_clockOffsetSecs<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    offset: jlong,
) -> jlong {
    run(env, |_| Ok(borrow::<ClockOffset>(offset)?.secs()))
}

/// `Native.clockOffsetFree(offset)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_clockOffsetFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    offset: jlong,
) {
    run(env, |_| {
        free::<ClockOffset>(offset);
        Ok(())
    })
}

/// `Native.clientDefaults()`: `[maxRedirects, correctClock (1/0), maxAttempts, baseDelayMs,
/// maxDelayMs]`, the core's
/// defaults, so Java documents and shows the same numbers without holding them.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_clientDefaults<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JObject<'local> {
    run(env, |env| {
        let retry = RetryPolicy::default();
        let policy = ClientPolicy::default();
        let values = [
            jlong::from(policy.max_redirects),
            jlong::from(policy.correct_clock),
            jlong::from(retry.max_attempts),
            jlong::try_from(retry.base_delay_ms).unwrap_or(jlong::MAX),
            jlong::try_from(retry.max_delay_ms).unwrap_or(jlong::MAX),
        ];
        let array = env.new_long_array(values.len())?;
        array.set_region(env, 0, &values)?;
        Ok(JObject::from(array))
    })
}

/// `Native.retryDefaultStatuses()` and methods: the core's default lists.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_retryDefaultStatuses<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JObject<'local> {
    run(env, |env| {
        let values: Vec<jint> = RetryPolicy::default()
            .statuses
            .iter()
            .map(|s| jint::from(*s))
            .collect();
        let array = env.new_int_array(values.len())?;
        array.set_region(env, 0, &values)?;
        Ok(JObject::from(array))
    })
}

/// `Native.retryDefaultMethods()`: the methods retried by default.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_retryDefaultMethods<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JObjectArray<'local, JString<'local>> {
    run(env, |env| {
        let methods = RetryPolicy::default().methods;
        let names: Vec<&str> = methods.iter().map(String::as_str).collect();
        crate::signing::string_array(env, &names)
    })
}

/// A nullable `int[]` read as a list of statuses.
fn optional_statuses(env: &Env<'_>, values: &JIntArray<'_>) -> Result<Option<Vec<u16>>, Failure> {
    if values.is_null() {
        return Ok(None);
    }
    let mut buf = vec![0; values.len(env)?];
    values.get_region(env, 0, &mut buf)?;
    buf.into_iter()
        .map(|s| u16::try_from(s).map_err(|_| Failure::argument("a status is not in 0..=65535")))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A nullable `String[]`, read.
fn optional_strings(
    env: &mut Env<'_>,
    values: &JObjectArray<'_, JString<'_>>,
) -> Result<Option<Vec<String>>, Failure> {
    if values.is_null() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for i in 0..values.len(env)? {
        let element = values.get_element(env, i)?;
        out.push(string(env, &element)?);
        env.delete_local_ref(element);
    }
    Ok(Some(out))
}

/// A Java `long` as an optional `u32`/`u64` (negative: absent).
fn optional_count<T: TryFrom<i64>>(present: bool, value: jlong) -> Result<Option<T>, Failure> {
    if !present {
        return Ok(None);
    }
    T::try_from(value)
        .map(Some)
        .map_err(|_| Failure::argument("a count or delay is negative or too large"))
}

/// `Native.exchangeNew(offset, hasMaxRedirects, maxRedirects, correctClock, retry, statuses,
/// methods, hasMaxAttempts, maxAttempts, hasBase, baseDelayMs, hasMax, maxDelayMs, method, url,
/// hasBody, jitter)`: one exchange; absent values take the core's defaults.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_exchangeNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    offset: jlong,
    has_max_redirects: bool,
    max_redirects: jlong,
    correct_clock: bool,
    retry: bool,
    statuses: JIntArray<'local>,
    methods: JObjectArray<'local, JString<'local>>,
    has_max_attempts: bool,
    max_attempts: jlong,
    has_base: bool,
    base_delay_ms: jlong,
    has_max: bool,
    max_delay_ms: jlong,
    method: JString<'local>,
    url: JString<'local>,
    has_body: bool,
    jitter: JDoubleArray<'local>,
) -> jlong {
    run(env, |env| {
        let offset = borrow::<ClockOffset>(offset)?.clone();
        let retry = if retry {
            Some(RetryPolicy::from_optional(
                optional_statuses(env, &statuses)?,
                optional_strings(env, &methods)?,
                optional_count(has_max_attempts, max_attempts)?,
                optional_count(has_base, base_delay_ms)?,
                optional_count(has_max, max_delay_ms)?,
            )?)
        } else {
            None
        };
        let defaults = ClientPolicy::default();
        let policy = ClientPolicy {
            max_redirects: optional_count(has_max_redirects, max_redirects)?
                .unwrap_or(defaults.max_redirects),
            retry,
            correct_clock,
        };
        let request = Request {
            method: string(env, &method)?,
            url: string(env, &url)?,
            has_body,
        };
        let mut exchange = Exchange::new(policy, request, offset)?;
        if !jitter.is_null() {
            let mut fractions = vec![0.0; jitter.len(env)?];
            jitter.get_region(env, 0, &mut fractions)?;
            exchange = exchange.with_jitter_fractions(fractions)?;
        }
        Ok(into_handle(Arc::new(Mutex::new(exchange))))
    })
}

/// `Native.exchangeFree(exchange)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_exchangeFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    exchange: jlong,
) {
    run(env, |_| {
        free::<Mutex<Exchange>>(exchange);
        Ok(())
    })
}

/// The exchange behind a handle, locked (a poisoned lock only means another call panicked,
/// which was reported then; the state machine is still whole).
fn exchange_of(handle: jlong) -> Result<std::sync::MutexGuard<'static, Exchange>, Failure> {
    let exchange = borrow::<Mutex<Exchange>>(handle)?;
    Ok(exchange.lock().unwrap_or_else(|e| e.into_inner()))
}

/// The Java `ClientAction` for a send (`reason` null for the first send) or for done.
fn action_object<'local>(
    env: &mut Env<'local>,
    attempt: Option<&Attempt>,
    delay_ms: u64,
    reason: Option<&str>,
) -> Result<JObject<'local>, Failure> {
    let (method, url, send_body, credentials) = match attempt {
        Some(a) => (
            JObject::from(env.new_string(&a.method)?),
            JObject::from(env.new_string(&a.url)?),
            a.send_body,
            a.credentials,
        ),
        None => (JObject::null(), JObject::null(), false, false),
    };
    let reason = match reason {
        Some(r) => JObject::from(env.new_string(r)?),
        None => JObject::null(),
    };
    Ok(env.new_object(
        jni_str!("global/nuvera/signing/ClientAction"),
        jni_sig!("(Ljava/lang/String;Ljava/lang/String;ZZJLjava/lang/String;)V"),
        &[
            JValue::Object(&method),
            JValue::Object(&url),
            JValue::Bool(send_body),
            JValue::Bool(credentials),
            JValue::Long(jlong::try_from(delay_ms).unwrap_or(jlong::MAX)),
            JValue::Object(&reason),
        ],
    )?)
}

/// `Native.exchangeFirst(exchange)`: the first send.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_exchangeFirst<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    exchange: jlong,
) -> JObject<'local> {
    run(env, |env| {
        let attempt = exchange_of(exchange)?.first().clone();
        action_object(env, Some(&attempt), 0, None)
    })
}

/// `Native.exchangeOnResponse(exchange, status, headers, body, sentAtMs, receivedAtMs)`: what
/// follows the response (`headers` is `[name, value, …]`; `body` may be null). A send or done is
/// returned; a failure is thrown with its code.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_exchangeOnResponse<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    exchange: jlong,
    status: jint,
    headers: JObjectArray<'local, JString<'local>>,
    body: JByteArray<'local>,
    sent_at_ms: jlong,
    received_at_ms: jlong,
) -> JObject<'local> {
    run(env, |env| {
        let status = u16::try_from(status)
            .map_err(|_| Failure::argument("the status is not an HTTP status"))?;
        let headers = header_pairs(env, &headers)?;
        let response = Response {
            status,
            headers,
            body: optional_bytes(env, &body)?.unwrap_or_default(),
            sent_at_ms,
            received_at_ms,
        };
        let action = exchange_of(exchange)?.on_response(&response);
        match action {
            Action::Send {
                attempt,
                delay_ms,
                reason,
            } => action_object(env, Some(&attempt), delay_ms, Some(reason.as_str())),
            Action::Done => action_object(env, None, 0, None),
            Action::Fail(error) => Err(error.into()),
        }
    })
}
