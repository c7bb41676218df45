//! Node.js binding of `nuvera-signing` (napi-rs). Glue only: every rule of the contract lives in
//! the core crate; these modules convert arguments and results, one room per domain, and
//! [`boundary`] is the one place where core errors and panics become JS errors.
#![deny(clippy::all)]

pub mod body;
pub mod boundary;
pub mod callback;
pub mod client;
pub mod errors;
pub mod explain;
pub mod keys;
pub mod multipart;
pub mod remote;
pub mod signing;
pub mod stream;
pub mod verify;
