//! The server side of the contract (§6): `Verifier`, `Verified`, `received_body_hash`.

use std::path::PathBuf;
use std::sync::Arc;

use nuvera_signing as core;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;

use crate::boundary::{self, data, optional_data};
use crate::signing::Claims;

/// A request that passed every rule.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct Verified {
    /// The application's name.
    #[pyo3(get)]
    application: String,
    /// The verified claims.
    #[pyo3(get)]
    claims: Py<Claims>,
    /// The permission the route needed (every accepted request has one).
    #[pyo3(get)]
    permission: String,
    /// Fingerprint of the public key that verified the signature.
    #[pyo3(get)]
    key_fingerprint: String,
}

#[pymethods]
impl Verified {
    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = other.cast::<Verified>() else {
            return Ok(false);
        };
        let other = other.get();
        Ok(self.application == other.application
            && self.permission == other.permission
            && self.key_fingerprint == other.key_fingerprint
            && self.claims.bind(py).eq(other.claims.bind(py))?)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Verified(application={:?}, claims={}, permission={:?}, key_fingerprint={:?})",
            self.application,
            self.claims.bind(py).repr()?,
            self.permission,
            self.key_fingerprint
        ))
    }
}

/// The server side of the contract (§6): registry, replay cache, clock skew. Thread-safe.
///
/// ``issuer``/``audience``/``clock_skew`` default to the contract's profile; ``now`` pins the
/// clock (tests). ``replay_cache="redis://host:6379"`` (or ``rediss://``, ``valkey://``,
/// ``redis+unix://``) shares seen token ids between instances, with ``replay_cache_prefix``
/// (default ``nuvera:jti:``), ``replay_cache_timeout_ms`` (default 50) and
/// ``replay_cache_max_connections`` (default 16); without it the registry file's
/// ``replayCache`` applies, else an in-process cache. When the store does not answer, ``verify``
/// raises ``VerificationError`` ``AUTH_REPLAY_CACHE_UNAVAILABLE`` (HTTP 503).
#[pyclass(frozen, module = "nuvera_signing")]
pub struct Verifier {
    inner: core::Verifier,
}

/// Where a registry comes from.
enum Source {
    File(PathBuf),
    Json(PyBackedStr, PathBuf),
    Toml(PyBackedStr, PathBuf),
}

impl Verifier {
    #[allow(clippy::too_many_arguments)]
    fn build(
        py: Python<'_>,
        source: Source,
        issuer: Option<PyBackedStr>,
        audience: Option<PyBackedStr>,
        clock_skew: Option<i64>,
        now: Option<i64>,
        replay_cache: ReplayCacheArgs,
    ) -> PyResult<Self> {
        let inner = boundary::detached(py, || {
            let registry = match &source {
                Source::File(path) => core::Registry::from_file(path)?,
                Source::Json(text, base) => core::Registry::from_json_str(text, base)?,
                Source::Toml(text, base) => core::Registry::from_toml_str(text, base)?,
            };
            let mut options = core::VerifierOptions::from_optional(
                issuer.as_deref(),
                audience.as_deref(),
                clock_skew,
            )?;
            options.replay_cache = replay_cache.options()?;
            let verifier = core::Verifier::new(registry).with_options(options)?;
            Ok(match now {
                Some(now) => {
                    let now = boundary::unsigned(now, "now")?;
                    verifier.with_clock(Arc::new(core::FixedClock(now)))
                }
                None => verifier,
            })
        })?;
        Ok(Verifier { inner })
    }
}

/// The `replay_cache*` keyword arguments: a replay cache shared by several instances (§9).
struct ReplayCacheArgs {
    url: Option<PyBackedStr>,
    prefix: Option<PyBackedStr>,
    timeout_ms: Option<i64>,
    max_connections: Option<i64>,
}

impl ReplayCacheArgs {
    /// The core's options (`None` without a URL: the registry file's `replayCache`, else the
    /// in-process cache); the other arguments without a URL are `INVALID_ARGUMENT`.
    fn options(&self) -> core::Result<Option<core::ReplayCacheOptions>> {
        match &self.url {
            Some(url) => core::ReplayCacheOptions::from_optional(
                url,
                self.prefix.as_deref(),
                self.timeout_ms,
                self.max_connections,
            )
            .map(Some),
            None if self.prefix.is_some()
                || self.timeout_ms.is_some()
                || self.max_connections.is_some() =>
            {
                Err(core::Error::new(
                    core::ErrorCode::InvalidArgument,
                    "replay_cache_prefix, replay_cache_timeout_ms and replay_cache_max_connections need replay_cache (its URL)",
                ))
            }
            None => Ok(None),
        }
    }
}

fn base_dir(base_dir: Option<&Bound<'_, PyAny>>) -> PyResult<PathBuf> {
    match base_dir {
        Some(b) if !b.is_none() => boundary::path(b),
        _ => Ok(PathBuf::from(".")),
    }
}

fn verified(py: Python<'_>, v: core::Verified) -> PyResult<Verified> {
    Ok(Verified {
        application: v.application,
        claims: Py::new(py, Claims::new(v.claims))?,
        permission: v.permission,
        key_fingerprint: v.key_fingerprint,
    })
}

#[pymethods]
impl Verifier {
    /// From a registry file (TOML when its name ends in ``.toml``, JSON otherwise).
    #[staticmethod]
    #[pyo3(signature = (path, *, issuer=None, audience=None, clock_skew=None, now=None, replay_cache=None, replay_cache_prefix=None, replay_cache_timeout_ms=None, replay_cache_max_connections=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_file(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        issuer: Option<PyBackedStr>,
        audience: Option<PyBackedStr>,
        clock_skew: Option<i64>,
        now: Option<i64>,
        replay_cache: Option<PyBackedStr>,
        replay_cache_prefix: Option<PyBackedStr>,
        replay_cache_timeout_ms: Option<i64>,
        replay_cache_max_connections: Option<i64>,
    ) -> PyResult<Self> {
        let replay_cache = ReplayCacheArgs {
            url: replay_cache,
            prefix: replay_cache_prefix,
            timeout_ms: replay_cache_timeout_ms,
            max_connections: replay_cache_max_connections,
        };
        let source = Source::File(boundary::path(path)?);
        Self::build(py, source, issuer, audience, clock_skew, now, replay_cache)
    }

    /// From registry JSON text; relative key files resolve against ``base_dir`` (default: the
    /// current directory).
    #[staticmethod]
    #[pyo3(signature = (text, *, base_dir=None, issuer=None, audience=None, clock_skew=None, now=None, replay_cache=None, replay_cache_prefix=None, replay_cache_timeout_ms=None, replay_cache_max_connections=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_json(
        py: Python<'_>,
        text: PyBackedStr,
        base_dir: Option<&Bound<'_, PyAny>>,
        issuer: Option<PyBackedStr>,
        audience: Option<PyBackedStr>,
        clock_skew: Option<i64>,
        now: Option<i64>,
        replay_cache: Option<PyBackedStr>,
        replay_cache_prefix: Option<PyBackedStr>,
        replay_cache_timeout_ms: Option<i64>,
        replay_cache_max_connections: Option<i64>,
    ) -> PyResult<Self> {
        let replay_cache = ReplayCacheArgs {
            url: replay_cache,
            prefix: replay_cache_prefix,
            timeout_ms: replay_cache_timeout_ms,
            max_connections: replay_cache_max_connections,
        };
        let source = Source::Json(text, self::base_dir(base_dir)?);
        Self::build(py, source, issuer, audience, clock_skew, now, replay_cache)
    }

    /// From registry TOML text; relative key files resolve against ``base_dir`` (default: the
    /// current directory).
    #[staticmethod]
    #[pyo3(signature = (text, *, base_dir=None, issuer=None, audience=None, clock_skew=None, now=None, replay_cache=None, replay_cache_prefix=None, replay_cache_timeout_ms=None, replay_cache_max_connections=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_toml(
        py: Python<'_>,
        text: PyBackedStr,
        base_dir: Option<&Bound<'_, PyAny>>,
        issuer: Option<PyBackedStr>,
        audience: Option<PyBackedStr>,
        clock_skew: Option<i64>,
        now: Option<i64>,
        replay_cache: Option<PyBackedStr>,
        replay_cache_prefix: Option<PyBackedStr>,
        replay_cache_timeout_ms: Option<i64>,
        replay_cache_max_connections: Option<i64>,
    ) -> PyResult<Self> {
        let replay_cache = ReplayCacheArgs {
            url: replay_cache,
            prefix: replay_cache_prefix,
            timeout_ms: replay_cache_timeout_ms,
            max_connections: replay_cache_max_connections,
        };
        let source = Source::Toml(text, self::base_dir(base_dir)?);
        Self::build(py, source, issuer, audience, clock_skew, now, replay_cache)
    }

    /// Applies every rule; raises :class:`VerificationError` (``code``, ``http_status``) at the
    /// first failing one.
    #[pyo3(signature = (method, target, *, api_key, authorization, body_hash))]
    fn verify(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        target: PyBackedStr,
        api_key: Option<PyBackedStr>,
        authorization: Option<PyBackedStr>,
        body_hash: PyBackedStr,
    ) -> PyResult<Verified> {
        let v = boundary::detached(py, || {
            let hash = core::BodyHash::parse(&body_hash)?;
            let request = core::ReceivedRequest {
                method: &method,
                target: &target,
                api_key: api_key.as_deref(),
                authorization: authorization.as_deref(),
                body_hash: &hash,
            };
            Ok(self.inner.verify(&request)?)
        })?;
        verified(py, v)
    }

    /// Verifies a received request from its headers (any case) and raw body bytes (hashed as a
    /// server must: multipart through its canonical object).
    #[pyo3(signature = (method, target, headers, body=None))]
    fn verify_request(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        target: PyBackedStr,
        headers: &Bound<'_, PyAny>,
        body: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Verified> {
        let headers = header_pairs(headers)?;
        let body = optional_data(body, "body")?;
        let body = body.as_ref().map_or(&[][..], |b| b.as_slice());
        let v = boundary::detached(py, || {
            let pairs = headers.iter().map(|(n, v)| (&**n, &**v));
            self.inner.verify_received(&method, &target, pairs, body)
        })?;
        verified(py, v)
    }

    fn __repr__(&self) -> String {
        "Verifier()".to_owned()
    }
}

/// A mapping of header names to values (a `dict`, `http.client.HTTPMessage`, …) as pairs.
pub fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(PyBackedStr, PyBackedStr)>> {
    let items = match headers.cast::<PyDict>() {
        Ok(d) => d.items().into_any(),
        Err(_) => headers.call_method0("items")?,
    };
    items
        .try_iter()?
        .map(|item| item?.extract::<(PyBackedStr, PyBackedStr)>())
        .collect()
}

/// The hash a server computes of a received body (multipart through its canonical object).
#[pyfunction]
fn received_body_hash(
    py: Python<'_>,
    content_type: Option<PyBackedStr>,
    body: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let body = data(body, "body")?;
    let body = body.as_slice();
    boundary::detached(py, || {
        Ok(core::received_body_hash(content_type.as_deref(), body)?
            .as_str()
            .to_owned())
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Verified>()?;
    m.add_class::<Verifier>()?;
    m.add_function(wrap_pyfunction!(received_body_hash, m)?)?;
    Ok(())
}
