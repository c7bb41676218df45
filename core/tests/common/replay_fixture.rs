//! The registry, cache options and signed requests the replay-cache tests share (blocking and
//! awaited paths, `#[path]`-included next to `redis_server.rs`).
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use nuvera_signing::verify::{ApiKeyStatus, PublicKeyStatus};
use nuvera_signing::{
    Application, AuthCode, Body, PrivateKey, PublicKey, Registry, ReplayCacheOptions,
    SignOverrides, SignedRequest, Signer, Verified, Verifier, VerifierOptions, VerifyError,
};

use crate::common::key_pem;

pub const API_KEY: &str = "nv_live_3f9a2c7d1e";
pub const OTHER_KEY: &str = "nv_live_other_0001";
pub const TARGET: &str = "/api/v1/customers?limit=20";
pub const SKEW: u32 = 5;
/// Far above any timeout configured here, so that the bound cannot flake on a loaded machine; the
/// latencies themselves are measured by bench/server.sh.
pub const GENEROUS: Duration = Duration::from_secs(5);

/// Two applications with the same public key: "Acme Payouts" (`API_KEY`) and "Other"
/// (`OTHER_KEY`), both allowed to read customers.
pub fn registry() -> Registry {
    let public = PublicKey::from_pem(key_pem("test-rsa2048-public.pem")).unwrap();
    let mut registry = Registry::new();
    registry
        .add(
            Application::new("Acme Payouts")
                .with_api_key(API_KEY, ApiKeyStatus::Active)
                .with_public_key(public.clone(), PublicKeyStatus::Active, None)
                .with_permission("CUSTOMERS_READ"),
        )
        .unwrap()
        .add(
            Application::new("Other")
                .with_api_key(OTHER_KEY, ApiKeyStatus::Active)
                .with_public_key(public, PublicKeyStatus::Active, None)
                .with_permission("CUSTOMERS_READ"),
        )
        .unwrap();
    registry
}

/// A timeout well above the default 50 ms: this machine runs other builds beside the tests, and
/// only the tests about timeouts set a short one.
pub fn options(url: &str) -> ReplayCacheOptions {
    ReplayCacheOptions {
        key_prefix: "test:jti:".to_owned(),
        timeout_ms: 3_000,
        ..ReplayCacheOptions::new(url)
    }
}

pub fn verifier(cache: ReplayCacheOptions) -> Verifier {
    Verifier::new(registry())
        .with_options(VerifierOptions {
            clock_skew_secs: SKEW,
            replay_cache: Some(cache),
            ..VerifierOptions::default()
        })
        .unwrap()
}

/// A GET of `TARGET` for `api_key`, signed now with `jti`.
pub fn signed_get(api_key: &str, jti: &str) -> SignedRequest {
    let key = PrivateKey::from_pem(key_pem("test-rsa2048-pkcs8.pem"), None).unwrap();
    Signer::new(Arc::new(key), api_key)
        .unwrap()
        .sign_with(
            "GET",
            TARGET,
            Body::Empty,
            &SignOverrides {
                jti: Some(jti.to_owned()),
                ..Default::default()
            },
        )
        .unwrap()
}

pub fn code(result: Result<Verified, VerifyError>) -> Option<AuthCode> {
    result.err().map(|e| e.code())
}
