//! Where the CLI finds secrets: flags, else the environment. Never printed.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use nuvera_signing::remote::pkcs11::{KeySelector, Pkcs11Config, Pkcs11Pin, TokenSelector};
use nuvera_signing::{PrivateKey, RemoteKey, SigningKey};
use zeroize::Zeroizing;

use crate::error::{CliError, CliResult};

#[derive(Args, Debug, Clone)]
pub struct KeyArgs {
    /// Private key PEM file (PKCS#8, PKCS#1 or encrypted PKCS#8). Default: $NUVERA_PRIVATE_KEY_FILE,
    /// else the PEM text in $NUVERA_PRIVATE_KEY.
    #[arg(long, value_name = "FILE", env = "NUVERA_PRIVATE_KEY_FILE")]
    pub key: Option<PathBuf>,
    /// File holding the passphrase of an encrypted key. Default: $NUVERA_KEY_PASSPHRASE.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    #[command(flatten)]
    pub pkcs11: Pkcs11Args,
}

/// A key in a PKCS#11 token (an HSM): it signs there and never enters this process.
#[derive(Args, Debug, Clone)]
pub struct Pkcs11Args {
    /// PKCS#11 module to sign with a key in a token (e.g. /usr/lib/softhsm/libsofthsm2.so);
    /// takes the place of --key and NUVERA_PRIVATE_KEY*. Default: $NUVERA_PKCS11_MODULE.
    #[arg(long, value_name = "PATH", env = "NUVERA_PKCS11_MODULE")]
    pub pkcs11_module: Option<PathBuf>,
    /// Label of the token holding the key.
    #[arg(long, value_name = "LABEL", conflicts_with = "pkcs11_slot")]
    pub pkcs11_token: Option<String>,
    /// Slot id of the token, when it has no usable label (labels are stabler).
    #[arg(long, value_name = "ID")]
    pub pkcs11_slot: Option<u64>,
    /// Label (CKA_LABEL) of the RSA private key on the token.
    #[arg(long, value_name = "LABEL", conflicts_with = "pkcs11_key_id")]
    pub pkcs11_key: Option<String>,
    /// Id (CKA_ID, hex) of the RSA private key on the token.
    #[arg(long, value_name = "HEX")]
    pub pkcs11_key_id: Option<String>,
    /// File holding the token's user PIN. Default: $NUVERA_PKCS11_PIN (never a flag value: those
    /// show in `ps`).
    #[arg(long, value_name = "FILE")]
    pub pkcs11_pin_file: Option<PathBuf>,
}

impl Pkcs11Args {
    /// The token's key, checked against its public key, or `None` without --pkcs11-module.
    fn load(&self) -> CliResult<Option<RemoteKey>> {
        let Some(module) = &self.pkcs11_module else {
            return Ok(None);
        };
        // The CLI's existing usage code: a missing option is not a new kind of failure.
        let missing = |what: &str| CliError::new("USAGE", format!("--pkcs11-module needs {what}"));
        let token = match (&self.pkcs11_token, self.pkcs11_slot) {
            (Some(label), _) => TokenSelector::Label(label.clone()),
            (None, Some(slot)) => TokenSelector::Slot(slot),
            (None, None) => return Err(missing("--pkcs11-token LABEL (or --pkcs11-slot ID)")),
        };
        let key = match (&self.pkcs11_key, &self.pkcs11_key_id) {
            (Some(label), _) => KeySelector::Label(label.clone()),
            (None, Some(hex)) => KeySelector::id_from_hex(hex)?,
            (None, None) => return Err(missing("--pkcs11-key LABEL (or --pkcs11-key-id HEX)")),
        };
        let pin = match &self.pkcs11_pin_file {
            Some(path) => Pkcs11Pin::from_file(path)?,
            None => match std::env::var("NUVERA_PKCS11_PIN") {
                Ok(pin) => Pkcs11Pin::new(Zeroizing::new(pin).as_str()),
                Err(_) => {
                    return Err(missing(
                        "the token's PIN: set NUVERA_PKCS11_PIN or pass --pkcs11-pin-file FILE",
                    ))
                }
            },
        };
        let remote = RemoteKey::from_pkcs11(Pkcs11Config {
            module: module.clone(),
            token,
            key,
            pin,
        })?;
        // Before first use: the key the token signs with must be the public key it shows.
        remote.check()?;
        Ok(Some(remote))
    }
}

#[derive(Args, Debug, Clone)]
pub struct CredentialArgs {
    /// API key, exactly as issued. Default: $NUVERA_API_KEY (prefer it: flags show up in `ps`).
    #[arg(
        long,
        value_name = "KEY",
        env = "NUVERA_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    #[command(flatten)]
    pub key: KeyArgs,
}

impl KeyArgs {
    /// The signing key: a PKCS#11 token's when --pkcs11-module is given, else the key file's.
    pub fn load(&self) -> CliResult<Arc<dyn SigningKey>> {
        if let Some(remote) = self.pkcs11.load()? {
            return Ok(Arc::new(remote));
        }
        Ok(Arc::new(self.load_private_key()?))
    }

    fn load_private_key(&self) -> CliResult<PrivateKey> {
        let passphrase = self.passphrase()?;
        let passphrase = passphrase.as_ref().map(|p| p.as_bytes());
        if let Some(path) = &self.key {
            return Ok(PrivateKey::from_file(path, passphrase)?);
        }
        match std::env::var("NUVERA_PRIVATE_KEY") {
            Ok(pem) => Ok(PrivateKey::from_pem(Zeroizing::new(pem).as_bytes(), passphrase)?),
            Err(_) => Err(CliError::new(
                "MISSING_PRIVATE_KEY",
                "no private key: pass --key FILE, or set NUVERA_PRIVATE_KEY_FILE or NUVERA_PRIVATE_KEY \
                 (or sign in a token: --pkcs11-module)",
            )),
        }
    }

    fn passphrase(&self) -> CliResult<Option<Zeroizing<String>>> {
        if let Some(path) = &self.passphrase_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::io(&format!("cannot read {}", path.display()), e))?;
            // A file written by `echo` ends in a newline that is not part of the passphrase.
            let trimmed = text.strip_suffix('\n').unwrap_or(&text);
            let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
            return Ok(Some(Zeroizing::new(trimmed.to_owned())));
        }
        Ok(std::env::var("NUVERA_KEY_PASSPHRASE")
            .ok()
            .map(Zeroizing::new))
    }
}

impl CredentialArgs {
    pub fn api_key(&self) -> CliResult<&str> {
        self.api_key.as_deref().ok_or_else(|| {
            CliError::new(
                "MISSING_API_KEY",
                "no API key: set NUVERA_API_KEY or pass --api-key",
            )
        })
    }
}
