//! `MultipartForm` (text fields; files from paths, bytes or Python file objects) and the wire
//! functions: a multipart body's canonical object and `bodyHash`.

use std::io::{BufReader, Read};
use std::sync::{Mutex, MutexGuard};

use nuvera_signing as core;
use nuvera_signing::{Error, ErrorCode};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};

use crate::boundary::{self, data};

/// A ``multipart/form-data`` body described by parts. Thread-safe (calls are serialized).
///
/// Files given by path or file object are streamed by the core whenever the form is hashed or
/// encoded, never loaded whole.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct MultipartForm {
    inner: Mutex<core::MultipartForm>,
}

impl MultipartForm {
    /// The form, surviving a poisoned lock (the core never leaves a form half-updated). Callers
    /// take it with the GIL released: a file object's `read` needs the GIL while it is held.
    pub fn lock(&self) -> MutexGuard<'_, core::MultipartForm> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with<T: Send>(
        &self,
        py: Python<'_>,
        work: impl FnOnce(&mut core::MultipartForm) -> core::Result<T> + Send,
    ) -> PyResult<T> {
        boundary::detached(py, || work(&mut self.lock()))
    }
}

#[pymethods]
impl MultipartForm {
    /// An empty form with a random boundary, or ``boundary`` when given.
    #[new]
    #[pyo3(signature = (boundary=None))]
    fn new(py: Python<'_>, boundary: Option<PyBackedStr>) -> PyResult<Self> {
        let form = boundary::attached(py, || match &boundary {
            Some(b) => core::MultipartForm::with_boundary(b),
            None => Ok(core::MultipartForm::new()),
        })?;
        Ok(MultipartForm {
            inner: Mutex::new(form),
        })
    }

    /// Adds a text field (repeated names are kept). Returns the form.
    fn add_field<'py>(
        slf: &Bound<'py, Self>,
        name: PyBackedStr,
        value: PyBackedStr,
    ) -> PyResult<Bound<'py, Self>> {
        slf.get()
            .with(slf.py(), |f| f.add_field(&name, &value).map(|_| ()))?;
        Ok(slf.clone())
    }

    /// Adds a file by path; ``file_name`` defaults to the path's last component.
    #[pyo3(signature = (field_name, path, file_name=None, mime_type=None))]
    fn add_file_path<'py>(
        slf: &Bound<'py, Self>,
        field_name: PyBackedStr,
        path: &Bound<'py, PyAny>,
        file_name: Option<PyBackedStr>,
        mime_type: Option<PyBackedStr>,
    ) -> PyResult<Bound<'py, Self>> {
        let path = boundary::path(path)?;
        slf.get().with(slf.py(), |f| {
            f.add_file_path(
                &field_name,
                &path,
                file_name.as_deref(),
                mime_type.as_deref(),
            )
            .map(|_| ())
        })?;
        Ok(slf.clone())
    }

    /// Adds a file from memory (``mime_type`` defaults to ``application/octet-stream``).
    #[pyo3(signature = (field_name, file_name, data, mime_type=None))]
    fn add_file_bytes<'py>(
        slf: &Bound<'py, Self>,
        field_name: PyBackedStr,
        file_name: PyBackedStr,
        data: &Bound<'py, PyAny>,
        mime_type: Option<PyBackedStr>,
    ) -> PyResult<Bound<'py, Self>> {
        let bytes = crate::boundary::data(data, "data")?.as_slice().to_vec();
        slf.get().with(slf.py(), |f| {
            f.add_file_bytes(&field_name, &file_name, bytes, mime_type.as_deref())
                .map(|_| ())
        })?;
        Ok(slf.clone())
    }

    /// Adds a file read from a binary file object (anything with ``read(n) -> bytes``:
    /// ``open(path, "rb")``, ``io.BytesIO``, a socket file…), streamed in chunks of at most
    /// 64 KiB whenever the form is hashed or encoded; it is never loaded whole.
    ///
    /// ``file_name`` defaults to the last component of ``fileobj.name`` when that is a string.
    /// A file object can be read once: hash or encode the form once. To send and sign, encode
    /// first (``to_bytes()`` / ``write_to()``), then sign: the form keeps the size and hash of
    /// what it read. Failures of the file object raise ``NuveraIOError`` (``IO_ERROR``).
    #[pyo3(signature = (field_name, fileobj, file_name=None, mime_type=None))]
    fn add_file_reader<'py>(
        slf: &Bound<'py, Self>,
        field_name: PyBackedStr,
        fileobj: &Bound<'py, PyAny>,
        file_name: Option<PyBackedStr>,
        mime_type: Option<PyBackedStr>,
    ) -> PyResult<Bound<'py, Self>> {
        let readable = fileobj
            .getattr("read")
            .map(|r| r.is_callable())
            .unwrap_or(false);
        if !readable {
            return Err(PyTypeError::new_err(format!(
                "fileobj must have a read() method, not {}",
                fileobj.get_type().name()?
            )));
        }
        let file_name: String = match file_name {
            Some(n) => n.to_string(),
            None => fileobj
                .getattr("name")
                .ok()
                .and_then(|n| n.cast_into::<PyString>().ok())
                .and_then(|n| {
                    let path = std::path::PathBuf::from(n.to_cow().ok()?.as_ref());
                    Some(path.file_name()?.to_str()?.to_owned())
                })
                .ok_or_else(|| {
                    PyTypeError::new_err("a file object without a usable .name needs a file_name")
                })?,
        };
        let reader = FileObjectReader {
            file: fileobj.clone().unbind(),
        };
        slf.get().with(slf.py(), |f| {
            f.add_file_reader(
                &field_name,
                &file_name,
                Box::new(reader),
                mime_type.as_deref(),
            )
            .map(|_| ())
        })?;
        Ok(slf.clone())
    }

    /// Adds a file from a path (``str`` or ``os.PathLike``), from bytes (bytes need a
    /// ``file_name``) or from a binary file object (see :meth:`add_file_reader`).
    #[pyo3(signature = (field_name, source, file_name=None, mime_type=None))]
    fn add_file<'py>(
        slf: &Bound<'py, Self>,
        field_name: PyBackedStr,
        source: &Bound<'py, PyAny>,
        file_name: Option<PyBackedStr>,
        mime_type: Option<PyBackedStr>,
    ) -> PyResult<Bound<'py, Self>> {
        let is_bytes = source.is_instance_of::<PyBytes>()
            || source.is_instance_of::<PyByteArray>()
            || source.is_instance_of::<PyMemoryView>();
        if is_bytes {
            let file_name = file_name
                .ok_or_else(|| PyTypeError::new_err("a file given as bytes needs a file_name"))?;
            return Self::add_file_bytes(slf, field_name, file_name, source, mime_type);
        }
        let os_path_like = slf.py().import("os")?.getattr("PathLike")?;
        if source.is_instance_of::<PyString>() || source.is_instance(&os_path_like)? {
            return Self::add_file_path(slf, field_name, source, file_name, mime_type);
        }
        Self::add_file_reader(slf, field_name, source, file_name, mime_type)
    }

    /// ``multipart/form-data; boundary=…``: the Content-Type to send.
    #[getter]
    fn content_type(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |f| Ok(f.content_type()))
    }

    /// The boundary used when encoding.
    #[getter]
    fn boundary(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |f| Ok(f.boundary().to_owned()))
    }

    /// The canonical object (contract §5) as compact JSON.
    fn canonical_json(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |f| Ok(f.canonical()?.to_json()))
    }

    /// The canonical object as a dict.
    fn canonical<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = self.canonical_json(py)?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// The multipart ``bodyHash``.
    fn body_hash(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |f| Ok(f.body_hash()?.as_str().to_owned()))
    }

    /// The encoded body (in memory; for large files prefer :meth:`write_to`).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let (body, _) = self.with(py, |f| f.to_bytes())?;
        Ok(PyBytes::new(py, &body))
    }

    /// Encodes the body into the file at ``path`` (created or truncated), streaming; returns the
    /// canonical JSON of exactly the bytes written.
    fn write_to(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<String> {
        let path = boundary::path(path)?;
        self.with(py, |f| Ok(f.write_to_file(&path)?.to_json()))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("MultipartForm(boundary={:?})", self.boundary(py)?))
    }
}

/// A Python binary file object as the core's `Read`: each `read` takes the GIL and asks the file
/// object for at most the core's buffer size (64 KiB), so a large file never crosses whole.
pub struct FileObjectReader {
    file: Py<PyAny>,
}

impl FileObjectReader {
    /// `value` as a reader when it is a binary file object (anything but bytes-like or `str` with
    /// a callable `read`), `None` otherwise.
    pub fn of(value: &Bound<'_, PyAny>) -> Option<Self> {
        let bytes_like = value.is_instance_of::<PyBytes>()
            || value.is_instance_of::<PyByteArray>()
            || value.is_instance_of::<PyMemoryView>()
            || value.is_instance_of::<PyString>();
        let readable = !bytes_like
            && value
                .getattr("read")
                .map(|r| r.is_callable())
                .unwrap_or(false);
        readable.then(|| FileObjectReader {
            file: value.clone().unbind(),
        })
    }
}

impl Read for FileObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        Python::attach(|py| {
            let fail = |message: String| std::io::Error::other(message);
            let chunk = self
                .file
                .bind(py)
                .call_method1("read", (buf.len(),))
                .map_err(|e| {
                    let kind = e
                        .get_type(py)
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default();
                    fail(format!(
                        "reading the file object failed: {kind}: {}",
                        e.value(py)
                    ))
                })?;
            if chunk.is_none() {
                return Err(fail(
                    "the file object returned None (a non-blocking stream with no data ready); \
                     give a blocking binary file object"
                        .to_owned(),
                ));
            }
            if chunk.is_instance_of::<PyString>() {
                return Err(fail(
                    "the file object returned str: open the file in binary mode ('rb')".to_owned(),
                ));
            }
            let bytes = data(&chunk, "chunk").map_err(|_| {
                let kind = chunk
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default();
                fail(format!(
                    "the file object's read() returned {kind}, not bytes"
                ))
            })?;
            let bytes = bytes.as_slice();
            if bytes.len() > buf.len() {
                return Err(fail(format!(
                    "the file object returned {} bytes when {} were asked",
                    bytes.len(),
                    buf.len()
                )));
            }
            buf[..bytes.len()].copy_from_slice(bytes);
            Ok(bytes.len())
        })
    }
}

/// Multipart ``bodyHash`` of an encoded body (bytes, or a binary file object read in chunks)
/// and its Content-Type.
#[pyfunction]
fn multipart_body_hash(
    py: Python<'_>,
    content_type: PyBackedStr,
    body: &Bound<'_, PyAny>,
) -> PyResult<String> {
    if let Some(reader) = FileObjectReader::of(body) {
        return boundary::detached(py, || {
            Ok(core::multipart_body_hash_reader(&content_type, reader)?
                .as_str()
                .to_owned())
        });
    }
    let body = data(body, "body")?;
    let body = body.as_slice();
    boundary::detached(py, || {
        Ok(core::multipart_body_hash(&content_type, body)?
            .as_str()
            .to_owned())
    })
}

/// Multipart ``bodyHash`` of an encoded body stored in a file, streamed.
#[pyfunction]
fn multipart_body_hash_file(
    py: Python<'_>,
    content_type: PyBackedStr,
    path: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let path = boundary::path(path)?;
    boundary::detached(py, || {
        let file = std::fs::File::open(&path).map_err(|e| {
            Error::new(
                ErrorCode::IoError,
                format!("cannot open {}: {e}", path.display()),
            )
        })?;
        Ok(
            core::multipart_body_hash_reader(&content_type, BufReader::new(file))?
                .as_str()
                .to_owned(),
        )
    })
}

/// The canonical object's compact JSON of an encoded multipart body.
#[pyfunction]
fn multipart_canonical(
    py: Python<'_>,
    content_type: PyBackedStr,
    body: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let body = data(body, "body")?;
    let body = body.as_slice();
    boundary::detached(py, || {
        Ok(core::multipart::canonicalize_wire(&content_type, body)?.to_json())
    })
}

/// True when ``content_type`` is ``multipart/form-data`` (hashed through its canonical object).
#[pyfunction]
fn is_multipart_form_data(content_type: PyBackedStr) -> bool {
    core::verify::is_multipart_form_data(&content_type)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<MultipartForm>()?;
    m.add_function(wrap_pyfunction!(multipart_body_hash, m)?)?;
    m.add_function(wrap_pyfunction!(multipart_body_hash_file, m)?)?;
    m.add_function(wrap_pyfunction!(multipart_canonical, m)?)?;
    m.add_function(wrap_pyfunction!(is_multipart_form_data, m)?)?;
    Ok(())
}
