//! A private SoftHSM2 token for one test: its own token directory and `softhsm2.conf`, a token
//! initialised by `softhsm2-util` and the public vectors' 2048-bit key imported into it.
//! Shared by the core's PKCS#11 tests and the CLI's (`#[path]`), so the setup exists once.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian's `softhsm2` package.
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const TOKEN: &str = "nuvera-test";
pub const KEY_LABEL: &str = "signing";
pub const KEY_ID_HEX: &str = "01";
pub const PIN: &str = "pin-4711-user";
const SO_PIN: &str = "pin-0815-so";

pub struct SoftHsmToken {
    _dir: tempfile::TempDir,
    /// The file `SOFTHSM2_CONF` must name.
    pub conf: PathBuf,
    /// The token directory (delete it to pull the token out).
    pub tokens: PathBuf,
}

impl SoftHsmToken {
    /// Initialises the token and imports `key_pem` (PKCS#8) under [`KEY_LABEL`] / [`KEY_ID_HEX`].
    pub fn with_key(key_pem: &Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let util = |args: &[&str]| {
            let out = Command::new("softhsm2-util")
                .args(args)
                .env("SOFTHSM2_CONF", &conf)
                .output()
                .expect("softhsm2-util (Debian package softhsm2) is installed");
            assert!(out.status.success(), "softhsm2-util {args:?}: {out:?}");
        };
        util(&[
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--so-pin",
            SO_PIN,
            "--pin",
            PIN,
        ]);
        util(&[
            "--import",
            key_pem.to_str().unwrap(),
            "--token",
            TOKEN,
            "--label",
            KEY_LABEL,
            "--id",
            KEY_ID_HEX,
            "--pin",
            PIN,
        ]);
        SoftHsmToken {
            _dir: dir,
            conf,
            tokens,
        }
    }
}
