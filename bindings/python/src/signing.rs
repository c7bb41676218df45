//! `Signer`, `SignedRequest`, `Claims`, and the free functions of the signing side: body hashes,
//! `request_uri`, `sendable_url`.

use std::path::PathBuf;

use nuvera_signing as core;
use nuvera_signing::Body;
use pyo3::exceptions::PyTypeError;
use pyo3::inspect::PyStaticExpr;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyTuple};

use crate::boundary::{self, data_class, Bytes, FromCore};
use crate::hints::{FutureSigned, Hint, StrDict, Typed};
use crate::multipart::{Data, MultipartForm};
use crate::remote::Key;

/// The nine signed claims. ``sub`` is the API key: ``repr`` hides it.
#[pyclass(frozen, eq, hash, get_all, module = "nuvera_signing")]
#[derive(Clone, PartialEq, Hash)]
pub struct Claims {
    /// Issuer (``nuvera-api`` by default).
    iss: String,
    /// Audience (``nuvera-rest-api`` by default).
    aud: String,
    /// The API key sent in ``x-api-key``: a secret, do not log it.
    sub: String,
    /// The upper-cased HTTP method.
    method: String,
    /// The request target (``pathname + search``).
    uri: String,
    /// The ``bodyHash`` claim.
    body_hash: String,
    /// Issued at, Unix seconds.
    iat: u64,
    /// Expiry, Unix seconds.
    exp: u64,
    /// The token id.
    jti: String,
}

data_class! {
    Claims from core::Claims { iss, aud, sub, method, uri, body_hash, iat, exp, jti }
    repr ["iss", "aud", "sub=<redacted>", "method", "uri", "body_hash", "iat", "exp", "jti"];

    /// The claims with their JWT names (``bodyHash``), in the signed order.
    #[pyo3(signature = () -> "dict[str, str | int]")]
    fn as_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(slf.py());
        for &name in Self::FIELDS {
            let jwt_name = if name == "body_hash" {
                "bodyHash"
            } else {
                name
            };
            dict.set_item(jwt_name, slf.getattr(name)?)?;
        }
        Ok(dict)
    }
}

impl FromCore<core::Claims> for Claims {
    fn from_core(claims: &core::Claims) -> Self {
        claims.into()
    }
}

/// A signed request: the two headers to send, the token, the claims and a proof.
///
/// ``repr`` shows neither the token nor the API key.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct SignedRequest(core::SignedRequest);

#[pymethods]
impl SignedRequest {
    /// ``{"x-api-key": …, "Authorization": "Bearer …"}``, in that order.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Typed<Bound<'py, PyDict>, StrDict>> {
        let headers = PyDict::new(py);
        for (name, value) in self.0.headers() {
            headers.set_item(name, value)?;
        }
        Ok(Typed::new(headers))
    }

    /// The compact JWT.
    #[getter]
    fn token(&self) -> &str {
        self.0.token()
    }

    /// ``Bearer <token>``.
    #[getter]
    fn authorization(&self) -> String {
        self.0.authorization()
    }

    /// The signed claims.
    #[getter]
    fn claims(&self) -> Claims {
        self.0.claims().into()
    }

    /// The proof artifact (contract §7) as pretty JSON; it holds no secret.
    fn proof_json(&self) -> String {
        self.0.proof().to_json_pretty()
    }

    /// The proof artifact as a dict.
    fn proof<'py>(&self, py: Python<'py>) -> PyResult<boundary::Json<'py>> {
        boundary::json_loads(py, &self.proof_json())
    }

    fn __repr__(&self) -> String {
        let c = self.0.claims();
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
    /// The core signer (its clock offset is what a client `Exchange` corrects).
    pub(crate) inner: core::Signer,
    /// The signing key.
    #[pyo3(get)]
    key: Key,
}

#[pymethods]
impl Signer {
    #[new]
    #[pyo3(signature = (key, api_key, *, lifetime=None, issuer=None, audience=None, clock_offset=None))]
    fn new(
        py: Python<'_>,
        key: Key,
        api_key: PyBackedStr,
        lifetime: Option<i64>,
        issuer: Option<PyBackedStr>,
        audience: Option<PyBackedStr>,
        clock_offset: Option<i64>,
    ) -> PyResult<Self> {
        let signing_key = key.signing_key();
        let inner = boundary::attached(py, || {
            let (issuer, audience) = (issuer.as_deref(), audience.as_deref());
            let options = core::SignerOptions::from_optional(lifetime, issuer, audience)?;
            let signer = core::Signer::with_options(signing_key, &api_key, options)?;
            match clock_offset {
                Some(secs) => signer.with_clock_offset(secs),
                None => Ok(signer),
            }
        })?;
        Ok(Signer { inner, key })
    }

    /// The clock offset in seconds (``iat = now + offset``), shared by every request of this
    /// signer and corrected by the client policy from a server's ``Date``.
    #[getter]
    fn clock_offset(&self) -> i64 {
        self.inner.clock_offset().secs()
    }

    /// Signs a request to ``url`` (absolute, or a target starting with ``/``).
    ///
    /// ``body``: the exact bytes to send (``str`` as UTF-8), a binary file object (read to its
    /// end in chunks: seek it back to send it), a :class:`MultipartForm`, or ``None``; or give
    /// its ``body_hash``. With ``content_type``, an encoded ``multipart/form-data`` body is hashed
    /// through its canonical object. ``iat``/``jti`` pin the clock and token id (tests).
    #[pyo3(signature = (method, url, body=None, *, body_hash=None, content_type=None, iat=None, jti=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        url: PyBackedStr,
        body: Option<SignBody>,
        body_hash: Option<PyBackedStr>,
        content_type: Option<PyBackedStr>,
        iat: Option<i64>,
        jti: Option<PyBackedStr>,
    ) -> PyResult<SignedRequest> {
        if body.is_some() && body_hash.is_some() {
            let message = "give either body or body_hash, not both";
            return Err(PyTypeError::new_err(message));
        }
        let content_type = content_type.as_deref();
        self.run(py, &method, &url, (iat, jti), |sign| match body {
            None => match &body_hash {
                Some(hash) => sign(Body::Precomputed(core::BodyHash::parse(hash)?)),
                None => sign(Body::Empty),
            },
            Some(SignBody::Form(form)) => sign(Body::Multipart(&mut form.get().lock())),
            // Read to its end by the core in chunks and signed as the exact bytes it yields,
            // whatever `content_type` says.
            Some(SignBody::Data(Data::Reader(mut reader))) => sign(Body::Reader(&mut reader)),
            Some(SignBody::Data(Data::Bytes(bytes))) => {
                sign(Body::for_content_type(content_type, &bytes))
            }
        })
    }

    /// Signs a request whose body is the file at ``path`` (streamed by the core, GIL released).
    #[pyo3(signature = (method, url, path, *, iat=None, jti=None))]
    fn sign_file(
        &self,
        py: Python<'_>,
        method: PyBackedStr,
        url: PyBackedStr,
        path: PathBuf,
        iat: Option<i64>,
        jti: Option<PyBackedStr>,
    ) -> PyResult<SignedRequest> {
        self.run(py, &method, &url, (iat, jti), |sign| {
            sign(Body::File(&path))
        })
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
        let form = form.get();
        self.run(py, &method, &url, (iat, jti), |sign| {
            sign(Body::Multipart(&mut form.lock()))
        })
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
        body: Bytes,
        iat: Option<i64>,
        jti: Option<PyBackedStr>,
    ) -> PyResult<SignedRequest> {
        let (content_type, body) = (&*content_type, &*body);
        let wire = |sign: Sign| sign(Body::MultipartWire { content_type, body });
        self.run(py, &method, &url, (iat, jti), wire)
    }

    /// :meth:`sign` for asyncio: runs in the event loop's default executor (the GIL is released
    /// while signing, so the loop keeps running) and returns a future of the signed request.
    #[pyo3(signature = (method: "str", url: "str", body=None, **kwargs: "object"))]
    fn sign_async<'py>(
        slf: &Bound<'py, Self>,
        method: Bound<'py, PyAny>,
        url: Bound<'py, PyAny>,
        body: Option<Typed<Bound<'py, PyAny>, SignBody>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Typed<Bound<'py, PyAny>, FutureSigned>> {
        let py = slf.py();
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let body = body.map_or_else(|| py.None().into_bound(py), |b| b.0);
        let args = PyTuple::new(py, [slf.getattr("sign")?, method, url, body])?;
        let partial = py.import("functools")?.getattr("partial")?;
        let future =
            event_loop.call_method1("run_in_executor", (py.None(), partial.call(args, kwargs)?))?;
        Ok(Typed::new(future))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let key = (&self.key).into_pyobject(py)?.repr()?;
        Ok(format!("Signer(key={key}, api_key=<redacted>)"))
    }

    // Typed as `object.__reduce__` is, so that the stub's override is compatible.
    fn __reduce__(&self) -> PyResult<String> {
        Err(PyTypeError::new_err("a Signer cannot be pickled"))
    }
}

/// What `Signer.sign` signs: bytes, a binary file object, or a `MultipartForm`.
#[derive(FromPyObject)]
enum SignBody {
    Data(Data),
    Form(Py<MultipartForm>),
}

impl Hint for SignBody {
    const HINT: PyStaticExpr = <Self as FromPyObject<'static, 'static>>::INPUT_TYPE;
}

/// The `iat`/`jti` a caller pinned, parsed by the core when the request is signed.
type Pins = (Option<i64>, Option<PyBackedStr>);

/// Signs a core body: what [`Signer::run`] gives the method that builds the body.
type Sign<'s> = &'s dyn Fn(Body<'_>) -> core::Result<core::SignedRequest>;

impl Signer {
    /// Signs with the GIL released: `body` builds the core body there (a file is read, a form
    /// locked: a file object the form reads takes the GIL, so holding the form's lock and the
    /// GIL together could deadlock) and signs it with the function it is given.
    fn run(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
        (iat, jti): Pins,
        body: impl FnOnce(Sign<'_>) -> core::Result<core::SignedRequest> + Send,
    ) -> PyResult<SignedRequest> {
        let inner = boundary::detached(py, || {
            let pins = core::SignOverrides::from_optional(iat, jti.as_deref())?;
            body(&|body| self.inner.sign_with(method, url, body, &pins))
        })?;
        Ok(SignedRequest(inner))
    }
}

/// SHA-256 hex of the exact body bytes (``str`` as UTF-8), or of what a binary file object
/// reads, streamed in chunks.
#[pyfunction]
pub fn body_hash(py: Python<'_>, body: Data) -> PyResult<String> {
    boundary::detached(py, || match body {
        Data::Bytes(bytes) => Ok(core::body_hash(&bytes).to_string()),
        Data::Reader(reader) => Ok(core::body_hash_reader(reader)?.0.to_string()),
    })
}

/// SHA-256 hex of a file's content, streamed.
#[pyfunction]
pub fn body_hash_file(py: Python<'_>, path: PathBuf) -> PyResult<String> {
    boundary::detached(py, || Ok(core::body_hash_file(&path)?.0.to_string()))
}

/// The ``uri`` claim of a URL or request target (WHATWG ``pathname + search``).
#[pyfunction]
pub fn request_uri(py: Python<'_>, url: PyBackedStr) -> PyResult<String> {
    boundary::attached(py, || core::request_uri(&url))
}

/// The URL to give an HTTP client so that it sends exactly the signed ``uri``.
#[pyfunction]
pub fn sendable_url(py: Python<'_>, url: PyBackedStr) -> PyResult<String> {
    boundary::attached(py, || core::sendable_url(&url))
}
