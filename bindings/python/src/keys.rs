//! `PrivateKey`: parse once, share everywhere; never shows key material.

use std::sync::Arc;

use nuvera_signing as core;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::boundary::{self, data, optional_data};

/// A parsed RSA private key (PKCS#8, PKCS#1 or encrypted PKCS#8). Parse once, reuse; thread-safe.
///
/// ``repr`` shows the size and fingerprint, never key material; it cannot be pickled.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct PrivateKey {
    pub(crate) inner: Arc<core::PrivateKey>,
}

#[pymethods]
impl PrivateKey {
    /// Parses PEM text (``str`` or bytes; literal ``\n`` accepted); an encrypted key needs
    /// ``passphrase``.
    #[staticmethod]
    #[pyo3(signature = (pem, passphrase=None))]
    fn from_pem(
        py: Python<'_>,
        pem: &Bound<'_, PyAny>,
        passphrase: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let pem = data(pem, "pem")?;
        let passphrase = optional_data(passphrase, "passphrase")?;
        let (pem, passphrase) = (pem.as_slice(), passphrase.as_ref().map(|p| p.as_slice()));
        let key = boundary::detached(py, || core::PrivateKey::from_pem(pem, passphrase))?;
        Ok(PrivateKey {
            inner: Arc::new(key),
        })
    }

    /// Reads and parses a PEM file (``str`` or ``os.PathLike``).
    #[staticmethod]
    #[pyo3(signature = (path, passphrase=None))]
    fn from_file(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        passphrase: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let path = boundary::path(path)?;
        let passphrase = optional_data(passphrase, "passphrase")?;
        let passphrase = passphrase.as_ref().map(|p| p.as_slice());
        let key = boundary::detached(py, || core::PrivateKey::from_file(&path, passphrase))?;
        Ok(PrivateKey {
            inner: Arc::new(key),
        })
    }

    /// The SPKI public key PEM, to register with Nuvera.
    #[getter]
    fn public_key_pem(&self) -> String {
        self.inner.public_key().to_pem()
    }

    /// ``SHA256:`` + hex SHA-256 of the SPKI DER.
    #[getter]
    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// Modulus size in bits.
    #[getter]
    fn bits(&self) -> usize {
        self.inner.bits()
    }

    fn __repr__(&self) -> String {
        format!(
            "PrivateKey(bits={}, fingerprint='{}')",
            self.inner.bits(),
            self.inner.fingerprint()
        )
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err("a PrivateKey cannot be pickled"))
    }
}

/// ``SHA256:`` + hex SHA-256 of the SPKI DER of a public key PEM (what Nuvera shows for a
/// registered key, and what ``PrivateKey.fingerprint`` gives for its own public key).
#[pyfunction]
fn public_key_fingerprint(py: Python<'_>, pem: &Bound<'_, PyAny>) -> PyResult<String> {
    let pem = data(pem, "pem")?;
    let pem = pem.as_slice();
    boundary::attached(py, || Ok(core::PublicKey::from_pem(pem)?.fingerprint()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PrivateKey>()?;
    m.add_function(wrap_pyfunction!(public_key_fingerprint, m)?)?;
    Ok(())
}
