//! `MultipartForm`: parts (text, file path, bytes, Java `InputStream`), its canonical object,
//! hash and encodings, and the multipart free functions over encoded bodies.

use std::fs::File;
use std::io::BufReader;
use std::sync::{Arc, Mutex, MutexGuard};

use jni::objects::{JObject, JObjectArray};
use jni::Env;
use nuvera_signing::{multipart, Error, ErrorCode, MultipartForm};

use crate::boundary::{native, Handle};
use crate::convert::IntoJava;
use crate::errors::Failure;
use crate::stream::JavaInputStream;

/// The form behind a handle: the core's form is `&mut` to use, so calls on one form are
/// serialized.
pub(crate) type SharedForm = Mutex<MultipartForm>;

/// A lock that survives a poisoned mutex: the core never leaves a form half-updated on error, and
/// a panic never turns into a second one.
pub(crate) fn lock(form: &SharedForm) -> MutexGuard<'_, MultipartForm> {
    form.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `formEncode`'s result: the body and its three texts, as Java's `Object[]`
/// `[byte[] body, contentType, canonicalJson, bodyHash]`.
struct Encoded(Vec<u8>, [String; 3]);

impl<'local> IntoJava<'local> for Encoded {
    type Java = JObjectArray<'local>;
    fn into_java(self, env: &mut Env<'local>) -> Result<Self::Java, Failure> {
        let array = JObjectArray::<JObject>::new(env, 4, JObject::null())?;
        let body = env.byte_array_from_slice(&self.0)?;
        array.set_element(env, 0, &body)?;
        for (i, text) in self.1.into_iter().enumerate() {
            let s = env.new_string(text)?;
            array.set_element(env, i + 1, &s)?;
        }
        Ok(array)
    }
}

native! {
    /// `Native.formNew(boundary)`: an empty form, random boundary when `boundary` is null.
    fn formNew(boundary: Option<String>) -> Arc<SharedForm> {
        let form = match boundary {
            Some(b) => MultipartForm::with_boundary(&b)?,
            None => MultipartForm::new(),
        };
        Arc::new(Mutex::new(form))
    }

    /// `Native.formAddField(form, name, value)`.
    fn formAddField(form: Handle<SharedForm>, name: String, value: String) -> () {
        lock(&form).add_field(&name, &value)?;
    }

    /// `Native.formAddFilePath(form, field, path, fileName, mimeType)`: streamed when used.
    fn formAddFilePath(form: Handle<SharedForm>, field: String, path: String,
        file_name: Option<String>, mime_type: Option<String>) -> () {
        lock(&form).add_file_path(&field, &path, file_name.as_deref(), mime_type.as_deref())?;
    }

    /// `Native.formAddFileBytes(form, field, fileName, content, mimeType)`.
    fn formAddFileBytes(form: Handle<SharedForm>, field: String, file_name: String,
        content: Vec<u8>, mime_type: Option<String>) -> () {
        lock(&form).add_file_bytes(&field, &file_name, content, mime_type.as_deref())?;
    }

    /// `Native.formAddFileStream(form, field, fileName, stream, mimeType)`: the stream is read
    /// once, in chunks of at most 64 KiB, when the form is hashed or encoded.
    fn formAddFileStream(form: Handle<SharedForm>, field: String, file_name: String,
        stream: JavaInputStream, mime_type: Option<String>) -> () {
        let reader = Box::new(stream);
        lock(&form).add_file_reader(&field, &file_name, reader, mime_type.as_deref())?;
    }

    /// `Native.formContentType(form)`.
    fn formContentType(form: Handle<SharedForm>) -> String {
        lock(&form).content_type()
    }

    /// `Native.formBoundary(form)`.
    fn formBoundary(form: Handle<SharedForm>) -> String {
        lock(&form).boundary().to_owned()
    }

    /// `Native.formCanonicalJson(form)`.
    fn formCanonicalJson(form: Handle<SharedForm>) -> String {
        lock(&form).canonical()?.to_json()
    }

    /// `Native.formBodyHash(form)`.
    fn formBodyHash(form: Handle<SharedForm>) -> String {
        lock(&form).body_hash()?.as_str().to_owned()
    }

    /// `Native.formEncode(form)`: `[byte[] body, contentType, canonicalJson, bodyHash]` (one pass).
    fn formEncode(form: Handle<SharedForm>) -> Encoded {
        let mut form = lock(&form);
        let (body, canonical) = form.to_bytes()?;
        let hash = canonical.body_hash().as_str().to_owned();
        Encoded(body, [form.content_type(), canonical.to_json(), hash])
    }

    /// `Native.formWriteToFile(form, path)`: streams the encoded body into `path` (created or
    /// truncated); the canonical object's JSON of exactly those bytes.
    fn formWriteToFile(form: Handle<SharedForm>, path: String) -> String {
        lock(&form).write_to_file(&path)?.to_json()
    }

    /// `Native.multipartBodyHash(contentType, body)`: contract §5 hash of an encoded body.
    fn multipartBodyHash(content_type: String, body: Vec<u8>) -> String {
        nuvera_signing::multipart_body_hash(&content_type, &body)?.as_str().to_owned()
    }

    /// `Native.multipartBodyHashFile(contentType, path)`: the same, streamed from a file.
    fn multipartBodyHashFile(content_type: String, path: String) -> String {
        let file = File::open(&path).map_err(|e| {
            Error::new(ErrorCode::IoError, format!("cannot open {path}: {e}"))
        })?;
        nuvera_signing::multipart_body_hash_reader(&content_type, BufReader::new(file))?
            .as_str()
            .to_owned()
    }

    /// `Native.multipartCanonicalJson(contentType, body)`: the canonical object of an encoded
    /// body.
    fn multipartCanonicalJson(content_type: String, body: Vec<u8>) -> String {
        multipart::canonicalize_wire(&content_type, &body)?.to_json()
    }
}

native! { free { formFree: SharedForm } }
