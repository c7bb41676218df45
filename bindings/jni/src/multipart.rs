//! `MultipartForm`: parts (text, file path, bytes, Java `InputStream`), its canonical object,
//! hash and encodings, and the multipart free functions over encoded bodies.

use std::sync::{Arc, Mutex};

use jni::objects::{JObject, JObjectArray};
use jni::Env;
use nuvera_signing::{multipart, MultipartForm};

use crate::boundary::{lock, native, Handle};
use crate::convert::IntoJava;
use crate::errors::Failure;
use crate::stream::JavaInputStream;

/// The form behind a handle: the core's form is `&mut` to use, so calls on one form are
/// serialized.
pub(crate) type SharedForm = Mutex<MultipartForm>;

/// `formEncode`'s result: the body and its three texts, as Java's `Object[]`
/// `[byte[] body, contentType, canonicalJson, bodyHash]`.
struct Encoded(Vec<u8>, [String; 3]);

impl<'local> IntoJava<'local> for Encoded {
    type Java = JObjectArray<'local>;
    const JAVA: &'static str = "Object[]";
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
    /// A random boundary when `boundary` is null.
    fn formNew(boundary: Option<String>) -> Arc<SharedForm> {
        let form = match boundary {
            Some(b) => MultipartForm::with_boundary(&b)?,
            None => MultipartForm::new(),
        };
        Arc::new(Mutex::new(form))
    }

    fn formAddField(form: Handle<SharedForm>, name: String, value: String) -> () {
        lock(&form).add_field(&name, &value)?;
    }

    fn formAddFilePath(form: Handle<SharedForm>, field: String, path: String,
        file_name: Option<String>, mime_type: Option<String>) -> () {
        lock(&form).add_file_path(&field, &path, file_name.as_deref(), mime_type.as_deref())?;
    }

    fn formAddFileBytes(form: Handle<SharedForm>, field: String, file_name: String,
        content: Vec<u8>, mime_type: Option<String>) -> () {
        lock(&form).add_file_bytes(&field, &file_name, content, mime_type.as_deref())?;
    }

    fn formAddFileStream(form: Handle<SharedForm>, field: String, file_name: String,
        stream: JavaInputStream, mime_type: Option<String>) -> () {
        let reader = Box::new(stream);
        lock(&form).add_file_reader(&field, &file_name, reader, mime_type.as_deref())?;
    }

    #[native(infallible)]
    fn formContentType(form: Handle<SharedForm>) -> String {
        lock(&form).content_type()
    }

    #[native(infallible)]
    fn formBoundary(form: Handle<SharedForm>) -> String {
        lock(&form).boundary().to_owned()
    }

    fn formCanonicalJson(form: Handle<SharedForm>) -> String {
        lock(&form).canonical()?.to_json()
    }

    fn formBodyHash(form: Handle<SharedForm>) -> String {
        lock(&form).body_hash()?.as_str().to_owned()
    }

    /// One pass: the body, its hash and canonical object from the same bytes.
    fn formEncode(form: Handle<SharedForm>) -> Encoded {
        let mut form = lock(&form);
        let (body, canonical) = form.to_bytes()?;
        let hash = canonical.body_hash().as_str().to_owned();
        Encoded(body, [form.content_type(), canonical.to_json(), hash])
    }

    fn formWriteToFile(form: Handle<SharedForm>, path: String) -> String {
        lock(&form).write_to_file(&path)?.to_json()
    }

    fn multipartBodyHash(content_type: String, body: Vec<u8>) -> String {
        nuvera_signing::multipart_body_hash(&content_type, &body)?.as_str().to_owned()
    }

    fn multipartBodyHashFile(content_type: String, path: String) -> String {
        nuvera_signing::multipart_body_hash_file(&content_type, &path)?.as_str().to_owned()
    }

    fn multipartCanonicalJson(content_type: String, body: Vec<u8>) -> String {
        multipart::canonicalize_wire(&content_type, &body)?.to_json()
    }
}
