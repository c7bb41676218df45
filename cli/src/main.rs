//! `nuvera-sign`: sign, hash and inspect Nuvera partner API requests.

mod credentials;
mod curl;
mod diagnose;
mod error;
mod keygen;
mod progress;
mod request;
mod server;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nuvera_signing::multipart::canonicalize_wire_reader;
use nuvera_signing::{body_hash_reader, request_uri, Claims, Proof};
use serde::Serialize;

use crate::credentials::KeyArgs;
use crate::error::{CliError, CliResult};
use crate::request::RequestArgs;

/// Sign, hash and inspect requests to the Nuvera partner API.
///
/// Secrets come from the environment by default: NUVERA_API_KEY, NUVERA_PRIVATE_KEY_FILE (or the
/// PEM text in NUVERA_PRIVATE_KEY) and NUVERA_KEY_PASSPHRASE for an encrypted key.
#[derive(Parser, Debug)]
#[command(name = "nuvera-sign", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the `uri` claim of a URL or request target.
    Uri {
        /// Absolute URL or request target.
        url: String,
    },
    /// Print a `bodyHash`.
    #[command(subcommand)]
    Hash(HashCommand),
    /// Sign a request: print the two headers (or everything, with --json).
    Sign {
        #[command(flatten)]
        request: RequestArgs,
        /// Print headers, token, claims and the proof artifact as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print (or run, with --exec) the curl command that sends exactly the signed bytes.
    Curl(curl::CurlArgs),
    /// Generate a new RSA key pair to register with Nuvera.
    Keygen(keygen::KeygenArgs),
    /// Verify a request as Nuvera would: `OK`, or the AUTH_* code and message (exit status 1).
    Verify(diagnose::VerifyArgs),
    /// Explain why a request is (or would be) refused, rule by rule (exit status 1 on findings).
    Explain(diagnose::ExplainArgs),
    /// Write a support bundle for a refused request: what Nuvera support needs, no secret.
    Bundle(diagnose::BundleArgs),
    /// Run a local mock of the Nuvera API that enforces the contract.
    Serve(server::ServeArgs),
    /// See the whole product in ten seconds: a mock server, signed requests, a refusal explained.
    Demo(server::DemoArgs),
    /// Print the public key (SPKI PEM) and fingerprint of a private key, or of a PKCS#11 token's
    /// key (--pkcs11-module …), checked against a signature the token makes.
    PublicKey {
        #[command(flatten)]
        key: KeyArgs,
    },
}

#[derive(Subcommand, Debug)]
enum HashCommand {
    /// SHA-256 of a plain body (a file, or stdin).
    Body {
        /// Body file; stdin when absent.
        file: Option<PathBuf>,
    },
    /// Hash of an encoded multipart/form-data body through its canonical object.
    Multipart {
        /// The Content-Type it is sent with (`multipart/form-data; boundary=…`).
        #[arg(long, value_name = "CT")]
        content_type: String,
        /// Encoded body file; stdin when absent.
        file: Option<PathBuf>,
        /// Print `{"canonical": "...", "bodyHash": "..."}`.
        #[arg(long)]
        json: bool,
    },
}

fn input(file: &Option<PathBuf>) -> CliResult<Box<dyn Read + Send>> {
    match file {
        Some(path) => progress::open(path),
        None => Ok(Box::new(std::io::stdin())),
    }
}

#[derive(Serialize)]
struct SignOutput<'a> {
    headers: Headers<'a>,
    token: &'a str,
    claims: &'a Claims,
    proof: Proof,
}

#[derive(Serialize)]
struct Headers<'a> {
    #[serde(rename = "x-api-key")]
    api_key: &'a str,
    #[serde(rename = "Authorization")]
    authorization: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MultipartHashOutput {
    canonical: String,
    body_hash: String,
}

/// Writes to stdout; a closed pipe (`nuvera-sign … | head`) ends the program quietly.
pub(crate) fn emit(text: &str) -> CliResult {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(CliError::io("cannot write to stdout", e)),
    }
}

pub(crate) fn emit_json(value: &impl Serialize) -> CliResult {
    emit(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).expect("serializable")
    ))
}

/// Runs the command; `Ok(false)` is a negative answer (a refused request), not an error.
fn run(cli: Cli) -> CliResult<bool> {
    match cli.command {
        Command::Verify(args) => return diagnose::verify(args),
        Command::Explain(args) => return diagnose::explain_command(args),
        Command::Bundle(args) => diagnose::bundle(args)?,
        Command::Serve(args) => server::serve_command(args)?,
        Command::Demo(args) => return server::demo_command(args),
        Command::Uri { url } => emit(&format!("{}\n", request_uri(&url)?))?,
        Command::Hash(HashCommand::Body { file }) => {
            let (hash, _) = body_hash_reader(input(&file)?)?;
            emit(&format!("{hash}\n"))?;
        }
        Command::Hash(HashCommand::Multipart {
            content_type,
            file,
            json,
        }) => {
            let canonical = canonicalize_wire_reader(&content_type, input(&file)?)?;
            if json {
                emit_json(&MultipartHashOutput {
                    canonical: canonical.to_json(),
                    body_hash: canonical.body_hash().to_string(),
                })?;
            } else {
                emit(&format!("{}\n", canonical.body_hash()))?;
            }
        }
        Command::Sign { request, json } => {
            let mut payload = request.payload()?;
            let signer = request.signer()?;
            if request.clock_offset != 0 {
                eprintln!("clock offset: {:+} s", signer.clock_offset().secs());
            }
            let signed = request.sign(&signer, &mut payload, None)?;
            if json {
                emit_json(&SignOutput {
                    headers: Headers {
                        api_key: signed.api_key(),
                        authorization: signed.authorization(),
                    },
                    token: signed.token(),
                    claims: signed.claims(),
                    proof: signed.proof(),
                })?;
            } else {
                let [(k, kv), (a, av)] = signed.headers();
                emit(&format!("{k}: {kv}\n{a}: {av}\n"))?;
            }
        }
        Command::Curl(args) => curl::run(args)?,
        Command::Keygen(args) => keygen::run(args)?,
        Command::PublicKey { key } => {
            let key = key.load()?;
            emit(&key.public_key().to_pem())?;
            eprintln!("fingerprint: {}", key.fingerprint());
        }
    }
    Ok(true)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(CliError { code, message }) => {
            eprintln!("error: {code}: {message}");
            ExitCode::FAILURE
        }
    }
}
