//! A JavaScript stream as the `std::io::Read` the core's multipart form reads a file part from:
//! one chunk pulled from JS at a time ([`crate::callback`]), so memory does not grow with it.

use std::io::{Cursor, Error, Read};
use std::thread::ThreadId;

use crate::boundary::*;
use crate::callback::{call_and_wait, JsFunction};

/// What the JS wrapper of a stream settles each pull to: the next chunk, none at the end, or the
/// message of what the stream threw.
#[napi(object, js_name = "StreamPull")]
pub struct JsStreamPull {
    /// The next bytes; absent at the end of the stream.
    pub chunk: Option<Buffer>,
    /// Why the stream failed.
    pub error: Option<String>,
}

/// The JS function that gives the next chunk.
pub type PullFunction = JsFunction<(), JsStreamPull>;

/// A JS stream read by the core on a libuv pool thread.
pub struct JsStreamReader {
    pull: PullFunction,
    /// The current chunk, as far as it was read.
    chunk: Option<Cursor<Buffer>>,
    ended: bool,
    /// The JS thread the stream lives on: a read there would wait for itself.
    js_thread: ThreadId,
}

impl JsStreamReader {
    /// A reader of the stream behind `pull`; to be called on the JS thread.
    pub fn new(pull: PullFunction) -> Self {
        let js_thread = std::thread::current().id();
        JsStreamReader {
            pull,
            chunk: None,
            ended: false,
            js_thread,
        }
    }

    /// The next chunk from JS; `None` at the end.
    fn next_chunk(&mut self) -> std::io::Result<Option<Buffer>> {
        if std::thread::current().id() == self.js_thread {
            // Kept as a core error, so the caller sees UNSUPPORTED (see core::Error::io).
            return Err(Error::other(core::Error::new(
                core::ErrorCode::Unsupported,
                "a stream part is read by the asynchronous methods only (bodyHashAsync, \
                 canonicalAsync, writeToFile, signer.signMultipartAsync, signedFetch)",
            )));
        }
        let pulled = call_and_wait(&self.pull, ()).map_err(Error::other)?;
        pulled
            .error
            .map_or(Ok(pulled.chunk), |message| Err(Error::other(message)))
    }
}

impl Read for JsStreamReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.chunk.as_mut().map_or(Ok(0), |chunk| chunk.read(buf))?;
            if n > 0 || buf.is_empty() || self.ended {
                return Ok(n);
            }
            self.chunk = self.next_chunk()?.map(Cursor::new);
            self.ended = self.chunk.is_none();
        }
    }
}
