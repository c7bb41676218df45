//! The applications a verifier knows: API keys and their state, public keys (with rotation grace
//! windows) and route permissions. Loaded from JSON or TOML.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Result};
use crate::key::PublicKey;
use crate::verify::replay::ReplayCacheOptions;

/// State of an API key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKeyStatus {
    /// Usable.
    #[default]
    Active,
    /// Refused with `AUTH_API_KEY_REVOKED`.
    Revoked,
}

/// State of a registered public key during rotation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PublicKeyStatus {
    /// Verifies signatures.
    #[default]
    Active,
    /// Being rotated out: verifies until its `expires_at` (Unix seconds).
    Expiring,
    /// Verifies nothing.
    Retired,
}

/// A public key registered for an application.
#[derive(Clone, Debug)]
pub struct RegisteredKey {
    /// The key.
    pub key: PublicKey,
    /// Its rotation state.
    pub status: PublicKeyStatus,
    /// End of an `Expiring` key's grace window.
    pub expires_at: Option<u64>,
}

impl RegisteredKey {
    /// Whether the key may verify a signature at `now`.
    pub fn usable_at(&self, now: u64) -> bool {
        match self.status {
            PublicKeyStatus::Active => true,
            PublicKeyStatus::Expiring => self.expires_at.is_some_and(|end| now < end),
            PublicKeyStatus::Retired => false,
        }
    }
}

/// A partner application.
#[derive(Clone, Debug)]
pub struct Application {
    /// Display name (support bundles, logs).
    pub name: String,
    /// A disabled application's keys are refused with `AUTH_APPLICATION_DISABLED`.
    pub enabled: bool,
    /// Granted permissions, e.g. `CUSTOMERS_READ`.
    pub permissions: BTreeSet<String>,
    /// Public keys that may have signed its tokens.
    pub public_keys: Vec<RegisteredKey>,
    api_keys: Vec<([u8; 32], ApiKeyStatus)>,
}

impl Application {
    /// An enabled application with nothing registered yet.
    pub fn new(name: &str) -> Self {
        Application {
            name: name.to_owned(),
            enabled: true,
            permissions: BTreeSet::new(),
            public_keys: Vec::new(),
            api_keys: Vec::new(),
        }
    }

    /// Adds an API key.
    pub fn with_api_key(mut self, api_key: &str, status: ApiKeyStatus) -> Self {
        self.api_keys.push((api_key_digest(api_key), status));
        self
    }

    /// Adds a public key.
    pub fn with_public_key(
        mut self,
        key: PublicKey,
        status: PublicKeyStatus,
        expires_at: Option<u64>,
    ) -> Self {
        self.public_keys.push(RegisteredKey {
            key,
            status,
            expires_at,
        });
        self
    }

    /// Grants a permission.
    pub fn with_permission(mut self, permission: &str) -> Self {
        self.permissions.insert(permission.to_owned());
        self
    }

    /// Enables or disables the application.
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }
}

/// API keys are looked up by their SHA-256, so the registry never needs to keep (or a registry
/// file to contain) the keys themselves.
fn api_key_digest(api_key: &str) -> [u8; 32] {
    Sha256::digest(api_key.as_bytes()).into()
}

/// Applications by API key.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    applications: Vec<Application>,
    by_api_key: HashMap<[u8; 32], (usize, ApiKeyStatus)>,
    replay_cache: Option<ReplayCacheOptions>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidRegistry, message)
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an application; an API key already registered elsewhere is an error.
    pub fn add(&mut self, application: Application) -> Result<&mut Self> {
        let index = self.applications.len();
        for (digest, status) in &application.api_keys {
            if self.by_api_key.insert(*digest, (index, *status)).is_some() {
                return Err(invalid(format!(
                    "application {:?} registers an API key that another application already has",
                    application.name
                )));
            }
        }
        self.applications.push(application);
        Ok(self)
    }

    /// The application holding `api_key`, its index and the key's state.
    pub fn lookup(&self, api_key: &str) -> Option<(usize, &Application, ApiKeyStatus)> {
        let (index, status) = *self.by_api_key.get(&api_key_digest(api_key))?;
        Some((index, &self.applications[index], status))
    }

    /// All applications.
    pub fn applications(&self) -> &[Application] {
        &self.applications
    }

    /// The shared replay cache the registry file names (`replayCache`), if any: every verifier
    /// instance loading this file records `jti`s there.
    pub fn replay_cache(&self) -> Option<&ReplayCacheOptions> {
        self.replay_cache.as_ref()
    }

    /// Names a shared replay cache (its options are checked).
    pub fn set_replay_cache(&mut self, options: Option<ReplayCacheOptions>) -> Result<&mut Self> {
        if let Some(o) = &options {
            o.validate()?;
        }
        self.replay_cache = options;
        Ok(self)
    }

    /// Loads a registry file: TOML when its name ends in `.toml`, JSON otherwise. Relative
    /// `file` paths of public keys are resolved against the registry file's folder.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(&format!("cannot read registry {}", path.display()), &e))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        if toml {
            Self::from_toml_str(&text, base)
        } else {
            Self::from_json_str(&text, base)
        }
    }

    /// Parses the JSON form.
    pub fn from_json_str(text: &str, base_dir: &Path) -> Result<Self> {
        let file: RegistryFile =
            serde_json::from_str(text).map_err(|e| invalid(format!("registry JSON: {e}")))?;
        file.build(base_dir)
    }

    /// Parses the TOML form.
    pub fn from_toml_str(text: &str, base_dir: &Path) -> Result<Self> {
        let file: RegistryFile =
            toml::from_str(text).map_err(|e| invalid(format!("registry TOML: {e}")))?;
        file.build(base_dir)
    }

    /// Parses registry text in the named `format`, `json` or `toml` (any case); any other name is
    /// `INVALID_REGISTRY`. For bindings that take the format as a string.
    pub fn from_text(text: &str, format: &str, base_dir: &Path) -> Result<Self> {
        if format.eq_ignore_ascii_case("json") {
            Self::from_json_str(text, base_dir)
        } else if format.eq_ignore_ascii_case("toml") {
            Self::from_toml_str(text, base_dir)
        } else {
            Err(invalid(format!(
                "registry format must be \"json\" or \"toml\", not {format:?}"
            )))
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RegistryFile {
    applications: Vec<ApplicationFile>,
    replay_cache: Option<ReplayCacheFile>,
}

/// `replayCache = { url = "redis://…", prefix = "…", timeoutMs = 50, maxConnections = 16 }`
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReplayCacheFile {
    url: String,
    prefix: Option<String>,
    timeout_ms: Option<u32>,
    max_connections: Option<u32>,
}

impl ReplayCacheFile {
    fn build(self) -> Result<ReplayCacheOptions> {
        let defaults = ReplayCacheOptions::new(&self.url);
        let options = ReplayCacheOptions {
            key_prefix: self.prefix.unwrap_or(defaults.key_prefix.clone()),
            timeout_ms: self.timeout_ms.unwrap_or(defaults.timeout_ms),
            max_connections: self.max_connections.unwrap_or(defaults.max_connections),
            ..defaults
        };
        options
            .validate()
            .map_err(|e| invalid(format!("replayCache: {}", e.message())))?;
        Ok(options)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApplicationFile {
    name: String,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    permissions: Vec<String>,
    api_keys: Vec<ApiKeyFile>,
    public_keys: Vec<PublicKeyFile>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApiKeyFile {
    key: Option<String>,
    sha256: Option<String>,
    #[serde(default)]
    status: ApiKeyStatus,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PublicKeyFile {
    pem: Option<String>,
    file: Option<PathBuf>,
    #[serde(default)]
    status: PublicKeyStatus,
    expires_at: Option<u64>,
}

impl RegistryFile {
    fn build(self, base_dir: &Path) -> Result<Registry> {
        let mut registry = Registry::new();
        registry.replay_cache = self.replay_cache.map(ReplayCacheFile::build).transpose()?;
        for app in self.applications {
            let mut application = Application::new(&app.name).with_enabled(app.enabled);
            for permission in &app.permissions {
                application = application.with_permission(permission);
            }
            for key in app.api_keys {
                let digest = match (key.key, key.sha256) {
                    (Some(k), None) => api_key_digest(&k),
                    (None, Some(hex)) => parse_digest(&hex).ok_or_else(|| {
                        invalid(format!(
                            "application {:?}: sha256 must be 64 hex digits",
                            app.name
                        ))
                    })?,
                    _ => {
                        return Err(invalid(format!(
                            "application {:?}: give an API key's `key` or its `sha256`",
                            app.name
                        )))
                    }
                };
                application.api_keys.push((digest, key.status));
            }
            for key in app.public_keys {
                let pem = match (key.pem, key.file) {
                    (Some(pem), None) => pem,
                    (None, Some(file)) => {
                        let path = base_dir.join(file);
                        std::fs::read_to_string(&path).map_err(|e| {
                            Error::io(&format!("cannot read public key {}", path.display()), &e)
                        })?
                    }
                    _ => {
                        return Err(invalid(format!(
                            "application {:?}: give a public key's `pem` or its `file`",
                            app.name
                        )))
                    }
                };
                if key.status == PublicKeyStatus::Expiring && key.expires_at.is_none() {
                    return Err(invalid(format!(
                        "application {:?}: an expiring key needs `expiresAt`",
                        app.name
                    )));
                }
                let public = PublicKey::from_pem(pem.as_bytes())
                    .map_err(|e| invalid(format!("application {:?}: {}", app.name, e.message())))?;
                application = application.with_public_key(public, key.status, key.expires_at);
            }
            registry.add(application)?;
        }
        Ok(registry)
    }
}

fn parse_digest(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}
