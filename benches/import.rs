//! Import scale bench: generates a file of N OpenAI-style conversations
//! (default 1,000,000; set `IMPORT_BENCH_N`) in a temporary directory,
//! imports it through `ingest::import` into a `StoreWriter`, and prints the
//! throughput and the process's peak memory (VmHWM).
//!
//! `IMPORT_BENCH_SHAPE=array` writes one JSON array instead of JSONL.
//! `IMPORT_BENCH_DIR` puts the files elsewhere than the system temp dir.
//!
//! Run: `cargo bench --bench import`, or
//! `IMPORT_BENCH_N=100000 cargo bench --bench import` to compare peaks.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use kura_tui::ingest::{self, ImportOptions};
use kura_tui::project::store::StoreWriter;

const TOPICS: &[&str] = &[
    "reset my password",
    "write a cover letter",
    "debug a segfault in C",
    "plan a trip to Kyoto",
    "explain eigenvectors",
    "draft a polite complaint",
    "translate a menu into Spanish",
    "fix a failing SQL migration",
];

fn generate(path: &Path, n: u64, array: bool) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    if array {
        out.write_all(b"[\n")?;
    }
    for i in 0..n {
        let topic = TOPICS[(i % TOPICS.len() as u64) as usize];
        if array && i > 0 {
            out.write_all(b",\n")?;
        }
        write!(
            out,
            concat!(
                "{{\"id\": \"conv-{i:08}\", \"created_at\": \"2024-05-{day:02}T10:00:00Z\", ",
                "\"messages\": [",
                "{{\"role\": \"system\", \"content\": \"You are a helpful assistant.\"}}, ",
                "{{\"role\": \"user\", \"content\": \"Hi! Can you help me {topic}? It is request #{i}, \\\"urgent\\\" — merci.\"}}, ",
                "{{\"role\": \"assistant\", \"content\": \"Of course. Here is a first step to {topic}:\\n1. Gather what you have.\\n2. Tell me more.\"}}, ",
                "{{\"role\": \"user\", \"content\": [{{\"type\": \"text\", \"text\": \"Thanks, that helps with step {step}.\"}}]}}",
                "], \"metadata\": {{\"plan\": \"{plan}\", \"satisfaction\": {sat}, \"tags\": [\"bench\", \"t{tag}\"]}}}}"
            ),
            i = i,
            day = i % 28 + 1,
            topic = topic,
            step = i % 3 + 1,
            plan = if i % 4 == 0 { "pro" } else { "free" },
            sat = i % 5 + 1,
            tag = i % 97,
        )?;
        if !array {
            out.write_all(b"\n")?;
        }
    }
    if array {
        out.write_all(b"\n]\n")?;
    }
    out.flush()
}

/// A `/proc/self/status` field in kB (Linux only).
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn mib(kb: Option<u64>) -> String {
    kb.map(|k| format!("{:.1} MiB", k as f64 / 1024.0))
        .unwrap_or_else(|| "n/a".into())
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter here.
    let n: u64 = std::env::var("IMPORT_BENCH_N")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let array = std::env::var("IMPORT_BENCH_SHAPE").is_ok_and(|s| s == "array");
    let base = std::env::var_os("IMPORT_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).expect("temp dir");
    let input = dir
        .path()
        .join(if array { "bench.json" } else { "bench.jsonl" });

    let t = Instant::now();
    generate(&input, n, array).expect("generate input");
    let size = std::fs::metadata(&input).expect("input size").len();
    let size_mb = size as f64 / 1e6;
    println!(
        "generated {n} conversations ({}) : {size_mb:.1} MB in {:.1}s",
        if array { "JSON array" } else { "JSONL" },
        t.elapsed().as_secs_f64()
    );
    let hwm_before = status_kb("VmHWM:");

    let store = dir.path().join("conversations.jsonl");
    let index = dir.path().join("conversations.idx");
    let rejected = dir.path().join("rejected.jsonl");
    let mut writer = StoreWriter::create(&store, &index).expect("store");
    let t = Instant::now();
    let report =
        ingest::import(&input, &ImportOptions::default(), &mut writer, &rejected).expect("import");
    let written = writer.finish().expect("finish store");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(written, n, "every conversation imported");

    println!(
        "imported {} conversations ({:?}) in {secs:.2}s: {:.1} MB/s, {:.0} conversations/s",
        report.imported,
        report.format,
        size_mb / secs,
        report.imported as f64 / secs
    );
    println!(
        "peak RSS (VmHWM): {} before import, {} after; current RSS {}",
        mib(hwm_before),
        mib(status_kb("VmHWM:")),
        mib(status_kb("VmRSS:"))
    );
    if let (Some(after), Some(before)) = (status_kb("VmHWM:"), hwm_before) {
        let grown = after.saturating_sub(before) as f64 * 1024.0;
        println!(
            "peak growth during import: {:.1} MiB = {:.1} bytes per conversation",
            grown / (1024.0 * 1024.0),
            grown / n.max(1) as f64
        );
    }
}
