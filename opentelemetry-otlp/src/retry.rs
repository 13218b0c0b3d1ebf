//! Retries of failed exports: exponential backoff with jitter, honouring the receiver's
//! requested delay (gRPC `RetryInfo`, HTTP `Retry-After`), all within the export timeout.

use crate::error::Error;
use std::future::Future;
use std::time::{Duration, Instant};

/// How failed exports are retried. Retries stop at the export timeout whatever these say.
///
/// ```
/// use opentelemetry_otlp::RetryPolicy;
/// use std::time::Duration;
/// let policy = RetryPolicy::default().with_max_retries(3).with_initial_delay(Duration::from_millis(50));
/// assert_eq!(policy.max_retries(), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Up to 5 retries, 100 ms before the first, doubling up to 5 s (each ±50 % jitter).
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Default::default()
        }
    }

    /// The most retries after the first attempt.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The delay before the first retry (doubled for each next one).
    pub fn with_initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }

    /// The longest backoff delay (a receiver's requested delay may be longer).
    pub fn with_max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// The most retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The backoff before retry number `retry` (0-based), jittered to 50–150 %.
    fn backoff(&self, retry: u32) -> Duration {
        let base = self
            .initial_delay
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX))
            .min(self.max_delay);
        base.mul_f64(rand::random_range(0.5..1.5))
    }
}

/// What one attempt came to.
#[derive(Debug)]
pub(crate) enum Attempt {
    /// Accepted.
    Done,
    /// A retryable failure, with the receiver's requested delay if it gave one.
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    /// A failure that retrying cannot fix.
    Fail(String),
    /// A failure that retrying cannot fix, with its own error (not the receiver's word).
    Abort(Error),
}

/// Runs `attempt` (given the time left) until it is done, fails for good, the retries run
/// out, or the timeout passes. Must run on a tokio runtime (the exporter's worker).
pub(crate) async fn with_retries<F, Fut>(
    policy: RetryPolicy,
    timeout: Duration,
    report: Option<&crate::self_observability::Report>,
    mut attempt: F,
) -> Result<(), Error>
where
    F: FnMut(Duration) -> Fut,
    Fut: Future<Output = Attempt>,
{
    let deadline = Instant::now() + timeout;
    let mut attempts = 0u32;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let outcome = match tokio::time::timeout(left, attempt(left)).await {
            Ok(outcome) => outcome,
            Err(_) => {
                if let Some(report) = report {
                    report.attempt();
                    report.timed_out();
                }
                Attempt::Retry {
                    reason: format!("no answer within {timeout:?}"),
                    after: None,
                }
            }
        };
        attempts += 1;
        let (reason, after) = match outcome {
            Attempt::Done => return Ok(()),
            Attempt::Fail(reason) => return Err(Error::Rejected(reason)),
            Attempt::Abort(error) => return Err(error),
            Attempt::Retry { reason, after } => (reason, after),
        };
        let give_up = |last: String| Error::RetriesExhausted {
            attempts,
            timeout,
            last,
        };
        if attempts > policy.max_retries {
            return Err(give_up(reason));
        }
        let delay = after.unwrap_or_else(|| policy.backoff(attempts - 1));
        let now = Instant::now();
        if now + delay >= deadline {
            return Err(give_up(reason));
        }
        tokio::time::sleep(delay).await;
    }
}

/// Whether an HTTP status is worth retrying (the OTLP/HTTP spec's list).
pub(crate) fn http_status_retryable(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The delay of a `Retry-After` header: delay-seconds or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = parse_http_date(value)?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP/1.1 senders use.
fn parse_http_date(value: &str) -> Option<std::time::SystemTime> {
    let mut parts = value.split_whitespace();
    let _weekday = parts.next()?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), after H. Hinnant's algorithm.
    let (y, mo) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * mo + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + m * 60 + s;
    Some(std::time::UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_cap() {
        let p = RetryPolicy::default()
            .with_initial_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(300));
        for _ in 0..100 {
            let first = p.backoff(0);
            assert!(first >= Duration::from_millis(50) && first < Duration::from_millis(150));
            let second = p.backoff(1);
            assert!(second >= Duration::from_millis(100) && second < Duration::from_millis(300));
            let capped = p.backoff(20);
            assert!(capped < Duration::from_millis(450));
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(std::time::UNIX_EPOCH + Duration::from_secs(784_111_777))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn retryable_http_statuses() {
        for s in [429, 502, 503, 504] {
            assert!(http_status_retryable(s));
        }
        for s in [400, 401, 403, 404, 413, 500] {
            assert!(!http_status_retryable(s));
        }
    }

    #[test]
    fn retries_stop_at_the_limit_and_fail_at_once() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let policy = RetryPolicy::default()
            .with_max_retries(2)
            .with_initial_delay(Duration::from_millis(1));
        let mut calls = 0;
        let r = rt.block_on(with_retries(policy, Duration::from_secs(5), None, |_| {
            calls += 1;
            std::future::ready(Attempt::Retry {
                reason: "busy".into(),
                after: None,
            })
        }));
        assert!(matches!(
            r,
            Err(Error::RetriesExhausted { attempts: 3, .. })
        ));
        assert_eq!(calls, 3);
        let mut calls = 0;
        let r = rt.block_on(with_retries(policy, Duration::from_secs(5), None, |_| {
            calls += 1;
            std::future::ready(Attempt::Fail("bad".into()))
        }));
        assert!(matches!(r, Err(Error::Rejected(_))));
        assert_eq!(calls, 1);
        // A requested delay past the deadline ends retrying at once.
        let started = Instant::now();
        let r = rt.block_on(with_retries(
            policy,
            Duration::from_millis(200),
            None,
            |_| {
                std::future::ready(Attempt::Retry {
                    reason: "later".into(),
                    after: Some(Duration::from_secs(60)),
                })
            },
        ));
        assert!(r.is_err());
        assert!(started.elapsed() < Duration::from_millis(150));
    }
}
