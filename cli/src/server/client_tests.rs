//! What the server offers HTTP-client integration tests (contract §8): a clock set ahead or behind
//! (`--clock-offset`, used for `Date` and for verification), and, with `--test-routes`, a route
//! answering with a redirect and a way to make any route answer 503 with `Retry-After` first.
//!
//! `GET|POST|… /__test/redirect?status=307&to=<URL or path>` answers `status` (301, 302, 303, 307
//! or 308) with `Location: to`, unauthenticated, as a load balancer in front of the API would.
//!
//! Any route whose query holds `__unavailable=<id>` (with `__times=N`, default 1, and
//! `__retry_after=<seconds or HTTP-date>`, optional) answers its first N requests with that id
//! 503 + `Retry-After`, before verification; later requests are verified and served as usual (the
//! parameters are part of the signed `uri` like any other).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use hyper::header::{HeaderValue, DATE, LOCATION, RETRY_AFTER};
use hyper::StatusCode;
use nuvera_signing::client::format_http_date;
use nuvera_signing::{Clock, Result, SystemClock};

use super::{error_response, json_response, Outcome};

/// Ids tracked by `__unavailable`; when full, the table starts over (a test uses a few).
const MAX_TRACKED_IDS: usize = 10_000;

/// The server's clock: the system clock moved by a fixed offset.
#[derive(Clone, Copy, Debug, Default)]
pub struct OffsetClock {
    /// Seconds added to the system clock (negative: the server is behind).
    pub offset_secs: i64,
}

impl Clock for OffsetClock {
    fn now_unix(&self) -> Result<u64> {
        let now = SystemClock.now_unix()?;
        Ok(now.saturating_add_signed(self.offset_secs))
    }
}

impl OffsetClock {
    /// Seconds since the epoch on this clock (0 if the system clock is before it).
    fn now_secs(&self) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        now.saturating_add_signed(self.offset_secs)
    }
}

/// The `Date` header value for `secs`.
fn date_header(secs: u64) -> HeaderValue {
    HeaderValue::from_str(&format_http_date(secs)).expect("an HTTP-date is a valid header value")
}

/// The test behaviours of one server.
#[derive(Debug, Default)]
pub struct ClientTests {
    /// The server's clock.
    pub clock: OffsetClock,
    /// `--test-routes`: the redirect route and `__unavailable` are on.
    pub routes: bool,
    unavailable: Mutex<HashMap<String, u32>>,
    /// The `Date` value of the current second: formatted once a second, not once per response
    /// (hyper caches its own the same way).
    date: Mutex<Option<(u64, HeaderValue)>>,
}

impl ClientTests {
    pub fn new(clock_offset_secs: i64, routes: bool) -> Self {
        ClientTests {
            clock: OffsetClock {
                offset_secs: clock_offset_secs,
            },
            routes,
            unavailable: Mutex::default(),
            date: Mutex::default(),
        }
    }

    /// Every response carries the server's `Date`.
    pub(super) fn stamp(&self, outcome: &mut Outcome) {
        outcome.response.headers_mut().insert(DATE, self.date_now());
    }

    /// The `Date` header for now on the server's clock.
    fn date_now(&self) -> HeaderValue {
        let now = self.clock.now_secs();
        let mut cached = self.date.lock().unwrap_or_else(|p| p.into_inner());
        match &*cached {
            Some((at, value)) if *at == now => value.clone(),
            _ => {
                let value = date_header(now);
                *cached = Some((now, value.clone()));
                value
            }
        }
    }

    /// A test answer for this request, when `--test-routes` is on and the request asks for one.
    pub(super) fn answer(&self, path: &str, query: &str) -> Option<Outcome> {
        if !self.routes {
            return None;
        }
        let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        if path == "/__test/redirect" {
            return Some(redirect(&params));
        }
        let id = params.get("__unavailable")?;
        let times: u32 = params
            .get("__times")
            .and_then(|t| t.parse().ok())
            .unwrap_or(1);
        let mut seen = self.unavailable.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_TRACKED_IDS && !seen.contains_key(id) {
            seen.clear();
        }
        let count = seen.entry(id.clone()).or_insert(0);
        if *count >= times {
            return None;
        }
        *count += 1;
        let mut outcome = error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            &format!("unavailable on purpose ({count} of {times}, id {id:?})"),
        );
        if let Some(value) = params
            .get("__retry_after")
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            outcome.response.headers_mut().insert(RETRY_AFTER, value);
        }
        Some(outcome)
    }
}

fn redirect(params: &HashMap<String, String>) -> Outcome {
    let status = params
        .get("status")
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| [301, 302, 303, 307, 308].contains(s))
        .and_then(|s| StatusCode::from_u16(s).ok());
    let location = params
        .get("to")
        .and_then(|to| HeaderValue::from_str(to).ok());
    match (status, location) {
        (Some(status), Some(location)) => {
            let body = serde_json::json!({"redirect": params.get("to")});
            let mut response = json_response(status, &body);
            response.headers_mut().insert(LOCATION, location);
            Outcome {
                response,
                code: None,
            }
        }
        _ => error_response(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "use /__test/redirect?status=301|302|303|307|308&to=URL",
        ),
    }
}
