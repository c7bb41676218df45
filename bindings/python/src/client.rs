//! The core's §8 client policy as Python sees it: `ClientPolicy`, `RetryPolicy`, `Exchange`,
//! `Attempt`, `Action`. Every decision (redirects, retries, backoff, clock correction) is the
//! core's `client::Exchange`; the `requests` and `httpx` integrations only carry out its answer.

use nuvera_signing as core;
use nuvera_signing::client::{self as policy};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::boundary::{self, optional_data};
use crate::signing::Signer;

/// Opt-in retries: which statuses and methods are retried, how often and how long to wait.
///
/// Every argument left ``None`` takes the core's default: statuses 429/502/503/504, the
/// idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE), ``max_attempts`` 3 (the first
/// send included), backoff base 200 ms, every wait capped at 10 000 ms (``Retry-After`` too).
#[pyclass(frozen, eq, module = "nuvera_signing")]
#[derive(PartialEq)]
pub struct RetryPolicy {
    inner: policy::RetryPolicy,
}

#[pymethods]
impl RetryPolicy {
    #[new]
    #[pyo3(signature = (*, statuses=None, methods=None, max_attempts=None, base_delay_ms=None, max_delay_ms=None))]
    fn new(
        py: Python<'_>,
        statuses: Option<Vec<i64>>,
        methods: Option<Vec<String>>,
        max_attempts: Option<i64>,
        base_delay_ms: Option<i64>,
        max_delay_ms: Option<i64>,
    ) -> PyResult<Self> {
        // Python ints of any size: out of range is the core's INVALID_ARGUMENT, not an
        // OverflowError from the conversion.
        let inner = boundary::attached(py, || {
            let statuses = statuses
                .map(|list| {
                    list.into_iter()
                        .map(|s| boundary::unsigned::<u16>(s, "the retry status"))
                        .collect::<core::Result<Vec<_>>>()
                })
                .transpose()?;
            policy::RetryPolicy::from_optional(
                statuses,
                methods,
                max_attempts
                    .map(|n| boundary::unsigned(n, "max_attempts"))
                    .transpose()?,
                base_delay_ms
                    .map(|n| boundary::unsigned(n, "base_delay_ms"))
                    .transpose()?,
                max_delay_ms
                    .map(|n| boundary::unsigned(n, "max_delay_ms"))
                    .transpose()?,
            )
        })?;
        Ok(RetryPolicy { inner })
    }

    /// The defaults with POST retried too (for POSTs made idempotent, e.g. by an idempotency key).
    #[staticmethod]
    fn including_post() -> Self {
        RetryPolicy {
            inner: policy::RetryPolicy::including_post(),
        }
    }

    /// Statuses retried.
    #[getter]
    fn statuses(&self) -> Vec<u16> {
        self.inner.statuses.clone()
    }
    /// Upper-case methods retried.
    #[getter]
    fn methods(&self) -> Vec<String> {
        self.inner.methods.clone()
    }
    /// Sends of one request at most, the first included.
    #[getter]
    fn max_attempts(&self) -> u32 {
        self.inner.max_attempts
    }
    /// Backoff base in milliseconds.
    #[getter]
    fn base_delay_ms(&self) -> u64 {
        self.inner.base_delay_ms
    }
    /// Cap of every wait in milliseconds.
    #[getter]
    fn max_delay_ms(&self) -> u64 {
        self.inner.max_delay_ms
    }

    fn __repr__(&self) -> String {
        let r = &self.inner;
        let statuses: Vec<String> = r.statuses.iter().map(u16::to_string).collect();
        let methods: Vec<String> = r.methods.iter().map(|m| format!("'{m}'")).collect();
        format!(
            "RetryPolicy(statuses=[{}], methods=[{}], max_attempts={}, base_delay_ms={}, max_delay_ms={})",
            statuses.join(", "),
            methods.join(", "),
            r.max_attempts,
            r.base_delay_ms,
            r.max_delay_ms
        )
    }
}

/// What an HTTP-client integration does between sending and answering (contract §8).
///
/// ``max_redirects`` hops followed (default 10; the next is ``TOO_MANY_REDIRECTS``); ``retry``
/// off unless given (``True`` = a default :class:`RetryPolicy`); ``correct_clock`` (default on):
/// learn the clock offset from ``Date`` on a clock refusal and send once more, signed afresh.
#[pyclass(frozen, eq, module = "nuvera_signing")]
#[derive(PartialEq)]
pub struct ClientPolicy {
    inner: policy::ClientPolicy,
}

#[pymethods]
impl ClientPolicy {
    #[new]
    #[pyo3(signature = (*, max_redirects=None, retry=None, correct_clock=None))]
    fn new(
        py: Python<'_>,
        max_redirects: Option<i64>,
        retry: Option<&Bound<'_, PyAny>>,
        correct_clock: Option<bool>,
    ) -> PyResult<Self> {
        let defaults = policy::ClientPolicy::default();
        let max_redirects = boundary::attached(py, || {
            max_redirects
                .map(|n| boundary::unsigned::<u32>(n, "max_redirects"))
                .transpose()
        })?;
        let retry = match retry {
            None => None,
            Some(r) if r.is_none() => None,
            Some(r) => {
                if let Ok(flag) = r.cast::<pyo3::types::PyBool>() {
                    flag.is_true().then(policy::RetryPolicy::default)
                } else {
                    let r = r.cast::<RetryPolicy>().map_err(|_| {
                        pyo3::exceptions::PyTypeError::new_err(
                            "retry must be a nuvera_signing.RetryPolicy, True, False or None",
                        )
                    })?;
                    Some(r.get().inner.clone())
                }
            }
        };
        Ok(ClientPolicy {
            inner: policy::ClientPolicy {
                max_redirects: max_redirects.unwrap_or(defaults.max_redirects),
                retry,
                correct_clock: correct_clock.unwrap_or(defaults.correct_clock),
            },
        })
    }

    /// Redirect hops followed.
    #[getter]
    fn max_redirects(&self) -> u32 {
        self.inner.max_redirects
    }
    /// The retry policy, or ``None`` (retries off).
    #[getter]
    fn retry(&self) -> Option<RetryPolicy> {
        self.inner.retry.clone().map(|inner| RetryPolicy { inner })
    }
    /// Whether a clock refusal corrects the signer's offset and sends once more.
    #[getter]
    fn correct_clock(&self) -> bool {
        self.inner.correct_clock
    }

    fn __repr__(&self) -> String {
        let retry = match &self.inner.retry {
            None => "None".to_owned(),
            Some(inner) => RetryPolicy {
                inner: inner.clone(),
            }
            .__repr__(),
        };
        format!(
            "ClientPolicy(max_redirects={}, retry={}, correct_clock={})",
            self.inner.max_redirects,
            retry,
            if self.inner.correct_clock {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// One send the exchange asks for: sign it afresh (unless ``credentials`` is false) and send it.
#[pyclass(frozen, eq, module = "nuvera_signing")]
#[derive(PartialEq)]
pub struct Attempt {
    inner: policy::Attempt,
}

#[pymethods]
impl Attempt {
    /// The method to send and sign.
    #[getter]
    fn method(&self) -> &str {
        &self.inner.method
    }
    /// The absolute URL to send (no fragment).
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }
    /// Send the caller's body (``False``: no body and no ``Content-Type``/``Content-Length``).
    #[getter]
    fn send_body(&self) -> bool {
        self.inner.send_body
    }
    /// Sign and send ``x-api-key``/``Authorization`` (``False`` after a hop to another origin).
    #[getter]
    fn credentials(&self) -> bool {
        self.inner.credentials
    }

    fn __repr__(&self) -> String {
        let a = &self.inner;
        format!(
            "Attempt(method={:?}, url={:?}, send_body={}, credentials={})",
            a.method,
            a.url,
            py_bool(a.send_body),
            py_bool(a.credentials)
        )
    }
}

/// The exchange's answer to a response: ``kind`` is ``"send"`` (wait ``delay_ms``, then sign and
/// send ``attempt``; ``reason`` is ``redirect``, ``retry`` or ``clock-correction``) or ``"done"``
/// (hand the response to the caller). A failure is raised by :meth:`Exchange.on_response`.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct Action {
    kind: &'static str,
    attempt: Option<Py<Attempt>>,
    delay_ms: u64,
    reason: Option<&'static str>,
}

#[pymethods]
impl Action {
    /// ``"send"`` or ``"done"``.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }
    /// What to send (``None`` when done).
    #[getter]
    fn attempt(&self, py: Python<'_>) -> Option<Py<Attempt>> {
        self.attempt.as_ref().map(|a| a.clone_ref(py))
    }
    /// Milliseconds to wait before sending (0 when done).
    #[getter]
    fn delay_ms(&self) -> u64 {
        self.delay_ms
    }
    /// ``redirect``, ``retry``, ``clock-correction``, or ``None`` when done.
    #[getter]
    fn reason(&self) -> Option<&'static str> {
        self.reason
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        match &self.attempt {
            None => Ok(format!("Action(kind={:?})", self.kind)),
            Some(a) => Ok(format!(
                "Action(kind={:?}, reason={:?}, delay_ms={}, attempt={})",
                self.kind,
                self.reason.unwrap_or(""),
                self.delay_ms,
                a.bind(py).repr()?
            )),
        }
    }
}

/// One caller's request through redirects, retries and clock correction, decided by the core.
///
/// Sign and send :attr:`first`; give each response to :meth:`on_response` and carry out the
/// :class:`Action` it returns. The exchange reads and corrects ``signer``'s clock offset (shared
/// by every user of that signer). ``jitter`` pins the backoff's random fractions (tests).
#[pyclass(module = "nuvera_signing")]
pub struct Exchange {
    inner: policy::Exchange,
}

#[pymethods]
impl Exchange {
    #[new]
    #[pyo3(signature = (policy, signer, method, url, *, has_body, jitter=None))]
    fn new(
        py: Python<'_>,
        policy: &Bound<'_, ClientPolicy>,
        signer: &Bound<'_, Signer>,
        method: PyBackedStr,
        url: PyBackedStr,
        has_body: bool,
        jitter: Option<Vec<f64>>,
    ) -> PyResult<Self> {
        let request = policy::Request {
            method: method.to_string(),
            url: url.to_string(),
            has_body,
        };
        let offset = signer.get().core().clock_offset().clone();
        let inner = boundary::attached(py, || {
            let exchange = core::Exchange::new(policy.get().inner.clone(), request, offset)?;
            match jitter {
                Some(fractions) => exchange.with_jitter_fractions(fractions),
                None => Ok(exchange),
            }
        })?;
        Ok(Exchange { inner })
    }

    /// The first send: the caller's request.
    #[getter]
    fn first(&self) -> Attempt {
        Attempt {
            inner: self.inner.first().clone(),
        }
    }

    /// Redirect hops followed so far.
    #[getter]
    fn redirects(&self) -> u32 {
        self.inner.redirects()
    }

    /// Decides what follows a response to the last send. ``headers`` are (name, value) pairs or
    /// a mapping; ``body`` is needed only for a 401 (``None`` otherwise); ``sent_at_ms`` and
    /// ``received_at_ms`` are the local Unix times (:func:`now_unix_ms`) of the send and of the
    /// response's arrival. A failure (``TOO_MANY_REDIRECTS``, ``INSECURE_REDIRECT``,
    /// ``CLOCK_SKEW_TOO_LARGE``, …) is raised as the exception of its family.
    #[pyo3(signature = (status, headers, body=None, *, sent_at_ms, received_at_ms))]
    fn on_response(
        &mut self,
        py: Python<'_>,
        status: u16,
        headers: &Bound<'_, PyAny>,
        body: Option<&Bound<'_, PyAny>>,
        sent_at_ms: i64,
        received_at_ms: i64,
    ) -> PyResult<Action> {
        let headers = header_pairs(headers)?;
        let body = optional_data(body, "body")?;
        let response = policy::Response {
            status,
            headers,
            body: body.map(|b| b.as_slice().to_vec()).unwrap_or_default(),
            sent_at_ms,
            received_at_ms,
        };
        let action = boundary::attached(py, || match self.inner.on_response(&response) {
            core::Action::Fail(error) => Err(error),
            other => Ok(other),
        })?;
        Ok(match action {
            core::Action::Send {
                attempt,
                delay_ms,
                reason,
            } => Action {
                kind: "send",
                attempt: Some(Py::new(py, Attempt { inner: attempt })?),
                delay_ms,
                reason: Some(reason.as_str()),
            },
            _ => Action {
                kind: "done",
                attempt: None,
                delay_ms: 0,
                reason: None,
            },
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Exchange(first={}, redirects={})",
            Attempt {
                inner: self.inner.first().clone()
            }
            .__repr__(),
            self.inner.redirects()
        )
    }
}

/// `headers` as (name, value) pairs: a mapping's `.items()` (e.g. `requests`' or `httpx`'
/// headers, which keep every value of a repeated name joined or listed) or an iterable of pairs.
fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let items = if headers.hasattr("items")? {
        headers.call_method0("items")?
    } else {
        headers.clone()
    };
    items
        .try_iter()?
        .map(|pair| pair?.extract::<(String, String)>())
        .collect()
}

fn py_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// The local clock now in Unix milliseconds (uncorrected): the times an exchange is given.
#[pyfunction]
fn now_unix_ms() -> i64 {
    policy::now_unix_ms()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RetryPolicy>()?;
    m.add_class::<ClientPolicy>()?;
    m.add_class::<Attempt>()?;
    m.add_class::<Action>()?;
    m.add_class::<Exchange>()?;
    m.add_function(wrap_pyfunction!(now_unix_ms, m)?)?;
    Ok(())
}
