//! `MultipartForm`: parts (text, file path, bytes, Java `InputStream`), its canonical object,
//! hash and encodings, and the multipart free functions over encoded bodies.

use std::fs::File;
use std::io::{BufReader, Read};
use std::sync::{Arc, Mutex, MutexGuard};

use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString, JValue};
use jni::refs::Global;
use jni::sys::{jint, jlong};
use jni::{jni_sig, jni_str, EnvUnowned, JavaVM};
use nuvera_signing::{multipart, Error, ErrorCode, MultipartForm};

use crate::boundary::{borrow, bytes, free, into_handle, optional_string, run, string};
use crate::errors::Failure;

/// The form behind a handle: the core's form is `&mut` to use, so calls on one form are
/// serialized.
pub(crate) type SharedForm = Mutex<MultipartForm>;

/// A lock that survives a poisoned mutex: the core never leaves a form half-updated on error, and
/// a panic never turns into a second one.
pub(crate) fn lock(form: &SharedForm) -> MutexGuard<'_, MultipartForm> {
    form.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn io_error(path: &str, e: &std::io::Error) -> Failure {
    Failure::Core(Error::new(
        ErrorCode::IoError,
        format!("cannot open {path}: {e}"),
    ))
}

/// `Native.formNew(boundary)`: an empty form, random boundary when `boundary` is null.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    boundary: JString<'local>,
) -> jlong {
    run(env, |env| {
        let form = match optional_string(env, &boundary)? {
            Some(b) => MultipartForm::with_boundary(&b)?,
            None => MultipartForm::new(),
        };
        Ok(into_handle(Arc::new(Mutex::new(form))))
    })
}

/// `Native.formFree(form)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
) {
    run(env, |_| {
        free::<SharedForm>(form);
        Ok(())
    })
}

/// `Native.formAddField(form, name, value)`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formAddField<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
    name: JString<'local>,
    value: JString<'local>,
) {
    run(env, |env| {
        let form = borrow::<SharedForm>(form)?;
        let (name, value) = (string(env, &name)?, string(env, &value)?);
        lock(form).add_field(&name, &value)?;
        Ok(())
    })
}

/// `Native.formAddFilePath(form, field, path, fileName, mimeType)`: streamed when used.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formAddFilePath<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
    field: JString<'local>,
    path: JString<'local>,
    file_name: JString<'local>,
    mime_type: JString<'local>,
) {
    run(env, |env| {
        let form = borrow::<SharedForm>(form)?;
        let (field, path) = (string(env, &field)?, string(env, &path)?);
        let file_name = optional_string(env, &file_name)?;
        let mime_type = optional_string(env, &mime_type)?;
        lock(form).add_file_path(&field, &path, file_name.as_deref(), mime_type.as_deref())?;
        Ok(())
    })
}

/// `Native.formAddFileBytes(form, field, fileName, content, mimeType)`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formAddFileBytes<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
    field: JString<'local>,
    file_name: JString<'local>,
    content: JByteArray<'local>,
    mime_type: JString<'local>,
) {
    run(env, |env| {
        let form = borrow::<SharedForm>(form)?;
        let (field, file_name) = (string(env, &field)?, string(env, &file_name)?);
        let content = bytes(env, &content)?;
        let mime_type = optional_string(env, &mime_type)?;
        lock(form).add_file_bytes(&field, &file_name, content, mime_type.as_deref())?;
        Ok(())
    })
}

/// A Java `InputStream` read by the core in chunks (through one reused `byte[]`), so a large part
/// never crosses whole. The core reads it during the Java thread's own call (hash or encode).
struct JavaInputStream {
    vm: JavaVM,
    stream: Global<JObject<'static>>,
    buffer: Global<JByteArray<'static>>,
    capacity: usize,
}

impl Read for JavaInputStream {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let want = out.len().min(self.capacity);
        let result = self
            .vm
            .attach_current_thread(|env| -> jni::errors::Result<usize> {
                let want_int = jint::try_from(want).unwrap_or(jint::MAX);
                let n = env
                    .call_method(
                        &self.stream,
                        jni_str!("read"),
                        jni_sig!("([BII)I"),
                        &[
                            JValue::Object(&self.buffer),
                            JValue::Int(0),
                            JValue::Int(want_int),
                        ],
                    )?
                    .i()?;
                let n = if n < 0 { 0 } else { (n as usize).min(want) };
                let mut chunk = vec![0i8; n];
                self.buffer.get_region(env, 0, &mut chunk)?;
                for (o, c) in out.iter_mut().zip(&chunk) {
                    *o = *c as u8;
                }
                Ok(n)
            });
        result.map_err(|e| std::io::Error::other(format!("the InputStream failed: {e}")))
    }
}

/// `Native.formAddFileStream(form, field, fileName, stream, mimeType)`: the stream is read once,
/// in chunks of at most 64 KiB, when the form is hashed or encoded.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formAddFileStream<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
    field: JString<'local>,
    file_name: JString<'local>,
    stream: JObject<'local>,
    mime_type: JString<'local>,
) {
    run(env, |env| {
        const CHUNK: usize = 64 * 1024;
        let form = borrow::<SharedForm>(form)?;
        let (field, file_name) = (string(env, &field)?, string(env, &file_name)?);
        let mime_type = optional_string(env, &mime_type)?;
        if stream.is_null() {
            return Err(Failure::argument("the InputStream is null"));
        }
        let buffer = JByteArray::new(env, CHUNK)?;
        let reader = JavaInputStream {
            vm: env.get_java_vm()?,
            stream: env.new_global_ref(&stream)?,
            buffer: env.new_global_ref(&buffer)?,
            capacity: CHUNK,
        };
        lock(form).add_file_reader(&field, &file_name, Box::new(reader), mime_type.as_deref())?;
        Ok(())
    })
}

/// `Native.formContentType(form)`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formContentType<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
) -> JString<'local> {
    run(env, |env| {
        let form = borrow::<SharedForm>(form)?;
        let text = lock(form).content_type();
        Ok(env.new_string(text)?)
    })
}

/// `Native.formBoundary(form)`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formBoundary<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
) -> JString<'local> {
    run(env, |env| {
        let form = borrow::<SharedForm>(form)?;
        let text = lock(form).boundary().to_owned();
        Ok(env.new_string(text)?)
    })
}

/// `Native.formCanonicalJson(form)`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formCanonicalJson<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
) -> JString<'local> {
    run(env, |env| {
        let form = borrow::<SharedForm>(form)?;
        let text = lock(form).canonical()?.to_json();
        Ok(env.new_string(text)?)
    })
}

/// `Native.formBodyHash(form)`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formBodyHash<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
) -> JString<'local> {
    run(env, |env| {
        let form = borrow::<SharedForm>(form)?;
        let hash = lock(form).body_hash()?;
        Ok(env.new_string(hash.as_str())?)
    })
}

/// `Native.formEncode(form)`: `[byte[] body, contentType, canonicalJson, bodyHash]` (one pass).
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formEncode<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
) -> JObjectArray<'local> {
    run(env, |env| {
        let form = borrow::<SharedForm>(form)?;
        let (body, canonical, content_type) = {
            let mut form = lock(form);
            let (body, canonical) = form.to_bytes()?;
            (body, canonical, form.content_type())
        };
        let array = JObjectArray::<JObject>::new(env, 4, JObject::null())?;
        let body = env.byte_array_from_slice(&body)?;
        array.set_element(env, 0, &body)?;
        let texts = [
            content_type,
            canonical.to_json(),
            canonical.body_hash().as_str().to_owned(),
        ];
        for (i, text) in texts.iter().enumerate() {
            let s = env.new_string(text)?;
            array.set_element(env, i + 1, &s)?;
        }
        Ok(array)
    })
}

/// `Native.formWriteToFile(form, path)`: streams the encoded body into `path` (created or
/// truncated); the canonical object's JSON of exactly those bytes.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_formWriteToFile<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form: jlong,
    path: JString<'local>,
) -> JString<'local> {
    run(env, |env| {
        let form = borrow::<SharedForm>(form)?;
        let path = string(env, &path)?;
        let canonical = lock(form).write_to_file(&path)?;
        Ok(env.new_string(canonical.to_json())?)
    })
}

/// `Native.multipartBodyHash(contentType, body)`: contract §5 hash of an encoded body.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_multipartBodyHash<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    content_type: JString<'local>,
    body: JByteArray<'local>,
) -> JString<'local> {
    run(env, |env| {
        let content_type = string(env, &content_type)?;
        let body = bytes(env, &body)?;
        let hash = nuvera_signing::multipart_body_hash(&content_type, &body)?;
        Ok(env.new_string(hash.as_str())?)
    })
}

/// `Native.multipartBodyHashFile(contentType, path)`: the same, streamed from a file.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_multipartBodyHashFile<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    content_type: JString<'local>,
    path: JString<'local>,
) -> JString<'local> {
    run(env, |env| {
        let content_type = string(env, &content_type)?;
        let path = string(env, &path)?;
        let file = File::open(&path).map_err(|e| io_error(&path, &e))?;
        let hash = nuvera_signing::multipart_body_hash_reader(&content_type, BufReader::new(file))?;
        Ok(env.new_string(hash.as_str())?)
    })
}

/// `Native.multipartCanonicalJson(contentType, body)`: the canonical object of an encoded body.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_multipartCanonicalJson<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    content_type: JString<'local>,
    body: JByteArray<'local>,
) -> JString<'local> {
    run(env, |env| {
        let content_type = string(env, &content_type)?;
        let body = bytes(env, &body)?;
        let canonical = multipart::canonicalize_wire(&content_type, &body)?;
        Ok(env.new_string(canonical.to_json())?)
    })
}
