//! Keys: parsed private keys (key material never leaves the core), and keys held elsewhere
//! (contract §9), whose signatures come from a JavaScript function called through
//! [`crate::callback`] by the core, which times and checks each one.

use std::sync::Arc;

use crate::boundary::*;
use crate::callback::{call_and_wait, JsFunction};

/// A parsed RSA private key (≥ 2048 bits), reused by any number of signers; never shows key
/// material.
#[napi]
pub struct PrivateKey(pub(crate) Arc<core::PrivateKey>);

#[napi]
impl PrivateKey {
    /// Parses a PEM (PKCS#8, PKCS#1 or encrypted PKCS#8) from text or bytes. `passphrase` is
    /// needed for an encrypted key.
    #[napi(factory)]
    pub fn from_pem(pem: Bytes, passphrase: Option<Bytes>) -> Result<Self, Code> {
        let passphrase = passphrase.as_ref().map(bytes_of);
        guard(|| {
            Ok(PrivateKey(
                core::PrivateKey::from_pem(bytes_of(&pem), passphrase)?.into(),
            ))
        })
    }

    /// Reads and parses a PEM file.
    #[napi(factory)]
    pub fn from_file(path: String, passphrase: Option<Bytes>) -> Result<Self, Code> {
        let passphrase = passphrase.as_ref().map(bytes_of);
        guard(|| {
            Ok(PrivateKey(
                core::PrivateKey::from_file(path, passphrase)?.into(),
            ))
        })
    }
}

methods! { PrivateKey |key| {
    #[doc = " `PrivateKey(RSA-2048, <fingerprint>)`: no key material."]
    #[napi(js_name = "toString")]
    fn to_js_string() -> String = format!("PrivateKey(RSA-{}, {})", key.bits(), key.fingerprint());
    #[doc = " The public half as an SPKI PEM (`BEGIN PUBLIC KEY`), to register with Nuvera."]
    #[napi(getter)]
    fn public_key_pem() -> String = key.0.public_key().to_pem();
    #[doc = " The key's fingerprint (SHA-256 of the public key's SPKI DER), as Nuvera shows it."]
    #[napi(getter)]
    fn fingerprint() -> String = key.0.fingerprint();
    #[doc = " Modulus size in bits."]
    #[napi(getter)]
    fn bits() -> u32 = u32::try_from(key.0.bits()).unwrap_or(u32::MAX);
}}

/// The fingerprint of a public key given as an SPKI PEM (the same value as
/// `PrivateKey.fingerprint` for its private half).
#[napi]
pub fn public_key_fingerprint(public_key_pem: String) -> Result<String, Code> {
    guard(|| Ok(core::PublicKey::from_pem(&public_key_pem)?.fingerprint()))
}

/// What the package's JS wrapper of a callback settles to: the signature, or the message of
/// what the caller's function threw or rejected with (so no JS exception crosses into Rust).
#[napi(object, js_name = "RemoteSignOutcome")]
pub struct JsRemoteSignOutcome {
    /// The raw RSASSA-PKCS1-v1_5 signature.
    pub signature: Option<Buffer>,
    /// Why there is none.
    pub error: Option<String>,
}

/// The JS function as the helper thread calls it (see [`crate::callback`]).
type JsSignFunction = JsFunction<Buffer, JsRemoteSignOutcome>;

/// Remote key options; absent fields take the core's defaults.
#[napi(object, js_name = "RemoteKeyOptions")]
#[derive(Default)]
pub struct JsRemoteKeyOptions {
    /// What the function is given: `digest` (default: the SHA-256 of the signing input, as cloud
    /// KMS digest APIs take) or `message` (the input itself; `input` is its older Node spelling).
    #[napi(ts_type = "'digest' | 'message' | 'input'")]
    pub input: Option<String>,
    /// How long one signature may take in ms (default 10 000).
    pub timeout_ms: Option<i64>,
}

/// A key whose private half stays with a provider (a cloud KMS); each signature is checked
/// against the public key. Sign with it through the async methods (`signAsync`, `signedFetch`…).
#[napi]
pub struct RemoteKey(pub(crate) Arc<core::RemoteKey>);

fn call_js(function: &JsSignFunction, input: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let outcome = call_and_wait(function, Buffer::from(input.to_vec()))?;
    match (outcome.signature, outcome.error) {
        (Some(signature), _) => Ok(signature.to_vec()),
        (None, Some(message)) => Err(message),
        (None, None) => Err("the JavaScript callback gave no signature".to_owned()),
    }
}

/// The core's input named `name`; `input` is the older Node spelling of `message`.
fn signature_input(name: Option<&str>) -> core::Result<Option<core::SignatureInput>> {
    name.map(|n| core::SignatureInput::from_name(if n == "input" { "message" } else { n }))
        .transpose()
}

#[napi]
impl RemoteKey {
    /// Behind `RemoteKey.fromCallback(fn, publicKeyPem, options?)`, which wraps `fn` so that it
    /// always settles to a `RemoteSignOutcome`.
    #[napi(
        factory,
        js_name = "fromCallbackOutcome",
        ts_args_type = "callback: (input: Buffer) => Promise<RemoteSignOutcome>, publicKeyPem: string | Buffer, options?: RemoteKeyOptions | undefined | null"
    )]
    pub fn from_callback_outcome(
        callback: JsSignFunction,
        public_key_pem: Bytes,
        options: Option<JsRemoteKeyOptions>,
    ) -> Result<Self, Code> {
        let o = options.unwrap_or_default();
        guard(|| {
            let public = core::PublicKey::from_pem(bytes_of(&public_key_pem))?;
            let input = signature_input(o.input.as_deref())?;
            let options = core::CallbackOptions::from_optional(input, o.timeout_ms)?;
            let callback: core::SignCallback = Arc::new(move |input| call_js(&callback, input));
            let key = core::RemoteKey::from_callback(public, callback, options);
            Ok(RemoteKey(Arc::new(key)))
        })
    }
}

methods! { RemoteKey |key| {
    #[doc = " `RemoteKey(<provider>, <bits>-bit, <fingerprint>)`: no secret."]
    #[napi(js_name = "toString")]
    fn to_js_string() -> String = format!(
        "RemoteKey({}, {}-bit, {})",
        key.0.describe(),
        key.bits(),
        key.fingerprint()
    );
    #[doc = " The public key's fingerprint."]
    #[napi(getter)]
    fn fingerprint() -> String = core::SigningKey::fingerprint(key.0.as_ref());
    #[doc = " Modulus size in bits."]
    #[napi(getter)]
    fn bits() -> u32 = u32::try_from(core::SigningKey::bits(key.0.as_ref())).unwrap_or(u32::MAX);
}}
