//! Body hashes of plain bodies (contract §4): in memory, a file streamed, or a stream fed in.

use crate::boundary::*;

/// SHA-256 hex of a body (a string is hashed as UTF-8).
#[napi]
pub fn body_hash(body: Bytes) -> String {
    core::body_hash(bytes_of(&body)).to_string()
}

/// SHA-256 hex of a file, streamed, on the calling thread.
#[napi]
pub fn body_hash_file_sync(path: String) -> Result<String, Code> {
    guard(|| Ok(core::body_hash_file(path)?.0.to_string()))
}

/// SHA-256 hex of a file, streamed on the libuv thread pool.
#[napi(ts_return_type = "Promise<string>")]
pub fn body_hash_file(path: String) -> AsyncTask<CoreTask<String>> {
    later(move || Ok(core::body_hash_file(path)?.0.to_string()))
}

/// True for a `multipart/form-data` Content-Type (parameters ignored): the core's one test.
#[napi]
pub fn is_multipart_form_data(content_type: String) -> bool {
    core::is_multipart_form_data(&content_type)
}

/// A body hashed as it streams in (`update`, then `finish`), plain or multipart by its
/// Content-Type as a server hashes it; holds no more than a chunk in memory.
#[napi]
pub struct BodyHasher(Option<core::BodyReceiver>);

/// A streamed body's hash and size.
#[napi(object)]
pub struct StreamedBody {
    /// Its `bodyHash`.
    pub body_hash: String,
    /// Its size in bytes.
    pub size: i64,
}

#[napi]
impl BodyHasher {
    /// A hasher for a body sent with `contentType` (absent: plain bytes).
    #[napi(constructor)]
    pub fn new(content_type: Option<String>) -> Self {
        let limits = core::multipart::MultipartLimits::default();
        BodyHasher(Some(core::BodyReceiver::new(
            content_type.as_deref(),
            limits,
        )))
    }

    /// Consumes the next chunk (a string as UTF-8); an unparsable multipart body fails here or in
    /// `finish`.
    #[napi]
    pub fn update(&mut self, chunk: Bytes) -> Result<(), Code> {
        guard(|| self.0.as_mut().ok_or_else(closed)?.feed(bytes_of(&chunk)))
    }

    /// The body's hash and size; the hasher cannot be used afterwards (`OBJECT_CLOSED`).
    #[napi]
    pub fn finish(&mut self) -> Result<StreamedBody, Code> {
        guard(|| {
            let received = self.0.take().ok_or_else(closed)?.finish()?;
            Ok(StreamedBody {
                body_hash: received.hash.to_string(),
                // Saturating: napi gives JS numbers as i64.
                size: i64::try_from(received.size).unwrap_or(i64::MAX),
            })
        })
    }
}

fn closed() -> core::Error {
    let why = "this BodyHasher has finished; create another";
    core::Error::new(core::ErrorCode::ObjectClosed, why)
}
