//! `nuvera_signing._native`: the PyO3 extension module of the Python package `nuvera-signing`.
//!
//! It converts types and raises errors in Python's idiom; every rule is in the core crate. One
//! module per domain, so a maintainer knows which room to enter:
//!
//! | module | what |
//! |---|---|
//! | [`boundary`] | the one panic boundary, the GIL release, argument conversion, core `Error` → exception |
//! | [`errors`] | the core's code list as Python sees it |
//! | [`keys`] | `PrivateKey` |
//! | [`signing`] | `Signer`, `SignedRequest`, `Claims`, body hashes, `request_uri` |
//! | [`multipart`] | `MultipartForm` (paths, bytes, Python file objects), wire hashes |
//! | [`verify`] | `Verifier`, `Verified`, `received_body_hash` |
//! | [`explain`] | `explain`, `Report`, `Finding`, support bundles |
//! | [`client`] | the §8 client policy: `ClientPolicy`, `RetryPolicy`, `Exchange`, `Action` |
//!
//! Ownership: every class is `frozen` (immutable from Python, shared freely between threads);
//! the one mutable object, `MultipartForm`, keeps its state behind a mutex that is only taken with
//! the GIL released.

use pyo3::prelude::*;

mod boundary;
mod client;
mod errors;
mod explain;
mod keys;
mod multipart;
mod signing;
mod verify;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    keys::register(m)?;
    signing::register(m)?;
    multipart::register(m)?;
    verify::register(m)?;
    explain::register(m)?;
    client::register(m)?;
    Ok(())
}
