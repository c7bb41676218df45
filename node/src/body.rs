//! Body hashes of plain bodies (contract §4): in memory, or a file streamed.

use std::path::PathBuf;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::Result;
use napi_derive::napi;
use nuvera_signing as core;

use crate::boundary::{bytes_of, guard, Code, CoreTask};

/// SHA-256 hex of a body (a string is hashed as UTF-8).
#[napi]
pub fn body_hash(body: Either<Buffer, String>) -> String {
    core::body_hash(bytes_of(&body)).as_str().to_owned()
}

/// SHA-256 hex of a file, streamed, on the calling thread.
#[napi]
pub fn body_hash_file_sync(path: String) -> Result<String, Code> {
    guard(|| Ok(core::body_hash_file(path)?.0.as_str().to_owned()))
}

/// `bodyHashFile`'s work.
pub type HashFileTask = CoreTask<(core::BodyHash, u64), String>;

/// SHA-256 hex of a file, streamed on the libuv thread pool.
#[napi(ts_return_type = "Promise<string>")]
pub fn body_hash_file(path: String) -> AsyncTask<HashFileTask> {
    let path = PathBuf::from(path);
    AsyncTask::new(CoreTask::new(
        move || core::body_hash_file(&path),
        |(hash, _)| Ok(hash.as_str().to_owned()),
    ))
}
