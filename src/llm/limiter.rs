//! Concurrency and rate limits: a semaphore for requests in flight, and
//! optional token buckets for requests per minute and tokens per minute.
//!
//! The buckets work by reservation: a request takes what it needs at once,
//! possibly driving the bucket negative, and waits until the refill would
//! have covered it. Each bucket holds at most ten seconds' worth, so an idle
//! client can burst a little but never a whole minute's budget.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

use super::events::CancelToken;
use crate::error::{Error, Result};

/// A token bucket refilled continuously at `per_sec`.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// A bucket for `per_minute` units a minute, starting full.
    pub(crate) fn per_minute(per_minute: u32, now: Instant) -> Self {
        let per_sec = f64::from(per_minute) / 60.0;
        let capacity = (per_sec * 10.0).max(1.0);
        Bucket {
            capacity,
            per_sec,
            tokens: capacity,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
        self.last = now;
    }

    /// Takes `n` units and returns how long to wait before using them.
    pub(crate) fn reserve(&mut self, now: Instant, n: f64) -> Duration {
        self.refill(now);
        self.tokens -= n;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.per_sec)
        }
    }

    /// Gives back (`delta` < 0) or takes more (`delta` > 0) after the fact.
    pub(crate) fn adjust(&mut self, now: Instant, delta: f64) {
        self.refill(now);
        self.tokens = (self.tokens - delta).min(self.capacity);
    }
}

/// The limits one client applies to its requests.
#[derive(Debug)]
pub(crate) struct Limiter {
    in_flight: Semaphore,
    requests: Option<Mutex<Bucket>>,
    tokens: Option<Mutex<Bucket>>,
}

impl Limiter {
    /// `0` for a per-minute limit means none.
    pub(crate) fn new(max_concurrency: usize, rpm: u32, tpm: u32) -> Self {
        let now = Instant::now();
        Limiter {
            in_flight: Semaphore::new(max_concurrency.max(1)),
            requests: (rpm > 0).then(|| Mutex::new(Bucket::per_minute(rpm, now))),
            tokens: (tpm > 0).then(|| Mutex::new(Bucket::per_minute(tpm, now))),
        }
    }

    /// Waits for a slot and for the rate limits to allow a request of
    /// `est_tokens`. The slot is held until the permit is dropped.
    pub(crate) async fn acquire(
        &self,
        est_tokens: u64,
        cancel: &CancelToken,
    ) -> Result<SemaphorePermit<'_>> {
        let permit = tokio::select! {
            p = self.in_flight.acquire() => p.map_err(|_| Error::Cancelled)?,
            _ = cancel.cancelled() => return Err(Error::Cancelled),
        };
        let now = Instant::now();
        let mut wait = Duration::ZERO;
        if let Some(b) = &self.requests {
            wait = wait.max(lock(b).reserve(now, 1.0));
        }
        if let Some(b) = &self.tokens {
            wait = wait.max(lock(b).reserve(now, est_tokens as f64));
        }
        if !wait.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = cancel.cancelled() => return Err(Error::Cancelled),
            }
        }
        Ok(permit)
    }

    /// Corrects the token bucket once the real usage is known.
    pub(crate) fn settle(&self, estimated: u64, actual: u64) {
        if let Some(b) = &self.tokens {
            lock(b).adjust(Instant::now(), actual as f64 - estimated as f64);
        }
    }
}

fn lock(b: &Mutex<Bucket>) -> std::sync::MutexGuard<'_, Bucket> {
    // A panic while holding this lock cannot leave the bucket inconsistent.
    b.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_paces() {
        let t0 = Instant::now();
        // 60 a minute: one a second, burst of 10.
        let mut b = Bucket::per_minute(60, t0);
        for _ in 0..10 {
            assert_eq!(b.reserve(t0, 1.0), Duration::ZERO);
        }
        assert_eq!(b.reserve(t0, 1.0), Duration::from_secs(1));
        assert_eq!(b.reserve(t0, 1.0), Duration::from_secs(2));
        // Three seconds later the debt of two is paid and one is spare.
        let t3 = t0 + Duration::from_secs(3);
        assert_eq!(b.reserve(t3, 1.0), Duration::ZERO);
        assert_eq!(b.reserve(t3, 1.0), Duration::from_secs(1));
    }

    #[test]
    fn adjust_corrects_estimates() {
        let t0 = Instant::now();
        // 600 tokens a minute: 10 a second, capacity 100.
        let mut b = Bucket::per_minute(600, t0);
        assert_eq!(b.reserve(t0, 100.0), Duration::ZERO);
        // The call really used 150 tokens: 50 more owed, 5 seconds.
        b.adjust(t0, 50.0);
        assert_eq!(b.reserve(t0, 0.0), Duration::from_secs(5));
        // Refunds never exceed capacity.
        b.adjust(t0, -1000.0);
        assert_eq!(b.reserve(t0, 100.0), Duration::ZERO);
    }

    #[tokio::test]
    async fn acquire_respects_cancel() {
        let limiter = Limiter::new(1, 0, 0);
        let cancel = CancelToken::new();
        let held = limiter.acquire(1, &cancel).await.unwrap();
        cancel.cancel();
        assert!(matches!(
            limiter.acquire(1, &cancel).await,
            Err(Error::Cancelled)
        ));
        drop(held);
    }
}
