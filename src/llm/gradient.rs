//! How many requests a client keeps in flight: a gradient limiter with a
//! slow start.
//!
//! # Why a gradient limiter and not AIMD
//!
//! AIMD (add one per good round trip, halve on a drop) only hears about
//! trouble when something fails: a 429, a 503 or a timeout. A local server
//! with one slot (llama.cpp, Ollama on a laptop) never says no; it queues.
//! With 32 requests in flight every request waits behind 31 others, so
//! latency climbs 32-fold long before anything fails, and the first failure
//! is a timeout, after which the server has already done the work once.
//! The signal that arrives in time is latency, so the limit follows it, as
//! in Netflix's concurrency-limits `Gradient2`:
//!
//! ```text
//! gradient  = clamp(2 × baseline / recent, 0.5, 1.0)
//! queue     = 1 if recent ≤ 1.5 × baseline, else 0
//! new_limit = limit × gradient + queue
//! limit     = 0.8 × limit + 0.2 × new_limit        (smoothed)
//! ```
//!
//! `recent` is a fast moving average of round trips. `baseline` estimates
//! a round trip without a queue: it follows falling round trips quickly and
//! rising ones slowly (a round trip far above it counts as only twice it).
//! A server that answers as fast at 50 in flight as at 1 keeps the gradient
//! at 1 and the limit at `max_concurrency`; the tolerance of 2 keeps LLM
//! answers whose length (and so latency) varies severalfold from reading
//! as a queue.
//!
//! # Where a single slot settles
//!
//! With `L` in flight at a single slot serving in `s`, every round trip is
//! `L × s` and the baseline is `s`, so the gradient is `2 / L`. Gradient2
//! always adds its queue of one, so `L = (2 / L) × L + 1 = 3`: one served,
//! two waiting. Here the queue is added only while round trips stay within
//! 1.5 baselines, so above two in flight `new_limit = 2`, at one the limit
//! grows, and at two (`recent = 2 × baseline`: gradient 1, no queue) it
//! holds: the slot is busy with one request and one waits (the simulation
//! in `gradient_sim.rs`: a mean of 2.0 in flight, now and then 3 while the
//! baseline drifts up between probes). A server with `k` slots settles at
//! 1.5–2.5 × `k`.
//!
//! # Slow start
//!
//! A limit reacts to answers, so whatever is sent before the first answer
//! cannot be pulled back: starting at 32 against one slot queued 32
//! requests, and the last would wait 32 service times. So a client that
//! knows nothing about a server starts at [`INITIAL_WINDOW`] and, as TCP
//! does, adds one per answer (doubling each round trip) while round trips
//! stay within 1.5 baselines, up to `max_concurrency`; the first sign of a
//! queue or a drop ends the slow start and the rule above takes over. A
//! fast server reaches 50 in four round trips (4, 8, 16, 32, 50). What a
//! run settled at (limit and baseline) is remembered per server and model
//! (`capabilities.json`, see [`super::capability`]), and the next run
//! slow-starts from that limit.
//!
//! Round trips alone see a queue late when the first answer was slow (a
//! cold prompt cache): the baseline is that first answer, and queued
//! requests stay under 1.5 of it until the queue is as long as the cold
//! start (13 out against a real one-slot server, 29 in the simulation with
//! a first answer nine service times long). So slow start also watches how
//! answers arrive. A slot serving one request at a time answers in send
//! order, each answer a service time after the one before; a server with
//! room to spare answers a burst together, or out of order when answer
//! lengths vary. An answer counts as *serial* when it is to the oldest
//! request out and came a clear gap (at least 5% of its round trip) after
//! an answer that arrived while it was out. A serial answer does not grow
//! the window, and four in a row end slow start, whatever the round trips
//! say: a single slot then sees five out (six with uneven answers), cold
//! start or not.
//! Random answer order rarely gives four in a row, and only holding (not
//! ending) on one keeps a jittery fast server's ramp about where it was.
//! Delivery-rate plateaus (BBR) and per-round minimum round trips (HyStart)
//! were weighed and not used: both need the answers of a second window,
//! by which time eight or more are out, and with a cold first answer the
//! later round trips fall, so a rising minimum never shows.
//!
//! # Probes
//!
//! A baseline that only ever sees queued round trips drifts up with them.
//! So, as BBR does, the limiter probes: every `max(50 × baseline, 5 s)` it
//! lets the requests in flight drain, sends one alone, and moves the
//! baseline halfway to that round trip. On a one-slot server the slot
//! stays busy while the queue drains. At the maximum with no queue in
//! sight a probe could not change anything, so none is sent: a fast server
//! never drains its window.
//!
//! The first round trip sets the baseline, and a first answer can be
//! slow for reasons later ones are not (llama.cpp evaluates the shared
//! system prompt once and then reuses its cache): against a real one-slot
//! server the baseline came out at about twice the service time, slow start
//! ran on to 9 in flight and the limit settled near 5. So when slow start
//! ends on a queue or on serial answers, the first probe is due at once,
//! and the baseline becomes the faster of that probe and the first answer.
//!
//! Hard signals still count, as in AIMD: a timeout, 429, 503 or 529 halves
//! the limit, at most once per baseline round trip (a burst of rejections
//! from one overload is one event). The limit never grows while fewer than
//! half the permits are in use: an idle client learns nothing about the
//! server.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The window a client starts with at a server it knows nothing about.
pub(crate) const INITIAL_WINDOW: usize = 4;
/// Weight of a new round trip in the recent average.
const RECENT_ALPHA: f64 = 0.25;
/// Weights of a new round trip in the baseline when below / above it.
const BASELINE_DOWN: f64 = 0.02;
const BASELINE_UP: f64 = 0.002;
/// How much slower than the baseline the recent round trips may be before
/// they count as queueing.
const TOLERANCE: f64 = 2.0;
/// How much slower than the baseline the recent round trips may be while
/// the limit still grows (by one request of queue, or in slow start).
const GROWTH_TOLERANCE: f64 = 1.5;
/// Weight of the new limit in the smoothed limit.
const SMOOTHING: f64 = 0.2;
/// The smallest gradient: a limit shrinks by at most half per update.
const MIN_GRADIENT: f64 = 0.5;
/// What a drop multiplies the limit by.
const DROP_FACTOR: f64 = 0.5;
/// A probe every this many baseline round trips, and at most this often.
const PROBE_EVERY_RTTS: f64 = 50.0;
const PROBE_MIN_INTERVAL: Duration = Duration::from_secs(5);
/// Answers in a row that look served one at a time (see `serial`) that
/// end slow start.
const SERIAL_ANSWERS: u32 = 4;
/// The least gap to the previous answer, as a share of the round trip,
/// for an answer to count as served after it rather than beside it.
const SERIAL_GAP: f64 = 0.05;

/// One request let go, for telling the limiter how it ended: which it
/// was in send order, and whether it was the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ticket {
    seq: u64,
    probe: bool,
}

/// What a client learned about a server, to start the next run from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Settled {
    /// The limit, in requests in flight.
    pub(crate) limit: usize,
    /// The round trip without a queue.
    pub(crate) baseline: Duration,
}

/// The adaptive limit of one client.
#[derive(Debug, Clone)]
pub(crate) struct Gradient {
    max: f64,
    limit: f64,
    /// Growing by one per answer (doubling per round trip) until the
    /// first sign of a queue, a drop or answers served one at a time.
    slow_start: bool,
    recent: Option<f64>,
    baseline: Option<f64>,
    last_drop: Option<Instant>,
    /// When the next probe is due (set by the first round trip).
    probe_at: Option<Instant>,
    probe_in_flight: bool,
    /// No probe has come back yet: the baseline is still the first round
    /// trip, which may carry a cold start (an uncached prompt, a model
    /// being loaded) that later round trips never show.
    unprobed: bool,
    /// The tickets of the requests out, oldest first, and the next one.
    out: BTreeSet<u64>,
    next_seq: u64,
    /// When the last answer came.
    last_answer: Option<Instant>,
    /// Answers in a row that came in send order, each a clear gap after
    /// the one before while it waited: how one slot serves a queue.
    serial: u32,
}

impl Gradient {
    /// A server it knows nothing about: slow start from a small window.
    pub(crate) fn new(max: usize) -> Self {
        Self::starting_at(max, INITIAL_WINDOW)
    }

    /// Slow start from `start` requests in flight (what an earlier run
    /// settled at), within `max`.
    pub(crate) fn starting_at(max: usize, start: usize) -> Self {
        let max = max.max(1) as f64;
        Gradient {
            max,
            limit: (start.max(1) as f64).min(max),
            slow_start: true,
            recent: None,
            baseline: None,
            last_drop: None,
            probe_at: None,
            probe_in_flight: false,
            unprobed: true,
            out: BTreeSet::new(),
            next_seq: 0,
            last_answer: None,
            serial: 0,
        }
    }

    /// Slow start again from `start`, keeping track of the requests still
    /// out (their tickets stay valid).
    pub(crate) fn restarted_at(&self, start: usize) -> Self {
        let mut fresh = Self::starting_at(self.max(), start);
        fresh.out = self.out.clone();
        fresh.next_seq = self.next_seq;
        fresh.probe_in_flight = self.probe_in_flight;
        fresh
    }

    /// The most allowed in flight (`max_concurrency`).
    pub(crate) fn max(&self) -> usize {
        self.max as usize
    }

    /// The whole number of requests allowed in flight.
    pub(crate) fn limit(&self) -> usize {
        (self.limit.floor() as usize).max(1)
    }

    /// The limit and baseline round trip, once there is a round trip.
    pub(crate) fn settled(&self) -> Option<Settled> {
        self.baseline.map(|b| Settled {
            limit: self.limit(),
            baseline: Duration::from_secs_f64(b),
        })
    }

    /// How many may be in flight now: the limit, or during a probe none
    /// until the others have drained and then the probe alone. The second
    /// value is true when the next request admitted is the probe.
    pub(crate) fn admit(&mut self, now: Instant, in_flight: usize) -> (usize, bool) {
        let mut due = self.probe_at.is_some_and(|at| now >= at);
        if self.probe_in_flight {
            return (0, false);
        }
        if due && self.limit >= self.max && !self.queueing() {
            // At the maximum with no queue in sight a probe could not
            // change the limit: skip it rather than drain the window.
            self.probe_at = Some(now + self.probe_interval());
            due = false;
        }
        if due && self.max > 1.0 {
            return (usize::from(in_flight == 0), in_flight == 0);
        }
        (self.limit(), false)
    }

    /// A request let go (the probe when `admit` said so): its ticket, to
    /// hand back with how it ended.
    pub(crate) fn sent(&mut self, probe: bool) -> Ticket {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.out.insert(seq);
        if probe {
            self.probe_in_flight = true;
        }
        Ticket { seq, probe }
    }

    /// Forgets a request that ended; true when it was the oldest out.
    fn ended(&mut self, ticket: Ticket) -> bool {
        if ticket.probe {
            self.probe_in_flight = false;
        }
        let oldest = self.out.first() == Some(&ticket.seq);
        self.out.remove(&ticket.seq);
        oldest
    }

    /// The recent round trip (the fast average), once there is one.
    pub(crate) fn recent_rtt(&self) -> Option<Duration> {
        self.recent.map(Duration::from_secs_f64)
    }

    /// A request answered after `rtt` while `in_flight` requests (itself
    /// included) were out.
    pub(crate) fn on_sample(
        &mut self,
        now: Instant,
        rtt: Duration,
        in_flight: usize,
        ticket: Ticket,
    ) {
        let probe = ticket.probe;
        let oldest = self.ended(ticket);
        // Served after the previous answer rather than beside it: that
        // answer came while this request was out, a clear gap ago, and no
        // younger request overtook it.
        let serial = self.last_answer.is_some_and(|last| {
            let gap = now.saturating_duration_since(last);
            oldest && gap < rtt && gap.as_secs_f64() >= SERIAL_GAP * rtt.as_secs_f64()
        });
        self.last_answer = Some(now);
        self.serial = if serial { self.serial + 1 } else { 0 };
        let r = rtt.as_secs_f64().max(1e-4);
        let recent = ewma(self.recent, r, RECENT_ALPHA);
        let mut baseline = match self.baseline {
            None => r,
            Some(b) if r < b => b + (r - b) * BASELINE_DOWN,
            Some(b) => b + (r.min(2.0 * b) - b) * BASELINE_UP,
        };
        if probe {
            // The first probe is the first round trip measured alone after
            // a warm-up: the baseline becomes the faster of it and the first
            // answer. Later probes move it halfway, so one short answer
            // cannot pull it far.
            baseline = if self.unprobed {
                baseline.min(r)
            } else {
                (baseline + r) / 2.0
            };
            self.unprobed = false;
        }
        self.recent = Some(recent);
        self.baseline = Some(baseline);
        if probe || self.probe_at.is_none() {
            self.probe_at = Some(now + self.probe_interval());
        }
        let queueing = self.queueing();
        let busy = (in_flight as f64) >= self.limit / 2.0;
        let one_at_a_time = self.serial >= SERIAL_ANSWERS;
        if self.slow_start && !queueing && !one_at_a_time {
            if busy && !serial {
                self.limit = (self.limit + 1.0).min(self.max);
            }
            return;
        }
        if self.slow_start && self.unprobed {
            // Slow start ended on a queue or on serial answers: measure a
            // round trip alone now rather than in 50 round trips, since the
            // baseline the limit is judged by may be a cold first answer.
            self.probe_at = Some(now);
        }
        self.slow_start = false;
        let gradient = (TOLERANCE * baseline / recent).clamp(MIN_GRADIENT, 1.0);
        // One request of queue while round trips stay within the tolerance;
        // none once they do, so a single slot settles at `TOLERANCE` out.
        let queue = if queueing { 0.0 } else { 1.0 };
        let mut next = self.limit * gradient + queue;
        if next > self.limit && !busy {
            next = self.limit;
        }
        self.limit = (self.limit * (1.0 - SMOOTHING) + next * SMOOTHING).clamp(1.0, self.max);
    }

    /// True when the recent round trips are too slow for the limit to grow.
    fn queueing(&self) -> bool {
        match (self.recent, self.baseline) {
            (Some(r), Some(b)) => r > GROWTH_TOLERANCE * b,
            _ => false,
        }
    }

    fn probe_interval(&self) -> Duration {
        let every = Duration::from_secs_f64(self.baseline.unwrap_or(0.0) * PROBE_EVERY_RTTS);
        every.max(PROBE_MIN_INTERVAL)
    }

    /// A request that ended without a round trip worth measuring (an
    /// error, a cancellation): only frees its place.
    pub(crate) fn on_ignored(&mut self, ticket: Ticket) {
        self.ended(ticket);
    }

    /// A timeout, 429, 503 or 529. Returns true when it changed the limit.
    pub(crate) fn on_drop(&mut self, now: Instant, ticket: Ticket) -> bool {
        self.on_ignored(ticket);
        self.slow_start = false;
        let window =
            Duration::from_secs_f64(self.baseline.unwrap_or(0.0)).max(Duration::from_millis(100));
        if let Some(last) = self.last_drop
            && now.saturating_duration_since(last) < window
        {
            return false;
        }
        self.last_drop = Some(now);
        self.limit = (self.limit * DROP_FACTOR).max(1.0);
        true
    }
}

fn ewma(old: Option<f64>, x: f64, alpha: f64) -> f64 {
    match old {
        None => x,
        Some(o) => o + (x - o) * alpha,
    }
}

#[cfg(test)]
#[path = "gradient_sim.rs"]
mod sim;

#[cfg(test)]
mod tests {
    use super::*;

    /// One request sent and answered after `rtt` with `n` out.
    fn answer(g: &mut Gradient, now: Instant, rtt: Duration, n: usize) {
        let ticket = g.sent(false);
        g.on_sample(now, rtt, n, ticket);
    }

    fn drop_one(g: &mut Gradient, now: Instant) -> bool {
        let ticket = g.sent(false);
        g.on_drop(now, ticket)
    }

    #[test]
    fn drops_halve_once_per_round_trip() {
        let mut g = Gradient::starting_at(32, 32);
        let t0 = Instant::now();
        answer(&mut g, t0, Duration::from_secs(1), 32);
        assert!(drop_one(&mut g, t0));
        assert_eq!(g.limit(), 16);
        // The same overload reported by the other requests in flight.
        assert!(!drop_one(&mut g, t0 + Duration::from_millis(500)));
        assert_eq!(g.limit(), 16);
        assert!(drop_one(&mut g, t0 + Duration::from_millis(1500)));
        assert_eq!(g.limit(), 8);
        for i in 0..10 {
            drop_one(&mut g, t0 + Duration::from_secs(3 + 2 * i));
        }
        assert_eq!(g.limit(), 1, "never below one");
    }

    #[test]
    fn idle_client_does_not_grow() {
        let mut g = Gradient::starting_at(32, 32);
        let t0 = Instant::now();
        drop_one(&mut g, t0);
        for _ in 0..100 {
            answer(&mut g, t0, Duration::from_millis(100), 1);
        }
        assert_eq!(g.limit(), 16);
        for _ in 0..100 {
            answer(&mut g, t0, Duration::from_millis(100), 16);
        }
        assert_eq!(g.limit(), 32);
    }

    #[test]
    fn a_probe_drains_then_sends_one() {
        let mut g = Gradient::starting_at(8, 4);
        let t0 = Instant::now();
        assert_eq!(g.admit(t0, 0), (4, false));
        // Slow start: one more per answer.
        answer(&mut g, t0, Duration::from_millis(10), 4);
        assert_eq!(g.admit(t0, 3), (5, false));
        let later = t0 + PROBE_MIN_INTERVAL;
        assert_eq!(g.admit(later, 3), (0, false), "drain first");
        assert_eq!(g.admit(later, 0), (1, true));
        let probe = g.sent(true);
        assert_eq!(g.admit(later, 1), (0, false), "the probe goes alone");
        g.on_sample(later, Duration::from_millis(10), 1, probe);
        assert_eq!(g.admit(later, 0), (5, false), "one alone does not grow it");
    }

    #[test]
    fn no_probe_at_the_maximum_without_a_queue() {
        let mut g = Gradient::starting_at(8, 8);
        let t0 = Instant::now();
        answer(&mut g, t0, Duration::from_millis(10), 8);
        let later = t0 + PROBE_MIN_INTERVAL;
        assert_eq!(g.admit(later, 7), (8, false));
        // A queue shows: the next probe goes ahead.
        for _ in 0..20 {
            answer(&mut g, later, Duration::from_millis(40), 8);
        }
        let limit = g.limit();
        assert!(limit < 8, "{limit}");
        let much_later = later + 2 * PROBE_MIN_INTERVAL;
        assert_eq!(g.admit(much_later, 3), (0, false));
    }

    #[test]
    fn slow_start_ends_at_the_first_queue_or_drop() {
        let t0 = Instant::now();
        let mut g = Gradient::new(50);
        assert_eq!(g.limit(), INITIAL_WINDOW);
        for _ in 0..10 {
            let n = g.limit();
            answer(&mut g, t0, Duration::from_millis(100), n);
        }
        assert_eq!(g.limit(), INITIAL_WINDOW + 10);
        // Round trips of three times the baseline: a queue. No more growth.
        for _ in 0..10 {
            let n = g.limit();
            answer(&mut g, t0, Duration::from_millis(300), n);
        }
        assert!(!g.slow_start && g.limit() < INITIAL_WINDOW + 10, "{g:?}");

        let mut g = Gradient::new(50);
        answer(&mut g, t0, Duration::from_millis(100), 4);
        assert!(drop_one(&mut g, t0));
        assert!(!g.slow_start);
        assert_eq!(g.limit(), 2);
        let settled = g.settled().unwrap();
        assert_eq!(settled.limit, 2);
        assert_eq!(settled.baseline, Duration::from_millis(100));
    }

    #[test]
    fn answers_served_one_at_a_time_end_slow_start() {
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        // Four sent at once; the first answer is slow (a cold cache), the
        // rest come 10 s apart in send order, as from one slot.
        let mut g = Gradient::new(50);
        let mut out: Vec<Ticket> = (0..4).map(|_| g.sent(false)).collect();
        g.on_sample(at(90), Duration::from_secs(90), 4, out.remove(0));
        assert_eq!(g.limit(), 5, "the first answer says nothing yet");
        out.push(g.sent(false));
        out.push(g.sent(false));
        for (i, secs) in [100, 110, 120].into_iter().enumerate() {
            g.on_sample(at(secs), Duration::from_secs(secs), 5, out.remove(0));
            assert_eq!(g.limit(), 5, "no growth on answer {}", i + 2);
            assert!(g.slow_start, "one answer in order is not enough");
        }
        // The fourth in a row, and still far inside 1.5 × the first round
        // trip: slow start ends anyway, and the probe is due at once.
        g.on_sample(at(130), Duration::from_secs(40), 5, out.remove(0));
        assert!(!g.slow_start);
        assert_eq!(g.admit(at(130), 1), (0, false));

        // The same spacing with a younger request answered first: no
        // queue to see, so each answer still grows the window.
        let mut g = Gradient::new(50);
        let out: Vec<Ticket> = (0..4).map(|_| g.sent(false)).collect();
        for (k, i) in [3, 2, 1, 0].into_iter().enumerate() {
            let secs = 10 + 3 * k as u64;
            g.on_sample(at(secs), Duration::from_secs(secs), 4, out[i]);
        }
        assert!(g.slow_start);
        // The last was the oldest left, but the one alone is not a run.
        assert_eq!(g.limit(), INITIAL_WINDOW + 3, "{g:?}");
    }
}
