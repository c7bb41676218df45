//! The signer's clock offset (contract §8, clock correction): learnt from a server's `Date`,
//! shared by every clone of a signer and every thread using it.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, ErrorCode, Result};

/// Largest clock offset, in seconds, that a signer accepts (24 h): beyond it the local clock is
/// broken, and that is reported (`CLOCK_SKEW_TOO_LARGE`), not papered over.
pub const MAX_CLOCK_OFFSET_SECS: i64 = 24 * 60 * 60;

/// Seconds to add to the local clock to get the server's: `iat = now + offset`.
///
/// A handle: clones share one value (an `Arc<AtomicI64>`), so a correction learnt by one request
/// is used by every later request of the same signer, on any thread. It is read by anyone and
/// changed only by the client policy's clock-correction decision (or set once when a signer is
/// built with a known offset).
#[derive(Clone, Default)]
pub struct ClockOffset(Arc<AtomicI64>);

impl ClockOffset {
    /// A new, unshared offset of zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// An offset of `secs`, checked against [`MAX_CLOCK_OFFSET_SECS`].
    pub fn with_secs(secs: i64) -> Result<Self> {
        check_offset(secs)?;
        Ok(ClockOffset(Arc::new(AtomicI64::new(secs))))
    }

    /// The current offset in seconds.
    pub fn secs(&self) -> i64 {
        // Relaxed: the value is a single independent number, no other memory is published with it.
        self.0.load(Ordering::Relaxed)
    }

    pub(crate) fn store(&self, secs: i64) {
        self.0.store(secs, Ordering::Relaxed);
    }

    /// True when both handles share one value (clones of one signer's offset).
    pub fn is_shared_with(&self, other: &ClockOffset) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for ClockOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClockOffset({} s)", self.secs())
    }
}

/// `CLOCK_SKEW_TOO_LARGE` for an offset over 24 h in magnitude.
pub fn check_offset(secs: i64) -> Result<()> {
    if secs.unsigned_abs() > MAX_CLOCK_OFFSET_SECS.unsigned_abs() {
        return Err(Error::new(
            ErrorCode::ClockSkewTooLarge,
            format!(
                "the clock differs from the server's by {secs} s, more than 24 h: fix this machine's clock (NTP)"
            ),
        ));
    }
    Ok(())
}

/// The offset a response's `Date` teaches: `Date − (sent + received) / 2`, in whole seconds.
///
/// `sent_at_ms` and `received_at_ms` are the local (uncorrected) Unix times in milliseconds at
/// which the request was sent and the response received. The midpoint estimates the moment the
/// server wrote `Date`; the difference is rounded to the nearest second, halves away from zero
/// (`Date` itself has one-second resolution, so finer precision would be noise).
pub fn offset_from_date(date: &str, sent_at_ms: i64, received_at_ms: i64) -> Result<i64> {
    let date_ms = parse_http_date_ms(date).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("the Date header {date:?} is not an HTTP-date"),
        )
    })?;
    let midpoint_ms = (i128::from(sent_at_ms) + i128::from(received_at_ms)).div_euclid(2);
    let diff_ms = i128::from(date_ms) - midpoint_ms;
    let rounded = (diff_ms.abs() + 500) / 1000 * diff_ms.signum();
    let secs = i64::try_from(rounded).unwrap_or(i64::MAX);
    check_offset(secs)?;
    Ok(secs)
}

/// An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms) as
/// Unix milliseconds; `None` when it does not parse. Parsed by the `httpdate` crate.
pub fn parse_http_date_ms(text: &str) -> Option<i64> {
    let time = httpdate::parse_http_date(text.trim()).ok()?;
    let ms = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).ok()?,
        Err(before) => -i64::try_from(before.duration().as_millis()).ok()?,
    };
    Some(ms)
}

/// Formats Unix seconds as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), for servers.
pub fn format_http_date(unix_secs: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + std::time::Duration::from_secs(unix_secs))
}

/// The local clock now, in Unix milliseconds (for integrations timing an exchange).
pub fn now_unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_to_the_nearest_second_halves_away_from_zero() {
        // Sun, 06 Nov 1994 08:49:37 GMT = 784111777.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let at = |ms: i64| offset_from_date(date, ms, ms).unwrap();
        assert_eq!(at(784_111_777_000), 0);
        assert_eq!(at(784_111_776_500), 1);
        assert_eq!(at(784_111_776_501), 0);
        assert_eq!(at(784_111_777_500), -1);
        assert_eq!(at(784_111_777_499), 0);
        assert_eq!(at(784_111_177_000), 600);
        assert_eq!(
            offset_from_date(
                date,
                784_111_777_000 - 86_401_000,
                784_111_777_000 - 86_401_000
            )
            .unwrap_err()
            .code(),
            ErrorCode::ClockSkewTooLarge
        );
        assert_eq!(
            offset_from_date("yesterday", 0, 0).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn clones_share_one_offset() {
        let a = ClockOffset::new();
        let b = a.clone();
        a.store(-600);
        assert_eq!(b.secs(), -600);
        assert!(a.is_shared_with(&b));
        assert!(!a.is_shared_with(&ClockOffset::new()));
        assert_eq!(
            ClockOffset::with_secs(86_401).unwrap_err().code(),
            ErrorCode::ClockSkewTooLarge
        );
        assert_eq!(ClockOffset::with_secs(-86_400).unwrap().secs(), -86_400);
        assert_eq!(
            format_http_date(784_111_777),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }
}
