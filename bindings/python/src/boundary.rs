//! The one boundary between Python and the core: panics become `INTERNAL_ERROR`, a core
//! [`Error`] becomes the exception of its family, and arguments are borrowed, not copied.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use nuvera_signing::{Error, ErrorCode};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyMemoryView, PyString};

/// Runs `work` with the GIL released (RSA, hashing, file reads), catching a panic.
pub fn detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> nuvera_signing::Result<T> + Send,
{
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(work)));
    settle(py, outcome)
}

/// Runs `work` with the GIL held (cheap calls), catching a panic.
pub fn attached<T>(
    py: Python<'_>,
    work: impl FnOnce() -> nuvera_signing::Result<T>,
) -> PyResult<T> {
    settle(py, catch_unwind(AssertUnwindSafe(work)))
}

fn settle<T>(
    py: Python<'_>,
    outcome: std::thread::Result<nuvera_signing::Result<T>>,
) -> PyResult<T> {
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(to_py_err(py, &error)),
        Err(payload) => Err(to_py_err(py, &panic_error(payload.as_ref()))),
    }
}

/// A caught panic as the core's `INTERNAL_ERROR`, with its message (`&str` or `String` payload).
pub fn panic_error(payload: &(dyn Any + Send)) -> Error {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    Error::new(
        ErrorCode::InternalError,
        format!("unexpected failure in the native core (a bug; please report it): {text}"),
    )
}

static FAMILY_CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// The exception for a core error: the class of its family from `nuvera_signing.errors`, with
/// `code`, `message`, and for `AUTH_*` the HTTP status and the contract §6 response body.
pub fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    match build_exception(py, error) {
        Ok(exception) => PyErr::from_value(exception),
        Err(failure) => failure,
    }
}

fn build_exception<'py>(py: Python<'py>, error: &Error) -> PyResult<Bound<'py, PyAny>> {
    let classes = FAMILY_CLASSES.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
        let module = py.import("nuvera_signing.errors")?;
        Ok(module
            .getattr("FAMILY_CLASSES")?
            .cast_into::<PyDict>()?
            .unbind())
    })?;
    let code = error.code();
    let class = classes
        .bind(py)
        .get_item(code.family().as_str())?
        .ok_or_else(|| PyTypeError::new_err(format!("no exception class for {code}")))?;
    let response_body = crate::errors::response_body(error);
    class.call1((
        code.as_str(),
        error.message(),
        code.http_status(),
        response_body,
    ))
}

/// A Python `int` that must fit an unsigned Rust integer (Unix seconds, an HTTP status): out of
/// range is `INVALID_ARGUMENT`, a `ValueError` like the rest of the request family.
pub fn unsigned<T: TryFrom<i64>>(value: i64, what: &str) -> nuvera_signing::Result<T> {
    T::try_from(value).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("{what} {value} is out of range"),
        )
    })
}

/// Bytes borrowed from Python: `bytes` and `str` (UTF-8) are not copied; a `bytearray` or
/// `memoryview` is copied once, because its content may change while the GIL is released.
pub enum Data<'py> {
    /// A `bytes` object, borrowed.
    Bytes(Bound<'py, PyBytes>),
    /// A `str`, as UTF-8.
    Text(PyBackedStr),
    /// A copy of a mutable buffer.
    Owned(Vec<u8>),
}

impl Data<'_> {
    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Data::Bytes(b) => b.as_bytes(),
            Data::Text(s) => s.as_bytes(),
            Data::Owned(v) => v,
        }
    }
}

/// `value` as bytes (`bytes`, `bytearray`, `memoryview`, or `str` sent as UTF-8).
pub fn data<'py>(value: &Bound<'py, PyAny>, what: &str) -> PyResult<Data<'py>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(Data::Bytes(b.clone()));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Data::Text(s.clone().try_into()?));
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        return Ok(Data::Owned(b.to_vec()));
    }
    if value.cast::<PyMemoryView>().is_ok() {
        let copy = value.call_method0("tobytes")?.cast_into::<PyBytes>()?;
        return Ok(Data::Bytes(copy));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be bytes or str, not {}",
        value.get_type().name()?
    )))
}

/// Optional bytes (`None` stays `None`).
pub fn optional_data<'py>(
    value: Option<&Bound<'py, PyAny>>,
    what: &str,
) -> PyResult<Option<Data<'py>>> {
    match value {
        Some(v) if !v.is_none() => data(v, what).map(Some),
        _ => Ok(None),
    }
}

/// A `str` or `os.PathLike` as a path (`os.fspath`).
pub fn path(value: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    value.extract::<PathBuf>()
}
