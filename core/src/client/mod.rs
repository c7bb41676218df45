//! The HTTP-client behaviour of contract §8, decided here once for every language: redirects,
//! opt-in retries and clock correction.
//!
//! Pure: no I/O and no HTTP client. An integration builds a [`ClientPolicy`] (the defaults are
//! the contract's), starts an [`Exchange`] per caller request with the signer's [`ClockOffset`],
//! and carries out each [`Action`] the exchange answers. `testdata/client-policy/cases.json`
//! holds the cases every language's tests run.

mod clock;
mod exchange;
mod policy;
mod refusal;

pub use clock::{
    check_offset, format_http_date, now_unix_ms, offset_from_date, parse_http_date_ms, ClockOffset,
    MAX_CLOCK_OFFSET_SECS,
};
pub use exchange::{Action, Attempt, Exchange, Request, Response, SendReason};
pub use policy::{
    ClientPolicy, RetryPolicy, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_DELAY_MS,
    DEFAULT_MAX_REDIRECTS, DEFAULT_RETRY_METHODS, DEFAULT_RETRY_STATUSES,
};
pub use refusal::{clock_refusal, MAX_REFUSAL_BODY_BYTES};
