//! Verification (contract §6): the server side, used by the mock server and by diagnostics.

mod code;
#[cfg(feature = "redis")]
mod redis_cache;
mod registry;
mod replay;
pub mod token;
mod verifier;

pub use code::{AuthCode, FailureArea, VerifyError};
#[cfg(feature = "redis")]
pub use redis_cache::RedisReplayCache;
pub use registry::{ApiKeyStatus, Application, PublicKeyStatus, RegisteredKey, Registry};
pub use replay::{
    shared_replay_cache, InMemoryReplayCache, ReplayCache, ReplayCacheOptions, ReplayFuture,
    ReplayKey, ReplayOutcome, DEFAULT_REPLAY_CACHE_MAX_CONNECTIONS, DEFAULT_REPLAY_CACHE_PREFIX,
    DEFAULT_REPLAY_CACHE_TIMEOUT_MS, MAX_REPLAY_CACHE_CONNECTIONS, MAX_REPLAY_CACHE_TIMEOUT_MS,
};
pub use verifier::OptionalVerifierOptions;
pub use verifier::{
    required_permission, ReceivedRequest, RequestHead, Verified, VerifiedHead, Verifier,
    VerifierOptions, DEFAULT_CLOCK_SKEW_SECS, MAX_CLOCK_SKEW_SECS,
};
// The received-body helpers live in `crate::received` (clients use them too); kept here so
// existing `verify::` paths compile.
pub use crate::received::{
    is_multipart_form_data, received_body_hash, received_body_hash_reader, BodyReceiver,
    ReceivedBody,
};
