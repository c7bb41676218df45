//! The core's §8 client policy as Python sees it: `ClientPolicy`, `RetryPolicy`, `Exchange`,
//! `Attempt`, `Action`. Every decision (redirects, retries, backoff, clock correction) is the
//! core's `client::Exchange`; the `requests` and `httpx` integrations only carry out its answer.

use nuvera_signing as core;
use nuvera_signing::client as policy;
use pyo3::prelude::*;

use crate::boundary::{self, data_class, Bytes, FromCore, Headers};
use crate::signing::Signer;

/// Opt-in retries: which statuses and methods are retried, how often and how long to wait.
///
/// Every argument left ``None`` takes the core's default: statuses 429/502/503/504, the
/// idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE), ``max_attempts`` 3 (the first
/// send included), backoff base 200 ms, every wait capped at 10 000 ms (``Retry-After`` too).
#[pyclass(frozen, eq, get_all, module = "nuvera_signing")]
#[derive(Clone, PartialEq)]
pub struct RetryPolicy {
    /// Statuses retried.
    statuses: Vec<u16>,
    /// Upper-case methods retried.
    methods: Vec<String>,
    /// Sends of one request at most, the first included.
    max_attempts: u32,
    /// Backoff base in milliseconds.
    base_delay_ms: u64,
    /// Cap of every wait in milliseconds.
    max_delay_ms: u64,
}

data_class! {
    RetryPolicy from policy::RetryPolicy {
        statuses, methods, max_attempts, base_delay_ms, max_delay_ms
    }

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
        let policy = boundary::attached(py, || {
            let status = |s| core::given_unsigned(s, "the retry status");
            let statuses = statuses.map(|list| list.into_iter().map(status).collect());
            policy::RetryPolicy::from_optional(
                statuses.transpose()?,
                methods,
                max_attempts.map(|n| core::given_unsigned(n, "max_attempts")).transpose()?,
                base_delay_ms.map(|n| core::given_unsigned(n, "base_delay_ms")).transpose()?,
                max_delay_ms.map(|n| core::given_unsigned(n, "max_delay_ms")).transpose()?,
            )
        })?;
        Ok((&policy).into())
    }

    /// The defaults with POST retried too (for POSTs made idempotent, e.g. by an idempotency key).
    #[staticmethod]
    fn including_post() -> Self {
        (&policy::RetryPolicy::including_post()).into()
    }
}

impl From<&RetryPolicy> for policy::RetryPolicy {
    fn from(p: &RetryPolicy) -> Self {
        policy::RetryPolicy {
            statuses: p.statuses.clone(),
            methods: p.methods.clone(),
            max_attempts: p.max_attempts,
            base_delay_ms: p.base_delay_ms,
            max_delay_ms: p.max_delay_ms,
        }
    }
}

/// What an HTTP-client integration does between sending and answering (contract §8).
///
/// ``max_redirects`` hops followed (default 10; the next is ``TOO_MANY_REDIRECTS``); ``retry``
/// off unless given (``True`` = a default :class:`RetryPolicy`); ``correct_clock`` (default on):
/// learn the clock offset from ``Date`` on a clock refusal and send once more, signed afresh.
#[pyclass(frozen, eq, get_all, module = "nuvera_signing")]
#[derive(PartialEq)]
pub struct ClientPolicy {
    /// Redirect hops followed.
    max_redirects: u32,
    /// The retry policy, or ``None`` (retries off).
    retry: Option<RetryPolicy>,
    /// Whether a clock refusal corrects the signer's offset and sends once more.
    correct_clock: bool,
}

impl FromCore<Option<policy::RetryPolicy>> for Option<RetryPolicy> {
    fn from_core(retry: &Option<policy::RetryPolicy>) -> Self {
        retry.as_ref().map(RetryPolicy::from)
    }
}

impl From<&ClientPolicy> for policy::ClientPolicy {
    fn from(p: &ClientPolicy) -> Self {
        let retry = p.retry.as_ref().map(policy::RetryPolicy::from);
        policy::ClientPolicy::from_optional(Some(p.max_redirects), retry, Some(p.correct_clock))
    }
}

/// `ClientPolicy(retry=…)`: a flag (`True` = the default retries) or a `RetryPolicy`.
#[derive(FromPyObject)]
enum Retry<'py> {
    #[pyo3(annotation = "bool")]
    Flag(bool),
    #[pyo3(annotation = "RetryPolicy")]
    Policy(Bound<'py, RetryPolicy>),
}

data_class! {
    ClientPolicy from policy::ClientPolicy { max_redirects, retry, correct_clock }

    #[new]
    #[pyo3(signature = (*, max_redirects=None, retry=None, correct_clock=None))]
    fn new(
        py: Python<'_>,
        max_redirects: Option<i64>,
        retry: Option<Retry>,
        correct_clock: Option<bool>,
    ) -> PyResult<Self> {
        let max_redirects = max_redirects.map(|n| core::given_unsigned(n, "max_redirects"));
        let max_redirects = boundary::attached(py, || max_redirects.transpose())?;
        let retry = match retry {
            Some(Retry::Flag(on)) => on.then(policy::RetryPolicy::default),
            Some(Retry::Policy(policy)) => Some(policy.get().into()),
            None => None,
        };
        let policy = policy::ClientPolicy::from_optional(max_redirects, retry, correct_clock);
        Ok((&policy).into())
    }
}

/// One send the exchange asks for: sign it afresh (unless ``credentials`` is false) and send it.
#[pyclass(frozen, eq, get_all, module = "nuvera_signing")]
#[derive(PartialEq)]
pub struct Attempt {
    /// The method to send and sign.
    method: String,
    /// The absolute URL to send (no fragment).
    url: String,
    /// Send the caller's body (``False``: no body and no ``Content-Type``/``Content-Length``).
    send_body: bool,
    /// Sign and send ``x-api-key``/``Authorization`` (``False`` after a hop to another origin).
    credentials: bool,
}

data_class! {
    Attempt from policy::Attempt { method, url, send_body, credentials }
}

/// The exchange's answer to a response: ``kind`` is ``"send"`` (wait ``delay_ms``, then sign and
/// send ``attempt``; ``reason`` is ``redirect``, ``retry`` or ``clock-correction``) or ``"done"``
/// (hand the response to the caller). A failure is raised by :meth:`Exchange.on_response`.
#[pyclass(frozen, get_all, module = "nuvera_signing")]
pub struct Action {
    /// ``"send"`` or ``"done"``.
    kind: &'static str,
    /// What to send (``None`` when done).
    attempt: Option<Py<Attempt>>,
    /// Milliseconds to wait before sending (0 when done).
    delay_ms: u64,
    /// ``redirect``, ``retry``, ``clock-correction``, or ``None`` when done.
    reason: Option<&'static str>,
}

#[pymethods]
impl Action {
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        match slf.get().attempt {
            None => boundary::repr(slf, &["kind"]),
            Some(_) => boundary::repr(slf, &["kind", "reason", "delay_ms", "attempt"]),
        }
    }
}

/// One caller's request through redirects, retries and clock correction, decided by the core.
///
/// Sign and send :attr:`first`; give each response to :meth:`on_response` and carry out the
/// :class:`Action` it returns. The exchange reads and corrects ``signer``'s clock offset (shared
/// by every user of that signer). ``jitter`` pins the backoff's random fractions (tests).
#[pyclass(module = "nuvera_signing")]
pub struct Exchange(policy::Exchange);

#[pymethods]
impl Exchange {
    #[new]
    #[pyo3(signature = (policy, signer, method, url, *, has_body, jitter=None))]
    fn new(
        py: Python<'_>,
        policy: &Bound<'_, ClientPolicy>,
        signer: &Bound<'_, Signer>,
        method: String,
        url: String,
        has_body: bool,
        jitter: Option<Vec<f64>>,
    ) -> PyResult<Self> {
        let request = policy::Request {
            method,
            url,
            has_body,
        };
        let offset = signer.get().inner.clock_offset().clone();
        let inner = boundary::attached(py, || {
            let exchange = core::Exchange::new(policy.get().into(), request, offset)?;
            match jitter {
                Some(fractions) => exchange.with_jitter_fractions(fractions),
                None => Ok(exchange),
            }
        })?;
        Ok(Exchange(inner))
    }

    /// The first send: the caller's request.
    #[getter]
    fn first(&self) -> Attempt {
        self.0.first().into()
    }

    /// Redirect hops followed so far.
    #[getter]
    fn redirects(&self) -> u32 {
        self.0.redirects()
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
        headers: Headers,
        body: Option<Bytes>,
        sent_at_ms: i64,
        received_at_ms: i64,
    ) -> PyResult<Action> {
        let headers = headers.pairs().map(|(n, v)| (n.to_owned(), v.to_owned()));
        let response = policy::Response {
            status,
            headers: headers.collect(),
            body: body.map(|b| b.to_vec()).unwrap_or_default(),
            sent_at_ms,
            received_at_ms,
        };
        let action = boundary::attached(py, || match self.0.on_response(&response) {
            core::Action::Fail(error) => Err(error),
            other => Ok(other),
        })?;
        let (kind, attempt, delay_ms, reason) = match action {
            core::Action::Send {
                attempt,
                delay_ms,
                reason,
            } => (
                "send",
                Some(Py::new(py, Attempt::from(&attempt))?),
                delay_ms,
                Some(reason.as_str()),
            ),
            _ => ("done", None, 0, None),
        };
        Ok(Action {
            kind,
            attempt,
            delay_ms,
            reason,
        })
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        boundary::repr(slf, &["first", "redirects"])
    }
}

/// The local clock now in Unix milliseconds (uncorrected): the times an exchange is given.
#[pyfunction]
pub fn now_unix_ms() -> i64 {
    policy::now_unix_ms()
}
