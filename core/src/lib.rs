//! # nuvera-signing
//!
//! Signs requests to the Nuvera partner API: an `x-api-key` header and an RS256 JWT whose nine
//! claims bind the method, the request target and a hash of the body. Every rule of the contract
//! lives in this crate; the CLI and the language bindings only call it.
//!
//! ```
//! use nuvera_signing::{Body, PrivateKey, Signer};
//! # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/keys/test-rsa2048-pkcs8.pem")).unwrap();
//! let key = PrivateKey::from_pem(&pem, None)?;
//! let signer = Signer::new(key, "nv_live_3f9a2c7d1e")?;
//! let signed = signer.sign("POST", "https://api.nuvera.global/api/v1/customers", Body::Bytes(br#"{"companyName":"Acme"}"#))?;
//! let [(api_key_header, _), (auth_header, auth)] = signed.headers();
//! assert_eq!((api_key_header, auth_header), ("x-api-key", "Authorization"));
//! assert!(auth.starts_with("Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."));
//! # Ok::<(), nuvera_signing::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod body_hash;
pub mod client;
pub mod crypto;
mod error;
pub mod explain;
#[doc(hidden)]
pub mod fuzzing;
mod hex;
pub mod jwt;
mod key;
mod method;
pub mod multipart;
mod proof;
mod received;
pub mod remote;
mod secret;
mod signer;
mod signing_key;
mod uri;
pub mod verify;

pub use body::{Body, BodyKind, BodySummary};
pub use body_hash::{body_hash, body_hash_file, body_hash_reader, BodyHash};
pub use client::{Action, ClientPolicy, ClockOffset, Exchange, RetryPolicy};
pub use error::{Error, ErrorCode, ErrorFamily, Result};
pub use explain::{explain, ExplainOptions, Finding, Report, SentRequest, SupportBundle};
pub use hex::to_hex;
pub use jwt::Claims;
pub use key::{PrivateKey, PublicKey, MIN_RSA_BITS};
pub use method::normalize_method;
pub use multipart::{
    multipart_body_hash, multipart_body_hash_file, multipart_body_hash_reader, CanonicalForm,
    MultipartForm,
};
pub use proof::{token_fingerprint, Proof, ProofBody};
pub use received::{
    is_multipart_form_data, received_body_hash, received_body_hash_reader, BodyReceiver,
    ReceivedBody,
};
pub use remote::{CallbackOptions, RemoteKey, SignCallback, SignatureInput};
pub use secret::{mask_secret, ApiKey};
pub use signer::given_unsigned;
pub use signer::{
    given_unix_seconds, Clock, FixedClock, JtiSource, RandomJti, SignOverrides, SignedRequest,
    Signer, SignerOptions, SystemClock, API_KEY_HEADER, AUTHORIZATION_HEADER,
    DEFAULT_LIFETIME_SECS, MAX_LIFETIME_SECS,
};
pub use signing_key::{IntoSigningKey, SigningKey};
pub use uri::{request_uri, sendable_url};
pub use verify::OptionalVerifierOptions;
pub use verify::{
    required_permission, Application, AuthCode, FailureArea, ReceivedRequest, Registry,
    ReplayCacheOptions, RequestHead, Verified, VerifiedHead, Verifier, VerifierOptions,
    VerifyError,
};
