//! Multipart forms (contract §5): built from parts, or read back from an encoded wire body.

use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use crate::boundary::*;
use crate::stream::{JsStreamReader, PullFunction};
use nuvera_signing::MultipartForm as Form;

/// Fields and files of a multipart/form-data request; encodes itself (`toBuffer`), so what is
/// signed is what is sent. A stream part (`addFileStream`) is read once, by the first async
/// method that needs it (a sync one is `UNSUPPORTED`); then the form signs from its summary but
/// cannot be encoded (`INVALID_FORM_PART`), unless `writeToFile` wrote it. One method at a time:
/// a call while an async one runs is `UNSUPPORTED`.
#[napi]
pub struct MultipartForm {
    pub(crate) inner: SharedForm,
    /// Fixed at construction; kept here so the getters never wait for the form.
    content_type: String,
    boundary: String,
}

/// The core's form, shared with the asynchronous methods that read it on the libuv pool.
#[derive(Clone)]
pub struct SharedForm(Arc<Mutex<core::MultipartForm>>);

impl SharedForm {
    /// The form, unless a method running on the pool holds it (waiting here could wait for the
    /// JS thread, which feeds that method's stream).
    pub fn lock(&self) -> core::Result<MutexGuard<'_, core::MultipartForm>> {
        match self.0.try_lock() {
            Ok(form) => Ok(form),
            // A panic while the form was held is reported where it happened; the form stays usable.
            Err(TryLockError::Poisoned(p)) => Ok(p.into_inner()),
            Err(TryLockError::WouldBlock) => Err(core::Error::new(
                core::ErrorCode::Unsupported,
                "this MultipartForm is in use by an asynchronous method: await it first",
            )),
        }
    }

    /// `work` with the form on the calling thread.
    fn now<T>(&self, work: impl FnOnce(&mut Form) -> core::Result<T>) -> Result<T, Code> {
        guard(|| work(&mut *self.lock()?))
    }

    /// Adds a part on the calling thread.
    fn add(&self, work: impl FnOnce(&mut Form) -> core::Result<&mut Form>) -> Result<(), Code> {
        self.now(|form| work(form).map(drop))
    }

    /// `work` with the form on the libuv pool.
    fn later<J: ToNapiValue + TypeName + Send + 'static>(
        &self,
        work: impl FnOnce(&mut Form) -> core::Result<J> + Send + 'static,
    ) -> AsyncTask<CoreTask<J>> {
        let form = self.clone();
        later(move || work(&mut *form.lock()?))
    }
}

fn canonical_json(form: &mut Form) -> core::Result<String> {
    Ok(form.canonical()?.to_json())
}

fn body_hash(form: &mut Form) -> core::Result<String> {
    Ok(form.body_hash()?.to_string())
}

#[napi]
impl MultipartForm {
    /// An empty form, with a random boundary unless one is given.
    #[napi(constructor)]
    pub fn new(boundary: Option<String>) -> Result<Self, Code> {
        let form = guard(|| match boundary {
            None => Ok(core::MultipartForm::new()),
            Some(b) => core::MultipartForm::with_boundary(&b),
        })?;
        Ok(MultipartForm {
            content_type: form.content_type(),
            boundary: form.boundary().to_owned(),
            inner: SharedForm(Arc::new(Mutex::new(form))),
        })
    }
}

methods! { MultipartForm |form| {
    #[doc = " Adds a text field."]
    fn add_field(name: String, value: String) -> Result<(), Code> =
        form.inner.add(|f| f.add_field(&name, &value));
    #[doc = " Adds a file from memory (`mimeType` defaults to application/octet-stream)."]
    fn add_file_bytes(
        field_name: String,
        file_name: String,
        bytes: Bytes,
        mime_type: Option<String>
    ) -> Result<(), Code> = form.inner.add(|f| {
        let bytes = bytes_of(&bytes).to_vec();
        f.add_file_bytes(&field_name, &file_name, bytes, mime_type.as_deref())
    });
    #[doc = " Adds a file by path (`fileName` defaults to the path's last component); its content is"]
    #[doc = " streamed when hashed or encoded."]
    fn add_file_path(
        field_name: String,
        path: String,
        file_name: Option<String>,
        mime_type: Option<String>
    ) -> Result<(), Code> = form.inner.add(|f| {
        f.add_file_path(&field_name, path, file_name.as_deref(), mime_type.as_deref())
    });
    #[doc = " Adds a file read from a JS stream, once, by the async methods (see the class): behind"]
    #[doc = " `addFileStream(fieldName, fileName, stream, mimeType?)`, which wraps it."]
    #[napi(ts_args_type = "fieldName: string, fileName: string, pull: () => Promise<StreamPull>, \
        mimeType?: string | undefined | null")]
    fn add_file_stream_pull(
        field_name: String,
        file_name: String,
        pull: PullFunction,
        mime_type: Option<String>
    ) -> Result<(), Code> = form.inner.add(|f| {
        let reader = Box::new(JsStreamReader::new(pull));
        f.add_file_reader(&field_name, &file_name, reader, mime_type.as_deref())
    });
    #[doc = " The encoded body."]
    fn to_buffer() -> Result<Buffer, Code> = form.inner.now(|f| Ok(f.to_bytes()?.0.into()));
    #[doc = " The canonical object (contract §5) as compact JSON."]
    fn canonical() -> Result<String, Code> = form.inner.now(canonical_json);
    #[doc = " The multipart `bodyHash`."]
    fn body_hash() -> Result<String, Code> = form.inner.now(body_hash);
    #[doc = " Like `canonical`, on the libuv pool: reads a stream part."]
    #[napi(ts_return_type = "Promise<string>")]
    fn canonical_async() -> AsyncTask<CoreTask<String>> = form.inner.later(canonical_json);
    #[doc = " Like `bodyHash`, on the libuv pool: reads a stream part."]
    #[napi(ts_return_type = "Promise<string>")]
    fn body_hash_async() -> AsyncTask<CoreTask<String>> = form.inner.later(body_hash);
    #[doc = " Encodes the body into the file at `path` (created or truncated) on the libuv pool,"]
    #[doc = " resolving to its `bodyHash`; the form then hashes and signs as exactly these bytes."]
    #[napi(ts_return_type = "Promise<string>")]
    fn write_to_file(path: String) -> AsyncTask<CoreTask<String>> =
        form.inner.later(move |f| Ok(f.write_to_file(&path)?.body_hash().to_string()));
    #[doc = " `multipart/form-data; boundary=…`, the Content-Type to send with `toBuffer()`."]
    #[napi(getter)]
    fn content_type() -> String = form.content_type.clone();
    #[doc = " The boundary."]
    #[napi(getter)]
    fn boundary() -> String = form.boundary.clone();
}}

/// The multipart `bodyHash` of an encoded body and its Content-Type: the same as the structured
/// form's for the same request.
#[napi]
pub fn multipart_body_hash(content_type: String, body: Buffer) -> Result<String, Code> {
    guard(|| Ok(core::multipart_body_hash(&content_type, &body)?.to_string()))
}

/// The canonical object (contract §5) of an encoded multipart body, as compact JSON: what a
/// server derives from the bytes it received.
#[napi]
pub fn multipart_canonical(content_type: String, body: Buffer) -> Result<String, Code> {
    guard(|| Ok(core::multipart::canonicalize_wire(&content_type, &body)?.to_json()))
}
