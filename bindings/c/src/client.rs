//! The client policy of contract §8 (redirects, opt-in retries, clock correction) for HTTP-client
//! integrations over the C ABI (Go, PHP, libcurl); every decision is the core's `Exchange`. How
//! an integration drives it: bindings/c/README.md.

use std::ffi::CString;
use std::ptr::null;

use nuvera::client::{
    Action, Attempt, ClientPolicy, Exchange, Request, Response, RetryPolicy, MAX_REFUSAL_BODY_BYTES,
};

use crate::boundary::*;
use crate::signing::nuvera_signer;
use crate::verify::{headers, nuvera_header};

/// What an HTTP-client integration does between sending a request and handing its caller the
/// response (contract §8). Fill it with `nuvera_client_policy_init` (the contract's defaults),
/// then change fields. The pointers are read only during `nuvera_exchange_new`.
#[repr(C)]
pub struct nuvera_client_policy {
    /// Redirect hops followed (default 10); the next is `TOO_MANY_REDIRECTS`. 0 follows none.
    pub max_redirects: u32,
    /// Learn the clock offset from `Date` on a clock refusal and re-send once (default true).
    pub correct_clock: bool,
    /// Retries on (default false); the fields below apply only when true.
    pub retry: bool,
    /// Statuses retried: `retry_status_count` of them. NULL means the default (429, 502, 503,
    /// 504); a non-NULL pointer with a count of 0 retries no status.
    pub retry_statuses: *const u16,
    /// The number of `retry_statuses`.
    pub retry_status_count: usize,
    /// Methods retried, comma-separated (`"GET,PUT,POST"`, any case, spaces ignored). NULL means
    /// the default (the idempotent ones: GET, HEAD, OPTIONS, TRACE, PUT, DELETE); `""` none.
    pub retry_methods: *const c_char,
    /// Sends of one request at most, the first included (default 3, at least 1).
    pub max_attempts: u32,
    /// Backoff base in milliseconds (default 200): the n-th retry waits a random fraction of
    /// `base · 2ⁿ`, capped.
    pub base_delay_ms: u64,
    /// Cap of every wait in milliseconds, `Retry-After` included (default 10 000).
    pub max_delay_ms: u64,
}

/// One send: what to sign and send now. The strings belong to the exchange and stay valid until
/// its next `nuvera_exchange_on_response` or `nuvera_exchange_free`.
#[repr(C)]
pub struct nuvera_attempt {
    /// The method to send and sign.
    pub method: *const c_char,
    /// The absolute URL to send and sign (no fragment).
    pub url: *const c_char,
    /// Send the caller's body; false: no body, and no `Content-Type`/`Content-Length` for it.
    pub send_body: bool,
    /// Sign and send `x-api-key` and `Authorization`; false after a hop to another origin (the
    /// request goes out unsigned from then on).
    pub credentials: bool,
}

/// What to do with a response.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum nuvera_action_kind {
    /// Wait `delay_ms`, then sign afresh (new `iat` and `jti`, with the signer's current clock
    /// offset) and send `attempt`.
    NUVERA_ACTION_SEND = 0,
    /// The exchange is over: hand the response to the caller.
    NUVERA_ACTION_DONE = 1,
}

/// The answer to a response. A failure (`TOO_MANY_REDIRECTS`, `INSECURE_REDIRECT`,
/// `CLOCK_SKEW_TOO_LARGE`, `INVALID_URL`, ...) is not an action: the call returns
/// `NUVERA_ERROR` with the code in its error.
#[repr(C)]
pub struct nuvera_action {
    /// Send again, or done.
    pub kind: nuvera_action_kind,
    /// For `NUVERA_ACTION_SEND`: what to send (strings owned by the exchange).
    pub attempt: nuvera_attempt,
    /// For `NUVERA_ACTION_SEND`: milliseconds to wait first (0: none).
    pub delay_ms: u64,
    /// For `NUVERA_ACTION_SEND`: why, `"redirect"`, `"retry"` or `"clock-correction"` (static
    /// string); NULL for `NUVERA_ACTION_DONE`.
    pub reason: *const c_char,
}

/// One caller's request through redirects, retries and clock correction. Not thread-safe: one
/// exchange per request, driven by one thread at a time.
pub struct nuvera_exchange {
    exchange: Exchange,
    /// The current attempt's strings, handed to C by `nuvera_attempt`.
    method: CString,
    url: CString,
}

impl nuvera_exchange {
    fn remember(&mut self, attempt: &Attempt) -> nuvera_attempt {
        self.method = c_string(attempt.method.as_str());
        self.url = c_string(attempt.url.as_str());
        nuvera_attempt {
            method: self.method.as_ptr(),
            url: self.url.as_ptr(),
            send_body: attempt.send_body,
            credentials: attempt.credentials,
        }
    }
}

/// The policy C filled in (NULL: the defaults) as the core's.
unsafe fn read_policy(policy: *const nuvera_client_policy) -> FfiResult<ClientPolicy> {
    let Some(p) = policy.as_ref() else {
        return Ok(ClientPolicy::default());
    };
    let retry = p.retry.then(|| {
        let statuses = (!p.retry_statuses.is_null())
            .then(|| req_bytes(p.retry_statuses, p.retry_status_count, "retry_statuses"))
            .transpose()?
            .map(<[u16]>::to_vec);
        // C has no list of strings: the methods come comma-separated.
        let methods = <Option<&str>>::from_c(p.retry_methods, "retry_methods")?.map(|list| {
            let methods = list.split(',').map(str::trim).filter(|m| !m.is_empty());
            methods.map(str::to_owned).collect()
        });
        let (attempts, base, max) = (p.max_attempts, p.base_delay_ms, p.max_delay_ms);
        let policy =
            RetryPolicy::from_optional(statuses, methods, Some(attempts), Some(base), Some(max));
        Ok::<_, Failure>(policy?)
    });
    Ok(ClientPolicy {
        max_redirects: p.max_redirects,
        retry: retry.transpose()?,
        correct_clock: p.correct_clock,
    })
}

c_api! {
    /// Fills `*out` with the contract's defaults: 10 redirects, clock correction on, retries off
    /// (with the default statuses, methods, 3 attempts, 200 ms base and 10 s cap once turned on).
    fn nuvera_client_policy_init() -> nuvera_client_policy {
        let (policy, retry) = (ClientPolicy::default(), RetryPolicy::default());
        nuvera_client_policy {
            max_redirects: policy.max_redirects,
            correct_clock: policy.correct_clock,
            retry: policy.retry.is_some(),
            retry_statuses: null(),
            retry_status_count: 0,
            retry_methods: null(),
            max_attempts: retry.max_attempts,
            base_delay_ms: retry.base_delay_ms,
            max_delay_ms: retry.max_delay_ms,
        }
    }

    /// Starts an exchange for one caller request (an absolute `http`/`https` `url`). `policy` may be
    /// NULL (the defaults). `signer` may be NULL (an offset of its own, from 0); given, the exchange
    /// reads and corrects that signer's clock offset, which its later requests then use.
    fn nuvera_exchange_new(
        policy: *const nuvera_client_policy,
        method: *const c_char as &str,
        url: *const c_char as &str,
        has_body: bool,
        signer: *const nuvera_signer,
    ) -> *mut nuvera_exchange {
        let policy = read_policy(policy)?;
        let request = Request {
            method: method.to_owned(),
            url: url.to_owned(),
            has_body,
        };
        let offset = signer.as_ref().map(|s| s.0.clock_offset().clone());
        let exchange = Exchange::new(policy, request, offset.unwrap_or_default())?;
        nuvera_exchange {
            exchange,
            method: CString::default(),
            url: CString::default(),
        }
    }

    /// Pins the backoff's random fractions (`count` of them, each in 0..=1), used in order before the
    /// system's randomness: for tests and the table of cases only.
    fn nuvera_exchange_set_jitter(
        exchange: *mut nuvera_exchange as &mut _,
        fractions: *const f64,
        count: usize,
    ) {
        let fractions = req_bytes(fractions, count, "fractions")?.to_vec();
        exchange.exchange.set_jitter_fractions(fractions)?
    }

    /// The first send: the caller's request, to sign and send. The strings belong to the exchange.
    fn nuvera_exchange_first(exchange: *mut nuvera_exchange as &mut _) -> nuvera_attempt {
        exchange.remember(&exchange.exchange.first().clone())
    }

    /// Decides what follows a response to the last send: its `status`, `headers` (`header_count`),
    /// body (needed only for a 401, else NULL with 0; at most 64 KiB is read), and the local Unix
    /// times in ms of the send and of the response headers (uncorrected). `*out` says what to do; a
    /// failure of the exchange is `NUVERA_ERROR` with its code (`OBJECT_CLOSED` once finished).
    fn nuvera_exchange_on_response(
        exchange: *mut nuvera_exchange as &mut _,
        status: u16,
        headers: *const nuvera_header,
        header_count: usize,
        body: *const u8,
        body_len: usize,
        sent_at_ms: i64,
        received_at_ms: i64,
    ) -> nuvera_action {
        let headers = self::headers(headers, header_count)?.into_iter();
        let response = Response {
            status,
            headers: headers.map(|(n, v)| (n.to_owned(), v.to_owned())).collect(),
            body: req_bytes(body, body_len, "body")?.to_vec(),
            sent_at_ms,
            received_at_ms,
        };
        match exchange.exchange.on_response(&response) {
            Action::Send {
                attempt,
                delay_ms,
                reason,
            } => nuvera_action {
                kind: nuvera_action_kind::NUVERA_ACTION_SEND,
                attempt: exchange.remember(&attempt),
                delay_ms,
                reason: static_c_str(reason.as_str()),
            },
            Action::Done => nuvera_action {
                kind: nuvera_action_kind::NUVERA_ACTION_DONE,
                // SAFETY: all zeros is a valid value: NULL strings, false flags, no delay.
                ..unsafe { std::mem::zeroed() }
            },
            Action::Fail(e) => return Err(e.into()),
        }
    }

    /// The clock offset in seconds the exchange reads and corrects (the signer's, when it was made
    /// with one).
    fn nuvera_exchange_clock_offset(exchange: *const nuvera_exchange as &_) -> i64 {
        exchange.exchange.clock_offset().secs()
    }
}

/// The most response-body bytes `nuvera_exchange_on_response` reads (64 KiB): a 401 body longer
/// than this is not a clock refusal. An integration may read this many bytes plus one and pass
/// them, then give the caller the whole body.
#[no_mangle]
pub extern "C" fn nuvera_client_max_refusal_body() -> usize {
    MAX_REFUSAL_BODY_BYTES
}

c_api! {
    /// Frees an exchange. NULL is allowed.
    free fn nuvera_exchange_free(exchange: *mut nuvera_exchange);

    /// The signer's clock offset in seconds (`iat = now + offset`): 0 until a clock correction, or
    /// the value it was made with.
    fn nuvera_signer_clock_offset(signer: *const nuvera_signer as &_) -> i64 {
        signer.0.clock_offset().secs()
    }

    /// A new signer like `signer` (same key, API key and lifetime) whose clock offset starts at
    /// `secs` and is its own (e.g. an offset a previous run learnt). Over 24 h in magnitude is
    /// `CLOCK_SKEW_TOO_LARGE`. Free it with `nuvera_signer_free`.
    fn nuvera_signer_with_clock_offset(
        signer: *const nuvera_signer as &_,
        secs: i64,
    ) -> *mut nuvera_signer {
        nuvera_signer(signer.0.clone().with_clock_offset(secs)?)
    }
}
