//! `RemoteKey`: a signing key held elsewhere (a cloud KMS through a Python callable, a PKCS#11
//! token), usable wherever a `PrivateKey` is. The core does the work
//! (`RemoteKey::from_callback`, `RemoteKey::from_pkcs11`): it runs the callable on a helper thread
//! bounded by the timeout and verifies every signature against the public key; this module only
//! turns the callable into the core's callback and the arguments into the core's configuration.

use std::sync::Arc;

use nuvera_signing as core;
use nuvera_signing::remote::pkcs11::Pkcs11Config;
use nuvera_signing::{Error, ErrorCode};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView};

use crate::boundary::{self, optional_data};
use crate::keys::PrivateKey;

/// A key whose signatures come from ``sign``, a callable (or an ``async`` one) given bytes and
/// returning the raw RSASSA-PKCS1-v1_5 signature bytes. Thread-safe; ``repr`` names the
/// provider and the public key, never a secret.
///
/// Every signature is verified against the public key before it goes into a token: a callable
/// that signs with another key raises ``RemoteSignerError`` ``REMOTE_KEY_MISMATCH``; one that
/// raises, returns something that is not a signature, or runs past the timeout raises
/// ``RemoteSignerError`` ``REMOTE_SIGNER_FAILED`` with its message.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct RemoteKey {
    inner: Arc<core::RemoteKey>,
}

/// The Python callable behind a key, and the event loop its coroutines run on.
struct PythonSigner {
    sign: Py<PyAny>,
    event_loop: Option<Py<PyAny>>,
}

impl PythonSigner {
    /// Called by the core on its helper thread (or the signing thread without a timeout), with
    /// the GIL released by the signer: takes the GIL for the duration of the Python call only.
    fn call(&self, input: &[u8]) -> Result<Vec<u8>, String> {
        Python::attach(|py| {
            self.call_attached(py, input)
                .map_err(|e| describe_exception(py, &e))
        })
    }

    fn call_attached(&self, py: Python<'_>, input: &[u8]) -> PyResult<Vec<u8>> {
        let mut result = self.sign.bind(py).call1((PyBytes::new(py, input),))?;
        if py
            .import("inspect")?
            .call_method1("isawaitable", (&result,))?
            .is_truthy()?
        {
            result = self.await_result(py, result)?;
        }
        signature_bytes(&result)
    }

    /// Runs a coroutine returned by an `async` callable: on the loop given at construction
    /// (`asyncio.run_coroutine_threadsafe`, so a client bound to that loop works; the caller must
    /// not block that loop, hence `Signer.sign_async`), else on a fresh loop of this thread.
    fn await_result<'py>(
        &self,
        py: Python<'py>,
        awaitable: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let asyncio = py.import("asyncio")?;
        let coroutine = if py
            .import("inspect")?
            .call_method1("iscoroutine", (&awaitable,))?
            .is_truthy()?
        {
            awaitable
        } else {
            // A Future or other awaitable: wrapped, because both entry points want a coroutine.
            py.import("nuvera_signing._remote")?
                .call_method1("as_coroutine", (awaitable,))?
        };
        match &self.event_loop {
            Some(event_loop) if is_running_here(&asyncio, event_loop.bind(py)) => {
                // Waiting here would block the very loop that must run the coroutine, forever
                // when there is no timeout: refuse instead.
                let _ = coroutine.call_method0("close");
                Err(PyRuntimeError::new_err(
                    "the key's event loop is running on the signing thread; sign with `await signer.sign_async(...)`",
                ))
            }
            Some(event_loop) => asyncio
                .call_method1("run_coroutine_threadsafe", (coroutine, event_loop.bind(py)))?
                .call_method0("result"),
            None => asyncio.call_method1("run", (coroutine,)),
        }
    }
}

/// Whether `event_loop` is the loop running on this thread (a synchronous `sign` called from a
/// coroutine on it, with no timeout: the callable then runs on this very thread).
fn is_running_here(asyncio: &Bound<'_, PyModule>, event_loop: &Bound<'_, PyAny>) -> bool {
    asyncio
        .call_method0("get_running_loop")
        .is_ok_and(|running| running.is(event_loop))
}

/// What the callable returned, as bytes (`bytes`, `bytearray`, `memoryview`).
fn signature_bytes(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if value.cast::<PyMemoryView>().is_ok() {
        return Ok(value
            .call_method0("tobytes")?
            .cast_into::<PyBytes>()?
            .as_bytes()
            .to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "the callable returned {}, not the signature bytes",
        value.get_type().name()?
    )))
}

/// `TypeName: message` of an exception the callable raised (the provider's message; a provider
/// must not put a credential in it, as the core's contract for callbacks says).
fn describe_exception(py: Python<'_>, error: &PyErr) -> String {
    let name = error
        .get_type(py)
        .name()
        .map_or_else(|_| "Exception".to_owned(), |n| n.to_string());
    format!("{name}: {}", error.value(py))
}

/// `"digest"` or `"message"` as the core's `SignatureInput`.
fn signature_input(input: &str) -> core::Result<core::SignatureInput> {
    match input {
        "digest" => Ok(core::SignatureInput::Digest),
        "message" => Ok(core::SignatureInput::Message),
        other => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("input {other:?} is neither \"digest\" nor \"message\""),
        )),
    }
}

#[pymethods]
impl RemoteKey {
    /// A key whose signatures come from ``sign(data: bytes) -> bytes``.
    ///
    /// ``data`` is the 32-byte SHA-256 digest of the JWS signing input (``input="digest"``, the
    /// default: AWS KMS ``MessageType="DIGEST"``, Google Cloud KMS ``digest.sha256``) or the
    /// signing input itself (``input="message"``). The public half is ``public_key_pem`` (SPKI or
    /// PKCS#1 PEM) or ``public_key_der`` (SPKI DER, as AWS KMS ``GetPublicKey`` returns it).
    /// ``timeout_ms`` bounds one call (default 10 s; 0 means none, the callable then runs on
    /// the signing thread).
    ///
    /// ``sign`` may be ``async``: its coroutine runs on ``loop`` when given (use
    /// :meth:`Signer.sign_async` from that loop, so it is not blocked while the core waits),
    /// otherwise on a new event loop of the core's helper thread.
    #[staticmethod]
    #[pyo3(signature = (sign, *, public_key_pem=None, public_key_der=None, input="digest", timeout_ms=None, r#loop=None))]
    fn from_callback(
        py: Python<'_>,
        sign: &Bound<'_, PyAny>,
        public_key_pem: Option<&Bound<'_, PyAny>>,
        public_key_der: Option<&Bound<'_, PyAny>>,
        input: &str,
        timeout_ms: Option<i64>,
        r#loop: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        if !sign.is_callable() {
            return Err(PyTypeError::new_err("sign must be callable"));
        }
        let pem = optional_data(public_key_pem, "public_key_pem")?;
        let der = optional_data(public_key_der, "public_key_der")?;
        let signer = PythonSigner {
            sign: sign.clone().unbind(),
            event_loop: r#loop.filter(|l| !l.is_none()).map(|l| l.clone().unbind()),
        };
        let key = boundary::attached(py, || {
            let public = match (&pem, &der) {
                (Some(pem), None) => core::PublicKey::from_pem(pem.as_slice())?,
                (None, Some(der)) => core::PublicKey::from_spki_der(der.as_slice())?,
                _ => {
                    return Err(Error::new(
                        ErrorCode::InvalidArgument,
                        "give exactly one of public_key_pem and public_key_der",
                    ))
                }
            };
            let options =
                core::CallbackOptions::from_optional(Some(signature_input(input)?), timeout_ms)?;
            let callback: core::SignCallback = Arc::new(move |data: &[u8]| signer.call(data));
            Ok(core::RemoteKey::from_callback(public, callback, options))
        })?;
        Ok(RemoteKey {
            inner: Arc::new(key),
        })
    }

    /// A key in a PKCS#11 token (an HSM; SoftHSM2): ``module`` is the PKCS#11 library's path,
    /// the token is found by ``token_label`` or ``slot``, the key by ``key_label`` or ``key_id``
    /// (``CKA_ID`` as hex), the PIN read from the environment variable named ``pin_env`` or the
    /// file ``pin_file`` — one of each (``INVALID_ARGUMENT`` otherwise). The token hashes and
    /// signs (``CKM_SHA256_RSA_PKCS``); the public key is read from it and every signature checked
    /// against it. Failures are ``REMOTE_SIGNER_FAILED`` with the module's ``CKR_…`` answer.
    #[staticmethod]
    #[pyo3(signature = (module, *, token_label=None, slot=None, key_label=None, key_id=None, pin_env=None, pin_file=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_pkcs11(
        py: Python<'_>,
        module: &Bound<'_, PyAny>,
        token_label: Option<PyBackedStr>,
        slot: Option<i64>,
        key_label: Option<PyBackedStr>,
        key_id: Option<PyBackedStr>,
        pin_env: Option<PyBackedStr>,
        pin_file: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let module = boundary::path(module)?;
        let pin_file = match pin_file {
            Some(p) if !p.is_none() => Some(boundary::path(p)?),
            _ => None,
        };
        let key = boundary::detached(py, || {
            let slot = slot
                .map(|s| boundary::unsigned::<u64>(s, "slot"))
                .transpose()?;
            let config = Pkcs11Config::from_optional(
                &module,
                token_label.as_deref(),
                slot,
                key_label.as_deref(),
                key_id.as_deref(),
                pin_env.as_deref(),
                pin_file.as_deref(),
            )?;
            core::RemoteKey::from_pkcs11(config)
        })?;
        Ok(RemoteKey {
            inner: Arc::new(key),
        })
    }

    /// Signs a probe and verifies it: call at start-up to fail then rather than on a first
    /// request (``REMOTE_KEY_MISMATCH``, ``REMOTE_SIGNER_FAILED``).
    fn check(&self, py: Python<'_>) -> PyResult<()> {
        boundary::detached(py, || self.inner.check())
    }

    /// The SPKI public key PEM.
    #[getter]
    fn public_key_pem(&self) -> String {
        core::SigningKey::public_key(&*self.inner).to_pem()
    }

    /// ``SHA256:`` + hex SHA-256 of the SPKI DER.
    #[getter]
    fn fingerprint(&self) -> String {
        core::SigningKey::fingerprint(&*self.inner)
    }

    /// Modulus size in bits.
    #[getter]
    fn bits(&self) -> usize {
        core::SigningKey::bits(&*self.inner)
    }

    /// ``"digest"`` or ``"message"``: what the callable is given.
    #[getter]
    fn input(&self) -> &'static str {
        match self.inner.input() {
            core::SignatureInput::Digest => "digest",
            core::SignatureInput::Message => "message",
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "RemoteKey(provider='{}', bits={}, fingerprint='{}')",
            self.inner.describe(),
            self.bits(),
            self.fingerprint()
        )
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err("a RemoteKey cannot be pickled"))
    }
}

/// The core signing key of a `PrivateKey` or a `RemoteKey` (what `Signer` takes).
pub fn signing_key(key: &Bound<'_, PyAny>) -> PyResult<Arc<dyn core::SigningKey>> {
    if let Ok(k) = key.cast::<PrivateKey>() {
        return Ok(k.get().inner.clone());
    }
    if let Ok(k) = key.cast::<RemoteKey>() {
        return Ok(k.get().inner.clone());
    }
    Err(PyTypeError::new_err(
        "key must be a nuvera_signing.PrivateKey or RemoteKey",
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RemoteKey>()?;
    Ok(())
}
