//! The server side of the contract (§6): `Verifier`, `Verified`, `received_body_hash`.

use std::path::PathBuf;

use nuvera_signing as core;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::boundary::{self, data_class, Bytes, Headers};
use crate::signing::Claims;

/// A request that passed every rule.
#[pyclass(frozen, eq, get_all, module = "nuvera_signing")]
#[derive(PartialEq)]
pub struct Verified {
    /// The application's name.
    application: String,
    /// The verified claims.
    claims: Claims,
    /// The permission the route needed (every accepted request has one).
    permission: String,
    /// Fingerprint of the public key that verified the signature.
    key_fingerprint: String,
}

data_class! {
    Verified from core::Verified { application, claims, permission, key_fingerprint }
}

/// The server side of the contract (§6): registry, replay cache, clock skew. Thread-safe.
///
/// ``issuer``/``audience``/``clock_skew`` default to the contract's profile; ``now`` pins the
/// clock (tests). ``replay_cache="redis://host:6379"`` (``rediss://``, ``valkey://``,
/// ``redis+unix://``) shares seen token ids between instances (default: the registry's
/// ``replayCache``, else in-process); a store that does not answer is
/// ``AUTH_REPLAY_CACHE_UNAVAILABLE`` (HTTP 503).
#[pyclass(frozen, module = "nuvera_signing")]
pub struct Verifier(core::Verifier);

/// Where a registry comes from: a file, or JSON or TOML text with the directory its relative
/// key files resolve against.
enum Source {
    File(PathBuf),
    Json(PyBackedStr, Option<PathBuf>),
    Toml(PyBackedStr, Option<PathBuf>),
}

impl Verifier {
    /// The verifier of `source` with `options`, built with the GIL released (key files are read).
    fn build(
        py: Python<'_>,
        source: Source,
        options: core::OptionalVerifierOptions,
    ) -> PyResult<Self> {
        let inner = boundary::detached(py, || {
            let base = |dir: &Option<PathBuf>| dir.clone().unwrap_or_else(|| ".".into());
            let registry = match &source {
                Source::File(path) => core::Registry::from_file(path)?,
                Source::Json(text, dir) => core::Registry::from_json_str(text, &base(dir))?,
                Source::Toml(text, dir) => core::Registry::from_toml_str(text, &base(dir))?,
            };
            core::Verifier::from_optional(registry, options)
        })?;
        Ok(Verifier(inner))
    }
}

/// The `Verifier` constructors: each takes its source (`$arg`, and `$kw` by keyword), then the
/// keyword arguments of [`core::OptionalVerifierOptions`]; `$source` turns them into a [`Source`].
macro_rules! constructors {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($arg:ident: $ty:ty $(, *, $kw:ident: $kw_ty:ty)?) -> $source:expr;
    )*) => {
        #[pymethods]
        impl Verifier {
            $(
                $(#[doc = $doc])*
                #[staticmethod]
                #[pyo3(signature = (
                    $arg, *, $($kw=None,)? issuer=None, audience=None, clock_skew=None, now=None,
                    replay_cache=None, replay_cache_prefix=None, replay_cache_timeout_ms=None,
                    replay_cache_max_connections=None
                ))]
                #[allow(clippy::too_many_arguments)]
                fn $name(
                    py: Python<'_>,
                    $arg: $ty,
                    $($kw: $kw_ty,)?
                    issuer: Option<PyBackedStr>,
                    audience: Option<PyBackedStr>,
                    clock_skew: Option<i64>,
                    now: Option<i64>,
                    replay_cache: Option<PyBackedStr>,
                    replay_cache_prefix: Option<PyBackedStr>,
                    replay_cache_timeout_ms: Option<i64>,
                    replay_cache_max_connections: Option<i64>,
                ) -> PyResult<Self> {
                    let options = core::OptionalVerifierOptions {
                        issuer: issuer.as_deref(),
                        audience: audience.as_deref(),
                        clock_skew_secs: clock_skew,
                        now,
                        replay_cache: replay_cache.as_deref(),
                        replay_cache_prefix: replay_cache_prefix.as_deref(),
                        replay_cache_timeout_ms,
                        replay_cache_max_connections,
                    };
                    Self::build(py, $source, options)
                }
            )*

            /// Applies every rule; raises :class:`VerificationError` (``code``,
            /// ``http_status``) at the first failing one.
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
                let (api_key, authorization) = (api_key.as_deref(), authorization.as_deref());
                let verified = boundary::detached(py, || {
                    self.0.verify_given(&method, &target, api_key, authorization, &body_hash)
                })?;
                Ok((&verified).into())
            }

            /// Verifies a received request from its headers (any case) and raw body bytes
            /// (hashed as a server must: multipart through its canonical object).
            #[pyo3(signature = (method, target, headers, body=None))]
            fn verify_request(
                &self,
                py: Python<'_>,
                method: PyBackedStr,
                target: PyBackedStr,
                headers: Headers,
                body: Option<Bytes>,
            ) -> PyResult<Verified> {
                let body = body.as_deref().unwrap_or_default();
                let verified = boundary::detached(py, || {
                    self.0.verify_received(&method, &target, headers.pairs(), body)
                })?;
                Ok((&verified).into())
            }

            fn __repr__(&self) -> &'static str {
                "Verifier()"
            }
        }
    };
}

constructors! {
    /// From a registry file (TOML when its name ends in ``.toml``, JSON otherwise).
    fn from_file(path: PathBuf) -> Source::File(path);
    /// From registry JSON text; relative key files resolve against ``base_dir`` (default: the
    /// current directory).
    fn from_json(text: PyBackedStr, *, base_dir: Option<PathBuf>)
        -> Source::Json(text, base_dir);
    /// From registry TOML text; relative key files resolve against ``base_dir`` (default: the
    /// current directory).
    fn from_toml(text: PyBackedStr, *, base_dir: Option<PathBuf>)
        -> Source::Toml(text, base_dir);
}

/// The hash a server computes of a received body (multipart through its canonical object).
#[pyfunction]
pub fn received_body_hash(
    py: Python<'_>,
    content_type: Option<PyBackedStr>,
    body: Bytes,
) -> PyResult<String> {
    boundary::detached(py, || {
        Ok(core::received_body_hash(content_type.as_deref(), &body)?.to_string())
    })
}
