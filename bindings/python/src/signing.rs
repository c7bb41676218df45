//! `Signer`, `SignedRequest`, `Claims`, and the free functions of the signing side: body hashes,
//! `request_uri`, `sendable_url`.

use std::hash::{Hash, Hasher};

use nuvera_signing as core;
use nuvera_signing::Body;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyTuple};

use crate::boundary::{self, data, optional_data};
use crate::keys::PrivateKey;
use crate::multipart::{FileObjectReader, MultipartForm};

/// The nine signed claims. ``sub`` is the API key: ``repr`` hides it.
#[pyclass(frozen, eq, module = "nuvera_signing")]
#[derive(PartialEq)]
pub struct Claims {
    inner: core::Claims,
}

impl Claims {
    pub fn new(inner: core::Claims) -> Self {
        Claims { inner }
    }
}

#[pymethods]
impl Claims {
    /// Issuer (``nuvera-api`` by default).
    #[getter]
    fn iss(&self) -> &str {
        &self.inner.iss
    }
    /// Audience (``nuvera-rest-api`` by default).
    #[getter]
    fn aud(&self) -> &str {
        &self.inner.aud
    }
    /// The API key sent in ``x-api-key``: a secret, do not log it.
    #[getter]
    fn sub(&self) -> &str {
        &self.inner.sub
    }
    /// The upper-cased HTTP method.
    #[getter]
    fn method(&self) -> &str {
        &self.inner.method
    }
    /// The request target (``pathname + search``).
    #[getter]
    fn uri(&self) -> &str {
        &self.inner.uri
    }
    /// The ``bodyHash`` claim.
    #[getter]
    fn body_hash(&self) -> &str {
        &self.inner.body_hash
    }
    /// Issued at, Unix seconds.
    #[getter]
    fn iat(&self) -> u64 {
        self.inner.iat
    }
    /// Expiry, Unix seconds.
    #[getter]
    fn exp(&self) -> u64 {
        self.inner.exp
    }
    /// The token id.
    #[getter]
    fn jti(&self) -> &str {
        &self.inner.jti
    }

    /// The claims with their JWT names (``bodyHash``), in the signed order.
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.inner;
        let d = PyDict::new(py);
        d.set_item("iss", &c.iss)?;
        d.set_item("aud", &c.aud)?;
        d.set_item("sub", &c.sub)?;
        d.set_item("method", &c.method)?;
        d.set_item("uri", &c.uri)?;
        d.set_item("bodyHash", &c.body_hash)?;
        d.set_item("iat", c.iat)?;
        d.set_item("exp", c.exp)?;
        d.set_item("jti", &c.jti)?;
        Ok(d)
    }

    fn __hash__(&self) -> u64 {
        let c = &self.inner;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            &c.iss,
            &c.aud,
            &c.sub,
            &c.method,
            &c.uri,
            &c.body_hash,
            c.iat,
            c.exp,
            &c.jti,
        )
            .hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        let c = &self.inner;
        format!(
            "Claims(iss={:?}, aud={:?}, sub=<redacted>, method={:?}, uri={:?}, body_hash={:?}, \
             iat={}, exp={}, jti={:?})",
            c.iss, c.aud, c.method, c.uri, c.body_hash, c.iat, c.exp, c.jti
        )
    }
}

/// A signed request: the two headers to send, the token, the claims and a proof.
///
/// ``repr`` shows neither the token nor the API key.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct SignedRequest {
    inner: core::SignedRequest,
}

#[pymethods]
impl SignedRequest {
    /// ``{"x-api-key": …, "Authorization": "Bearer …"}``, in that order.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (name, value) in self.inner.headers() {
            d.set_item(name, value)?;
        }
        Ok(d)
    }

    /// The compact JWT.
    #[getter]
    fn token(&self) -> &str {
        self.inner.token()
    }

    /// ``Bearer <token>``.
    #[getter]
    fn authorization(&self) -> String {
        self.inner.authorization()
    }

    /// The signed claims.
    #[getter]
    fn claims(&self) -> Claims {
        Claims::new(self.inner.claims().clone())
    }

    /// The proof artifact (contract §7) as pretty JSON; it holds no secret.
    fn proof_json(&self) -> String {
        self.inner.proof().to_json_pretty()
    }

    /// The proof artifact as a dict.
    fn proof<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?
            .call_method1("loads", (self.inner.proof().to_json_pretty(),))
    }

    fn __repr__(&self) -> String {
        let c = self.inner.claims();
        format!(
            "SignedRequest(method={:?}, uri={:?}, jti={:?}, token=<redacted>)",
            c.method, c.uri, c.jti
        )
    }
}

/// Signs requests for one API key. Thread-safe: share one per application; the GIL is released
/// while it hashes and signs, so threads sign in parallel.
///
/// ``lifetime`` is the token lifetime in seconds (default 55, 1..=60); ``issuer`` and
/// ``audience`` default to ``nuvera-api`` / ``nuvera-rest-api``. ``clock_offset`` starts the
/// signer with a known offset in seconds (``iat = now + offset``); the client policy corrects it.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct Signer {
    inner: core::Signer,
    key: Py<PrivateKey>,
}

#[pymethods]
impl Signer {
    #[new]
    #[pyo3(signature = (key, api_key, *, lifetime=None, issuer=None, audience=None, clock_offset=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        api_key: PyBackedStr,
        lifetime: Option<i64>,
        issuer: Option<PyBackedStr>,
        audience: Option<PyBackedStr>,
        clock_offset: Option<i64>,
    ) -> PyResult<Self> {
        let key = key
            .cast::<PrivateKey>()
            .map_err(|_| PyTypeError::new_err("key must be a nuvera_signing.PrivateKey"))?;
        let inner = boundary::attached(py, || {
            let options = core::SignerOptions::from_optional(
                lifetime,
                issuer.as_deref(),
                audience.as_deref(),
            )?;
            let signer = core::Signer::with_options(key.get().inner.clone(), &api_key, options)?;
            match clock_offset {
                Some(secs) => signer.with_clock_offset(secs),
                None => Ok(signer),
            }
        })?;
        Ok(Signer {
            inner,
            key: key.clone().unbind(),
        })
    }

    /// The clock offset in seconds (``iat = now + offset``), shared by every request of this
    /// signer and corrected by the client policy from a server's ``Date``.
    #[getter]
    fn clock_offset(&self) -> i64 {
        self.inner.clock_offset().secs()
    }

    /// The signing key.
    #[getter]
    fn key(&self, py: Python<'_>) -> Py<PrivateKey> {
        self.key.clone_ref(py)
    }

    /// Signs a request.
    ///
    /// ``url`` is an absolute URL or a target starting with ``/``. ``body`` is the exact bytes to
    /// send (``str`` is sent as UTF-8), a binary file object (read to its end in chunks, so it
    /// cannot be sent afterwards unless it can seek), ``None`` for no body, or a
    /// :class:`MultipartForm`; or give
    /// a precomputed ``body_hash`` instead. With ``content_type``, the core chooses how the bytes
    /// are hashed (an encoded ``multipart/form-data`` body through its canonical object).
    /// ``iat``/``jti`` pin the clock and token id (tests, reproducing a token).
    #[pyo3(signature = (method, url, body=None, *, body_hash=None, content_type=None, iat=None, jti=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        url: PyBackedStr,
        body: Option<&Bound<'_, PyAny>>,
        body_hash: Option<PyBackedStr>,
        content_type: Option<PyBackedStr>,
        iat: Option<i64>,
        jti: Option<PyBackedStr>,
    ) -> PyResult<SignedRequest> {
        let overrides = boundary::attached(py, || {
            core::SignOverrides::from_optional(iat, jti.as_deref())
        })?;
        if let Some(hash) = body_hash {
            if body.is_some_and(|b| !b.is_none()) {
                return Err(PyTypeError::new_err(
                    "give either body or body_hash, not both",
                ));
            }
            return self.run(py, &method, &url, &overrides, move || {
                core::BodyHash::parse(&hash).map(Body::Precomputed)
            });
        }
        if let Some(form) = body.and_then(|b| b.cast::<MultipartForm>().ok()) {
            let form = form.get();
            return self.sign_form(py, &method, &url, form, &overrides);
        }
        if let Some(mut reader) = body.and_then(FileObjectReader::of) {
            // A binary file object: read to its end by the core in chunks, and signed as the
            // exact bytes it yields (whatever `content_type` says).
            let reader = &mut reader;
            return self.run(py, &method, &url, &overrides, move || {
                Ok(Body::Reader(reader))
            });
        }
        let data = optional_data(body, "body")?;
        let bytes = data.as_ref().map(|d| d.as_slice());
        let content_type = content_type.as_deref();
        self.run(py, &method, &url, &overrides, || {
            Ok(bytes.map_or(Body::Empty, |b| Body::for_content_type(content_type, b)))
        })
    }

    /// Signs a request whose body is the file at ``path`` (streamed by the core, GIL released).
    #[pyo3(signature = (method, url, path, *, iat=None, jti=None))]
    fn sign_file(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        url: PyBackedStr,
        path: &Bound<'_, PyAny>,
        iat: Option<i64>,
        jti: Option<PyBackedStr>,
    ) -> PyResult<SignedRequest> {
        let overrides = boundary::attached(py, || {
            core::SignOverrides::from_optional(iat, jti.as_deref())
        })?;
        let path = boundary::path(path)?;
        let path = path.as_path();
        self.run(py, &method, &url, &overrides, || Ok(Body::File(path)))
    }

    /// Signs a multipart request described by ``form`` (send ``form.to_bytes()`` with
    /// ``form.content_type``).
    #[pyo3(signature = (method, url, form, *, iat=None, jti=None))]
    fn sign_multipart(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        url: PyBackedStr,
        form: &Bound<'_, MultipartForm>,
        iat: Option<i64>,
        jti: Option<PyBackedStr>,
    ) -> PyResult<SignedRequest> {
        let overrides = boundary::attached(py, || {
            core::SignOverrides::from_optional(iat, jti.as_deref())
        })?;
        self.sign_form(py, &method, &url, form.get(), &overrides)
    }

    /// Signs an already encoded multipart body (hashed through its canonical object).
    #[pyo3(signature = (method, url, content_type, body, *, iat=None, jti=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign_multipart_wire(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        url: PyBackedStr,
        content_type: PyBackedStr,
        body: &Bound<'_, PyAny>,
        iat: Option<i64>,
        jti: Option<PyBackedStr>,
    ) -> PyResult<SignedRequest> {
        let overrides = boundary::attached(py, || {
            core::SignOverrides::from_optional(iat, jti.as_deref())
        })?;
        let body = data(body, "body")?;
        let (content_type, body) = (&*content_type, body.as_slice());
        self.run(py, &method, &url, &overrides, || {
            Ok(Body::MultipartWire { content_type, body })
        })
    }

    /// :meth:`sign` for asyncio: runs in the event loop's default executor (the GIL is released
    /// while signing, so the loop keeps running) and returns a future of the signed request.
    #[pyo3(signature = (method, url, body=None, **kwargs))]
    fn sign_async<'py>(
        slf: &Bound<'py, Self>,
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        body: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let args = PyTuple::new(
            py,
            [
                slf.getattr("sign")?,
                method.clone(),
                url.clone(),
                body.map_or_else(|| py.None().into_bound(py), Clone::clone),
            ],
        )?;
        let call = py
            .import("functools")?
            .getattr("partial")?
            .call(args, kwargs)?;
        event_loop.call_method1("run_in_executor", (py.None(), call))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Signer(key={}, api_key=<redacted>)",
            self.key.bind(py).repr()?
        ))
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err("a Signer cannot be pickled"))
    }
}

impl Signer {
    /// The core signer (its clock offset is what a client `Exchange` corrects).
    pub fn core(&self) -> &core::Signer {
        &self.inner
    }

    /// Signs with the GIL released; `body` builds the core body inside the released section (a
    /// file or form is read there).
    fn run<'a>(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
        overrides: &core::SignOverrides,
        body: impl FnOnce() -> core::Result<Body<'a>> + Send,
    ) -> PyResult<SignedRequest> {
        let inner =
            boundary::detached(py, || self.inner.sign_with(method, url, body()?, overrides))?;
        Ok(SignedRequest { inner })
    }

    fn sign_form(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
        form: &MultipartForm,
        overrides: &core::SignOverrides,
    ) -> PyResult<SignedRequest> {
        let inner = boundary::detached(py, || {
            let mut form = form.lock();
            self.inner
                .sign_with(method, url, Body::Multipart(&mut form), overrides)
        })?;
        Ok(SignedRequest { inner })
    }
}

/// SHA-256 hex of the exact body bytes (``str`` as UTF-8), or of what a binary file object
/// reads, streamed in chunks.
#[pyfunction]
fn body_hash(py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Some(reader) = FileObjectReader::of(body) {
        return boundary::detached(py, || {
            Ok(core::body_hash_reader(reader)?.0.as_str().to_owned())
        });
    }
    let body = data(body, "body")?;
    let body = body.as_slice();
    boundary::detached(py, || Ok(core::body_hash(body).as_str().to_owned()))
}

/// SHA-256 hex of a file's content, streamed.
#[pyfunction]
fn body_hash_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<String> {
    let path = boundary::path(path)?;
    boundary::detached(py, || {
        Ok(core::body_hash_file(&path)?.0.as_str().to_owned())
    })
}

/// The ``uri`` claim of a URL or request target (WHATWG ``pathname + search``).
#[pyfunction]
fn request_uri(py: Python<'_>, url: PyBackedStr) -> PyResult<String> {
    boundary::attached(py, || core::request_uri(&url))
}

/// The URL to give an HTTP client so that it sends exactly the signed ``uri``.
#[pyfunction]
fn sendable_url(py: Python<'_>, url: PyBackedStr) -> PyResult<String> {
    boundary::attached(py, || core::sendable_url(&url))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Claims>()?;
    m.add_class::<SignedRequest>()?;
    m.add_class::<Signer>()?;
    m.add_function(wrap_pyfunction!(body_hash, m)?)?;
    m.add_function(wrap_pyfunction!(body_hash_file, m)?)?;
    m.add_function(wrap_pyfunction!(request_uri, m)?)?;
    m.add_function(wrap_pyfunction!(sendable_url, m)?)?;
    Ok(())
}
