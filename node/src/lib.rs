//! Node.js binding of `nuvera-signing` (napi-rs). Glue only: every rule lives in the core; these
//! modules convert arguments and results, and [`boundary`] turns core errors into JS errors.
#![deny(clippy::all)]

pub mod body;
pub mod boundary;
pub mod callback;
pub mod client;
pub mod explain;
pub mod keys;
pub mod multipart;
pub mod signing;
pub mod stream;
pub mod verify;
