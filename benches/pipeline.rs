//! The whole pipeline end to end against the loopback OpenAI-compatible
//! mock with 0 ms latency: summaries, embeddings (384-d, from the mock),
//! k-means, names, the hierarchy and the map, then a fully cached rerun.
//! The mock runs in a child process, so the CPU time and peak memory shown
//! are kura-tui's own. Per stage: wall time and the peak RSS sampled while
//! it ran (projection overlaps naming by design).
//!
//! `cargo bench --bench pipeline` uses 5,000 demo conversations;
//! `-- --n N` changes the count and `-- --data FILE` imports a real file
//! (any supported format) and keeps its first N conversations, e.g.
//! `cargo bench --bench pipeline -- --data ../shared/data/sgd/sgd_single_domain.jsonl`.
//! `-- --latency-ms MS` gives every mock answer a fixed latency and
//! `-- --concurrency C` sets `max_concurrency` (default: the default
//! setting); with latency the report adds the physical limit of the LLM
//! stages, `chat calls x latency / C`. `-- --grouping embeddings` groups
//! the hierarchy from the embeddings and asks the model only for names.

#[path = "../tests/support/mock_openai.rs"]
mod mock_openai;
#[path = "support/mock_process.rs"]
mod mock_process;
#[path = "../tests/support/pipeline.rs"]
mod responder;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kura_tui::ingest::{self, ImportOptions};
use kura_tui::model::Conversation;
use kura_tui::pipeline::{self, Event, Stage};
use mock_openai::{MockReply, MockRequest, embeddings_reply};
use mock_process::{MockProcess, process_cpu};
use responder::MockProject;

const EMBEDDING_DIMS: usize = 384;

fn reply(req: &MockRequest) -> MockReply {
    if req.is_embeddings() {
        embeddings_reply(req, EMBEDDING_DIMS)
    } else {
        responder::honest(req)
    }
}

struct Args {
    n: usize,
    data: Option<PathBuf>,
    latency_ms: u64,
    concurrency: Option<usize>,
    /// `[hierarchy] grouping` (`llm` or `embeddings`).
    grouping: Option<String>,
}

fn args() -> Args {
    let argv: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        argv.iter()
            .position(|a| a == flag)
            .and_then(|i| argv.get(i + 1).cloned())
    };
    Args {
        n: value("--n").and_then(|v| v.parse().ok()).unwrap_or(5_000),
        data: value("--data").map(PathBuf::from),
        latency_ms: value("--latency-ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        concurrency: value("--concurrency").and_then(|v| v.parse().ok()),
        grouping: value("--grouping"),
    }
}

/// Resident set size now, and the process's peak so far, in bytes.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The conversations to analyse: the first `n` of `--data`, or the
/// demo's, generated as they are written.
fn conversations(args: &Args) -> Box<dyn Iterator<Item = Conversation>> {
    match &args.data {
        Some(path) => Box::new(
            ingest::read_all(path, &ImportOptions::default())
                .expect("import")
                .into_iter()
                .take(args.n),
        ),
        None => Box::new(kura_tui::demo::generate(args.n, 11)),
    }
}

/// Per stage: when it started and ended (since the run began), and the
/// most RSS sampled while it ran.
#[derive(Default, Clone)]
struct StageRecord {
    start: Option<Duration>,
    end: Option<Duration>,
    peak: u64,
    cached: bool,
}

struct Outcome {
    wall: Duration,
    cpu: Duration,
    stages: Vec<(Stage, StageRecord)>,
    peak: u64,
}

fn run(rt: &tokio::runtime::Runtime, project: &MockProject) -> Outcome {
    let records: Arc<Mutex<HashMap<Stage, StageRecord>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    // Sample RSS into the records of the stages running at the time.
    let sampler = {
        let (records, done) = (records.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let (now, _) = rss();
                for r in records.lock().unwrap().values_mut() {
                    if r.start.is_some() && r.end.is_none() {
                        r.peak = r.peak.max(now);
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    // Reset the kernel's peak-RSS mark so each run reports its own peak.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let cpu0 = process_cpu().unwrap_or_default();
    let started = Instant::now();
    let result = rt.block_on(async {
        let (tx, mut rx) = pipeline::events::channel();
        let recs = records.clone();
        let listener = tokio::spawn(async move {
            while let Some(e) = rx.recv().await {
                let at = started.elapsed();
                let mut recs = recs.lock().unwrap();
                match e {
                    Event::Started { stage, .. } => {
                        recs.entry(stage).or_default().start = Some(at);
                    }
                    Event::Finished { stage, cached } => {
                        let r = recs.entry(stage).or_default();
                        r.start.get_or_insert(at);
                        r.end = Some(at);
                        r.cached = cached;
                    }
                    Event::Done(_) => break,
                    _ => {}
                }
            }
        });
        let out = project.run_sending(tx).await;
        let _ = listener.await;
        out
    });
    let wall = started.elapsed();
    let cpu = process_cpu().unwrap_or_default().saturating_sub(cpu0);
    done.store(true, Ordering::Relaxed);
    sampler.join().expect("sampler");
    let out = result.expect("pipeline run");
    assert!(!out.clusters.is_empty());
    let recs = records.lock().unwrap();
    let stages = Stage::ALL
        .iter()
        .map(|s| (*s, recs.get(s).cloned().unwrap_or_default()))
        .collect();
    Outcome {
        wall,
        cpu,
        stages,
        peak: rss().1,
    }
}

fn report(label: &str, o: &Outcome, requests: usize, n: usize) {
    println!(
        "\n{label}: wall {:.2} s, kura-tui CPU {:.2} s, peak RSS {:.0} MiB, {requests} requests ({:.3} per conversation)",
        o.wall.as_secs_f64(),
        o.cpu.as_secs_f64(),
        mib(o.peak),
        requests as f64 / n as f64,
    );
    println!(
        "  {:<12} {:>9} {:>9} {:>10}",
        "stage", "from s", "wall s", "peak MiB"
    );
    for (stage, r) in &o.stages {
        let (Some(a), Some(b)) = (r.start, r.end) else {
            continue;
        };
        println!(
            "  {:<12} {:>9.2} {:>9.2} {:>10.0}{}",
            stage.name(),
            a.as_secs_f64(),
            (b - a).as_secs_f64(),
            mib(r.peak),
            if r.cached { "  (checkpoint)" } else { "" }
        );
    }
}

/// The LLM stages' wall time against the physical limit
/// `chat calls x latency / concurrency`.
fn llm_stages(o: &Outcome, chat: usize, latency_ms: u64, concurrency: usize) {
    let limit = chat as f64 * latency_ms as f64 / 1000.0 / concurrency.max(1) as f64;
    let wall = |stage: Stage| {
        o.stages
            .iter()
            .filter(|(s, _)| *s == stage)
            .filter_map(|(_, r)| Some((r.end? - r.start?).as_secs_f64()))
            .sum::<f64>()
    };
    let llm_wall = wall(Stage::Summaries) + wall(Stage::Names) + wall(Stage::Hierarchy);
    println!(
        "  LLM stages (summaries {:.2} s, names {:.2} s, hierarchy {:.2} s): {llm_wall:.2} s; physical limit {limit:.2} s ({:.3}x)",
        wall(Stage::Summaries),
        wall(Stage::Names),
        wall(Stage::Hierarchy),
        llm_wall / limit.max(1e-9)
    );
}

fn main() {
    if let Some(mode) = mock_process::child_mode() {
        let latency = mode
            .strip_prefix("pipeline-")
            .and_then(|ms| ms.parse().ok())
            .map_or(Duration::ZERO, Duration::from_millis);
        mock_process::serve(move |req: &MockRequest| {
            if latency.is_zero() {
                reply(req)
            } else {
                reply(req).after(latency)
            }
        });
        return;
    }
    let args = args();
    let mut mock = MockProcess::start(&format!("pipeline-{}", args.latency_ms));
    let started = Instant::now();
    let mut project = MockProject::new(&mock.url, conversations(&args));
    let imported = started.elapsed();
    // Default limits, as a user would run it.
    let defaults = kura_tui::config::Config::default();
    project.project.config.llm.max_concurrency =
        args.concurrency.unwrap_or(defaults.llm.max_concurrency);
    project.project.config.llm.max_retries = defaults.llm.max_retries;
    if let Some(g) = &args.grouping {
        project.project.config.hierarchy.grouping =
            serde_json::from_value(serde_json::Value::String(g.clone()))
                .expect("--grouping llm|embeddings");
    }
    let n = project.project.store().expect("store").len();
    println!(
        "{n} conversations ({}), imported in {:.2} s; mock with {} ms latency in a child process, {EMBEDDING_DIMS}-d embeddings, max_concurrency {}, hierarchy grouping {:?}",
        args.data
            .as_ref()
            .map_or("demo generator".to_string(), |p| p.display().to_string()),
        imported.as_secs_f64(),
        args.latency_ms,
        project.project.config.llm.max_concurrency,
        project.project.config.hierarchy.grouping,
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let mock_cpu0 = mock.cpu();
    let first = run(&rt, &project);
    let requests = mock.count();
    let chat = mock.chat_count();
    let mock_cpu = mock.cpu().saturating_sub(mock_cpu0);
    report("first run", &first, requests, n);
    println!(
        "  {chat} chat requests ({:.3} per conversation), {} embedding requests",
        chat as f64 / n as f64,
        requests - chat
    );
    println!(
        "  the mock used {:.2} s of CPU serving it (on the same 2 cores)",
        mock_cpu.as_secs_f64()
    );
    let concurrency = project.project.config.llm.max_concurrency;
    if args.latency_ms > 0 {
        llm_stages(&first, chat, args.latency_ms, concurrency);
    }

    let rerun = run(&rt, &project);
    let more = mock.count() - requests;
    report("rerun on the checkpoints", &rerun, more, n);
    assert_eq!(more, 0, "a cached rerun made requests");

    if args.latency_ms > 0 {
        // A second project against the same server: no cached answers, but
        // the concurrency the first run settled at (capabilities.json).
        let second = MockProject::new(&mock.url, conversations(&args));
        let mut config = project.project.config.clone();
        config.llm.max_concurrency = concurrency;
        let mut second = second;
        second.project.config = config;
        let learned = project.project.layout.cache().join("capabilities.json");
        let cache = second.project.layout.cache();
        std::fs::create_dir_all(&cache).expect("cache folder");
        std::fs::copy(&learned, cache.join("capabilities.json")).expect("learned limits");
        let before = (mock.count(), mock.chat_count());
        let again = run(&rt, &second);
        report(
            "a second project, limits remembered",
            &again,
            mock.count() - before.0,
            n,
        );
        llm_stages(
            &again,
            mock.chat_count() - before.1,
            args.latency_ms,
            concurrency,
        );
    }

    println!(
        "\nKura 0.5.4 on the same kind of run (reference notes): 27 s for 1,000 and 95-120 s for 5,000 \
         conversations, peaks of 570 / 980 MB, 1.41 chat requests per conversation, 6.7 s for a rerun of 1,000."
    );
}
