//! The request options shared by `sign` and `curl`, and turning them into a signed request.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use nuvera_signing::{Body, MultipartForm, SignOverrides, SignedRequest, Signer, SignerOptions};

use crate::credentials::CredentialArgs;
use crate::error::{CliError, CliResult};
use crate::progress;

#[derive(Args, Debug)]
pub struct RequestArgs {
    /// HTTP method (any case; signed upper-cased).
    #[arg(long, short = 'X', value_name = "M")]
    pub method: String,
    /// Absolute URL, or a request target starting with `/`.
    #[arg(long, value_name = "U")]
    pub url: String,
    /// Body text, signed and sent byte for byte.
    #[arg(long, value_name = "STRING", conflicts_with_all = ["body_file", "form", "file"])]
    pub body: Option<String>,
    /// File whose bytes are the body.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["form", "file"])]
    pub body_file: Option<PathBuf>,
    /// Multipart text field (repeatable).
    #[arg(long = "form", value_name = "NAME=VALUE")]
    pub form: Vec<String>,
    /// Multipart file part (repeatable), curl style: `field=path[;type=MIME][;filename=NAME]`.
    #[arg(long = "file", value_name = "FIELD=PATH")]
    pub file: Vec<String>,
    /// Content-Type of a plain body (default application/json when there is one).
    #[arg(long, value_name = "CT")]
    pub content_type: Option<String>,
    /// Issued-at in Unix seconds (default: now). For reproducing a token.
    #[arg(long, value_name = "N")]
    pub iat: Option<u64>,
    /// Token id (default: a fresh UUID v4). For reproducing a token.
    #[arg(long, value_name = "J")]
    pub jti: Option<String>,
    /// Seconds to add to this machine's clock for `iat` (the server's clock minus ours), e.g. what
    /// `curl --exec` learnt and printed; over 24 h in magnitude is CLOCK_SKEW_TOO_LARGE.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub clock_offset: i64,
    /// Token lifetime in seconds, 1..=60.
    #[arg(long, value_name = "S", default_value_t = nuvera_signing::DEFAULT_LIFETIME_SECS)]
    pub lifetime: u32,
    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// The body as the CLI will send it.
pub enum Payload {
    None,
    Text(String),
    File(PathBuf),
    Multipart(MultipartForm),
}

impl RequestArgs {
    pub fn signer(&self) -> CliResult<Signer> {
        let options = SignerOptions {
            lifetime_secs: self.lifetime,
            ..SignerOptions::default()
        };
        let key = self.credentials.key.load()?;
        Ok(
            Signer::with_options(key, self.credentials.api_key()?, options)?
                .with_clock_offset(self.clock_offset)?,
        )
    }

    pub fn payload(&self) -> CliResult<Payload> {
        if let Some(text) = &self.body {
            return Ok(Payload::Text(text.clone()));
        }
        if let Some(path) = &self.body_file {
            return Ok(Payload::File(path.clone()));
        }
        if self.form.is_empty() && self.file.is_empty() {
            return Ok(Payload::None);
        }
        let mut form = MultipartForm::new();
        for spec in &self.form {
            let (name, value) = spec.split_once('=').ok_or_else(|| {
                CliError::new("USAGE", format!("--form {spec:?}: expected NAME=VALUE"))
            })?;
            form.add_field(name, value)?;
        }
        for spec in &self.file {
            let part = FileSpec::parse(spec)?;
            let file_name =
                MultipartForm::file_name_for_path(&part.path, part.file_name.as_deref())?;
            // A reader (with a progress bar for big files): the form is hashed, or encoded and
            // hashed, in one pass over each file.
            form.add_file_reader(
                &part.field,
                &file_name,
                progress::open(&part.path)?,
                part.mime.as_deref(),
            )?;
        }
        Ok(Payload::Multipart(form))
    }

    pub fn overrides(&self) -> SignOverrides {
        SignOverrides {
            iat: self.iat,
            jti: self.jti.clone(),
        }
    }

    /// Signs with `signer`; a multipart body is also encoded into `wire_out` when given (same
    /// pass).
    pub fn sign(
        &self,
        signer: &Signer,
        payload: &mut Payload,
        wire_out: Option<&mut dyn Write>,
    ) -> CliResult<SignedRequest> {
        let overrides = self.overrides();
        let signed = match payload {
            Payload::None => signer.sign_with(&self.method, &self.url, Body::Empty, &overrides)?,
            Payload::Text(text) => signer.sign_with(
                &self.method,
                &self.url,
                Body::Bytes(text.as_bytes()),
                &overrides,
            )?,
            Payload::File(path) => {
                let mut reader = progress::open(path)?;
                signer.sign_with(
                    &self.method,
                    &self.url,
                    Body::Reader(&mut reader),
                    &overrides,
                )?
            }
            Payload::Multipart(form) => {
                let canonical = match wire_out {
                    Some(out) => form.write_to(out)?,
                    None => form.canonical()?,
                };
                signer.sign_with(
                    &self.method,
                    &self.url,
                    Body::Canonical(canonical),
                    &overrides,
                )?
            }
        };
        Ok(signed)
    }
}

/// `field=path[;type=MIME][;filename=NAME]`
struct FileSpec {
    field: String,
    path: PathBuf,
    mime: Option<String>,
    file_name: Option<String>,
}

impl FileSpec {
    fn parse(spec: &str) -> CliResult<Self> {
        let usage = || {
            CliError::new(
                "USAGE",
                format!("--file {spec:?}: expected FIELD=PATH[;type=MIME][;filename=NAME]"),
            )
        };
        let (field, rest) = spec.split_once('=').ok_or_else(usage)?;
        let mut pieces = rest.split(';');
        let path = pieces.next().filter(|p| !p.is_empty()).ok_or_else(usage)?;
        let mut parsed = FileSpec {
            field: field.to_owned(),
            path: PathBuf::from(path),
            mime: None,
            file_name: None,
        };
        for option in pieces {
            match option.split_once('=') {
                Some(("type", mime)) => parsed.mime = Some(mime.to_owned()),
                Some(("filename", name)) => parsed.file_name = Some(name.to_owned()),
                _ => return Err(usage()),
            }
        }
        Ok(parsed)
    }
}
