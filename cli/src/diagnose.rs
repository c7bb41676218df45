//! `verify`, `explain` and `bundle`: the server side of the contract, locally.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use nuvera_signing::explain::BundleResponse;
use nuvera_signing::{
    explain, received_body_hash_reader, request_uri, Clock, ErrorCode, ExplainOptions, FixedClock,
    PublicKey, Registry, Report, RequestHead, SentRequest, SupportBundle, SystemClock, Verifier,
    VerifierOptions,
};

use crate::error::{CliError, CliResult};
use crate::{emit, emit_json, progress};

/// The request as it was (or will be) sent.
#[derive(Args, Debug)]
pub struct SentArgs {
    /// HTTP method as sent.
    #[arg(long, short = 'X', value_name = "M")]
    pub method: String,
    /// URL or request target as sent.
    #[arg(long, value_name = "U")]
    pub url: String,
    /// File holding the body as sent (none: empty body).
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Content-Type as sent; `multipart/form-data; boundary=…` makes the body hash multipart.
    #[arg(long, value_name = "CT")]
    pub content_type: Option<String>,
    /// A request header as sent, `Name: value` (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
}

impl SentArgs {
    fn headers(&self) -> CliResult<Vec<(String, String)>> {
        self.headers
            .iter()
            .map(|h| {
                h.split_once(':')
                    .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                    .ok_or_else(|| {
                        CliError::new("USAGE", format!("--header {h:?}: expected `Name: value`"))
                    })
            })
            .collect()
    }

    fn header(&self, name: &str) -> CliResult<Option<String>> {
        Ok(self
            .headers()?
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v))
    }

    /// The token: given explicitly, or taken from the Authorization header given.
    fn token(&self, explicit: &Option<String>) -> CliResult<String> {
        match explicit {
            Some(t) => Ok(t.clone()),
            None => self.header("authorization")?.ok_or_else(|| {
                CliError::new("USAGE", "give --token, or the Authorization header with -H")
            }),
        }
    }

    /// The API key sent: the x-api-key header given, else `fallback` (flag or environment).
    fn api_key(&self, fallback: &Option<String>) -> CliResult<Option<String>> {
        Ok(self.header("x-api-key")?.or(fallback.clone()))
    }

    fn content_type(&self) -> CliResult<Option<String>> {
        Ok(self.content_type.clone().or(self.header("content-type")?))
    }

    fn body(&self) -> CliResult<Box<dyn Read + Send>> {
        match &self.body_file {
            Some(path) => progress::open(path),
            None => Ok(Box::new(std::io::empty())),
        }
    }
}

fn clock(now: Option<u64>) -> Arc<dyn Clock> {
    match now {
        Some(n) => Arc::new(FixedClock(n)),
        None => Arc::new(SystemClock),
    }
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Registry of applications (JSON, or TOML when the name ends in .toml).
    #[arg(long, value_name = "FILE")]
    pub registry: PathBuf,
    #[command(flatten)]
    pub sent: SentArgs,
    /// Verify as of this Unix time (default: now).
    #[arg(long, value_name = "N")]
    pub now: Option<u64>,
    /// Allowed clock skew in seconds (0..=60).
    #[arg(long, value_name = "S", default_value_t = nuvera_signing::verify::DEFAULT_CLOCK_SKEW_SECS)]
    pub skew: u32,
}

/// Prints `OK …` or the refusal's code and message; a refusal exits non-zero.
pub fn verify(args: VerifyArgs) -> CliResult<bool> {
    let registry = Registry::from_file(&args.registry)?;
    let options = VerifierOptions {
        clock_skew_secs: args.skew,
        ..VerifierOptions::default()
    };
    // A diagnosis must not use up the jti of a request it inspects: never the registry's shared
    // replay cache, always a private one.
    let verifier = Verifier::new(registry)
        .with_options(options)?
        .with_clock(clock(args.now))
        .with_replay_cache(Arc::new(nuvera_signing::verify::InMemoryReplayCache::new()));
    let target = request_uri(&args.sent.url)?;
    let api_key = args.sent.header("x-api-key")?;
    let authorization = args.sent.header("authorization")?;
    let content_type = args.sent.content_type()?;
    let head = RequestHead {
        method: &args.sent.method,
        target: &target,
        api_key: api_key.as_deref(),
        authorization: authorization.as_deref(),
        content_type: content_type.as_deref(),
    };
    // As a server does (§6): the headers and token first, the body only for a request they pass,
    // streamed into the hash; a body that cannot be read as its Content-Type is a refusal.
    let verdict = match verifier.verify_head(&head) {
        Ok(verified_head) => {
            let body_hash = match received_body_hash_reader(head.content_type, args.sent.body()?) {
                // A body file that cannot be read is the command's error, not a refusal.
                Err(e) if e.code() == ErrorCode::IoError => return Err(e.into()),
                received => received,
            };
            verifier.verify_body(verified_head, body_hash)
        }
        Err(refused) => Err(refused),
    };
    match verdict {
        Ok(v) => {
            emit(&format!(
                "OK application={:?} permission={} key={}\n",
                v.application, v.permission, v.key_fingerprint
            ))?;
            Ok(true)
        }
        Err(e) => {
            emit(&format!(
                "{} (HTTP {}): {}\n",
                e.code(),
                e.http_status(),
                e.message()
            ))?;
            Ok(false)
        }
    }
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The request as sent (not needed with --bundle).
    #[command(flatten)]
    pub sent: Option<SentArgs>,
    /// The token (or the whole `Bearer …` value); default: the Authorization header given.
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    /// Explain a support bundle instead of a request.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["token", "method", "url"])]
    pub bundle: Option<PathBuf>,
    /// The API key sent (default: the x-api-key header given, else $NUVERA_API_KEY).
    #[arg(
        long,
        value_name = "KEY",
        env = "NUVERA_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Public key PEM (SPKI) to check the signature with.
    #[arg(long, value_name = "PEM")]
    pub public_key: Option<PathBuf>,
    /// Check iat/exp as of this Unix time.
    #[arg(long, value_name = "N")]
    pub now: Option<u64>,
    /// A jti used by an earlier request (repeatable): reuse is reported.
    #[arg(long = "seen-jti", value_name = "J")]
    pub seen_jtis: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn explain_options(
    public_key: &Option<PathBuf>,
    now: Option<u64>,
    seen_jtis: Vec<String>,
) -> CliResult<ExplainOptions> {
    let public_key = match public_key {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| CliError::io(&format!("cannot read {}", path.display()), e))?;
            Some(PublicKey::from_pem(pem)?)
        }
        None => None,
    };
    Ok(ExplainOptions {
        public_key,
        now,
        seen_jtis,
        ..ExplainOptions::default()
    })
}

/// Prints the report; returns whether every rule held.
pub fn explain_command(args: ExplainArgs) -> CliResult<bool> {
    let options = explain_options(&args.public_key, args.now, args.seen_jtis.clone())?;
    let report: Report = if let Some(path) = &args.bundle {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::io(&format!("cannot read {}", path.display()), e))?;
        SupportBundle::from_json(&text)?.explain(&options)
    } else {
        let sent = args
            .sent
            .as_ref()
            .ok_or_else(|| CliError::new("USAGE", "give --method and --url, or --bundle"))?;
        let token = sent.token(&args.token)?;
        let api_key = sent.api_key(&args.api_key)?;
        let content_type = sent.content_type()?;
        let mut body = sent.body()?;
        explain(
            SentRequest {
                method: &sent.method,
                url: &sent.url,
                api_key: api_key.as_deref(),
                content_type: content_type.as_deref(),
                body: &mut body,
            },
            &token,
            &options,
        )?
    };
    if args.json {
        emit_json(&report)?;
    } else {
        emit(&report.to_text())?;
    }
    Ok(report.ok())
}

#[derive(Args, Debug)]
pub struct BundleArgs {
    #[command(flatten)]
    pub sent: SentArgs,
    /// The token sent (default: the Authorization header given).
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    /// HTTP status Nuvera answered with.
    #[arg(long, value_name = "N")]
    pub status: u16,
    /// File holding Nuvera's response body.
    #[arg(long, value_name = "FILE", conflicts_with = "response")]
    pub response_file: Option<PathBuf>,
    /// Nuvera's response body.
    #[arg(long, value_name = "TEXT")]
    pub response: Option<String>,
    /// The application's name, as in the Nuvera portal.
    #[arg(long, value_name = "NAME")]
    pub application: Option<String>,
    /// The API key sent (default: the x-api-key header given, else $NUVERA_API_KEY); only its last
    /// four characters are written.
    #[arg(
        long,
        value_name = "KEY",
        env = "NUVERA_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Public key PEM to check the signature with.
    #[arg(long, value_name = "PEM")]
    pub public_key: Option<PathBuf>,
    /// Where to write the bundle (JSON).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn bundle(args: BundleArgs) -> CliResult {
    let now = SystemClock.now_unix()?;
    let options = explain_options(&args.public_key, None, Vec::new())?;
    let sent = &args.sent;
    let token = sent.token(&args.token)?;
    let api_key = sent.api_key(&args.api_key)?;
    // The core completes missing x-api-key / Authorization headers from api_key and token.
    let headers = sent.headers()?;
    let response_body = match (&args.response_file, &args.response) {
        (Some(path), _) => std::fs::read(path)
            .map_err(|e| CliError::io(&format!("cannot read {}", path.display()), e))?,
        (None, Some(text)) => text.clone().into_bytes(),
        (None, None) => Vec::new(),
    };
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let content_type = sent.content_type()?;
    let mut body = sent.body()?;
    let bundle = SupportBundle::build(
        SentRequest {
            method: &sent.method,
            url: &sent.url,
            api_key: api_key.as_deref(),
            content_type: content_type.as_deref(),
            body: &mut body,
        },
        &header_refs,
        &token,
        BundleResponse::new(args.status, &response_body),
        args.application.as_deref(),
        &options,
        now,
    )?;
    std::fs::write(&args.out, bundle.to_json_pretty())
        .map_err(|e| CliError::io(&format!("cannot write {}", args.out.display()), e))?;
    let verdict = bundle
        .diagnosis
        .verdict
        .map(|c| c.as_str())
        .unwrap_or("no local finding");
    eprintln!(
        "wrote {} ({verdict}); it holds no API key, token, private key or file bytes",
        args.out.display()
    );
    Ok(())
}
