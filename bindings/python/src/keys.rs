//! `PrivateKey`: parse once, share everywhere; never shows key material. [`key_methods!`] gives
//! every key class (this one and `RemoteKey`) the same public-key getters.

use std::path::PathBuf;
use std::sync::Arc;

use nuvera_signing as core;
use pyo3::prelude::*;

use crate::boundary::{self, Bytes};

/// A key class's `#[pymethods]`: the public-key getters and the refusal to pickle every key
/// class shares (its `.0` is a core `SigningKey`), then the class's own `$methods`.
macro_rules! key_methods {
    ($class:ident { $($methods:tt)* }) => {
        #[pyo3::pymethods]
        impl $class {
            /// The SPKI public key PEM, to register with Nuvera.
            #[getter]
            fn public_key_pem(&self) -> String {
                core::SigningKey::public_key(&*self.0).to_pem()
            }

            /// ``SHA256:`` + hex SHA-256 of the SPKI DER.
            #[getter]
            fn fingerprint(&self) -> String {
                core::SigningKey::fingerprint(&*self.0)
            }

            /// Modulus size in bits.
            #[getter]
            fn bits(&self) -> usize {
                core::SigningKey::bits(&*self.0)
            }

            // Typed as `object.__reduce__` is, so that the stub's override is compatible.
            fn __reduce__(&self) -> PyResult<String> {
                let message = concat!("a ", stringify!($class), " cannot be pickled");
                Err(pyo3::exceptions::PyTypeError::new_err(message))
            }

            $($methods)*
        }
    };
}
pub(crate) use key_methods;

/// A parsed RSA private key (PKCS#8, PKCS#1 or encrypted PKCS#8). Parse once, reuse; thread-safe.
///
/// ``repr`` shows the size and fingerprint, never key material; it cannot be pickled.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct PrivateKey(pub(crate) Arc<core::PrivateKey>);

key_methods!(PrivateKey {
    /// Parses PEM text (``str`` or bytes; literal ``\n`` accepted); an encrypted key needs
    /// ``passphrase``.
    #[staticmethod]
    #[pyo3(signature = (pem, passphrase=None))]
    fn from_pem(py: Python<'_>, pem: Bytes, passphrase: Option<Bytes>) -> PyResult<Self> {
        let key = boundary::detached(py, || {
            core::PrivateKey::from_pem(&*pem, passphrase.as_deref())
        })?;
        Ok(PrivateKey(Arc::new(key)))
    }

    /// Reads and parses a PEM file (``str`` or ``os.PathLike``).
    #[staticmethod]
    #[pyo3(signature = (path, passphrase=None))]
    fn from_file(py: Python<'_>, path: PathBuf, passphrase: Option<Bytes>) -> PyResult<Self> {
        let key = boundary::detached(py, || {
            core::PrivateKey::from_file(&path, passphrase.as_deref())
        })?;
        Ok(PrivateKey(Arc::new(key)))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        boundary::repr(slf, &["bits", "fingerprint"])
    }
});

/// ``SHA256:`` + hex SHA-256 of the SPKI DER of a public key PEM (what Nuvera shows for a
/// registered key, and what ``PrivateKey.fingerprint`` gives for its own public key).
#[pyfunction]
pub fn public_key_fingerprint(py: Python<'_>, pem: Bytes) -> PyResult<String> {
    boundary::attached(py, || Ok(core::PublicKey::from_pem(&*pem)?.fingerprint()))
}
