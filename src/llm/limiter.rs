//! Concurrency and rate limits: an adaptive limit on requests in flight
//! (see [`super::gradient`]), and optional token buckets for requests per
//! minute and tokens per minute.
//!
//! Requests wait for a slot in arrival order. Waiting for a slot or for the
//! buckets happens before a request is sent, so it never counts towards
//! the request's timeout.
//!
//! The buckets work by reservation: a request takes what it needs at once,
//! possibly driving the bucket negative, and waits until the refill would
//! have covered it. Each bucket holds at most ten seconds' worth, so an idle
//! client can burst a little but never a whole minute's budget.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::events::CancelToken;
use super::gradient::{Gradient, Settled, Ticket};
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

/// How a request that held a slot ended, for the adaptive limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// An answer (any status that says nothing about load).
    Answered,
    /// A timeout, 429, 503 or 529: the server is overloaded.
    Overloaded,
    /// Nothing worth learning from (cancelled, connection refused).
    Ignored,
}

/// The concurrency limit and the requests in flight, as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Load {
    pub(crate) limit: usize,
    pub(crate) in_flight: usize,
}

struct Slots {
    gradient: Gradient,
    in_flight: usize,
    /// Requests waiting for a slot, first come first served. A grant
    /// carries the request's ticket (which says whether it is the probe).
    waiting: VecDeque<oneshot::Sender<Ticket>>,
}

impl Slots {
    /// Hands free slots to waiters in order.
    fn grant(&mut self) {
        loop {
            let (cap, probe) = self.gradient.admit(Instant::now(), self.in_flight);
            if self.in_flight >= cap {
                return;
            }
            let Some(tx) = self.waiting.pop_front() else {
                return;
            };
            let ticket = self.gradient.sent(probe);
            if tx.send(ticket).is_ok() {
                self.in_flight += 1;
            } else {
                // The waiter gave up: the request never leaves.
                self.gradient.on_ignored(ticket);
            }
        }
    }

    fn load(&self) -> Load {
        Load {
            limit: self.gradient.limit(),
            in_flight: self.in_flight,
        }
    }
}

/// The limits one client applies to its requests.
pub(crate) struct Limiter {
    slots: Mutex<Slots>,
    requests: Option<Mutex<Bucket>>,
    tokens: Option<Mutex<Bucket>>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Limiter({:?})", self.load())
    }
}

/// A slot held by one request. Give it back with [`Limiter::release`];
/// dropped without that (a cancelled request), it frees the slot and
/// teaches the limit nothing.
pub(crate) struct Permit<'a> {
    limiter: &'a Limiter,
    ticket: Ticket,
    sent: Instant,
    released: bool,
}

impl Permit<'_> {
    /// When the request was let go (after waiting for the slot and the
    /// rate limits): its round trip starts here.
    pub(crate) fn sent(&self) -> Instant {
        self.sent
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.released {
            self.limiter
                .finish(self.ticket, self.sent, Outcome::Ignored);
        }
    }
}

/// A request waiting for a slot. Dropped before the grant was read (the
/// caller gave up, or the `acquire` future itself was dropped), it gives a
/// slot granted meanwhile back, so neither the slot nor its ticket leaks.
struct WaitingSlot<'a> {
    limiter: &'a Limiter,
    rx: Option<oneshot::Receiver<Ticket>>,
}

impl WaitingSlot<'_> {
    async fn granted(&mut self) -> Result<Ticket> {
        let Some(rx) = self.rx.as_mut() else {
            return Err(Error::Cancelled);
        };
        let ticket = rx.await.map_err(|_| Error::Cancelled);
        self.rx = None;
        ticket
    }
}

impl Drop for WaitingSlot<'_> {
    fn drop(&mut self) {
        if let Some(mut rx) = self.rx.take() {
            rx.close();
            if let Ok(ticket) = rx.try_recv() {
                self.limiter
                    .finish(ticket, Instant::now(), Outcome::Ignored);
            }
        }
    }
}

impl Limiter {
    /// `0` for a per-minute limit means none.
    pub(crate) fn new(max_concurrency: usize, rpm: u32, tpm: u32) -> Self {
        let now = Instant::now();
        Limiter {
            slots: Mutex::new(Slots {
                gradient: Gradient::new(max_concurrency),
                in_flight: 0,
                waiting: VecDeque::new(),
            }),
            requests: (rpm > 0).then(|| Mutex::new(Bucket::per_minute(rpm, now))),
            tokens: (tpm > 0).then(|| Mutex::new(Bucket::per_minute(tpm, now))),
        }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Slots> {
        // Every update leaves the state whole, so a poisoned lock is usable.
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The limit and the requests in flight now.
    pub(crate) fn load(&self) -> Load {
        self.slots().load()
    }

    /// Starts again from `start` requests in flight (what an earlier run
    /// against the same server settled at), in slow start.
    pub(crate) fn resume(&self, start: usize) {
        let mut slots = self.slots();
        slots.gradient = slots.gradient.restarted_at(start);
    }

    /// The most allowed in flight (`max_concurrency`).
    pub(crate) fn load_max(&self) -> usize {
        self.slots().gradient.max()
    }

    /// What the limit has learned so far, once a request was answered.
    pub(crate) fn settled(&self) -> Option<Settled> {
        self.slots().gradient.settled()
    }

    /// The recent round trip of this client's requests, once known.
    pub(crate) fn recent_rtt(&self) -> Option<Duration> {
        self.slots().gradient.recent_rtt()
    }

    /// Waits for a slot and for the rate limits to allow a request of
    /// `est_tokens`. The slot is held until the permit is released.
    pub(crate) async fn acquire(
        &self,
        est_tokens: u64,
        cancel: &CancelToken,
    ) -> Result<Permit<'_>> {
        let mut wait_slot = {
            let mut slots = self.slots();
            let (tx, rx) = oneshot::channel();
            slots.waiting.push_back(tx);
            slots.grant();
            WaitingSlot {
                limiter: self,
                rx: Some(rx),
            }
        };
        let ticket = tokio::select! {
            granted = wait_slot.granted() => granted?,
            // Dropping `wait_slot` hands back a slot granted meanwhile.
            _ = cancel.cancelled() => return Err(Error::Cancelled),
        };
        let mut permit = Permit {
            limiter: self,
            ticket,
            sent: Instant::now(),
            released: false,
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
        permit.sent = Instant::now();
        Ok(permit)
    }

    /// Gives the slot back and teaches the limit how the request went.
    pub(crate) fn release(&self, mut permit: Permit<'_>, outcome: Outcome) -> Load {
        permit.released = true;
        self.finish(permit.ticket, permit.sent, outcome)
    }

    fn finish(&self, ticket: Ticket, sent: Instant, outcome: Outcome) -> Load {
        let now = Instant::now();
        let mut slots = self.slots();
        let in_flight = slots.in_flight;
        match outcome {
            Outcome::Answered => {
                slots.gradient.on_sample(
                    now,
                    now.saturating_duration_since(sent),
                    in_flight,
                    ticket,
                );
            }
            Outcome::Overloaded => {
                slots.gradient.on_drop(now, ticket);
            }
            Outcome::Ignored => slots.gradient.on_ignored(ticket),
        }
        slots.in_flight = in_flight.saturating_sub(1);
        slots.grant();
        slots.load()
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
        // The slot came back: a new run can go on.
        let fresh = CancelToken::new();
        let p = limiter.acquire(1, &fresh).await.unwrap();
        assert_eq!(
            limiter.load(),
            Load {
                limit: 1,
                in_flight: 1
            }
        );
        limiter.release(p, Outcome::Answered);
        assert_eq!(limiter.load().in_flight, 0);
    }

    #[tokio::test]
    async fn overload_halves_the_slots_and_waiters_go_in_order() {
        let limiter = Limiter::new(4, 0, 0);
        let cancel = CancelToken::new();
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(limiter.acquire(1, &cancel).await.unwrap());
        }
        assert_eq!(
            limiter.load(),
            Load {
                limit: 4,
                in_flight: 4
            }
        );
        let order = std::sync::Arc::new(Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        for i in 0..3 {
            let (l, c, o) = (&limiter, cancel.clone(), order.clone());
            waiters.push(async move {
                let p = l.acquire(1, &c).await.unwrap();
                o.lock().unwrap().push(i);
                l.release(p, Outcome::Answered);
            });
        }
        let first = held.remove(0);
        let load = limiter.release(first, Outcome::Overloaded);
        // Halved to 2 with 3 still out: nobody else may start yet.
        assert_eq!(
            load,
            Load {
                limit: 2,
                in_flight: 3
            }
        );
        let releases = async {
            tokio::task::yield_now().await;
            for p in held.drain(..) {
                limiter.release(p, Outcome::Ignored);
                tokio::task::yield_now().await;
            }
        };
        tokio::join!(futures_util::future::join_all(waiters), releases);
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
        assert_eq!(limiter.load().in_flight, 0);
    }

    #[tokio::test]
    async fn a_dropped_acquire_gives_a_granted_slot_back() {
        use futures_util::FutureExt;
        let limiter = Limiter::new(1, 0, 0);
        let cancel = CancelToken::new();
        let held = limiter.acquire(1, &cancel).await.unwrap();
        let mut waiter = Box::pin(limiter.acquire(1, &cancel));
        // Polled once: it queues for the only slot.
        assert!(waiter.as_mut().now_or_never().is_none());
        // The slot is granted to the waiter, which never reads the grant.
        limiter.release(held, Outcome::Answered);
        assert_eq!(limiter.load().in_flight, 1);
        drop(waiter);
        assert_eq!(limiter.load().in_flight, 0, "the granted slot leaked");
        let again = limiter.acquire(1, &cancel).now_or_never();
        assert!(again.is_some(), "the freed slot is usable at once");
    }
}
