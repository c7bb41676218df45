//! `nuvera-sign keygen`: a new key pair, private half readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use nuvera_signing::PrivateKey;

use crate::error::{CliError, CliResult};

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Directory for `private-key.pem` and `public-key.pem` (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// RSA modulus size: 2048, 3072, 4096 or 8192.
    #[arg(long, default_value_t = 2048)]
    pub bits: usize,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: KeygenArgs) -> CliResult {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::io(&format!("cannot create {}", args.out.display()), e))?;
    let private_path = args.out.join("private-key.pem");
    let public_path = args.out.join("public-key.pem");
    if !args.force {
        for p in [&private_path, &public_path] {
            if p.exists() {
                return Err(CliError::new(
                    "FILE_EXISTS",
                    format!("{} exists; pass --force to replace it", p.display()),
                ));
            }
        }
    }
    let (key, pem) = PrivateKey::generate(args.bits)?;
    write_file(&private_path, pem.as_bytes(), 0o600)?;
    write_file(&public_path, key.public_key().to_pem().as_bytes(), 0o644)?;
    println!(
        "private key: {} (mode 0600, keep it secret)",
        private_path.display()
    );
    println!(
        "public key:  {} (register this one with Nuvera)",
        public_path.display()
    );
    println!("fingerprint: {}", key.fingerprint());
    Ok(())
}

fn write_file(path: &Path, contents: &[u8], mode: u32) -> CliResult {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options
        .open(path)
        .map_err(|e| CliError::io(&format!("cannot write {}", path.display()), e))?;
    // `mode` applies only when the file is created; a replaced file gets it explicitly.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| {
                CliError::io(&format!("cannot set permissions of {}", path.display()), e)
            })?;
    }
    file.write_all(contents)
        .map_err(|e| CliError::io(&format!("cannot write {}", path.display()), e))
}
