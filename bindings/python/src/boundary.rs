//! The one boundary between Python and the core: panics become `INTERNAL_ERROR`, a core
//! [`Error`] becomes the exception of its family, and arguments are borrowed, not copied.

use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};

use nuvera_signing::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::inspect::PyStaticExpr;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyMemoryView, PyString};

use crate::hints::{JsonObject, Typed};

/// Runs `work` with the GIL released (RSA, hashing, file reads), catching a panic.
pub fn detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> nuvera_signing::Result<T> + Send,
{
    settle(py, py.detach(|| catch_unwind(AssertUnwindSafe(work))))
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
    outcome
        .unwrap_or_else(|payload| Err(Error::from_panic(payload.as_ref())))
        .map_err(|error| to_py_err(py, &error))
}

static FAMILY_CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// The exception for a core error: the class of its family from `nuvera_signing.errors`, with
/// `code`, `message`, and for `AUTH_*` the HTTP status and the contract §6 response body.
pub fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    let exception = || -> PyResult<Bound<'_, PyAny>> {
        let classes = FAMILY_CLASSES.get_or_try_init(py, || {
            let module = py.import("nuvera_signing.errors")?;
            PyResult::Ok(module.getattr("FAMILY_CLASSES")?.cast_into()?.unbind())
        })?;
        let code = error.code();
        let class = classes
            .bind(py)
            .get_item(code.family().as_str())?
            .ok_or_else(|| PyTypeError::new_err(format!("no exception class for {code}")))?;
        let body = error.response_body();
        class.call1((code.as_str(), error.message(), code.http_status(), body))
    };
    exception().map_or_else(|failure| failure, PyErr::from_value)
}

/// Bytes from Python: `bytes` and `str` (as UTF-8) are borrowed; a `bytearray` or `memoryview`
/// is copied once, because its content may change while the GIL is released.
pub enum Bytes {
    /// `bytes`, or the copy of a `bytearray` or `memoryview`.
    Binary(PyBackedBytes),
    /// A `str`, as UTF-8.
    Text(PyBackedStr),
}

impl<'a, 'py> FromPyObject<'a, 'py> for Bytes {
    type Error = PyErr;
    const INPUT_TYPE: PyStaticExpr = crate::hints::BYTES_OR_STR;

    fn extract(value: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            return Ok(Bytes::Binary(bytes.to_owned().into()));
        }
        if let Ok(text) = value.cast::<PyString>() {
            return Ok(Bytes::Text(text.to_owned().try_into()?));
        }
        let value = match value.cast::<PyMemoryView>() {
            Ok(view) => view.call_method0("tobytes")?,
            Err(_) => value.to_owned(),
        };
        value.extract().map(Bytes::Binary).map_err(|_| {
            let kind = type_name(&value);
            PyTypeError::new_err(format!("expected bytes or str, not {kind}"))
        })
    }
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Binary(b) => b,
            Bytes::Text(s) => s.as_bytes(),
        }
    }
}

/// HTTP headers from Python: a mapping (its `.items()`, so `requests`' and `httpx`' headers
/// keep every value of a repeated name) or an iterable of `(name, value)` pairs.
pub struct Headers(pub Vec<(PyBackedStr, PyBackedStr)>);

impl<'a, 'py> FromPyObject<'a, 'py> for Headers {
    type Error = PyErr;
    const INPUT_TYPE: PyStaticExpr = crate::hints::HEADERS;

    fn extract(value: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let items = match value.hasattr("items")? {
            true => value.call_method0("items")?,
            false => value.to_owned(),
        };
        let pairs = items.try_iter()?.map(|pair| pair?.extract());
        Ok(Headers(pairs.collect::<PyResult<_>>()?))
    }
}

impl Headers {
    /// The pairs as `&str`s, as the core takes them.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(name, value)| (&**name, &**value))
    }
}

/// The name of `value`'s type, for messages.
pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    let name = value.get_type().name().map(|n| n.to_string());
    name.unwrap_or_default()
}

/// `TypeName: message` of a Python exception, for the message of a core error.
pub fn describe(py: Python<'_>, error: &PyErr) -> String {
    let value = error.value(py);
    format!("{}: {value}", type_name(value))
}

/// A JSON object as Python sees it: a `dict`.
pub type Json<'py> = Typed<Bound<'py, PyAny>, JsonObject>;

/// A JSON object the core wrote, as a `dict`.
pub fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Json<'py>> {
    let object = py.import("json")?.call_method1("loads", (text,))?;
    Ok(Typed::new(object))
}

/// `Class(field=repr(value), …)` from the object's own attributes; an entry with `=` in it is
/// written as it is (a secret shown as `<redacted>`).
pub fn repr(object: &Bound<'_, PyAny>, fields: &[&str]) -> PyResult<String> {
    let shown = fields.iter().map(|field| match field.contains('=') {
        true => Ok((*field).to_owned()),
        false => Ok(format!("{field}={}", object.getattr(*field)?.repr()?)),
    });
    let shown = shown.collect::<PyResult<Vec<_>>>()?;
    let class = object.get_type().name()?;
    Ok(format!("{class}({})", shown.join(", ")))
}

/// A core value's field as the field of its Python data class: cloned, unless a type says how.
pub trait FromCore<T> {
    /// The Python data class's field for `value`.
    fn from_core(value: &T) -> Self;
}

impl<T: Clone> FromCore<T> for T {
    fn from_core(value: &T) -> T {
        value.clone()
    }
}

/// For a `get_all` data class `$class` (declared as usual): its `From<&$core>`, each field through
/// [`FromCore`], its field names in order (`FIELDS`), a `repr` (see [`repr`]) of every field, or of
/// the `$shown` list when one is given (to mask a secret), and the class's own `$methods`.
macro_rules! data_class {
    (
        $class:ident from $core:ty { $($field:ident),* }
        repr [$($shown:literal),*];
        $($methods:tt)*
    ) => {
        crate::boundary::data_class!(@class $class, $core, [$($field),*], &[$($shown),*], $($methods)*);
    };
    ($class:ident from $core:ty { $($field:ident),* } $($methods:tt)*) => {
        crate::boundary::data_class!(@class $class, $core, [$($field),*], Self::FIELDS, $($methods)*);
    };
    (@class $class:ident, $core:ty, [$($field:ident),*], $shown:expr, $($methods:tt)*) => {
        impl $class {
            /// The attributes, in the order of the fields.
            #[allow(dead_code)]
            const FIELDS: &[&str] = &[$(stringify!($field)),*];
        }

        impl From<&$core> for $class {
            fn from(value: &$core) -> Self {
                use crate::boundary::FromCore;
                $class { $($field: FromCore::from_core(&value.$field),)* }
            }
        }

        #[pyo3::pymethods]
        impl $class {
            fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
                crate::boundary::repr(slf, $shown)
            }

            $($methods)*
        }
    };
}
pub(crate) use data_class;
