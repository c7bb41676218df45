//! Where the CLI finds secrets: flags, else the environment. Never printed.

use std::path::PathBuf;

use clap::Args;
use nuvera_signing::PrivateKey;
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
    pub fn load(&self) -> CliResult<PrivateKey> {
        let passphrase = self.passphrase()?;
        let passphrase = passphrase.as_ref().map(|p| p.as_bytes());
        if let Some(path) = &self.key {
            return Ok(PrivateKey::from_file(path, passphrase)?);
        }
        match std::env::var("NUVERA_PRIVATE_KEY") {
            Ok(pem) => Ok(PrivateKey::from_pem(Zeroizing::new(pem).as_bytes(), passphrase)?),
            Err(_) => Err(CliError::new(
                "MISSING_PRIVATE_KEY",
                "no private key: pass --key FILE, or set NUVERA_PRIVATE_KEY_FILE or NUVERA_PRIVATE_KEY",
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
