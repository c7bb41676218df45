//! `RemoteKey`: a signing key held elsewhere (a cloud KMS through a Python callable, a PKCS#11
//! token), usable wherever a `PrivateKey` is. The core's `RemoteKey` does the work (timeouts,
//! checking every signature); this module turns a callable into the core's callback.

use std::path::PathBuf;
use std::sync::Arc;

use nuvera_signing as core;
use nuvera_signing::remote::pkcs11::Pkcs11Config;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyBytes;

use crate::boundary::{self, Bytes};
use crate::hints::{EventLoop, InputName, SignCallable, Typed};
use crate::keys::{key_methods, PrivateKey};

/// A key whose signatures come from ``sign``, a callable (or an ``async`` one) given bytes and
/// returning the raw RSASSA-PKCS1-v1_5 signature bytes. Thread-safe; ``repr`` names the
/// provider and the public key, never a secret.
///
/// Every signature is verified against the public key before it goes into a token: a callable
/// that signs with another key raises ``RemoteSignerError`` ``REMOTE_KEY_MISMATCH``; one that
/// raises, returns something that is not a signature, or runs past the timeout raises
/// ``RemoteSignerError`` ``REMOTE_SIGNER_FAILED`` with its message.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct RemoteKey(Arc<core::RemoteKey>);

/// Calls the callable (made synchronous by `nuvera_signing._remote.synchronous`) with the GIL
/// taken for the call only; an exception becomes `TypeName: message` for `REMOTE_SIGNER_FAILED`
/// (the provider's message: the core's callback contract says it must hold no credential).
fn call(sign: &Py<PyAny>, input: &[u8]) -> Result<Vec<u8>, String> {
    Python::attach(|py| {
        let signature = sign.bind(py).call1((PyBytes::new(py, input),));
        let signature = signature.and_then(|s| Ok(s.cast_into::<PyBytes>()?.as_bytes().to_vec()));
        signature.map_err(|e| boundary::describe(py, &e))
    })
}

key_methods!(RemoteKey {
    /// A key whose signatures come from ``sign(data: bytes) -> bytes``.
    ///
    /// ``data`` is the SHA-256 digest of the JWS signing input (``input="digest"``, the default:
    /// AWS KMS ``MessageType="DIGEST"``) or the signing input itself (``input="message"``). The
    /// public half is ``public_key_pem`` (SPKI or PKCS#1) or ``public_key_der`` (SPKI).
    /// ``timeout_ms`` bounds one call (default 10 s; 0: none, the callable runs on the signing
    /// thread). An ``async`` ``sign`` runs on ``loop`` when given (then sign with
    /// :meth:`Signer.sign_async` from that loop), else on a new event loop.
    #[staticmethod]
    #[pyo3(signature = (sign, *, public_key_pem=None, public_key_der=None, input=Typed::new("digest".into()), timeout_ms=None, r#loop=None))]
    fn from_callback(
        py: Python<'_>,
        sign: Typed<Bound<'_, PyAny>, SignCallable>,
        public_key_pem: Option<Bytes>,
        public_key_der: Option<Bytes>,
        input: Typed<String, InputName>,
        timeout_ms: Option<i64>,
        r#loop: Option<Typed<Bound<'_, PyAny>, EventLoop>>,
    ) -> PyResult<Self> {
        let (sign, input, r#loop) = (sign.0, input.0, r#loop.map(|l| l.0));
        if !sign.is_callable() {
            return Err(PyTypeError::new_err("sign must be callable"));
        }
        let helper = py.import("nuvera_signing._remote")?;
        let sign = helper.call_method1("synchronous", (sign, r#loop))?.unbind();
        let key = boundary::attached(py, || {
            let (pem, der) = (public_key_pem.as_deref(), public_key_der.as_deref());
            let public = core::PublicKey::from_pem_or_spki_der(pem, der)?;
            let input = core::SignatureInput::from_name(&input)?;
            let options = core::CallbackOptions::from_optional(Some(input), timeout_ms)?;
            let callback: core::SignCallback = Arc::new(move |data: &[u8]| call(&sign, data));
            Ok(core::RemoteKey::from_callback(public, callback, options))
        })?;
        Ok(RemoteKey(Arc::new(key)))
    }

    /// A key in a PKCS#11 token (an HSM) of the library ``module``: the token by ``token_label``
    /// or ``slot``, the key by ``key_label`` or ``key_id`` (``CKA_ID`` as hex), the PIN from the
    /// environment variable ``pin_env`` or the file ``pin_file`` — one of each. Failures are
    /// ``REMOTE_SIGNER_FAILED`` with the module's ``CKR_…`` answer.
    #[staticmethod]
    #[pyo3(signature = (module, *, token_label=None, slot=None, key_label=None, key_id=None, pin_env=None, pin_file=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_pkcs11(
        py: Python<'_>,
        module: PathBuf,
        token_label: Option<PyBackedStr>,
        slot: Option<i64>,
        key_label: Option<PyBackedStr>,
        key_id: Option<PyBackedStr>,
        pin_env: Option<PyBackedStr>,
        pin_file: Option<PathBuf>,
    ) -> PyResult<Self> {
        let key = boundary::detached(py, || {
            core::RemoteKey::from_pkcs11(Pkcs11Config::from_optional(
                &module,
                token_label.as_deref(),
                slot.map(|n| core::given_unsigned(n, "slot")).transpose()?,
                key_label.as_deref(),
                key_id.as_deref(),
                pin_env.as_deref(),
                pin_file.as_deref(),
            )?)
        })?;
        Ok(RemoteKey(Arc::new(key)))
    }

    /// Signs a probe and verifies it: call at start-up to fail then rather than on a first
    /// request (``REMOTE_KEY_MISMATCH``, ``REMOTE_SIGNER_FAILED``).
    fn check(&self, py: Python<'_>) -> PyResult<()> {
        boundary::detached(py, || self.0.check())
    }

    /// ``"digest"`` or ``"message"``: what the callable is given.
    #[getter]
    fn input(&self) -> Typed<&'static str, InputName> {
        Typed::new(self.0.input().as_str())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let provider = format!("provider='{}'", slf.get().0.describe());
        boundary::repr(slf, &[provider.as_str(), "bits", "fingerprint"])
    }
});

/// The key a `Signer` takes: a `PrivateKey` or a `RemoteKey`.
#[derive(FromPyObject, IntoPyObjectRef)]
pub enum Key {
    /// A key in memory.
    Private(Py<PrivateKey>),
    /// A key held elsewhere.
    Remote(Py<RemoteKey>),
}

impl Key {
    /// The core's signing key.
    pub fn signing_key(&self) -> Arc<dyn core::SigningKey> {
        match self {
            Key::Private(key) => key.get().0.clone(),
            Key::Remote(key) => key.get().0.clone(),
        }
    }
}
