//! `nuvera-sign serve`: a local stand-in for the Nuvera API that accepts or refuses requests
//! exactly as contract §6 says, with the core `Verifier`.
//!
//! Nothing unauthenticated is worked on (§6): the headers and token are verified before the body
//! is read, a refusal goes out at once and the rest of the body is never read. Bounded everywhere
//! a client could make it grow: connections (a semaphore), header size (hyper's buffer, and the
//! head's size checked again for a head that arrived in one read), time to send headers and body
//! (timeouts), body size (streamed into the hash and counted, 413 beyond the limit; never held),
//! and the in-memory store (oldest entries evicted; a JSON record over 64 KiB kept as its summary).

mod client_tests;
mod demo;
mod linger;
mod routes;

use std::borrow::Cow;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use nuvera_signing::ReceivedBody;
use nuvera_signing::{mask_secret, RequestHead, Verifier};
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

/// `x-api-key` (contract §3), as a header name made once.
const X_API_KEY: HeaderName = HeaderName::from_static(nuvera_signing::API_KEY_HEADER);

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
                TokioIo::new(linger::LingeringStream::new(stream)),
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
    // A clock read only for the log line (with --quiet, none).
    let started = state.log.then(Instant::now);
    // The head stays here and is borrowed (method, target, headers) while the body streams.
    let (head, body) = request.into_parts();
    let method = head.method.as_str();
    let target = head.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut outcome = respond(&state, &head, body, method, target).await;
    state.client_tests.stamp(&mut outcome);
    if state.log {
        log_line(
            method,
            target,
            &outcome,
            header(&head.headers, X_API_KEY).as_deref(),
            started.map(|s| s.elapsed()).unwrap_or_default(),
        );
    }
    Ok(outcome.response)
}

/// A header's value as text: borrowed when it is UTF-8 (what clients send), else with U+FFFD for
/// the bytes that are not. `from_utf8` first: `from_utf8_lossy` scans chunk by chunk even when
/// every byte is valid, which showed in the per-request profile.
fn header<'h>(headers: &'h HeaderMap, name: HeaderName) -> Option<Cow<'h, str>> {
    let bytes = headers.get(name)?.as_bytes();
    Some(match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    })
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
    // Built in place rather than through `Response::builder()`, whose header name is parsed from
    // a string and whose every step goes through a `Result`: this runs for every request.
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
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

/// Largest JSON body kept for a route that parses it (a customer record; a larger one is stored
/// as its summary): every other body is only hashed as it streams, never held.
pub const MAX_KEPT_BODY_BYTES: usize = 64 * 1024;

/// A body received after its request's head was verified.
struct ReceivedBytes {
    /// Its hash and summary, or why it cannot be read as its Content-Type says.
    summary: Result<ReceivedBody, nuvera_signing::Error>,
    /// The bytes, when the route parses them and they fit in [`MAX_KEPT_BODY_BYTES`].
    kept: Option<Vec<u8>>,
}

/// Streams the body through the core's receiver (hash, multipart canonical object), keeping the
/// bytes only when `keep` and only up to [`MAX_KEPT_BODY_BYTES`].
async fn receive_body(
    body: Incoming,
    head: &RequestHead<'_>,
    limits: &Limits,
    keep: bool,
) -> Result<ReceivedBytes, BodyFailure> {
    let mut receiver = head.body_receiver();
    let mut feed_error = None;
    let mut kept = keep.then(Vec::new);
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
        if let Some(bytes) = &mut kept {
            if bytes.len() + data.len() > MAX_KEPT_BODY_BYTES {
                kept = None;
            } else {
                bytes.extend_from_slice(&data);
            }
        }
    }
    let summary = match feed_error {
        Some(e) => Err(e),
        None => receiver.finish(),
    };
    Ok(ReceivedBytes {
        summary,
        kept: kept.filter(|_| keep),
    })
}

/// The size of a request's head as sent, at least: request line and header lines, counting
/// `name:value` and the line ends (optional whitespace left out). hyper's buffer limit stops a
/// head that arrives in pieces; one that arrives in a single read can fill the buffer's whole
/// capacity first, so the limit is checked again here.
fn head_size(request: &hyper::http::request::Parts) -> usize {
    let request_line = request.method.as_str().len()
        + request.uri.path_and_query().map_or(1, |p| p.as_str().len())
        + " HTTP/1.1\r\n ".len();
    let header_lines: usize = request
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + 1 + value.len() + 2)
        .sum();
    request_line + header_lines + 2
}

async fn respond(
    state: &AppState,
    request: &hyper::http::request::Parts,
    body: Incoming,
    method: &str,
    target: &str,
) -> Outcome {
    let body_pending = !hyper::body::Body::is_end_stream(&body);
    let close_if_body_unread = |outcome| close_if_body_unread(outcome, body_pending);
    if head_size(request) > MAX_HEADER_BYTES {
        return close_if_body_unread(error_response(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HEADERS_TOO_LARGE",
            &format!("the request line and headers are over {MAX_HEADER_BYTES} bytes"),
        ));
    }
    let path = target.split('?').next().unwrap_or("/");
    // Answers that never read a body close the connection when one is on its way: a client
    // that reused it would find it closed under its next request (seen: Java's HttpClient
    // following a 303 from a POST to the test routes, "header parser received no bytes").
    if path == "/healthz" {
        return close_if_body_unread(Outcome {
            response: json_response(StatusCode::OK, &serde_json::json!({"status": "ok"})),
            code: None,
        });
    }
    let query = target.split_once('?').map_or("", |(_, q)| q);
    if let Some(outcome) = state.client_tests.answer(path, query) {
        return close_if_body_unread(outcome);
    }
    let Some(route) = routes::Route::parse(method, path) else {
        return close_if_body_unread(error_response(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no such route",
        ));
    };
    let api_key = header(&request.headers, X_API_KEY);
    let authorization = header(&request.headers, hyper::header::AUTHORIZATION);
    let content_type = header(&request.headers, hyper::header::CONTENT_TYPE);
    let head = RequestHead {
        method,
        target,
        api_key: api_key.as_deref(),
        authorization: authorization.as_deref(),
        content_type: content_type.as_deref(),
    };
    // §6: headers, key, token and every claim that does not need the body first; a request that
    // fails them is answered at once, its body unread (hyper then closes the connection).
    let verified_head = match state.verifier.verify_head(&head) {
        Ok(verified_head) => verified_head,
        Err(refusal) => return close_if_body_unread(refusal_response(&refusal)),
    };
    let declared_length = request
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > state.limits.max_body_bytes) {
        return close_if_body_unread(too_large(state));
    }
    let received = match receive_body(body, &head, &state.limits, route.needs_body_bytes()).await {
        Ok(r) => r,
        Err(BodyFailure::TooLarge) => return close_if_body_unread(too_large(state)),
        Err(BodyFailure::Timeout) => {
            return close_if_body_unread(error_response(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "the request body arrived too slowly",
            ))
        }
        Err(BodyFailure::Broken) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the request body was cut off",
            )
        }
    };
    let ReceivedBytes { summary, kept } = received;
    let (body_hash, summary) = match summary {
        Ok(summary) => (Ok(summary.hash.clone()), Some(summary)),
        Err(e) => (Err(e), None),
    };
    // A shared replay cache answers over the network (up to its timeout): awaited, so this
    // worker serves other connections meanwhile (the core's pipelined Redis path).
    let verdict = state
        .verifier
        .verify_body_async(verified_head, body_hash)
        .await;
    match (verdict, summary) {
        (Err(refusal), _) => refusal_response(&refusal),
        (Ok(verified), Some(summary)) => {
            routes::dispatch(state, route, &verified, kept.as_deref(), summary)
        }
        // An unreadable body never verifies (its refusal is AUTH_BODY_HASH_MISMATCH).
        (Ok(_), None) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "a body that could not be read was accepted",
        ),
    }
}

fn refusal_response(refusal: &nuvera_signing::VerifyError) -> Outcome {
    let status = StatusCode::from_u16(refusal.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
    error_response(status, refusal.code().as_str(), refusal.message())
}

/// An answer given before the body was read (a refusal, or a route that needs no body): when a
/// body is on its way, the connection is closed after the answer, so the rest of it is never
/// read (§6: at most what hyper's buffer already holds).
fn close_if_body_unread(mut outcome: Outcome, body_pending: bool) -> Outcome {
    if !body_pending {
        return outcome;
    }
    outcome
        .response
        .headers_mut()
        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    outcome
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
