//! `nuvera-sign serve`: a local stand-in for the Nuvera API that accepts or refuses requests
//! exactly as contract §6 says, with the core `Verifier`.
//!
//! Bounded everywhere a client could make it grow: connections (a semaphore), header size
//! (hyper's buffer), time to send headers and body (timeouts), body size (streamed and counted,
//! 413 beyond the limit; multipart never held), and the in-memory store (oldest entries evicted).

mod client_tests;
mod demo;
mod routes;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use nuvera_signing::multipart::MultipartLimits;
use nuvera_signing::{mask_secret, ReceivedRequest, Verifier};
use nuvera_signing::{BodyReceiver, ReceivedBody};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

pub use client_tests::ClientTests;
pub use demo::{demo_command, serve_command, DemoArgs, ServeArgs};

/// Resource bounds of the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest request body (413 beyond it).
    pub max_body_bytes: u64,
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Time a client has to send a request's body.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024 * 1024,
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// Largest header block hyper buffers (request line plus headers).
const MAX_HEADER_BYTES: usize = 32 * 1024;

pub struct AppState {
    pub verifier: Verifier,
    pub limits: Limits,
    pub store: routes::Store,
    pub log: bool,
    /// The server's clock offset and the test routes for client integrations.
    pub client_tests: ClientTests,
}

/// What the log line records of a handled request.
struct Outcome {
    response: Response<Full<Bytes>>,
    code: Option<&'static str>,
}

/// Serves until `shutdown` completes, then lets requests in flight finish (at most 10 s).
pub async fn run(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(state.limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    eprintln!("{{\"event\":\"accept-error\",\"error\":{:?}}}", e.to_string());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(state.limits.header_timeout)
            .max_buf_size(MAX_HEADER_BYTES)
            .serve_connection(
                TokioIo::new(stream),
                service_fn(move |req| handle(state.clone(), req)),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
}

async fn handle(
    state: Arc<AppState>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let api_key = header(&request, "x-api-key");
    let mut outcome = respond(&state, request, &method, &target).await;
    state.client_tests.stamp(&mut outcome);
    if state.log {
        log_line(
            &method,
            &target,
            &outcome,
            api_key.as_deref(),
            started.elapsed(),
        );
    }
    Ok(outcome.response)
}

fn header(request: &Request<Incoming>, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// One JSON line per request on stderr; the API key appears only masked, the token never.
fn log_line(
    method: &str,
    target: &str,
    outcome: &Outcome,
    api_key: Option<&str>,
    latency: Duration,
) {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let line = serde_json::json!({
        "ts": ts,
        "method": method,
        "uri": target,
        "status": outcome.response.status().as_u16(),
        "code": outcome.code,
        "key": api_key.map(mask_secret),
        "latencyMs": (latency.as_secs_f64() * 1e6).round() / 1e3,
    });
    eprintln!("{line}");
}

pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a static status and header build a response")
}

fn error_response(status: StatusCode, code: &'static str, message: &str) -> Outcome {
    let body = serde_json::json!({"errors": [{"code": code, "message": message}]});
    Outcome {
        response: json_response(status, &body),
        code: Some(code),
    }
}

enum BodyFailure {
    TooLarge,
    Timeout,
    Broken,
}

/// Streams the body through the core's receiver (hash, multipart canonical object) and keeps the
/// bytes only when `keep` (JSON bodies, which the routes parse).
async fn receive_body(
    body: Incoming,
    content_type: Option<&str>,
    limits: &Limits,
    keep: bool,
) -> Result<(Result<ReceivedBody, nuvera_signing::Error>, Vec<u8>), BodyFailure> {
    let mut receiver = BodyReceiver::new(content_type, MultipartLimits::default());
    let mut feed_error = None;
    let mut kept = Vec::new();
    let deadline = tokio::time::Instant::now() + limits.body_timeout;
    let mut body = body;
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(BodyFailure::Timeout),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(BodyFailure::Broken),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if receiver.size() + data.len() as u64 > limits.max_body_bytes {
            return Err(BodyFailure::TooLarge);
        }
        if feed_error.is_none() {
            if let Err(e) = receiver.feed(&data) {
                feed_error = Some(e);
            }
        }
        if keep {
            kept.extend_from_slice(&data);
        }
    }
    let received = match feed_error {
        Some(e) => Err(e),
        None => receiver.finish(),
    };
    Ok((received, kept))
}

async fn respond(
    state: &AppState,
    request: Request<Incoming>,
    method: &str,
    target: &str,
) -> Outcome {
    let path = target.split('?').next().unwrap_or("/");
    if path == "/healthz" {
        return Outcome {
            response: json_response(StatusCode::OK, &serde_json::json!({"status": "ok"})),
            code: None,
        };
    }
    let query = target.split_once('?').map_or("", |(_, q)| q);
    if let Some(outcome) = state.client_tests.answer(path, query) {
        return outcome;
    }
    let Some(route) = routes::Route::parse(method, path) else {
        return error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "no such route");
    };
    let api_key = header(&request, "x-api-key");
    let authorization = header(&request, "authorization");
    let content_type = header(&request, "content-type");
    let declared_length = request
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > state.limits.max_body_bytes) {
        return too_large(state);
    }
    let keep = route.needs_body_bytes();
    let (received, bytes) = match receive_body(
        request.into_body(),
        content_type.as_deref(),
        &state.limits,
        keep,
    )
    .await
    {
        Ok(r) => r,
        Err(BodyFailure::TooLarge) => return too_large(state),
        Err(BodyFailure::Timeout) => {
            return error_response(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "the request body arrived too slowly",
            )
        }
        Err(BodyFailure::Broken) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the request body was cut off",
            )
        }
    };
    let received = match received {
        Ok(r) => r,
        Err(e) => {
            let message = format!(
                "the multipart body cannot be parsed, so its bodyHash cannot match: {}",
                e.message()
            );
            return error_response(
                StatusCode::UNAUTHORIZED,
                nuvera_signing::AuthCode::BodyHashMismatch.as_str(),
                &message,
            );
        }
    };
    let request = ReceivedRequest {
        method,
        target,
        api_key: api_key.as_deref(),
        authorization: authorization.as_deref(),
        body_hash: &received.hash,
    };
    // A shared replay cache makes `verify` wait on the network (up to its timeout): let the
    // runtime move this worker's other tasks to another thread meanwhile, so one slow answer
    // does not stall every connection. The in-process cache never waits.
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let verdict = if state.verifier.may_wait() && multi_thread {
        tokio::task::block_in_place(|| state.verifier.verify(&request))
    } else {
        state.verifier.verify(&request)
    };
    match verdict {
        Err(e) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
            error_response(status, e.code().as_str(), e.message())
        }
        Ok(verified) => routes::dispatch(state, route, &verified, &bytes, received),
    }
}

fn too_large(state: &AppState) -> Outcome {
    let message = format!(
        "the request body is over the {}-byte limit",
        state.limits.max_body_bytes
    );
    error_response(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", &message)
}

/// Binds `listen` and returns the listener and the address actually bound (port 0 picks one).
pub async fn bind(listen: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}
