//! One exchange: a caller's request and every send it takes (redirect hops, retries, the re-send
//! after a clock correction), as a state machine an integration drives.
//!
//! The integration signs and sends [`Exchange::first`], then gives each response to
//! [`Exchange::on_response`] and carries out the [`Action`]: sign and send (after a wait), hand
//! the response to its caller, or fail with a code. It makes no decision of its own.

use std::collections::VecDeque;
use std::fmt;

use serde::Serialize;
use url::{Origin, Url};

use crate::client::clock::{offset_from_date, parse_http_date_ms, ClockOffset};
use crate::client::policy::{ClientPolicy, RetryPolicy};
use crate::client::refusal::clock_refusal;
use crate::error::{Error, ErrorCode, Result};
use crate::method::normalize_method;
use crate::uri::parse_absolute;

/// The caller's request, as the exchange needs to know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method (any case; upper-cased as signed).
    pub method: String,
    /// The absolute `http`/`https` URL.
    pub url: String,
    /// Whether the request has a body (which a hop may drop).
    pub has_body: bool,
}

/// One send: what to sign and send now. Serialized with camelCase names (`sendBody`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// The method to send (and sign).
    pub method: String,
    /// The absolute URL to send (no fragment); its target is the signed `uri`.
    pub url: String,
    /// Send the caller's body (`false`: no body, and no `Content-Type`/`Content-Length` of it).
    pub send_body: bool,
    /// Sign and send `x-api-key` and `Authorization`. `false` after a hop to another origin:
    /// the request goes out unsigned, and stays so for the rest of the exchange.
    pub credentials: bool,
}

/// A response as the integration received it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The headers (names in any case). The policy reads `Location`, `Date` and `Retry-After`.
    pub headers: Vec<(String, String)>,
    /// The body, needed only for a 401 (the policy reads its §6 code; at most 64 KiB is read):
    /// integrations may pass an empty body for every other status.
    pub body: Vec<u8>,
    /// Local Unix time in milliseconds when the request was sent (the local clock, uncorrected).
    pub sent_at_ms: i64,
    /// Local Unix time in milliseconds when the response headers arrived.
    pub received_at_ms: i64,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("sent_at_ms", &self.sent_at_ms)
            .field("received_at_ms", &self.received_at_ms)
            .finish()
    }
}

impl Response {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why the exchange sends again. Serialized as [`as_str`](Self::as_str) names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendReason {
    /// A redirect hop (301, 302, 303, 307, 308 with a `Location`).
    Redirect,
    /// A retryable status under the retry policy.
    Retry,
    /// A clock refusal: the signer's offset was corrected from `Date`; sign again with it.
    ClockCorrection,
}

impl SendReason {
    /// `redirect`, `retry` or `clock-correction` (the table of cases' names).
    pub const fn as_str(self) -> &'static str {
        match self {
            SendReason::Redirect => "redirect",
            SendReason::Retry => "retry",
            SendReason::ClockCorrection => "clock-correction",
        }
    }
}

/// What the integration does with a response. `Send` and `Done` serialize as bindings show them
/// (`{"action": "send", "attempt": {…}, "delayMs": 0, "reason": "redirect"}`, `{"action":
/// "done"}`); `Fail` does not serialize: raise its error instead.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(
    tag = "action",
    rename_all = "lowercase",
    rename_all_fields = "camelCase"
)]
pub enum Action {
    /// Wait `delay_ms` (0: none), then sign afresh (new `iat` and `jti`, with the signer's
    /// current clock offset) and send `attempt`.
    Send {
        /// What to send.
        attempt: Attempt,
        /// Milliseconds to wait first.
        delay_ms: u64,
        /// Why.
        reason: SendReason,
    },
    /// The exchange is over: hand this response to the caller.
    Done,
    /// The exchange is over: raise this error (its code is in the core's list).
    #[serde(skip_serializing)]
    Fail(Error),
}

/// Where the backoff's random fraction comes from.
#[derive(Clone, Debug)]
enum Jitter {
    Os,
    /// Given fractions, used in order (tests and the table of cases); then the OS.
    Fixed(VecDeque<f64>),
}

impl Jitter {
    fn fraction(&mut self) -> f64 {
        if let Jitter::Fixed(queue) = self {
            if let Some(f) = queue.pop_front() {
                return f;
            }
        }
        let mut bytes = [0u8; 8];
        // Jitter only spreads retries out; should the OS refuse randomness, the full wait (1.0)
        // is the safe answer.
        if getrandom::fill(&mut bytes).is_err() {
            return 1.0;
        }
        // 53 random bits: every f64 in [0, 1) with that resolution, uniformly.
        (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
    }
}

const REDIRECT_STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

/// One caller's request through redirects, retries and clock correction (contract §8).
///
/// Counting: redirect hops are limited by `max_redirects` (the next redirect fails with
/// `TOO_MANY_REDIRECTS`); retries by `max_attempts` over the whole exchange (a redirect hop does
/// not start a new count, and neither hops nor the clock re-send are attempts); the clock is
/// corrected at most once per exchange.
#[derive(Debug)]
pub struct Exchange {
    policy: ClientPolicy,
    offset: ClockOffset,
    origin: Origin,
    url: Url,
    current: Attempt,
    redirects: u32,
    attempts: u32,
    corrected: bool,
    offset_at_send: i64,
    jitter: Jitter,
    over: bool,
}

impl Exchange {
    /// Starts an exchange for `request` under `policy`; `offset` is the signer's clock offset
    /// (`Signer::clock_offset`), which a clock correction updates for every user of the signer.
    pub fn new(policy: ClientPolicy, request: Request, offset: ClockOffset) -> Result<Self> {
        policy.validate()?;
        let method = normalize_method(&request.method)?;
        let mut url = parse_absolute(&request.url)?;
        url.set_fragment(None);
        let offset_at_send = offset.secs();
        Ok(Exchange {
            policy,
            offset,
            origin: url.origin(),
            current: Attempt {
                method,
                url: sendable(&url),
                send_body: request.has_body,
                credentials: true,
            },
            url,
            redirects: 0,
            attempts: 1,
            corrected: false,
            offset_at_send,
            jitter: Jitter::Os,
            over: false,
        })
    }

    /// Pins the backoff's random fractions (each in `0.0..=1.0`), used in order before the OS's
    /// randomness: for tests and the table of cases.
    pub fn with_jitter_fractions(mut self, fractions: Vec<f64>) -> Result<Self> {
        if let Some(bad) = fractions.iter().find(|f| !(0.0..=1.0).contains(*f)) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("a jitter fraction must be in 0..=1, not {bad}"),
            ));
        }
        self.jitter = Jitter::Fixed(fractions.into());
        Ok(self)
    }

    /// The first send: the caller's request, signed.
    pub fn first(&self) -> &Attempt {
        &self.current
    }

    /// Redirect hops followed so far.
    pub fn redirects(&self) -> u32 {
        self.redirects
    }

    /// The clock offset this exchange reads and corrects (the signer's).
    pub fn clock_offset(&self) -> &ClockOffset {
        &self.offset
    }

    /// Decides what follows `response` to the last send.
    pub fn on_response(&mut self, response: &Response) -> Action {
        if self.over {
            return Action::Fail(Error::new(
                ErrorCode::ObjectClosed,
                "this exchange is over; start a new one for a new request",
            ));
        }
        let action = self.decide(response);
        match &action {
            Action::Send { attempt, .. } => {
                self.current = attempt.clone();
                self.offset_at_send = self.offset.secs();
            }
            Action::Done | Action::Fail(_) => self.over = true,
        }
        action
    }

    fn decide(&mut self, response: &Response) -> Action {
        if REDIRECT_STATUSES.contains(&response.status) {
            if let Some(location) = response.header("location") {
                return match self.redirect(response.status, location) {
                    Ok(attempt) => Action::Send {
                        attempt,
                        delay_ms: 0,
                        reason: SendReason::Redirect,
                    },
                    Err(e) => Action::Fail(e),
                };
            }
            // A redirect status without a Location is an ordinary response (RFC 9110 §15.4).
            return Action::Done;
        }
        if self.policy.correct_clock
            && self.current.credentials
            && clock_refusal(response.status, &response.body).is_some()
        {
            return self.correct_clock(response);
        }
        if let Some(retry) = &self.policy.retry {
            if retry.retries(&self.current.method, response.status)
                && self.attempts < retry.max_attempts
            {
                let delay_ms = self.retry_delay(&retry.clone(), response);
                self.attempts += 1;
                return Action::Send {
                    attempt: self.current.clone(),
                    delay_ms,
                    reason: SendReason::Retry,
                };
            }
        }
        Action::Done
    }

    fn redirect(&mut self, status: u16, location: &str) -> Result<Attempt> {
        if self.redirects >= self.policy.max_redirects {
            return Err(Error::new(
                ErrorCode::TooManyRedirects,
                format!(
                    "more than {} redirects (the last to {location:?})",
                    self.policy.max_redirects
                ),
            ));
        }
        let mut next = self.url.join(location.trim()).map_err(|e| {
            Error::new(
                ErrorCode::InvalidUrl,
                format!("the redirect Location {location:?} is not a URL ({e})"),
            )
        })?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(Error::new(
                ErrorCode::InvalidUrl,
                format!(
                    "the redirect goes to a {} URL, not http or https",
                    next.scheme()
                ),
            ));
        }
        if self.url.scheme() == "https" && next.scheme() == "http" {
            return Err(Error::new(
                ErrorCode::InsecureRedirect,
                format!(
                    "a redirect from https to http ({}) is refused: the request would travel unencrypted",
                    sendable(&next)
                ),
            ));
        }
        next.set_fragment(None);
        let current = &self.current;
        let becomes_get =
            status == 303 || (matches!(status, 301 | 302) && current.method == "POST");
        let (method, send_body) = if becomes_get {
            let method = if current.method == "HEAD" {
                "HEAD"
            } else {
                "GET"
            };
            (method.to_owned(), false)
        } else {
            (current.method.clone(), current.send_body)
        };
        let attempt = Attempt {
            method,
            url: sendable(&next),
            send_body,
            credentials: current.credentials && next.origin() == self.origin,
        };
        self.redirects += 1;
        self.url = next;
        Ok(attempt)
    }

    fn correct_clock(&mut self, response: &Response) -> Action {
        if self.corrected {
            return Action::Done;
        }
        let Some(date) = response.header("date") else {
            return Action::Done;
        };
        let learnt = match offset_from_date(date, response.sent_at_ms, response.received_at_ms) {
            Ok(secs) => secs,
            Err(e) if e.code() == ErrorCode::ClockSkewTooLarge => return Action::Fail(e),
            // An unreadable Date teaches nothing: the refusal goes to the caller.
            Err(_) => return Action::Done,
        };
        if learnt == self.offset_at_send {
            // Signed with this offset already: the token was refused for another reason (a
            // send slower than its lifetime), which signing again would not cure.
            return Action::Done;
        }
        self.offset.store(learnt);
        self.corrected = true;
        Action::Send {
            attempt: self.current.clone(),
            delay_ms: 0,
            reason: SendReason::ClockCorrection,
        }
    }

    fn retry_delay(&mut self, retry: &RetryPolicy, response: &Response) -> u64 {
        if let Some(wait_ms) = self.retry_after_ms(response) {
            return wait_ms.min(retry.max_delay_ms);
        }
        let retries_done = self.attempts - 1;
        let ceiling = retry
            .base_delay_ms
            .saturating_mul(1u64.checked_shl(retries_done).unwrap_or(u64::MAX))
            .min(retry.max_delay_ms);
        // Full jitter (uniform in 0..=ceiling): retries of many clients spread out instead of
        // arriving together.
        (self.jitter.fraction() * ceiling as f64).floor() as u64
    }

    /// `Retry-After` in milliseconds: delay-seconds, or an HTTP-date measured against the
    /// response's own `Date` (the server's clock, so local skew does not matter) or, without
    /// one, the corrected local time of receipt. A date in the past is 0; a value that parses as
    /// neither is ignored (backoff applies).
    fn retry_after_ms(&self, response: &Response) -> Option<u64> {
        let value = response.header("retry-after")?.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            return Some(
                value
                    .parse::<u64>()
                    .unwrap_or(u64::MAX)
                    .saturating_mul(1000),
            );
        }
        let at_ms = parse_http_date_ms(value)?;
        let now_ms = match response.header("date").and_then(parse_http_date_ms) {
            Some(date_ms) => date_ms,
            None => response
                .received_at_ms
                .saturating_add(self.offset.secs().saturating_mul(1000)),
        };
        Some(u64::try_from(at_ms.saturating_sub(now_ms)).unwrap_or(0))
    }
}

/// The URL as sent: the WHATWG serialization, no fragment, no empty `?` (see `sendable_url`).
fn sendable(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    if url.query() == Some("") {
        url.set_query(None);
    }
    url.into()
}

#[cfg(test)]
mod serialized_tests {
    use super::*;

    #[test]
    fn actions_and_policies_serialize_as_bindings_show_them() {
        let attempt = Attempt {
            method: "GET".to_owned(),
            url: "https://api.nuvera.test/a".to_owned(),
            send_body: false,
            credentials: true,
        };
        let send = Action::Send {
            attempt,
            delay_ms: 250,
            reason: SendReason::ClockCorrection,
        };
        let expected = r#"{"action":"send","attempt":{"method":"GET","url":"https://api.nuvera.test/a","sendBody":false,"credentials":true},"delayMs":250,"reason":"clock-correction"}"#;
        assert_eq!(serde_json::to_string(&send).unwrap(), expected);
        assert_eq!(
            serde_json::to_string(&Action::Done).unwrap(),
            r#"{"action":"done"}"#
        );
        let failed = Action::Fail(Error::new(ErrorCode::TooManyRedirects, "x"));
        assert!(serde_json::to_string(&failed).is_err());
        let policy = serde_json::to_value(ClientPolicy::with_retries()).unwrap();
        let expected = serde_json::json!({
            "maxRedirects": 10,
            "retry": {
                "statuses": [429, 502, 503, 504],
                "methods": ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"],
                "maxAttempts": 3,
                "baseDelayMs": 200,
                "maxDelayMs": 10000
            },
            "correctClock": true
        });
        assert_eq!(policy, expected);
    }
}
