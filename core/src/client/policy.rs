//! The shape and defaults of the client policy (contract §8): redirects, retries, clock
//! correction. Plain data, so every binding builds it from its own types in a few lines.

use serde::Serialize;

use crate::error::{Error, ErrorCode, Result};
use crate::method::normalize_method;

/// Redirect hops an exchange follows; the next redirect is `TOO_MANY_REDIRECTS`.
pub const DEFAULT_MAX_REDIRECTS: u32 = 10;
/// Statuses retried by default.
pub const DEFAULT_RETRY_STATUSES: [u16; 4] = [429, 502, 503, 504];
/// Methods retried by default: the idempotent ones of RFC 9110 §9.2.2. POST and PATCH only
/// when the caller adds them.
pub const DEFAULT_RETRY_METHODS: [&str; 6] = ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"];
/// Sends of one request at most, the first included (so two retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Backoff base: the n-th retry (from 0) waits a random fraction of `base · 2ⁿ`, capped.
pub const DEFAULT_BASE_DELAY_MS: u64 = 200;
/// Longest wait before a retry, for backoff and `Retry-After` alike.
pub const DEFAULT_MAX_DELAY_MS: u64 = 10_000;

/// Opt-in retries: which responses are retried, how often, and how long to wait. Serialized
/// with camelCase names (`maxAttempts`), as bindings show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    /// Response statuses that are retried (default 429, 502, 503, 504).
    pub statuses: Vec<u16>,
    /// Upper-case methods that are retried (default the idempotent ones; add `POST` to retry it).
    pub methods: Vec<String>,
    /// Sends of one request at most, the first included (default 3). Redirect hops and the
    /// re-send after a clock correction are not attempts.
    pub max_attempts: u32,
    /// Backoff base in milliseconds (default 200).
    pub base_delay_ms: u64,
    /// Cap of every wait in milliseconds, `Retry-After` included (default 10 000).
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            statuses: DEFAULT_RETRY_STATUSES.to_vec(),
            methods: DEFAULT_RETRY_METHODS.map(str::to_owned).to_vec(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay_ms: DEFAULT_BASE_DELAY_MS,
            max_delay_ms: DEFAULT_MAX_DELAY_MS,
        }
    }
}

impl RetryPolicy {
    /// A retry policy from what a binding's caller gave: `None` takes the default. Methods are
    /// checked and upper-cased; `max_attempts` must be at least 1 and the base at most the cap
    /// (`INVALID_ARGUMENT` otherwise).
    pub fn from_optional(
        statuses: Option<Vec<u16>>,
        methods: Option<Vec<String>>,
        max_attempts: Option<u32>,
        base_delay_ms: Option<u64>,
        max_delay_ms: Option<u64>,
    ) -> Result<Self> {
        let defaults = RetryPolicy::default();
        let methods = match methods {
            None => defaults.methods,
            Some(list) => list
                .iter()
                .map(|m| normalize_method(m))
                .collect::<Result<Vec<_>>>()?,
        };
        let policy = RetryPolicy {
            statuses: statuses.unwrap_or(defaults.statuses),
            methods,
            max_attempts: max_attempts.unwrap_or(defaults.max_attempts),
            base_delay_ms: base_delay_ms.unwrap_or(defaults.base_delay_ms),
            max_delay_ms: max_delay_ms.unwrap_or(defaults.max_delay_ms),
        };
        policy.validate()?;
        Ok(policy)
    }

    /// The defaults, with POST retried too (for APIs whose POSTs are idempotent, e.g. with an
    /// idempotency key).
    pub fn including_post() -> Self {
        let mut policy = RetryPolicy::default();
        policy.methods.push("POST".to_owned());
        policy
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.max_attempts == 0 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "max_attempts is 0: it counts the first send, so it is at least 1",
            ));
        }
        if self.base_delay_ms > self.max_delay_ms {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "the backoff base ({} ms) is over its cap ({} ms)",
                    self.base_delay_ms, self.max_delay_ms
                ),
            ));
        }
        Ok(())
    }

    pub(crate) fn retries(&self, method: &str, status: u16) -> bool {
        self.statuses.contains(&status) && self.methods.iter().any(|m| m == method)
    }
}

/// What an HTTP-client integration does between sending a request and handing the caller its
/// response (contract §8). Serialized with camelCase names (`maxRedirects`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientPolicy {
    /// Redirect hops followed (default 10); the next is `TOO_MANY_REDIRECTS`. 0 follows none.
    pub max_redirects: u32,
    /// Retries, off unless given.
    pub retry: Option<RetryPolicy>,
    /// Learn the clock offset from `Date` on `AUTH_TOKEN_EXPIRED`/`AUTH_TOKEN_NOT_YET_VALID` and
    /// re-send once (default on).
    pub correct_clock: bool,
}

impl Default for ClientPolicy {
    fn default() -> Self {
        ClientPolicy {
            max_redirects: DEFAULT_MAX_REDIRECTS,
            retry: None,
            correct_clock: true,
        }
    }
}

impl ClientPolicy {
    /// A policy from what a binding's caller gave: `None` takes the default (10 redirects, clock
    /// correction on); retries stay off unless given.
    pub fn from_optional(
        max_redirects: Option<u32>,
        retry: Option<RetryPolicy>,
        correct_clock: Option<bool>,
    ) -> Self {
        let defaults = ClientPolicy::default();
        ClientPolicy {
            max_redirects: max_redirects.unwrap_or(defaults.max_redirects),
            retry,
            correct_clock: correct_clock.unwrap_or(defaults.correct_clock),
        }
    }

    /// The defaults with retries on, with their defaults.
    pub fn with_retries() -> Self {
        ClientPolicy {
            retry: Some(RetryPolicy::default()),
            ..ClientPolicy::default()
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        match &self.retry {
            Some(retry) => retry.validate(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_policy_from_nothing_is_the_default() {
        assert_eq!(
            ClientPolicy::from_optional(None, None, None),
            ClientPolicy::default()
        );
        let given = ClientPolicy::from_optional(Some(0), Some(RetryPolicy::default()), Some(false));
        assert_eq!(
            (given.max_redirects, given.retry, given.correct_clock),
            (0, Some(RetryPolicy::default()), false)
        );
    }
}
