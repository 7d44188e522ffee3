//! When to retry and how long to wait: exponential backoff with seeded
//! jitter, and the server's `Retry-After` when it sends one.

use std::sync::Mutex;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::header::HeaderMap;

/// The longest `Retry-After` honoured; longer waits are cut to this.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Exponential backoff: attempt n waits `base * 2^(n-1)`, capped at `max`,
/// scaled by a jitter factor in [0.5, 1.0).
#[derive(Debug)]
pub(crate) struct Backoff {
    base: Duration,
    max: Duration,
    rng: Mutex<ChaCha8Rng>,
}

impl Backoff {
    pub(crate) fn new(base: Duration, max: Duration, seed: u64) -> Self {
        Backoff {
            base,
            max,
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
        }
    }

    /// The wait before retry number `attempt` (1-based).
    pub(crate) fn delay(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let raw = self.base.saturating_mul(1u32 << exp).min(self.max);
        let jitter: f64 = {
            let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
            rng.random_range(0.5..1.0)
        };
        raw.mul_f64(jitter)
    }
}

/// Statuses worth another try: timeouts, conflicts, rate limits and server
/// errors (including Anthropic's 529 "overloaded").
pub(crate) fn is_retryable_status(code: u16) -> bool {
    matches!(code, 408 | 409 | 425 | 429) || (500..=599).contains(&code)
}

/// The wait a server asks for: `retry-after-ms` (OpenAI), else
/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0).min(MAX_RETRY_AFTER));
    }
    parse_retry_after(text("retry-after")?, chrono::Utc::now())
}

/// Parses a `Retry-After` value relative to `now`.
pub(crate) fn parse_retry_after(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs).min(MAX_RETRY_AFTER));
        }
        return None;
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO).min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_caps_and_is_seeded() {
        let a = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 7);
        let b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 7);
        let da: Vec<_> = (1..=6).map(|n| a.delay(n)).collect();
        let db: Vec<_> = (1..=6).map(|n| b.delay(n)).collect();
        assert_eq!(da, db);
        assert!(da[0] >= Duration::from_millis(50) && da[0] < Duration::from_millis(100));
        assert!(da[2] >= Duration::from_millis(200) && da[2] < Duration::from_millis(400));
        assert!(da[5] >= Duration::from_millis(500) && da[5] < Duration::from_secs(1));
    }

    #[test]
    fn retry_after_forms() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("99999", now), Some(MAX_RETRY_AFTER));

        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
    }

    #[test]
    fn retryable_statuses() {
        for code in [408, 429, 500, 502, 503, 529] {
            assert!(is_retryable_status(code), "{code}");
        }
        for code in [400, 401, 403, 404, 422] {
            assert!(!is_retryable_status(code), "{code}");
        }
    }
}
