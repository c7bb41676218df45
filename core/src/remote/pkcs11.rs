//! Remote keys in a PKCS#11 token (an HSM; SoftHSM2 in tests), through the `cryptoki` crate.
//!
//! The module is loaded and initialised once per process and never finalised (PKCS#11 state is
//! process-wide: finalising it under another user of the same module would break that user).
//! Sessions are pooled: a signature takes a session from the pool or opens one, and gives it back,
//! so threads sign in parallel on their own sessions. A session that the module says is dead
//! (token removed, module finalised behind our back, session closed) is dropped, and the signature
//! is tried once more on a fresh session after finding the token again by its label; if that fails
//! too, the error says why with `REMOTE_SIGNER_FAILED`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Function, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use super::{Provider, RemoteKey, SignatureInput};
use crate::error::{Error, ErrorCode, Result};
use crate::hex::to_hex;
use crate::key::PublicKey;

/// Which token of the module holds the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSelector {
    /// The token with this label (what `softhsm2-util --init-token --label` and HSM consoles
    /// set). Preferred: slot numbers change when tokens are added.
    Label(String),
    /// A slot id, as the module numbers it.
    Slot(u64),
}

/// Which private key on the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySelector {
    /// `CKA_LABEL`.
    Label(String),
    /// `CKA_ID` bytes.
    Id(Vec<u8>),
}

impl KeySelector {
    /// A `CKA_ID` written as hex (`01`, `a1b2…`; what `softhsm2-util --id` and `pkcs11-tool`
    /// print), `INVALID_ARGUMENT` otherwise.
    pub fn id_from_hex(hex: &str) -> Result<Self> {
        let invalid = || {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("the PKCS#11 key id {hex:?} is not an even number of hex digits"),
            )
        };
        if hex.is_empty() || !hex.len().is_multiple_of(2) {
            return Err(invalid());
        }
        (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    .ok_or_else(invalid)
            })
            .collect::<Result<Vec<u8>>>()
            .map(KeySelector::Id)
    }
}

/// The user PIN of a token. `Debug` never shows it, and it is wiped when dropped.
#[derive(Clone)]
pub struct Pkcs11Pin(Zeroizing<String>);

impl Pkcs11Pin {
    /// A PIN given as text (e.g. read from an environment variable).
    pub fn new(pin: impl Into<String>) -> Self {
        Pkcs11Pin(Zeroizing::new(pin.into()))
    }

    /// Reads the PIN from a file; one trailing line break (what `echo` writes) is not part of it.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| Error::io(&format!("cannot read PIN file {}", path.display()), &e))?,
        );
        let pin = text.strip_suffix('\n').unwrap_or(&text);
        let pin = pin.strip_suffix('\r').unwrap_or(pin);
        Ok(Pkcs11Pin::new(pin))
    }

    fn auth_pin(&self) -> AuthPin {
        AuthPin::from(self.0.as_str())
    }
}

impl fmt::Debug for Pkcs11Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pkcs11Pin(<redacted>)")
    }
}

/// Where a PKCS#11 key is: module, token, key and the PIN that opens it.
#[derive(Clone, Debug)]
pub struct Pkcs11Config {
    /// Path of the PKCS#11 module (e.g. `/usr/lib/softhsm/libsofthsm2.so`).
    pub module: PathBuf,
    /// The token.
    pub token: TokenSelector,
    /// The RSA private key on it.
    pub key: KeySelector,
    /// The user PIN.
    pub pin: Pkcs11Pin,
}

impl Pkcs11Config {
    /// The configuration from what a binding received: the token by `token_label` or `slot`,
    /// the key by `key_label` or `key_id_hex` (`CKA_ID` as hex), the PIN from the environment
    /// variable named `pin_env` or the file `pin_file` (never a PIN argument: it would sit in
    /// the caller's source or command line). Each pair takes exactly one; anything else is
    /// `INVALID_ARGUMENT` (an unset variable too), and no message shows the PIN.
    pub fn from_optional(
        module: &Path,
        token_label: Option<&str>,
        slot: Option<u64>,
        key_label: Option<&str>,
        key_id_hex: Option<&str>,
        pin_env: Option<&str>,
        pin_file: Option<&Path>,
    ) -> Result<Self> {
        let invalid = |message: &str| Error::new(ErrorCode::InvalidArgument, message);
        let token = match (token_label, slot) {
            (Some(label), None) => TokenSelector::Label(label.to_owned()),
            (None, Some(slot)) => TokenSelector::Slot(slot),
            _ => {
                return Err(invalid(
                    "give exactly one of the token's label and its slot",
                ))
            }
        };
        let key = match (key_label, key_id_hex) {
            (Some(label), None) => KeySelector::Label(label.to_owned()),
            (None, Some(hex)) => KeySelector::id_from_hex(hex)?,
            _ => return Err(invalid("give exactly one of the key's label and its id")),
        };
        let pin = match (pin_env, pin_file) {
            (Some(name), None) => match std::env::var(name) {
                Ok(pin) => Pkcs11Pin::new(Zeroizing::new(pin).as_str()),
                Err(_) => {
                    return Err(Error::new(
                        ErrorCode::InvalidArgument,
                        format!("the environment variable {name:?} holding the PIN is not set (or not UTF-8)"),
                    ))
                }
            },
            (None, Some(path)) => Pkcs11Pin::from_file(path)?,
            _ => {
                return Err(invalid(
                    "give exactly one of the PIN's environment variable and its file",
                ))
            }
        };
        Ok(Pkcs11Config {
            module: module.to_owned(),
            token,
            key,
            pin,
        })
    }
}

impl RemoteKey {
    /// Opens a key in a PKCS#11 token: loads the module, finds the token, logs in, finds the RSA
    /// private key and reads its public key from the token. Signing uses `CKM_SHA256_RSA_PKCS`
    /// (the token hashes the signing input). Every failure is `REMOTE_SIGNER_FAILED`, naming the
    /// module's answer (`CKR_…`), never the PIN.
    pub fn from_pkcs11(config: Pkcs11Config) -> Result<RemoteKey> {
        let ctx = load_module(&config.module).map_err(|m| failed(&config, m))?;
        let provider = Pkcs11Provider {
            ctx,
            config,
            pool: Mutex::new(Vec::new()),
        };
        let session = provider
            .open_session()
            .map_err(|m| failed(&provider.config, m))?;
        let public = provider.read_public_key(&session)?;
        provider.give_back(session);
        Ok(RemoteKey::new(Box::new(provider), public))
    }
}

fn failed(config: &Pkcs11Config, message: String) -> Error {
    Error::new(
        ErrorCode::RemoteSignerFailed,
        format!("{}: {message}", describe(config)),
    )
}

fn describe(config: &Pkcs11Config) -> String {
    let token = match &config.token {
        TokenSelector::Label(l) => format!("token {l:?}"),
        TokenSelector::Slot(s) => format!("slot {s}"),
    };
    let key = match &config.key {
        KeySelector::Label(l) => format!("key {l:?}"),
        KeySelector::Id(id) => format!("key id {}", to_hex(id)),
    };
    format!("PKCS#11 {token} {key} ({})", config.module.display())
}

/// `C_Login: PinIncorrect (…)`: the function and the module's answer.
fn ck_message(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, function) => format!("C_{function:?} answered {rv:?}: {rv}"),
        other => other.to_string(),
    }
}

/// Modules loaded by this process, by path, each initialised once.
fn load_module(path: &Path) -> std::result::Result<Pkcs11, String> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = MODULES
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(ctx) = modules.get(path) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(path)
        .map_err(|e| format!("cannot load the PKCS#11 module: {}", ck_message(&e)))?;
    initialize(&ctx)?;
    modules.insert(path.to_owned(), ctx.clone());
    Ok(ctx)
}

fn initialize(ctx: &Pkcs11) -> std::result::Result<(), String> {
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        // Another user of the module in this process initialised it first: share it.
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(()),
        Err(e) => Err(ck_message(&e)),
    }
}

/// Answers after which a session is not worth keeping: the next attempt needs a fresh one.
fn session_is_dead(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::TokenNotPresent
                | RvError::TokenNotRecognized
                | RvError::DeviceRemoved
                | RvError::DeviceError
                | RvError::CryptokiNotInitialized
                | RvError::UserNotLoggedIn
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid
                | RvError::SlotIdInvalid,
            _
        )
    )
}

struct PooledSession {
    session: Session,
    key: ObjectHandle,
}

struct Pkcs11Provider {
    ctx: Pkcs11,
    config: Pkcs11Config,
    pool: Mutex<Vec<PooledSession>>,
}

impl Pkcs11Provider {
    fn find_slot(&self) -> std::result::Result<Slot, String> {
        let slots = self
            .ctx
            .get_slots_with_token()
            .map_err(|e| ck_message(&e))?;
        match &self.config.token {
            TokenSelector::Slot(id) => slots
                .into_iter()
                .find(|s| s.id() == *id)
                .ok_or_else(|| format!("slot {id} has no token")),
            TokenSelector::Label(label) => {
                let mut labels = Vec::new();
                for slot in slots {
                    let info = self.ctx.get_token_info(slot).map_err(|e| ck_message(&e))?;
                    // Labels are blank-padded to 32 bytes in PKCS#11; cryptoki trims them.
                    if info.label().trim_end() == label {
                        return Ok(slot);
                    }
                    labels.push(format!("{:?}", info.label().trim_end()));
                }
                Err(format!(
                    "no token labelled {label:?} (tokens present: {})",
                    if labels.is_empty() {
                        "none".to_owned()
                    } else {
                        labels.join(", ")
                    }
                ))
            }
        }
    }

    fn open_session(&self) -> std::result::Result<PooledSession, String> {
        let slot = self.find_slot()?;
        let session = self.ctx.open_ro_session(slot).map_err(|e| ck_message(&e))?;
        match session.login(UserType::User, Some(&self.config.pin.auth_pin())) {
            // Login is per application and token: a second session is already logged in.
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, Function::Login)) => {}
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                return Err("the token refused the PIN (CKR_PIN_INCORRECT)".to_owned())
            }
            Err(CkError::Pkcs11(RvError::PinLocked, _)) => {
                return Err("the token's user PIN is locked (CKR_PIN_LOCKED)".to_owned())
            }
            Err(e) => return Err(format!("login failed: {}", ck_message(&e))),
        }
        let key = self.find_key(&session)?;
        Ok(PooledSession { session, key })
    }

    fn find_key(&self, session: &Session) -> std::result::Result<ObjectHandle, String> {
        let mut template = vec![
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::RSA),
        ];
        template.push(match &self.config.key {
            KeySelector::Label(l) => Attribute::Label(l.as_bytes().to_vec()),
            KeySelector::Id(id) => Attribute::Id(id.clone()),
        });
        let found = session
            .find_objects(&template)
            .map_err(|e| ck_message(&e))?;
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err("no RSA private key with this label or id on the token".to_owned()),
            many => Err(format!(
                "{} RSA private keys match; select one by its id",
                many.len()
            )),
        }
    }

    /// The public key from the token: the private key object's own `CKA_MODULUS` and
    /// `CKA_PUBLIC_EXPONENT`, else the public key object with the same `CKA_ID`.
    fn read_public_key(&self, pooled: &PooledSession) -> Result<PublicKey> {
        let wanted = [AttributeType::Modulus, AttributeType::PublicExponent];
        let components = |handle| -> Option<(Vec<u8>, Vec<u8>)> {
            let attrs = pooled.session.get_attributes(handle, &wanted).ok()?;
            let mut modulus = None;
            let mut exponent = None;
            for attr in attrs {
                match attr {
                    Attribute::Modulus(m) => modulus = Some(m),
                    Attribute::PublicExponent(e) => exponent = Some(e),
                    _ => {}
                }
            }
            Some((modulus?, exponent?))
        };
        let from_public_object = || -> Option<(Vec<u8>, Vec<u8>)> {
            let id = pooled
                .session
                .get_attributes(pooled.key, &[AttributeType::Id])
                .ok()?
                .into_iter()
                .find_map(|a| match a {
                    Attribute::Id(id) => Some(id),
                    _ => None,
                })?;
            let handles = pooled
                .session
                .find_objects(&[Attribute::Class(ObjectClass::PUBLIC_KEY), Attribute::Id(id)])
                .ok()?;
            handles.into_iter().find_map(components)
        };
        let (modulus, exponent) = components(pooled.key)
            .or_else(from_public_object)
            .ok_or_else(|| {
                failed(
                    &self.config,
                    "the token shows neither the key's modulus nor a public key object with its id"
                        .to_owned(),
                )
            })?;
        PublicKey::from_rsa_components(&modulus, &exponent)
            .map_err(|e| failed(&self.config, e.message().to_owned()))
    }

    fn take(&self) -> Option<PooledSession> {
        self.pool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop()
    }

    fn give_back(&self, session: PooledSession) {
        self.pool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(session);
    }

    fn drop_pool(&self) {
        let stale = std::mem::take(
            &mut *self
                .pool
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        // Closing a session the module already forgot answers an error that says nothing new.
        for pooled in stale {
            let _ = pooled.session.close();
        }
    }
}

impl Provider for Pkcs11Provider {
    fn input(&self) -> SignatureInput {
        SignatureInput::Message
    }

    fn sign(&self, input: &[u8]) -> std::result::Result<Vec<u8>, String> {
        let pooled = match self.take() {
            Some(pooled) => pooled,
            None => self.open_session()?,
        };
        match pooled
            .session
            .sign(&Mechanism::Sha256RsaPkcs, pooled.key, input)
        {
            Ok(signature) => {
                self.give_back(pooled);
                Ok(signature)
            }
            Err(e) if session_is_dead(&e) => {
                let first = ck_message(&e);
                drop(pooled);
                self.drop_pool();
                if matches!(e, CkError::Pkcs11(RvError::CryptokiNotInitialized, _)) {
                    initialize(&self.ctx)?;
                }
                // Once more on a fresh session: the token may be back, or only our sessions lost.
                let fresh = self
                    .open_session()
                    .map_err(|again| format!("{first}; then, on a new session: {again}"))?;
                let signature = fresh
                    .session
                    .sign(&Mechanism::Sha256RsaPkcs, fresh.key, input)
                    .map_err(|again| {
                        format!("{first}; then, on a new session: {}", ck_message(&again))
                    })?;
                self.give_back(fresh);
                Ok(signature)
            }
            Err(e) => {
                self.give_back(pooled);
                Err(ck_message(&e))
            }
        }
    }

    fn describe(&self) -> String {
        describe(&self.config)
    }
}
