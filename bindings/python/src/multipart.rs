//! `MultipartForm` (text fields; files from paths, bytes or Python file objects) and the wire
//! functions: a multipart body's canonical object and `bodyHash`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use nuvera_signing as core;
use pyo3::exceptions::PyTypeError;
use pyo3::inspect::PyStaticExpr;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};

use crate::boundary::{self, Bytes};
use crate::hints::{self, BinaryReader, Typed};

/// A ``multipart/form-data`` body described by parts. Thread-safe (calls are serialized).
///
/// Files given by path or file object are streamed by the core whenever the form is hashed or
/// encoded, never loaded whole.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct MultipartForm(Mutex<core::MultipartForm>);

impl MultipartForm {
    /// The form, surviving a poisoned lock (the core never leaves a form half-updated). Callers
    /// take it with the GIL released: a file object's `read` needs the GIL while it is held.
    pub fn lock(&self) -> MutexGuard<'_, core::MultipartForm> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with<T: Send>(
        &self,
        py: Python<'_>,
        work: impl FnOnce(&mut core::MultipartForm) -> core::Result<T> + Send,
    ) -> PyResult<T> {
        boundary::detached(py, || work(&mut self.lock()))
    }

    /// Adds a part with `add` and returns the form, for chaining.
    fn adding<'py>(
        slf: &Bound<'py, Self>,
        add: impl FnOnce(&mut core::MultipartForm) -> core::Result<&mut core::MultipartForm> + Send,
    ) -> PyResult<Bound<'py, Self>> {
        slf.get().with(slf.py(), |form| add(form).map(|_| ()))?;
        Ok(slf.clone())
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
        Ok(MultipartForm(Mutex::new(form)))
    }

    /// Adds a text field (repeated names are kept). Returns the form.
    fn add_field<'py>(
        slf: &Bound<'py, Self>,
        name: PyBackedStr,
        value: PyBackedStr,
    ) -> PyResult<Bound<'py, Self>> {
        Self::adding(slf, |f| f.add_field(&name, &value))
    }

    /// Adds a file by path; ``file_name`` defaults to the path's last component.
    #[pyo3(signature = (field_name, path, file_name=None, mime_type=None))]
    fn add_file_path<'py>(
        slf: &Bound<'py, Self>,
        field_name: PyBackedStr,
        path: PathBuf,
        file_name: Option<PyBackedStr>,
        mime_type: Option<PyBackedStr>,
    ) -> PyResult<Bound<'py, Self>> {
        let (file_name, mime_type) = (file_name.as_deref(), mime_type.as_deref());
        Self::adding(slf, |f| {
            f.add_file_path(&field_name, &path, file_name, mime_type)
        })
    }

    /// Adds a file from memory (``mime_type`` defaults to ``application/octet-stream``).
    #[pyo3(signature = (field_name, file_name, data, mime_type=None))]
    fn add_file_bytes<'py>(
        slf: &Bound<'py, Self>,
        field_name: PyBackedStr,
        file_name: PyBackedStr,
        data: Bytes,
        mime_type: Option<PyBackedStr>,
    ) -> PyResult<Bound<'py, Self>> {
        Self::adding(slf, |f| {
            f.add_file_bytes(&field_name, &file_name, data.to_vec(), mime_type.as_deref())
        })
    }

    /// Adds a file read from a binary file object (``read(n) -> bytes``), in chunks of at most
    /// 64 KiB whenever the form is hashed or encoded, never whole. ``file_name`` defaults to the
    /// last component of ``fileobj.name``. It is read once: encode first (``to_bytes()`` /
    /// ``write_to()``), then sign (the form keeps what it read). Its failures are ``IO_ERROR``.
    #[pyo3(signature = (field_name, fileobj, file_name=None, mime_type=None))]
    fn add_file_reader<'py>(
        slf: &Bound<'py, Self>,
        field_name: PyBackedStr,
        fileobj: Typed<Bound<'py, PyAny>, BinaryReader>,
        file_name: Option<PyBackedStr>,
        mime_type: Option<PyBackedStr>,
    ) -> PyResult<Bound<'py, Self>> {
        let (fileobj, reader) = (&fileobj.0, fileobj.0.extract::<FileObjectReader>()?);
        let file_name = match file_name {
            Some(name) => name.to_string(),
            None => {
                let name = fileobj
                    .getattr("name")
                    .and_then(|n| n.extract::<PyBackedStr>());
                let name = name.map_err(|_| {
                    PyTypeError::new_err("a file object without a usable .name needs a file_name")
                })?;
                let path = Path::new(&*name);
                boundary::attached(slf.py(), || {
                    core::MultipartForm::file_name_for_path(path, None)
                })?
            }
        };
        let mime_type = mime_type.as_deref();
        Self::adding(slf, |f| {
            f.add_file_reader(&field_name, &file_name, Box::new(reader), mime_type)
        })
    }

    /// Adds a file from a path (``str`` or ``os.PathLike``), from bytes (bytes need a
    /// ``file_name``) or from a binary file object (see :meth:`add_file_reader`).
    #[pyo3(signature = (field_name, source, file_name=None, mime_type=None))]
    fn add_file<'py>(
        slf: &Bound<'py, Self>,
        field_name: PyBackedStr,
        source: FileSource<'py>,
        file_name: Option<PyBackedStr>,
        mime_type: Option<PyBackedStr>,
    ) -> PyResult<Bound<'py, Self>> {
        match source {
            FileSource::Path(path) => {
                Self::add_file_path(slf, field_name, path, file_name, mime_type)
            }
            FileSource::Bytes(data) => {
                let message = "a file given as bytes needs a file_name";
                let file_name = file_name.ok_or_else(|| PyTypeError::new_err(message))?;
                Self::add_file_bytes(slf, field_name, file_name, data, mime_type)
            }
            FileSource::Reader(fileobj) => {
                Self::add_file_reader(slf, field_name, fileobj, file_name, mime_type)
            }
        }
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
    fn canonical<'py>(&self, py: Python<'py>) -> PyResult<boundary::Json<'py>> {
        boundary::json_loads(py, &self.canonical_json(py)?)
    }

    /// The multipart ``bodyHash``.
    fn body_hash(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |f| Ok(f.body_hash()?.to_string()))
    }

    /// The encoded body (in memory; for large files prefer :meth:`write_to`).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let (body, _) = self.with(py, |f| f.to_bytes())?;
        Ok(PyBytes::new(py, &body))
    }

    /// Encodes the body into the file at ``path`` (created or truncated), streaming; returns the
    /// canonical JSON of exactly the bytes written.
    fn write_to(&self, py: Python<'_>, path: PathBuf) -> PyResult<String> {
        self.with(py, |f| Ok(f.write_to_file(&path)?.to_json()))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        boundary::repr(slf, &["boundary"])
    }
}

/// Where `MultipartForm.add_file` takes a file from (a `str` is a path).
#[derive(FromPyObject)]
enum FileSource<'py> {
    Path(PathBuf),
    Bytes(Bytes),
    Reader(Typed<Bound<'py, PyAny>, BinaryReader>),
}

/// Whether `value` is `bytes`, `bytearray` or `memoryview`.
fn is_binary(value: &Bound<'_, PyAny>) -> bool {
    value.is_instance_of::<PyBytes>()
        || value.is_instance_of::<PyByteArray>()
        || value.is_instance_of::<PyMemoryView>()
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
        let readable = !is_binary(value)
            && !value.is_instance_of::<PyString>()
            && value.getattr("read").is_ok_and(|r| r.is_callable());
        readable.then(|| FileObjectReader {
            file: value.clone().unbind(),
        })
    }

    /// One `read(n)` of the file object, into `buf`; what goes wrong is said in the message of
    /// the `IO_ERROR` the core reports.
    fn read_into(&self, py: Python<'_>, buf: &mut [u8]) -> Result<usize, String> {
        let read = self.file.bind(py).call_method1("read", (buf.len(),));
        let failed = |e| {
            format!(
                "reading the file object failed: {}",
                boundary::describe(py, &e)
            )
        };
        let chunk = read.map_err(failed)?;
        let bytes = match chunk.extract::<Bytes>() {
            Ok(Bytes::Binary(bytes)) => bytes,
            Ok(Bytes::Text(_)) => {
                return Err(
                    "the file object returned str: open the file in binary mode ('rb')".into(),
                )
            }
            Err(_) if chunk.is_none() => {
                return Err(
                    "the file object returned None (a non-blocking stream with no data \
                     ready); give a blocking binary file object"
                        .into(),
                )
            }
            Err(_) => {
                let kind = boundary::type_name(&chunk);
                return Err(format!(
                    "the file object's read() returned {kind}, not bytes"
                ));
            }
        };
        let (got, asked) = (bytes.len(), buf.len());
        let target = buf.get_mut(..got).ok_or_else(|| {
            format!("the file object returned {got} bytes when {asked} were asked")
        })?;
        target.copy_from_slice(&bytes);
        Ok(got)
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for FileObjectReader {
    type Error = PyErr;
    const INPUT_TYPE: PyStaticExpr = hints::BINARY_READER;

    fn extract(value: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        FileObjectReader::of(&value).ok_or_else(|| {
            let kind = boundary::type_name(&value);
            PyTypeError::new_err(format!(
                "expected a binary file object (with read()), not {kind}"
            ))
        })
    }
}

/// A body from Python: bytes (or `str` as UTF-8), or a binary file object read in chunks.
#[derive(FromPyObject)]
pub enum Data {
    /// Bytes in memory.
    Bytes(Bytes),
    /// A binary file object.
    Reader(FileObjectReader),
}

impl Read for FileObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        Python::attach(|py| self.read_into(py, buf)).map_err(std::io::Error::other)
    }
}

/// Multipart ``bodyHash`` of an encoded body (bytes, or a binary file object read in chunks)
/// and its Content-Type.
#[pyfunction]
pub fn multipart_body_hash(
    py: Python<'_>,
    content_type: PyBackedStr,
    body: Data,
) -> PyResult<String> {
    boundary::detached(py, || {
        let hash = match body {
            Data::Bytes(bytes) => core::multipart_body_hash(&content_type, &bytes)?,
            Data::Reader(reader) => core::multipart_body_hash_reader(&content_type, reader)?,
        };
        Ok(hash.to_string())
    })
}

/// Multipart ``bodyHash`` of an encoded body stored in a file, streamed.
#[pyfunction]
pub fn multipart_body_hash_file(
    py: Python<'_>,
    content_type: PyBackedStr,
    path: PathBuf,
) -> PyResult<String> {
    boundary::detached(py, || {
        Ok(core::multipart_body_hash_file(&content_type, &path)?.to_string())
    })
}

/// The canonical object's compact JSON of an encoded multipart body.
#[pyfunction]
pub fn multipart_canonical(
    py: Python<'_>,
    content_type: PyBackedStr,
    body: Bytes,
) -> PyResult<String> {
    boundary::detached(py, || {
        Ok(core::multipart::canonicalize_wire(&content_type, &body)?.to_json())
    })
}

/// True when ``content_type`` is ``multipart/form-data`` (hashed through its canonical object).
#[pyfunction]
pub fn is_multipart_form_data(content_type: PyBackedStr) -> bool {
    core::verify::is_multipart_form_data(&content_type)
}
