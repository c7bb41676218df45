//! `serve` and `demo`: the mock server from the command line, and the whole product in one run.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use nuvera_signing::verify::{
    ApiKeyStatus, PublicKeyStatus, DEFAULT_CLOCK_SKEW_SECS, DEFAULT_REPLAY_CACHE_MAX_CONNECTIONS,
    DEFAULT_REPLAY_CACHE_PREFIX, DEFAULT_REPLAY_CACHE_TIMEOUT_MS,
};
use nuvera_signing::{
    explain, Application, Body, ExplainOptions, JtiSource, MultipartForm, PrivateKey, RandomJti,
    Registry, ReplayCacheOptions, SentRequest, Signer, Verifier, VerifierOptions,
};

use super::client_tests::{ClientTests, OffsetClock};
use super::{bind, run, AppState, Limits};
use crate::error::{CliError, CliResult};

const DEMO_APPLICATION: &str = "Demo Partner";
const DEMO_PERMISSIONS: [&str; 3] = ["CUSTOMERS_READ", "CUSTOMERS_WRITE", "DOCUMENTS_WRITE"];

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8045")]
    pub listen: SocketAddr,
    /// Registry of applications (JSON or TOML). Without it, a demo application is created and
    /// its credentials printed.
    #[arg(long, value_name = "FILE")]
    pub registry: Option<PathBuf>,
    /// Private key of the demo application (default: a new one, written to a temp file).
    #[arg(long, value_name = "FILE", conflicts_with = "registry")]
    pub demo_key: Option<PathBuf>,
    /// API key of the demo application (default: a new random one).
    #[arg(long, value_name = "KEY", conflicts_with = "registry")]
    pub demo_api_key: Option<String>,
    /// Largest request body in bytes (413 beyond it).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_body_bytes)]
    pub max_body_bytes: u64,
    /// Connections served at once.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_connections)]
    pub max_connections: usize,
    /// Allowed clock skew in seconds (0..=60).
    #[arg(long, value_name = "S", default_value_t = DEFAULT_CLOCK_SKEW_SECS)]
    pub skew: u32,
    /// Record jtis in Redis/Valkey shared by every instance (contract §9): redis://[:password@]host[:port][/db],
    /// rediss:// for TLS. Overrides the registry file's `replayCache`; without either, an in-process
    /// cache. Prefer the environment variable when the URL carries a password.
    #[arg(
        long,
        value_name = "URL",
        env = "NUVERA_REPLAY_CACHE",
        hide_env_values = true
    )]
    pub replay_cache: Option<String>,
    /// Prefix of the keys written to the shared replay cache.
    #[arg(long, value_name = "PREFIX", requires = "replay_cache", default_value = DEFAULT_REPLAY_CACHE_PREFIX)]
    pub replay_cache_prefix: String,
    /// Time the shared replay cache has to answer, in ms; past it the request is refused with 503
    /// AUTH_REPLAY_CACHE_UNAVAILABLE.
    #[arg(long, value_name = "MS", requires = "replay_cache", default_value_t = DEFAULT_REPLAY_CACHE_TIMEOUT_MS)]
    pub replay_cache_timeout_ms: u32,
    /// Connections to the shared replay cache at most (also the bound on requests waiting for it).
    #[arg(long, value_name = "N", requires = "replay_cache", default_value_t = DEFAULT_REPLAY_CACHE_MAX_CONNECTIONS)]
    pub replay_cache_max_connections: u32,
    /// Do not log requests.
    #[arg(long)]
    pub quiet: bool,
    /// Run the server's clock this many seconds ahead (negative: behind), for `Date` and for
    /// verification: a client must correct its clock to be served (contract §8).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub clock_offset: i64,
    /// Enable the test routes for HTTP-client integrations: `/__test/redirect?status=S&to=URL`,
    /// and `__unavailable=ID[&__times=N][&__retry_after=V]` in any route's query (503 first).
    #[arg(long)]
    pub test_routes: bool,
}

/// The demo application's credentials.
struct Demo {
    api_key: String,
    key: Arc<PrivateKey>,
    /// Where the private key is on disk, for `serve` to print (the in-process demo needs none).
    key_path: Option<PathBuf>,
}

fn random_api_key() -> String {
    format!(
        "nv_demo_{}",
        RandomJti.next_jti().replace('-', "")[..20].to_owned()
    )
}

/// A registry holding one demo application, with a new key pair unless one is given; a new
/// private key is written to a temp file (mode 0600) when `write_new_key`.
fn demo_registry(
    key_file: Option<&Path>,
    api_key: Option<String>,
    write_new_key: bool,
) -> CliResult<(Registry, Demo)> {
    let (key, key_path) = match key_file {
        Some(path) => (PrivateKey::from_file(path, None)?, Some(path.to_owned())),
        None => {
            let (key, pem) = PrivateKey::generate(2048)?;
            let path = if write_new_key {
                let dir = std::env::temp_dir().join(format!("nuvera-demo-{}", std::process::id()));
                std::fs::create_dir_all(&dir)
                    .map_err(|e| CliError::io(&format!("cannot create {}", dir.display()), e))?;
                let path = dir.join("private-key.pem");
                write_private(&path, pem.as_bytes())?;
                Some(path)
            } else {
                None
            };
            (key, path)
        }
    };
    let api_key = api_key.unwrap_or_else(random_api_key);
    let mut application = Application::new(DEMO_APPLICATION)
        .with_api_key(&api_key, ApiKeyStatus::Active)
        .with_public_key(key.public_key().clone(), PublicKeyStatus::Active, None);
    for permission in DEMO_PERMISSIONS {
        application = application.with_permission(permission);
    }
    let mut registry = Registry::new();
    registry.add(application)?;
    Ok((
        registry,
        Demo {
            api_key,
            key: Arc::new(key),
            key_path,
        },
    ))
}

fn write_private(path: &Path, contents: &[u8]) -> CliResult {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .and_then(|mut f| f.write_all(contents))
        .map_err(|e| CliError::io(&format!("cannot write {}", path.display()), e))
}

fn runtime() -> CliResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io("cannot start the async runtime", e))
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

pub fn serve_command(args: ServeArgs) -> CliResult {
    let (registry, demo) = match &args.registry {
        Some(path) => (Registry::from_file(path)?, None),
        None => {
            let (registry, demo) =
                demo_registry(args.demo_key.as_deref(), args.demo_api_key.clone(), true)?;
            (registry, Some(demo))
        }
    };
    let replay_cache = args.replay_cache.as_deref().map(|url| ReplayCacheOptions {
        key_prefix: args.replay_cache_prefix.clone(),
        timeout_ms: args.replay_cache_timeout_ms,
        max_connections: args.replay_cache_max_connections,
        ..ReplayCacheOptions::new(url)
    });
    let shared_cache = replay_cache
        .as_ref()
        .or(registry.replay_cache())
        .map(|o| o.redacted_url());
    let options = VerifierOptions {
        clock_skew_secs: args.skew,
        replay_cache,
        ..VerifierOptions::default()
    };
    let clock = OffsetClock {
        offset_secs: args.clock_offset,
    };
    let verifier = Verifier::new(registry)
        .with_options(options)?
        .with_clock(Arc::new(clock));
    let limits = Limits {
        max_body_bytes: args.max_body_bytes,
        max_connections: args.max_connections.max(1),
        ..Limits::default()
    };
    let state = Arc::new(AppState {
        verifier,
        limits,
        store: Default::default(),
        log: !args.quiet,
        client_tests: ClientTests::new(args.clock_offset, args.test_routes),
    });
    let runtime = runtime()?;
    let (listener, addr) = runtime
        .block_on(bind(args.listen))
        .map_err(|e| CliError::io(&format!("cannot listen on {}", args.listen), e))?;
    let mut banner = format!("nuvera mock server listening on http://{addr}\n");
    match &shared_cache {
        Some(url) => banner.push_str(&format!(
            "replay cache: {url} (shared; requests are refused with 503 when it cannot answer)\n"
        )),
        None => banner.push_str("replay cache: in this process only\n"),
    }
    if let Some(demo) = &demo {
        banner.push_str(&format!(
            "demo application {DEMO_APPLICATION:?} ({})\n  export NUVERA_API_KEY={}\n  export NUVERA_PRIVATE_KEY_FILE={}\n\
             try: nuvera-sign curl --exec -X GET --url 'http://{addr}/api/v1/customers?limit=5'\n",
            DEMO_PERMISSIONS.join(", "),
            demo.api_key,
            demo.key_path.as_deref().map(|p| p.display().to_string()).unwrap_or_default()
        ));
    }
    crate::emit(&banner)?;
    runtime.block_on(run(listener, state, shutdown_signal()));
    eprintln!("{{\"event\":\"shutdown\"}}");
    Ok(())
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Log the server's request lines too.
    #[arg(long)]
    pub verbose: bool,
}

/// A blocking client that reports statuses instead of failing on them and never follows
/// redirects (a redirect must be signed again).
fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

struct Reply {
    status: u16,
    body: String,
}

fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<&[u8]>,
) -> CliResult<Reply> {
    let failed = |e: ureq::Error| CliError::new("HTTP_ERROR", format!("{method} {url}: {e}"));
    let mut response = match body {
        Some(bytes) => {
            let mut request = agent.post(url);
            for (name, value) in headers {
                request = request.header(*name, value.as_str());
            }
            request.send(bytes).map_err(failed)?
        }
        None => {
            let mut request = agent.get(url);
            for (name, value) in headers {
                request = request.header(*name, value.as_str());
            }
            request.call().map_err(failed)?
        }
    };
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().map_err(failed)?;
    Ok(Reply { status, body })
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 160 {
        format!("{}…", text.chars().take(160).collect::<String>())
    } else {
        text.to_owned()
    }
}

pub fn demo_command(args: DemoArgs) -> CliResult<bool> {
    let (registry, demo) = demo_registry(None, None, false)?;
    let verifier = Verifier::new(registry);
    let state = Arc::new(AppState {
        verifier,
        limits: Limits::default(),
        store: Default::default(),
        log: args.verbose,
        client_tests: ClientTests::default(),
    });
    let runtime = runtime()?;
    let (listener, addr) = runtime
        .block_on(bind(SocketAddr::from(([127, 0, 0, 1], 0))))
        .map_err(|e| CliError::io("cannot listen on loopback", e))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(run(listener, state, async move {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");
    let signer = Signer::new(demo.key.clone(), &demo.api_key)?;
    let agent = client();
    let mut out = format!(
        "Nuvera mock server on {base}: application {DEMO_APPLICATION:?}, API key {}, key {}\n\n",
        nuvera_signing::mask_secret(&demo.api_key),
        demo.key.fingerprint()
    );
    let mut all_as_expected = true;
    let mut step = |label: &str, reply: &Reply, expected: u16, out: &mut String| {
        let mark = if reply.status == expected {
            "✓"
        } else {
            "✗"
        };
        all_as_expected &= reply.status == expected;
        out.push_str(&format!(
            "{mark} {label}\n    → {} {}\n",
            reply.status,
            shorten(&reply.body)
        ));
    };

    // 1. A JSON POST, signed over the exact bytes sent.
    let url = format!("{base}/api/v1/customers");
    let json = br#"{"companyName":"Acme Imports","registrationNumber":"ACME-123","countryOfIncorporationId":"SG"}"#;
    let signed = signer.sign("POST", &url, Body::Bytes(json))?;
    let mut headers: Vec<(&str, String)> = signed.headers().into_iter().collect();
    headers.push(("Content-Type", "application/json".into()));
    let reply = send(&agent, "POST", &url, &headers, Some(json))?;
    step(
        "POST /api/v1/customers (JSON body, signed)",
        &reply,
        201,
        &mut out,
    );

    // 2. A multipart upload: the form is encoded and hashed in one pass.
    let mut form = MultipartForm::new();
    form.add_field("customerId", "c_1")?
        .add_field("type", "INCORPORATION")?;
    form.add_file_bytes(
        "file",
        "certificate.pdf",
        b"%PDF-1.4 demo certificate".to_vec(),
        Some("application/pdf"),
    )?;
    let (wire, canonical) = form.to_bytes()?;
    let url = format!("{base}/api/v1/documents");
    let signed = signer.sign("POST", &url, Body::Canonical(canonical))?;
    let mut headers: Vec<(&str, String)> = signed.headers().into_iter().collect();
    headers.push(("Content-Type", form.content_type()));
    let reply = send(&agent, "POST", &url, &headers, Some(&wire))?;
    step(
        "POST /api/v1/documents (multipart: 2 fields, 1 file)",
        &reply,
        201,
        &mut out,
    );

    // 3. A GET with a query.
    let url = format!("{base}/api/v1/customers?limit=5&offset=0");
    let signed = signer.sign("GET", &url, Body::Empty)?;
    let headers: Vec<(&str, String)> = signed.headers().into_iter().collect();
    let reply = send(&agent, "GET", &url, &headers, None)?;
    step(
        "GET /api/v1/customers?limit=5&offset=0",
        &reply,
        200,
        &mut out,
    );

    // 4. The classic mistake: the body is re-serialized (pretty-printed) after signing.
    let url = format!("{base}/api/v1/customers");
    let signed = signer.sign("POST", &url, Body::Bytes(json))?;
    let value: serde_json::Value = serde_json::from_slice(json).expect("static JSON");
    let pretty = serde_json::to_vec_pretty(&value).expect("serializable");
    let mut headers: Vec<(&str, String)> = signed.headers().into_iter().collect();
    headers.push(("Content-Type", "application/json".into()));
    let reply = send(&agent, "POST", &url, &headers, Some(&pretty))?;
    step(
        "POST /api/v1/customers, body pretty-printed after signing (refused on purpose)",
        &reply,
        401,
        &mut out,
    );
    let mut sent_body = &pretty[..];
    let options = ExplainOptions {
        public_key: Some(demo.key.public_key().clone()),
        ..ExplainOptions::default()
    };
    let report = explain(
        SentRequest {
            method: "POST",
            url: &url,
            api_key: Some(&demo.api_key),
            content_type: Some("application/json"),
            body: &mut sent_body,
        },
        signed.token(),
        &options,
    )?;
    out.push_str("\n`nuvera-sign explain` on that request:\n");
    for line in report.to_text().lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out.push_str("\nTry it yourself: nuvera-sign serve (prints its demo credentials), then nuvera-sign curl --exec …\n");
    crate::emit(&out)?;

    let _ = stop.send(());
    let _ = runtime.block_on(server);
    Ok(all_as_expected)
}
