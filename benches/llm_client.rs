//! Client overhead: 2,000 summarisation-style structured calls to the loopback
//! mock with a fixed 100 ms latency at concurrency 50. The ideal wall time is
//! 2,000 × 0.1 s / 50 = 4 s. The mock runs in a child process so the CPU
//! time measured here is the client's.
//!
//! Then the adaptive concurrency limit (mocks in this process):
//! - a single-slot server (one request at a time, 50 ms each, the rest
//!   queued) with `max_concurrency` 32: wall time against calls × service
//!   time (goal ≤ 1.2×), with no timeouts and no request sent twice;
//! - a stream of 1,000 calls to a 200 ms server at `max_concurrency` 50:
//!   wall time against the physical limit calls × 0.2 s / 50 (goal ≤ 1.10×).
//!
//! Run with `cargo bench --bench llm_client` (`-- --adaptive` for only the
//! second part).

#[path = "../tests/support/mock_openai.rs"]
mod mock_openai;
#[path = "support/mock_process.rs"]
mod mock_process;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kura_tui::llm::{
    ChatRequest, ClientEvent, ClientHooks, ClientSettings, Events, OpenAiChat, RetryCause,
    structured,
};
use mock_openai::{MockReply, MockRequest, MockServer};
use mock_process::{MockProcess, process_cpu};
use serde::Deserialize;
use serde_json::json;

const CALLS: usize = 2_000;
const CONCURRENCY: usize = 50;
const LATENCY: Duration = Duration::from_millis(100);
const SERIAL_CALLS: usize = 50;

#[derive(Deserialize)]
struct Summary {
    summary: String,
    request: String,
    task: String,
    languages: Vec<String>,
    concerning_score: u8,
}

fn conversation(i: usize) -> String {
    let mut text = format!("<conversation id=\"{i}\">\n");
    for turn in 0..6 {
        text.push_str(&format!(
            "user: question {turn} of conversation {i}: how do I make my sourdough rise faster in a cold kitchen?\n\
             assistant: answer {turn}: keep the dough somewhere warm, use a little more starter, and give it time.\n"
        ));
    }
    text.push_str("</conversation>");
    text
}

fn request(i: usize) -> ChatRequest {
    ChatRequest::new("summaries")
        .system("Summarise the conversation into the requested facets. No names or other PII.")
        .user(conversation(i))
        .schema(
            "summary",
            json!({
                "type": "object",
                "properties": {
                    "summary": {"type": "string"},
                    "request": {"type": "string"},
                    "task": {"type": "string"},
                    "languages": {"type": "array", "items": {"type": "string"}},
                    "concerning_score": {"type": "integer"}
                },
                "required": ["summary", "request", "task", "languages", "concerning_score"],
                "additionalProperties": false
            }),
        )
}

fn validate(s: &Summary) -> Result<(), String> {
    if (1..=5).contains(&s.concerning_score) && !s.summary.is_empty() {
        Ok(())
    } else {
        Err("bad summary".into())
    }
}

struct Outcome {
    wall: Duration,
    /// CPU time of this process (the client; the mock runs in a child).
    cpu: Option<Duration>,
}

fn run(rt: &tokio::runtime::Runtime, settings: &ClientSettings, calls: usize) -> Outcome {
    let chat = Arc::new(OpenAiChat::new(settings, ClientHooks::default()).expect("client"));
    rt.block_on(async move {
        let cpu0 = process_cpu();
        let started = Instant::now();
        let tasks: Vec<_> = (0..calls)
            .map(|i| {
                let chat = chat.clone();
                tokio::spawn(async move {
                    let got = structured::<Summary, _>(chat.as_ref(), request(i), validate, 2)
                        .await
                        .expect("call");
                    assert!(got.value.summary.contains(&format!("conversation {i},")));
                    assert!(!got.value.request.is_empty() && !got.value.task.is_empty());
                    assert_eq!(got.value.languages, ["English"]);
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task");
        }
        Outcome {
            wall: started.elapsed(),
            cpu: process_cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a)),
        }
    })
}

fn cpu_per_call(o: &Outcome, calls: usize) -> String {
    match o.cpu {
        Some(c) => format!(
            "client CPU {:.3} ms/call",
            c.as_secs_f64() * 1e3 / calls as f64
        ),
        None => "client CPU n/a".into(),
    }
}

fn report(label: &str, o: &Outcome, ideal: Duration) {
    // Each of the 50 slots makes CALLS / 50 calls back to back, so the time
    // beyond the ideal, divided by that, is what each call added.
    let per_call = o.wall.saturating_sub(ideal).as_secs_f64() / (CALLS / CONCURRENCY) as f64;
    println!(
        "{label:<18} wall {:>6.3}s ({:>5.1}% of ideal {:.1}s)  added latency {:>5.2} ms/call  {}",
        o.wall.as_secs_f64(),
        100.0 * o.wall.as_secs_f64() / ideal.as_secs_f64(),
        ideal.as_secs_f64(),
        per_call * 1e3,
        cpu_per_call(o, CALLS),
    );
}

fn summary_reply(req: &MockRequest) -> MockReply {
    let text = req.first_user_text();
    let id = text.split('"').nth(1).unwrap_or("?").to_string();
    MockReply::json(&json!({
        "summary": format!("The user asked, in conversation {id}, how to make sourdough rise faster in a cold kitchen."),
        "request": "The user's overall request for the assistant is to help with bread baking.",
        "task": "The task is to give practical advice on dough proofing temperatures.",
        "languages": ["English"],
        "concerning_score": 1
    }))
    .after(LATENCY)
}

/// What one adaptive run saw.
struct Adaptive {
    wall: Duration,
    timeouts: usize,
    /// (first, lowest, last, highest) concurrency limit reported.
    limits: (usize, usize, usize, usize),
    /// When the limit first reached the maximum.
    reached_max: Option<Duration>,
}

/// `first` numbers the calls (new prompts for each run, so a cache folder
/// keeps only what the limiter learned, never answers that would skip the
/// server); `cache` keeps what was learned between runs.
fn adaptive_run(
    rt: &tokio::runtime::Runtime,
    base: &str,
    max: usize,
    (first, calls): (usize, usize),
    cache: Option<&std::path::Path>,
) -> Adaptive {
    let mut s = ClientSettings::new(base, "bench-model");
    s.max_concurrency = max;
    if let Some(dir) = cache {
        s = s.with_cache(dir);
    }
    // Each event with the moment it happened.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let events = Events::from_fn(move |e| {
        let _ = tx.send((Instant::now(), e));
    });
    let hooks = ClientHooks {
        events,
        ..Default::default()
    };
    let chat = Arc::new(OpenAiChat::new(&s, hooks).expect("client"));
    let started = Instant::now();
    let wall = rt.block_on(async move {
        let tasks: Vec<_> = (first..first + calls)
            .map(|i| {
                let chat = chat.clone();
                tokio::spawn(async move {
                    structured::<Summary, _>(chat.as_ref(), request(i), validate, 2)
                        .await
                        .expect("call");
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task");
        }
        started.elapsed()
    });
    let (mut timeouts, mut lowest, mut last, mut highest) = (0, usize::MAX, 0, 0);
    let (mut first_limit, mut reached_max) = (None, None);
    while let Ok((at, e)) = rx.try_recv() {
        match e {
            ClientEvent::Retry {
                cause: RetryCause::Timeout,
                ..
            } => timeouts += 1,
            ClientEvent::Concurrency { limit, .. } => {
                first_limit.get_or_insert(limit);
                lowest = lowest.min(limit);
                highest = highest.max(limit);
                last = limit;
                if limit == max && reached_max.is_none() {
                    reached_max = Some(at.saturating_duration_since(started));
                }
            }
            _ => {}
        }
    }
    Adaptive {
        wall,
        timeouts,
        limits: (first_limit.unwrap_or(0), lowest, last, highest),
        reached_max,
    }
}

fn adaptive(rt: &tokio::runtime::Runtime) {
    const SLOT_CALLS: usize = 60;
    const SERVICE: Duration = Duration::from_millis(50);
    let server = MockServer::single_slot(SERVICE, |req| {
        let mut r = summary_reply(req);
        // The slot's service time replaces the usual latency.
        while let MockReply::Delayed(_, inner) = r {
            r = *inner;
        }
        r
    });
    let dir = tempfile::tempdir().expect("tempdir");
    for (round, label) in ["first contact", "remembered"].iter().enumerate() {
        let before = server.request_count();
        let got = adaptive_run(
            rt,
            &server.base_url(),
            32,
            (round * SLOT_CALLS, SLOT_CALLS),
            Some(dir.path()),
        );
        let ideal = SERVICE * SLOT_CALLS as u32;
        println!(
            "single slot, {label}, {SLOT_CALLS} calls x {} ms, max_concurrency 32: wall {:.3}s = {:.3}x calls x service; \
             limit started at {}, highest {}, ended at {} (lowest {}); {} timeouts; {} requests, {} sent twice so far; \
             at most {} at the server at once so far",
            SERVICE.as_millis(),
            got.wall.as_secs_f64(),
            got.wall.as_secs_f64() / ideal.as_secs_f64(),
            got.limits.0,
            got.limits.3,
            got.limits.2,
            got.limits.1,
            got.timeouts,
            server.request_count() - before,
            server.duplicates(),
            server.max_in_flight(),
        );
    }

    // The 200 ms server runs in a child process, as in the first part, so
    // it does not share this process's two worker threads. The first run
    // meets the server with no memory (slow start from 4); the next two
    // start from what the first learned (cache folder, new prompts).
    const STREAM_CALLS: usize = 1_000;
    const STREAM_MAX: usize = 50;
    let mut mock = MockProcess::start("stream200");
    let ideal = Duration::from_millis(200) * (STREAM_CALLS / STREAM_MAX) as u32;
    let dir = tempfile::tempdir().expect("tempdir");
    for round in 0..3 {
        let label = if round == 0 {
            "first contact"
        } else {
            "remembered"
        };
        let got = adaptive_run(
            rt,
            &mock.url,
            STREAM_MAX,
            (round * STREAM_CALLS, STREAM_CALLS),
            Some(dir.path()),
        );
        println!(
            "200 ms server, {label}, {STREAM_CALLS} calls, max_concurrency {STREAM_MAX}: wall {:.3}s = {:.3}x the physical limit {:.1}s; \
             limit started at {}, reached {STREAM_MAX} after {}, lowest {} last {}; {} timeouts; {} requests so far",
            got.wall.as_secs_f64(),
            got.wall.as_secs_f64() / ideal.as_secs_f64(),
            ideal.as_secs_f64(),
            got.limits.0,
            got.reached_max
                .map_or("never".to_string(), |d| format!("{:.2}s", d.as_secs_f64())),
            got.limits.1,
            got.limits.2,
            got.timeouts,
            mock.count(),
        );
    }
}

fn stream_reply(req: &MockRequest) -> MockReply {
    let mut r = summary_reply(req);
    while let MockReply::Delayed(_, inner) = r {
        r = *inner;
    }
    r.after(Duration::from_millis(200))
}

fn main() {
    match mock_process::child_mode().as_deref() {
        Some("stream200") => return mock_process::serve(stream_reply),
        Some(_) => return mock_process::serve(summary_reply),
        None => {}
    }
    if std::env::args().any(|a| a == "--adaptive") {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        adaptive(&rt);
        return;
    }
    let mut mock = MockProcess::start("summaries");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let ideal = LATENCY * (CALLS / CONCURRENCY) as u32;
    println!(
        "{CALLS} structured calls, {} ms mock latency (mock in a child process), concurrency {CONCURRENCY}",
        LATENCY.as_millis()
    );

    // One call at a time: what the client and loopback add to each call.
    let mut s = ClientSettings::new(mock.url.clone(), "bench-model");
    s.max_concurrency = 1;
    let serial = run(&rt, &s, SERIAL_CALLS);
    let per_call = serial.wall / SERIAL_CALLS as u32;
    println!(
        "{:<18} {:>6.2} ms per call = {} ms latency + {:.2} ms  {}",
        "one at a time",
        per_call.as_secs_f64() * 1e3,
        LATENCY.as_millis(),
        per_call.saturating_sub(LATENCY).as_secs_f64() * 1e3,
        cpu_per_call(&serial, SERIAL_CALLS),
    );

    s.max_concurrency = CONCURRENCY;
    let before = mock.count();
    let no_cache = run(&rt, &s, CALLS);
    report("no cache", &no_cache, ideal);
    assert_eq!(mock.count() - before, CALLS);

    let dir = tempfile::tempdir().expect("tempdir");
    let s = s.with_cache(dir.path());
    let cold = run(&rt, &s, CALLS);
    report("cache, cold", &cold, ideal);
    assert_eq!(mock.count() - before, 2 * CALLS);

    let warm = run(&rt, &s, CALLS);
    assert_eq!(mock.count() - before, 2 * CALLS, "warm run hit the server");
    println!(
        "{:<18} wall {:>6.3}s ({:.3} ms per call, zero requests)  {}",
        "cache, warm rerun",
        warm.wall.as_secs_f64(),
        warm.wall.as_secs_f64() * 1e3 / CALLS as f64,
        cpu_per_call(&warm, CALLS),
    );

    adaptive(&rt);
}
