//! The gradient limiter in virtual time: a discrete-event simulation of a
//! client against a FIFO server with a number of slots, so the figures the
//! documentation gives (where a single slot settles, how fast a fast
//! server reaches the maximum) are checked exactly, free of the scheduling
//! noise of real sockets.

use std::time::{Duration, Instant};

use super::{Gradient, INITIAL_WINDOW, Settled, Ticket};

/// A FIFO server: `slots` requests served at once, each for `service`
/// seconds plus a pseudo-random share of `jitter`.
#[derive(Debug, Clone, Copy)]
struct Server {
    slots: usize,
    service: f64,
    jitter: f64,
    /// Extra seconds for the first request only (a cold prompt cache).
    cold: f64,
}

/// What a simulated run saw.
#[derive(Debug)]
struct Sim {
    limit: usize,
    /// The most in flight at any time, and over the last fifth of the run.
    most_in_flight: usize,
    /// The most in flight while the limiter was still in slow start.
    slow_start_peak: usize,
    late_in_flight: usize,
    /// The mean in flight over the last fifth, as each answer arrives.
    late_mean: f64,
    /// When the limit first reached the maximum (seconds), if it did.
    reached_max: Option<f64>,
    /// The longest round trip of any request.
    longest: f64,
    wall: f64,
    settled: Option<Settled>,
}

fn simulate(g: Gradient, server: Server, calls: usize) -> Sim {
    simulate_seeded(g, server, calls, 7)
}

/// As [`simulate`], with the jitter drawn from `seed`.
fn simulate_seeded(mut g: Gradient, server: Server, calls: usize, mut seed: u64) -> Sim {
    let t0 = Instant::now();
    let at = |secs: f64| t0 + Duration::from_secs_f64(secs);
    let max = g.max as usize;
    let mut now = 0.0f64;
    // (sent at, finishes at, ticket) of the requests out.
    let mut out: Vec<(f64, f64, Ticket)> = Vec::new();
    let mut slot_free = vec![0.0f64; server.slots];
    let (mut sent, mut done) = (0usize, 0usize);
    let (mut most, mut late, mut longest) = (0usize, 0usize, 0.0f64);
    let mut slow_start_peak = 0usize;
    let (mut late_sum, mut late_n) = (0usize, 0usize);
    let mut reached_max = None;
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
            let i = (0..server.slots)
                .min_by(|a, b| slot_free[*a].total_cmp(&slot_free[*b]))
                .unwrap_or(0);
            let cold = if sent == 0 { server.cold } else { 0.0 };
            let end = slot_free[i].max(now) + server.service + server.jitter * share + cold;
            slot_free[i] = end;
            out.push((now, end, g.sent(probe)));
            sent += 1;
        }
        most = most.max(out.len());
        if g.slow_start {
            slow_start_peak = slow_start_peak.max(out.len());
        }
        if done * 5 >= calls * 4 {
            late = late.max(out.len());
            late_sum += out.len();
            late_n += 1;
        }
        let k = (0..out.len())
            .min_by(|a, b| out[*a].1.total_cmp(&out[*b].1))
            .unwrap_or(0);
        let (sent_at, end, ticket) = out.remove(k);
        now = end;
        longest = longest.max(end - sent_at);
        g.on_sample(
            at(now),
            Duration::from_secs_f64(end - sent_at),
            out.len() + 1,
            ticket,
        );
        if reached_max.is_none() && g.limit() == max {
            reached_max = Some(now);
        }
        done += 1;
    }
    Sim {
        limit: g.limit(),
        most_in_flight: most,
        slow_start_peak,
        late_in_flight: late,
        late_mean: late_sum as f64 / late_n.max(1) as f64,
        reached_max,
        longest,
        wall: now,
        settled: g.settled(),
    }
}

const SINGLE: Server = Server {
    slots: 1,
    service: 1.0,
    jitter: 0.0,
    cold: 0.0,
};

#[test]
fn single_slot_server_settles_at_two_in_flight() {
    for calls in [400, 3000] {
        let sim = simulate(Gradient::new(32), SINGLE, calls);
        // One being served and one waiting; now and then a third while
        // the baseline drifts up between probes.
        assert_eq!(sim.limit, 2, "{calls}: {sim:?}");
        assert!(sim.late_in_flight <= 3 && sim.late_mean <= 2.2, "{sim:?}");
        // Slow start from four grows once: the second answer already came
        // one service time after the first, in send order.
        assert!(sim.slow_start_peak <= INITIAL_WINDOW + 1, "{sim:?}");
        assert!(sim.longest <= 6.0, "{sim:?}");
        // The slot never idles.
        assert!(sim.wall <= calls as f64 * 1.01, "{sim:?}");
    }
}

#[test]
fn single_slot_with_uneven_answers_stays_small() {
    // Answers from 1 s to 3 s, as output lengths vary.
    let uneven = Server {
        jitter: 2.0,
        ..SINGLE
    };
    let sim = simulate(Gradient::new(32), uneven, 400);
    assert!(sim.limit <= 2 && sim.late_in_flight <= 3, "{sim:?}");
    assert!(sim.most_in_flight <= INITIAL_WINDOW + 2, "{sim:?}");
}

#[test]
fn a_cold_first_answer_does_not_inflate_the_limit() {
    // The first answer takes three service times (llama.cpp evaluating the
    // system prompt before caching it), as against the real server. Slow
    // start stops on answers that come one at a time, whatever the first
    // round trip was; the probe that follows measures one answer alone,
    // and the limit comes down within the run.
    let cold = Server {
        cold: 2.0,
        ..SINGLE
    };
    for (calls, settles_at) in [(30, 3), (400, 2)] {
        let sim = simulate(Gradient::new(32), cold, calls);
        assert!(sim.limit <= settles_at, "{calls}: {sim:?}");
        assert!(sim.most_in_flight <= INITIAL_WINDOW + 1, "{calls}: {sim:?}");
        // The slot never idles: the probe waits for the queue to drain.
        assert!(sim.wall <= calls as f64 * 1.01 + 2.0, "{calls}: {sim:?}");
    }
    let sim = simulate(Gradient::new(32), cold, 400);
    let learned = sim.settled.unwrap();
    assert!(
        (learned.baseline.as_secs_f64() - 1.0).abs() < 0.2,
        "{learned:?}"
    );
    assert!(sim.late_mean <= 2.2, "{sim:?}");
}

#[test]
fn a_slow_first_answer_does_not_hide_the_queue_in_slow_start() {
    // One slot, 10 s an answer, the first 20 s or 80 s slower (the real
    // server took 87 s for its first answer and 6-26 s after). Judged by
    // round trips alone, slow start let 10 and 29 out before the queue
    // showed: every queued round trip was still shorter than the first.
    let slow = Server {
        service: 10.0,
        ..SINGLE
    };
    for cold in [0.0, 20.0, 80.0] {
        let sim = simulate(Gradient::new(32), Server { cold, ..slow }, 400);
        assert!(sim.slow_start_peak <= INITIAL_WINDOW + 1, "{cold}: {sim:?}");
        assert_eq!(sim.limit, 2, "{cold}: {sim:?}");
        assert!(sim.late_mean <= 2.2, "{cold}: {sim:?}");
        assert!(sim.longest <= cold + 6.0 * 10.0, "{cold}: {sim:?}");
    }
    // Answers from 6 s to 26 s, as there: the order still shows.
    let uneven = Server {
        service: 6.0,
        jitter: 20.0,
        cold: 80.0,
        ..SINGLE
    };
    for seed in 1..=40 {
        let sim = simulate_seeded(Gradient::new(32), uneven, 200, seed);
        assert!(sim.slow_start_peak <= 6, "seed {seed}: {sim:?}");
        assert!(sim.late_mean <= 3.0, "seed {seed}: {sim:?}");
    }
}

#[test]
fn a_resumed_client_starts_where_the_last_run_settled() {
    // With two in flight any limit from 2 to 3 holds still, and the
    // answers right after a probe (a drained queue) nudge it up, so a run
    // that ends just after one reports 3: 5 of the run lengths 300-499
    // here (8 before slow start looked at answer order), 400 among them.
    let sim = simulate(Gradient::starting_at(32, 2), SINGLE, 400);
    assert!(sim.limit <= 3 && sim.late_mean <= 2.2, "{sim:?}");
    assert!(sim.most_in_flight <= 5, "{sim:?}");
    let learned = sim.settled.unwrap();
    assert!(learned.limit <= 3, "{learned:?}");
    // Within 15% of the service time: probes keep it honest.
    assert!(
        (learned.baseline.as_secs_f64() - 1.0).abs() < 0.15,
        "{learned:?}"
    );

    // A fast server remembered at its maximum wastes no round trip.
    let fast = Server {
        slots: 64,
        service: 0.2,
        jitter: 0.0,
        cold: 0.0,
    };
    let sim = simulate(Gradient::starting_at(50, 50), fast, 1000);
    assert_eq!(sim.reached_max, Some(0.2), "{sim:?}");
    assert!((sim.wall - 4.0).abs() < 1e-6, "{sim:?}");
}

#[test]
fn a_fast_server_reaches_the_maximum_in_four_round_trips() {
    // 64 slots, more than the 50 allowed: latency does not grow.
    let fast = Server {
        slots: 64,
        service: 0.2,
        jitter: 0.0,
        cold: 0.0,
    };
    let sim = simulate(Gradient::new(50), fast, 3000);
    // 4, 8, 16, 32, 50: the fourth round trip's answers bring it to 50.
    assert!(sim.reached_max.is_some_and(|t| t <= 0.8 + 1e-9), "{sim:?}");
    assert_eq!((sim.limit, sim.late_in_flight), (50, 50), "{sim:?}");
    // Slow start costs three round trips at partial capacity: the first
    // 4 + 8 + 16 + 32 = 60 calls take four round trips instead of 1.2.
    let ideal = 3000.0 * 0.2 / 50.0;
    assert!(sim.wall <= ideal + 3.0 * 0.2 + 1e-6, "{sim:?} vs {ideal}");
}

#[test]
fn jittery_fast_server_stays_near_the_maximum() {
    // Answers from 0.2 s to 0.6 s with no queue.
    let server = Server {
        slots: 64,
        service: 0.2,
        jitter: 0.4,
        cold: 0.0,
    };
    let sim = simulate(Gradient::new(50), server, 3000);
    assert!(sim.limit >= 40, "{sim:?}");
    let ideal = 3000.0 * 0.4 / 50.0;
    assert!(sim.wall <= ideal * 1.1, "{sim:?} vs {ideal}");
    // From 0.2 s to 1.2 s: the first round looks like a queue (the
    // fastest answers come back first), but the limit recovers.
    let sim = simulate(
        Gradient::new(50),
        Server {
            jitter: 1.0,
            ..server
        },
        3000,
    );
    assert!(sim.limit >= 35 && sim.late_in_flight >= 45, "{sim:?}");
}

#[test]
fn four_slot_server_settles_between_one_and_three_times_four() {
    let four = Server { slots: 4, ..SINGLE };
    let sim = simulate(Gradient::new(32), four, 800);
    assert!((6..=12).contains(&sim.limit), "{sim:?}");
    assert!(sim.wall <= 200.0 * 1.02, "{sim:?}");
}
