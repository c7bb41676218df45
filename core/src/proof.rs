//! Proof artifacts (contract §7): what was signed, with no secret in it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::body::{BodyKind, BodySummary};
use crate::hex::to_hex;
use crate::jwt::Claims;
use crate::multipart::CanonicalForm;

/// Format marker, bumped if the layout changes.
pub const PROOF_FORMAT: &str = "nuvera-proof/1";

/// What a proof records of the body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofBody {
    /// How the body was given.
    pub kind: BodyKind,
    /// Byte count, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub size: Option<u64>,
}

/// A proof artifact. Contains no API key (last four characters only), no token (its SHA-256), no
/// key material and no file bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    /// [`PROOF_FORMAT`].
    pub format: String,
    /// Signed method.
    pub method: String,
    /// Signed `uri`.
    pub uri: String,
    /// Signed `bodyHash`.
    pub body_hash: String,
    /// Body kind and size.
    pub body: ProofBody,
    /// For multipart bodies, the canonical object that was hashed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub multipart: Option<CanonicalForm>,
    /// The claims with `sub` masked.
    pub claims: Claims,
    /// Lowercase hex SHA-256 of the compact token: matches a token without revealing it.
    pub token_sha256: String,
    /// Fingerprint of the signing key's public half.
    pub key_fingerprint: String,
}

impl Proof {
    pub(crate) fn new(
        claims: &Claims,
        body: &BodySummary,
        token: &str,
        key_fingerprint: &str,
    ) -> Self {
        Proof {
            format: PROOF_FORMAT.to_owned(),
            method: claims.method.clone(),
            uri: claims.uri.clone(),
            body_hash: claims.body_hash.clone(),
            body: ProofBody {
                kind: body.kind,
                size: body.size,
            },
            multipart: body.multipart.clone(),
            claims: claims.masked(),
            token_sha256: token_fingerprint(token),
            key_fingerprint: key_fingerprint.to_owned(),
        }
    }

    /// Pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializing a proof cannot fail")
    }
}

/// Lowercase hex SHA-256 of a compact token.
pub fn token_fingerprint(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}
