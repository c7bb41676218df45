//! Body hashes (bytes, file, chunks pushed from Java streams), the `uri` claim and the URL to
//! send: the contract's free functions that are not multipart-specific.

use std::sync::{Arc, Mutex};

use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;
use nuvera_signing::multipart::MultipartLimits;
use nuvera_signing::verify::{is_multipart_form_data, BodyReceiver};
use nuvera_signing::{Error, ErrorCode};

use crate::boundary::{borrow, bytes, free, into_handle, optional_string, run, string};
use crate::errors::Failure;

/// `Native.bodyHash(body)`: SHA-256 hex (contract §4).
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_bodyHash<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    body: JByteArray<'local>,
) -> JString<'local> {
    run(env, |env| {
        let body = bytes(env, &body)?;
        Ok(env.new_string(nuvera_signing::body_hash(&body).as_str())?)
    })
}

/// `Native.bodyHashFile(path)`: SHA-256 hex of a file, streamed.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_bodyHashFile<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    path: JString<'local>,
) -> JString<'local> {
    run(env, |env| {
        let path = string(env, &path)?;
        let (hash, _) = nuvera_signing::body_hash_file(&path)?;
        Ok(env.new_string(hash.as_str())?)
    })
}

/// A body hashed from chunks Java pushes (an `InputStream` it reads): plain or multipart by the
/// Content-Type, as a server hashes what it receives. `None` once finished.
type Hasher = Mutex<Option<BodyReceiver>>;

fn finished() -> Failure {
    Failure::Core(Error::new(
        ErrorCode::ObjectClosed,
        "this body hasher has already finished; start a new one",
    ))
}

/// `Native.hasherNew(contentType)`: `null` hashes plain bytes.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_hasherNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    content_type: JString<'local>,
) -> jlong {
    run(env, |env| {
        let content_type = optional_string(env, &content_type)?;
        let receiver = BodyReceiver::new(content_type.as_deref(), MultipartLimits::default());
        Ok(into_handle(Arc::new(Mutex::new(Some(receiver)))))
    })
}

/// `Native.hasherUpdate(hasher, chunk, length)`: the first `length` bytes of `chunk`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_hasherUpdate<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    hasher: jlong,
    chunk: JByteArray<'local>,
    length: jint,
) {
    run(env, |env| {
        let hasher = borrow::<Hasher>(hasher)?;
        let length = usize::try_from(length).map_err(|_| Failure::argument("negative length"))?;
        let mut buffer = vec![0i8; length];
        chunk.get_region(env, 0, &mut buffer)?;
        let chunk: Vec<u8> = buffer.into_iter().map(|b| b as u8).collect();
        let mut state = hasher.lock().unwrap_or_else(|p| p.into_inner());
        state.as_mut().ok_or_else(finished)?.feed(&chunk)?;
        Ok(())
    })
}

/// `Native.hasherFinish(hasher)`: the `bodyHash` of everything pushed.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_hasherFinish<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    hasher: jlong,
) -> JString<'local> {
    run(env, |env| {
        let hasher = borrow::<Hasher>(hasher)?;
        let receiver = hasher
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or_else(finished)?;
        Ok(env.new_string(receiver.finish()?.hash.as_str())?)
    })
}

/// `Native.hasherFree(hasher)`: called once by `NativeHandle`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_hasherFree<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    hasher: jlong,
) {
    run(env, |_| {
        free::<Hasher>(hasher);
        Ok(())
    })
}

/// `Native.receivedBodyHash(contentType, body)`: the hash a server computes of a received body.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_receivedBodyHash<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    content_type: JString<'local>,
    body: JByteArray<'local>,
) -> JString<'local> {
    run(env, |env| {
        let content_type = optional_string(env, &content_type)?;
        let body = bytes(env, &body)?;
        let hash = nuvera_signing::received_body_hash(content_type.as_deref(), &body)?;
        Ok(env.new_string(hash.as_str())?)
    })
}

/// `Native.isMultipartFormData(contentType)`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_isMultipartFormData<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    content_type: JString<'local>,
) -> bool {
    run(env, |env| {
        Ok(is_multipart_form_data(&string(env, &content_type)?))
    })
}

/// `Native.requestUri(url)`: the `uri` claim (contract §3).
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_requestUri<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    url: JString<'local>,
) -> JString<'local> {
    run(env, |env| {
        let uri = nuvera_signing::request_uri(&string(env, &url)?)?;
        Ok(env.new_string(uri)?)
    })
}

/// `Native.sendableUrl(url)`: the URL that makes an HTTP client send exactly the signed `uri`.
#[no_mangle]
pub extern "system" fn Java_global_nuvera_signing_Native_sendableUrl<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    url: JString<'local>,
) -> JString<'local> {
    run(env, |env| {
        let url = nuvera_signing::sendable_url(&string(env, &url)?)?;
        Ok(env.new_string(url)?)
    })
}
