//! `nuvera_signing._native`: the PyO3 extension module of the Python package `nuvera-signing`.
//!
//! It converts types and raises errors in Python's idiom; every rule is in the core crate.
//! [`boundary`] is the one panic boundary, GIL release and core `Error` → exception; [`hints`]
//! gives the generated stub the Python types Rust types cannot state.

mod boundary;
mod client;
mod errors;
mod explain;
mod hints;
mod keys;
mod multipart;
mod remote;
mod signing;
mod verify;

/// The native part of ``nuvera_signing``; import the package, not this module.
#[pyo3::pymodule]
mod _native {
    #[pymodule_export]
    use crate::client::{now_unix_ms, Action, Attempt, ClientPolicy, Exchange, RetryPolicy};
    #[pymodule_export]
    use crate::errors::{error_codes, error_for_code};
    #[pymodule_export]
    use crate::explain::{explain, support_bundle, support_bundle_json, Finding, Report};
    #[pymodule_export]
    use crate::keys::{public_key_fingerprint, PrivateKey};
    #[pymodule_export]
    use crate::multipart::{
        is_multipart_form_data, multipart_body_hash, multipart_body_hash_file, multipart_canonical,
        MultipartForm,
    };
    #[pymodule_export]
    use crate::remote::RemoteKey;
    #[pymodule_export]
    use crate::signing::{body_hash, body_hash_file, request_uri, sendable_url};
    #[pymodule_export]
    use crate::signing::{Claims, SignedRequest, Signer};
    #[pymodule_export]
    use crate::verify::{received_body_hash, Verified, Verifier};
}
