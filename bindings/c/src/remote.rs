//! Keys held elsewhere (contract §9): signatures from a C function (a cloud KMS, an HSM API) or a
//! PKCS#11 token. Checks, timeouts, PKCS#11 and codes are the core's; this module only converts.

use std::sync::Arc;

use nuvera::remote::pkcs11::Pkcs11Config;
use nuvera::{CallbackOptions, PublicKey, RemoteKey, SignCallback, SignatureInput};

use crate::boundary::*;
use crate::keys::nuvera_private_key;

/// `input` of `nuvera_remote_key_from_callback`: the callback is given the 32-byte SHA-256 digest
/// of the JWS signing input (AWS KMS `MessageType=DIGEST`, Google Cloud KMS `digest.sha256`,
/// Azure Key Vault `RS256`).
pub const NUVERA_SIGNATURE_INPUT_DIGEST: u32 = 0;
/// `input` of `nuvera_remote_key_from_callback`: the callback is given the JWS signing input
/// itself, and the provider hashes it.
pub const NUVERA_SIGNATURE_INPUT_MESSAGE: u32 = 1;

/// The timeout of a callback call when `timeout_ms` is NULL, in milliseconds: the core's default
/// (a binding that gives its callback a deadline, as Go's context does, reads it here).
pub const NUVERA_DEFAULT_CALLBACK_TIMEOUT_MS: i64 = 10_000;
// The number above is the core's default, not a second decision: this fails to compile otherwise.
const _: () = assert!(
    NUVERA_DEFAULT_CALLBACK_TIMEOUT_MS as u128
        == nuvera::remote::DEFAULT_CALLBACK_TIMEOUT.as_millis()
);

/// Largest signature a callback can return: that of an 8192-bit key.
pub const NUVERA_MAX_SIGNATURE_LEN: usize = 1024;
/// Size of the buffer a callback may write its failure message into (NUL included).
pub const NUVERA_CALLBACK_MESSAGE_LEN: usize = 512;

/// Signs `input` (`input_len` bytes: a digest or the signing input, as the key was made with).
/// On success writes the raw RSASSA-PKCS1-v1_5 signature to `signature` (room for
/// `NUVERA_MAX_SIGNATURE_LEN` bytes), its length to `*signature_len`, and returns 0. On failure
/// returns non-zero and may write a NUL-terminated message (the provider's error, never a
/// credential) into `message` (room for `NUVERA_CALLBACK_MESSAGE_LEN` bytes).
/// It may be called from several threads at once, and from a helper thread when a timeout is set.
pub type nuvera_sign_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        input: *const u8,
        input_len: usize,
        signature: *mut u8,
        signature_len: *mut usize,
        message: *mut c_char,
    ) -> i32,
>;

/// Called once with `user_data` when the key is freed (and the last signer using it is gone).
pub type nuvera_free_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// The caller's function and data, owned by the key (or freed at once when the key is not made).
struct CCallback {
    /// Never `None` once the key is made: `nuvera_remote_key_from_callback` refuses NULL.
    sign: nuvera_sign_fn,
    user_data: *mut c_void,
    free: nuvera_free_fn,
}

// SAFETY: the C contract (header, README) says the callback and `user_data` may be used from
// several threads at once and from a helper thread.
unsafe impl Send for CCallback {}
unsafe impl Sync for CCallback {}

impl CCallback {
    fn call(&self, input: &[u8]) -> Result<Vec<u8>, String> {
        let mut signature = vec![0u8; NUVERA_MAX_SIGNATURE_LEN];
        let mut signature_len = usize::MAX;
        let mut message = [0u8; NUVERA_CALLBACK_MESSAGE_LEN];
        let sign = self.sign.expect("a key is made only with a sign function");
        // SAFETY: the buffers are as large as the contract says; `input` is valid for its length.
        let status = unsafe {
            sign(
                self.user_data,
                input.as_ptr(),
                input.len(),
                signature.as_mut_ptr(),
                &mut signature_len,
                message.as_mut_ptr().cast(),
            )
        };
        if status != 0 {
            // Up to the first NUL, or the whole buffer if the callback wrote none.
            let end = message.iter().position(|&b| b == 0);
            let text = String::from_utf8_lossy(&message[..end.unwrap_or(message.len())]);
            let colon = if text.is_empty() { "" } else { ": " };
            return Err(format!("the callback returned {status}{colon}{text}"));
        }
        if signature_len > NUVERA_MAX_SIGNATURE_LEN {
            return Err(format!(
                "the callback reported {signature_len} bytes for a buffer of {NUVERA_MAX_SIGNATURE_LEN}"
            ));
        }
        signature.truncate(signature_len);
        Ok(signature)
    }
}

impl Drop for CCallback {
    fn drop(&mut self) {
        if let Some(free) = self.free {
            // SAFETY: called once, when the last reference to the key goes.
            unsafe { free(self.user_data) };
        }
    }
}

c_api! {
    /// A key whose signatures come from `sign` (see `nuvera_sign_fn`), usable wherever a
    /// `nuvera_private_key` is. `input` is `NUVERA_SIGNATURE_INPUT_DIGEST` or `_MESSAGE`;
    /// `public_key_pem` the key's public half (SPKI or PKCS#1 PEM, as KMS `GetPublicKey` gives it).
    /// `timeout_ms` may be NULL (10 s); 0: no bound, `sign` runs on the signing thread. A late call is
    /// `REMOTE_SIGNER_FAILED`, a signature the public key refuses `REMOTE_KEY_MISMATCH`.
    /// `free_user_data` (may be NULL) gets `user_data` once the key is unused, also when this fails.
    fn nuvera_remote_key_from_callback(
        public_key_pem: *const c_char,
        input: u32,
        timeout_ms: *const i64,
        sign: nuvera_sign_fn,
        user_data: *mut c_void,
        free_user_data: nuvera_free_fn,
        out: *mut *mut nuvera_private_key,
    ) {
        // Owned first, so `free_user_data` runs exactly once whatever happens below.
        let callback = CCallback {
            sign,
            user_data,
            free: free_user_data,
        };
        req_out(out, "out")?;
        sign.ok_or_else(|| Failure::invalid("sign is NULL"))?;
        let public = PublicKey::from_pem(<&[u8]>::from_c(public_key_pem, "public_key_pem")?)?;
        let input = match input {
            NUVERA_SIGNATURE_INPUT_DIGEST => SignatureInput::Digest,
            NUVERA_SIGNATURE_INPUT_MESSAGE => SignatureInput::Message,
            other => Err(Failure::invalid(format!(
                "input {other} is neither NUVERA_SIGNATURE_INPUT_DIGEST nor _MESSAGE"
            )))?,
        };
        let options = CallbackOptions::from_optional(Some(input), timeout_ms.as_ref().copied())?;
        let callback: SignCallback = Arc::new(move |input: &[u8]| callback.call(input));
        let key = RemoteKey::from_callback(public, callback, options);
        put(out, nuvera_private_key(Arc::new(key)))
    }

    /// A key in a PKCS#11 token (an HSM; SoftHSM2) of the module at `module`, usable wherever a
    /// `nuvera_private_key` is, from several threads. Give exactly one of each pair, the other NULL:
    /// the token by `token_label` or `*slot`, the key by `key_label` or `key_id_hex` (`CKA_ID` in hex),
    /// the user PIN by the environment variable named `pin_env` or the file `pin_file` (never as an
    /// argument). A wrong combination or an unset variable is `INVALID_ARGUMENT`; what the module
    /// refuses is `REMOTE_SIGNER_FAILED` with its `CKR_…` answer (never the PIN).
    fn nuvera_remote_key_from_pkcs11(
        module: *const c_char as PathBuf,
        token_label: *const c_char as Option<&str>,
        slot: *const u64 as Option<&u64>,
        key_label: *const c_char as Option<&str>,
        key_id_hex: *const c_char as Option<&str>,
        pin_env: *const c_char as Option<&str>,
        pin_file: *const c_char as Option<PathBuf>,
    ) -> *mut nuvera_private_key {
        let config = Pkcs11Config::from_optional(
            &module,
            token_label,
            slot.copied(),
            key_label,
            key_id_hex,
            pin_env,
            pin_file.as_deref(),
        )?;
        nuvera_private_key(Arc::new(RemoteKey::from_pkcs11(config)?))
    }
}
