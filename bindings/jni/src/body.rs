//! Body hashes (bytes, file, chunks pushed from Java streams), the `uri` claim and the URL to
//! send: the contract's free functions that are not multipart-specific.

use std::sync::{Arc, Mutex};

use jni::sys::jint;
use nuvera_signing::multipart::MultipartLimits;
use nuvera_signing::verify::{is_multipart_form_data, BodyReceiver};
use nuvera_signing::{Error, ErrorCode};

use crate::boundary::{native, Handle};
use crate::errors::Failure;

/// A body hashed from chunks Java pushes (an `InputStream` it reads): plain or multipart by the
/// Content-Type, as a server hashes what it receives. `None` once finished.
type Hasher = Mutex<Option<BodyReceiver>>;

fn finished() -> Failure {
    Failure::Core(Error::new(
        ErrorCode::ObjectClosed,
        "this body hasher has already finished; start a new one",
    ))
}

native! {
    /// `Native.bodyHash(body)`: SHA-256 hex (contract §4).
    fn bodyHash(body: Vec<u8>) -> String {
        nuvera_signing::body_hash(&body).as_str().to_owned()
    }

    /// `Native.bodyHashFile(path)`: SHA-256 hex of a file, streamed.
    fn bodyHashFile(path: String) -> String {
        nuvera_signing::body_hash_file(&path)?.0.as_str().to_owned()
    }

    /// `Native.hasherNew(contentType)`: `null` hashes plain bytes.
    fn hasherNew(content_type: Option<String>) -> Arc<Hasher> {
        let receiver = BodyReceiver::new(content_type.as_deref(), MultipartLimits::default());
        Arc::new(Mutex::new(Some(receiver)))
    }

    /// `Native.hasherUpdate(hasher, chunk, length)`: the first `length` bytes of `chunk` (Java
    /// reuses one buffer and fills it from the stream).
    fn hasherUpdate(hasher: Handle<Hasher>, chunk: Vec<u8>, length: jint) -> () {
        let chunk = usize::try_from(length)
            .ok()
            .and_then(|n| chunk.get(..n))
            .ok_or_else(|| Failure::argument("the length is outside the chunk"))?;
        let mut state = hasher.lock().unwrap_or_else(|p| p.into_inner());
        state.as_mut().ok_or_else(finished)?.feed(chunk)?;
    }

    /// `Native.hasherFinish(hasher)`: the `bodyHash` of everything pushed.
    fn hasherFinish(hasher: Handle<Hasher>) -> String {
        let receiver = hasher.lock().unwrap_or_else(|p| p.into_inner()).take();
        receiver.ok_or_else(finished)?.finish()?.hash.as_str().to_owned()
    }

    /// `Native.receivedBodyHash(contentType, body)`: the hash a server computes of a received body.
    fn receivedBodyHash(content_type: Option<String>, body: Vec<u8>) -> String {
        nuvera_signing::received_body_hash(content_type.as_deref(), &body)?.as_str().to_owned()
    }

    /// `Native.isMultipartFormData(contentType)`.
    fn isMultipartFormData(content_type: String) -> bool {
        is_multipart_form_data(&content_type)
    }

    /// `Native.requestUri(url)`: the `uri` claim (contract §3).
    fn requestUri(url: String) -> String {
        nuvera_signing::request_uri(&url)?
    }

    /// `Native.sendableUrl(url)`: the URL that makes an HTTP client send exactly the signed `uri`.
    fn sendableUrl(url: String) -> String {
        nuvera_signing::sendable_url(&url)?
    }
}

native! { free { hasherFree: Hasher } }
