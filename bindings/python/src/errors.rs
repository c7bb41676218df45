//! The core's one list of error codes, as Python sees it. The exception classes (one per family)
//! are in `nuvera_signing/errors.py`; which class a code raises is the core's `family()`.

use nuvera_signing::{Error, ErrorCode};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::hints::{ErrorClass, Typed};

/// Every code of the core, in its order, as ``(code, family, http_status)``; ``http_status`` is
/// set for the ``AUTH_*`` codes only.
#[pyfunction]
pub fn error_codes() -> Vec<(&'static str, &'static str, Option<u16>)> {
    let row = |c: &ErrorCode| (c.as_str(), c.family().as_str(), c.http_status());
    ErrorCode::ALL.iter().map(row).collect()
}

/// The exception of the right class for one of the core's codes, with ``message`` (for the
/// HTTP-client integrations, which report what they refuse with the core's codes). An unknown
/// code is a ``ValueError``: no code is invented outside the core.
#[pyfunction]
pub fn error_for_code(
    py: Python<'_>,
    code: PyBackedStr,
    message: PyBackedStr,
) -> PyResult<Typed<PyErr, ErrorClass>> {
    let known = ErrorCode::from_code_str(&code).ok_or_else(|| {
        PyValueError::new_err(format!("{:?} is not a nuvera-signing error code", &*code))
    })?;
    let error = crate::boundary::to_py_err(py, &Error::new(known, &*message));
    Ok(Typed::new(error))
}
