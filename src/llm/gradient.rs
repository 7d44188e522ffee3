//! How many requests a client keeps in flight: a gradient limiter.
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
//! new_limit = limit × gradient + 1                 (one request of queue)
//! limit     = 0.8 × limit + 0.2 × new_limit        (smoothed)
//! ```
//!
//! `recent` is a fast moving average of round trips. `baseline` estimates
//! a round trip without a queue: it follows falling round trips quickly and
//! rising ones slowly (a round trip far above it counts as only twice it).
//! A server that answers as fast at 50 in flight as at 1 keeps the gradient
//! at 1 and the limit at `max_concurrency`; the tolerance of 2 keeps LLM
//! answers whose length (and so latency) varies severalfold from reading
//! as a queue. A single-slot server makes round trips grow with the number
//! in flight, and the limit settles where `limit ≈ 2 × baseline / recent ×
//! limit + 1`, about three requests: one being served and two waiting.
//!
//! A baseline that only ever sees queued round trips drifts up with them.
//! So, as BBR does, the limiter probes: every `max(50 × baseline, 5 s)` it
//! lets the requests in flight drain, sends one alone, and pulls the
//! baseline halfway down to that round trip if it was lower. On a one-slot
//! server the slot stays busy while the queue drains; on a fast server a
//! probe costs about one round trip of half the capacity every fifty.
//!
//! Hard signals still count, as in AIMD: a timeout, 429, 503 or 529 halves
//! the limit, at most once per baseline round trip (a burst of rejections
//! from one overload is one event). The limit never grows while fewer than
//! half the permits are in use: an idle client learns nothing about the
//! server.

use std::time::{Duration, Instant};

/// Weight of a new round trip in the recent average.
const RECENT_ALPHA: f64 = 0.25;
/// Weights of a new round trip in the baseline when below / above it.
const BASELINE_DOWN: f64 = 0.02;
const BASELINE_UP: f64 = 0.002;
/// How much slower than the baseline the recent round trips may be before
/// they count as queueing.
const TOLERANCE: f64 = 2.0;
/// Weight of the new limit in the smoothed limit.
const SMOOTHING: f64 = 0.2;
/// The smallest gradient: a limit shrinks by at most half per update.
const MIN_GRADIENT: f64 = 0.5;
/// What a drop multiplies the limit by.
const DROP_FACTOR: f64 = 0.5;
/// A probe every this many baseline round trips, and at most this often.
const PROBE_EVERY_RTTS: f64 = 50.0;
const PROBE_MIN_INTERVAL: Duration = Duration::from_secs(5);

/// The adaptive limit of one client.
#[derive(Debug, Clone)]
pub(crate) struct Gradient {
    max: f64,
    limit: f64,
    recent: Option<f64>,
    baseline: Option<f64>,
    last_drop: Option<Instant>,
    /// When the next probe is due (set by the first round trip).
    probe_at: Option<Instant>,
    probe_in_flight: bool,
}

impl Gradient {
    /// Starts at `max` requests in flight.
    pub(crate) fn new(max: usize) -> Self {
        let max = max.max(1) as f64;
        Gradient {
            max,
            limit: max,
            recent: None,
            baseline: None,
            last_drop: None,
            probe_at: None,
            probe_in_flight: false,
        }
    }

    /// The whole number of requests allowed in flight.
    pub(crate) fn limit(&self) -> usize {
        (self.limit.floor() as usize).max(1)
    }

    /// How many may be in flight now: the limit, or during a probe none
    /// until the others have drained and then the probe alone. The second
    /// value is true when the next request admitted is the probe.
    pub(crate) fn admit(&mut self, now: Instant, in_flight: usize) -> (usize, bool) {
        let due = self.probe_at.is_some_and(|at| now >= at);
        if self.probe_in_flight {
            return (0, false);
        }
        if due && self.max > 1.0 {
            return (usize::from(in_flight == 0), in_flight == 0);
        }
        (self.limit(), false)
    }

    /// Marks the probe as sent.
    pub(crate) fn probe_sent(&mut self) {
        self.probe_in_flight = true;
    }

    /// The recent round trip (the fast average), once there is one.
    pub(crate) fn recent_rtt(&self) -> Option<Duration> {
        self.recent.map(Duration::from_secs_f64)
    }

    /// A request answered after `rtt` while `in_flight` requests (itself
    /// included) were out; `probe` when it was the probe.
    pub(crate) fn on_sample(&mut self, now: Instant, rtt: Duration, in_flight: usize, probe: bool) {
        let r = rtt.as_secs_f64().max(1e-4);
        let recent = ewma(self.recent, r, RECENT_ALPHA);
        let mut baseline = match self.baseline {
            None => r,
            Some(b) if r < b => b + (r - b) * BASELINE_DOWN,
            Some(b) => b + (r.min(2.0 * b) - b) * BASELINE_UP,
        };
        if probe {
            self.probe_in_flight = false;
            if r < baseline {
                baseline = (baseline + r) / 2.0;
            }
        }
        if probe || self.probe_at.is_none() {
            let every = Duration::from_secs_f64(baseline * PROBE_EVERY_RTTS);
            self.probe_at = Some(now + every.max(PROBE_MIN_INTERVAL));
        }
        self.recent = Some(recent);
        self.baseline = Some(baseline);
        let gradient = (TOLERANCE * baseline / recent).clamp(MIN_GRADIENT, 1.0);
        let mut next = self.limit * gradient + 1.0;
        if next > self.limit && (in_flight as f64) < self.limit / 2.0 {
            next = self.limit;
        }
        self.limit = (self.limit * (1.0 - SMOOTHING) + next * SMOOTHING).clamp(1.0, self.max);
    }

    /// A request that ended without a round trip worth measuring (an
    /// error, a cancellation): only frees a probe.
    pub(crate) fn on_ignored(&mut self, probe: bool) {
        if probe {
            self.probe_in_flight = false;
        }
    }

    /// A timeout, 429, 503 or 529. Returns true when it changed the limit.
    pub(crate) fn on_drop(&mut self, now: Instant, probe: bool) -> bool {
        self.on_ignored(probe);
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
mod tests {
    use super::*;

    /// What a simulated run ended with.
    #[derive(Debug)]
    struct Sim {
        limit: usize,
        /// The most in flight over the last fifth of the requests.
        late_in_flight: usize,
        wall: f64,
    }

    /// A discrete-event simulation in virtual time: `calls` requests
    /// against a FIFO server with `slots` that serves each in `service`
    /// plus a pseudo-random share of `jitter`.
    fn simulate(max: usize, slots: usize, service: f64, jitter: f64, calls: usize) -> Sim {
        let t0 = Instant::now();
        let at = |secs: f64| t0 + Duration::from_secs_f64(secs);
        let mut g = Gradient::new(max);
        let mut now = 0.0f64;
        // (sent at, finishes at, probe) of the requests out.
        let mut out: Vec<(f64, f64, bool)> = Vec::new();
        let mut slot_free = vec![0.0f64; slots];
        let (mut sent, mut done, mut late) = (0usize, 0usize, 0usize);
        let mut seed = 7u64;
        while done < calls {
            loop {
                let (cap, probe) = g.admit(at(now), out.len());
                if sent == calls || out.len() >= cap {
                    break;
                }
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let share = (seed >> 11) as f64 / (1u64 << 53) as f64;
                let i = (0..slots)
                    .min_by(|a, b| slot_free[*a].total_cmp(&slot_free[*b]))
                    .unwrap_or(0);
                let end = slot_free[i].max(now) + service + jitter * share;
                slot_free[i] = end;
                out.push((now, end, probe));
                if probe {
                    g.probe_sent();
                }
                sent += 1;
            }
            if done * 5 >= calls * 4 {
                late = late.max(out.len());
            }
            let k = (0..out.len())
                .min_by(|a, b| out[*a].1.total_cmp(&out[*b].1))
                .unwrap_or(0);
            let (sent_at, end, probe) = out.remove(k);
            now = end;
            g.on_sample(
                at(now),
                Duration::from_secs_f64(end - sent_at),
                out.len() + 1,
                probe,
            );
            done += 1;
        }
        Sim {
            limit: g.limit(),
            late_in_flight: late,
            wall: now,
        }
    }

    #[test]
    fn single_slot_server_settles_near_one_in_flight() {
        for calls in [400, 3000] {
            let sim = simulate(32, 1, 1.0, 0.0, calls);
            assert!(
                sim.limit <= 4 && sim.late_in_flight <= 4,
                "{calls}: {sim:?}"
            );
            // The slot never idles.
            assert!(sim.wall <= calls as f64 * 1.01, "{sim:?}");
        }
    }

    #[test]
    fn single_slot_with_uneven_answers_stays_small() {
        // Answers from 1 s to 3 s, as output lengths vary.
        let sim = simulate(32, 1, 1.0, 2.0, 400);
        assert!(sim.limit <= 4 && sim.late_in_flight <= 4, "{sim:?}");
    }

    #[test]
    fn fast_server_keeps_the_maximum() {
        // 64 slots, more than the 50 allowed: latency does not grow.
        let sim = simulate(50, 64, 0.2, 0.0, 3000);
        assert_eq!((sim.limit, sim.late_in_flight), (50, 50), "{sim:?}");
        let ideal = 3000.0 * 0.2 / 50.0;
        assert!(sim.wall <= ideal * 1.02, "{sim:?} vs {ideal}");
    }

    #[test]
    fn jittery_fast_server_stays_near_the_maximum() {
        // Answers from 0.2 s to 0.6 s with no queue.
        let sim = simulate(50, 64, 0.2, 0.4, 3000);
        assert!(sim.limit >= 40, "{sim:?}");
        let ideal = 3000.0 * 0.4 / 50.0;
        assert!(sim.wall <= ideal * 1.1, "{sim:?} vs {ideal}");
        // From 0.2 s to 1.2 s: the first wave looks like a queue (the
        // fastest answers come back first), but the limit recovers.
        let sim = simulate(50, 64, 0.2, 1.0, 3000);
        assert!(sim.limit >= 35 && sim.late_in_flight >= 45, "{sim:?}");
    }

    #[test]
    fn four_slot_server_settles_near_four() {
        let sim = simulate(32, 4, 1.0, 0.0, 800);
        assert!((4..=10).contains(&sim.limit), "{sim:?}");
    }

    #[test]
    fn drops_halve_once_per_round_trip() {
        let mut g = Gradient::new(32);
        let t0 = Instant::now();
        g.on_sample(t0, Duration::from_secs(1), 32, false);
        assert!(g.on_drop(t0, false));
        assert_eq!(g.limit(), 16);
        // The same overload reported by the other requests in flight.
        assert!(!g.on_drop(t0 + Duration::from_millis(500), false));
        assert_eq!(g.limit(), 16);
        assert!(g.on_drop(t0 + Duration::from_millis(1500), false));
        assert_eq!(g.limit(), 8);
        for i in 0..10 {
            g.on_drop(t0 + Duration::from_secs(3 + 2 * i), false);
        }
        assert_eq!(g.limit(), 1, "never below one");
    }

    #[test]
    fn idle_client_does_not_grow() {
        let mut g = Gradient::new(32);
        let t0 = Instant::now();
        g.on_drop(t0, false);
        for _ in 0..100 {
            g.on_sample(t0, Duration::from_millis(100), 1, false);
        }
        assert_eq!(g.limit(), 16);
        for _ in 0..100 {
            g.on_sample(t0, Duration::from_millis(100), 16, false);
        }
        assert_eq!(g.limit(), 32);
    }

    #[test]
    fn a_probe_drains_then_sends_one() {
        let mut g = Gradient::new(8);
        let t0 = Instant::now();
        assert_eq!(g.admit(t0, 0), (8, false));
        g.on_sample(t0, Duration::from_millis(10), 8, false);
        let later = t0 + PROBE_MIN_INTERVAL;
        assert_eq!(g.admit(later, 3), (0, false), "drain first");
        assert_eq!(g.admit(later, 0), (1, true));
        g.probe_sent();
        assert_eq!(g.admit(later, 1), (0, false), "the probe goes alone");
        g.on_sample(later, Duration::from_millis(10), 1, true);
        assert_eq!(g.admit(later, 0), (8, false));
    }
}
