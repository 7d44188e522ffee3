//! A run killed with SIGKILL in every stage in turn (summaries, embeddings,
//! clusters, projection, names, hierarchy), resumed each time, ends with
//! checkpoints identical to those of an uninterrupted run with the same
//! seed. Each kill waits on something observable (a partial file growing,
//! a request reaching the mock, a stage's start in the run log), never on a
//! fixed sleep; the mock holds back one stage's answers so the run is
//! caught inside it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::cli::{Cli, stderr};
use support::mock_openai::{MockReply, MockRequest, MockServer};

const STAGES: [&str; 6] = [
    "summaries",
    "embeddings",
    "clusters",
    "names",
    "hierarchy",
    "projection",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Summary,
    Embedding,
    Name,
    Hierarchy,
}

fn kind(req: &MockRequest) -> Kind {
    let text = req.user_text();
    if req.is_embeddings() {
        Kind::Embedding
    } else if text.contains("<conversation>") {
        Kind::Summary
    } else if text.contains("<group_summaries>") {
        Kind::Name
    } else {
        Kind::Hierarchy
    }
}

/// Which requests the mock holds back: none, or those of one kind after
/// `allow` of them were answered.
struct Gate {
    kind: AtomicUsize,
    allow: AtomicUsize,
    answered: AtomicUsize,
    arrived: AtomicUsize,
}

const KINDS: [Kind; 4] = [Kind::Summary, Kind::Embedding, Kind::Name, Kind::Hierarchy];

impl Gate {
    fn set(&self, held: Option<Kind>, allow: usize) {
        let k = held.map_or(0, |h| KINDS.iter().position(|k| *k == h).unwrap() + 1);
        self.allow.store(allow, Ordering::SeqCst);
        self.answered.store(0, Ordering::SeqCst);
        self.arrived.store(0, Ordering::SeqCst);
        self.kind.store(k, Ordering::SeqCst);
    }

    fn reply(&self, req: &MockRequest) -> MockReply {
        let k = self.kind.load(Ordering::SeqCst);
        if k > 0 && kind(req) == KINDS[k - 1] {
            self.arrived.fetch_add(1, Ordering::SeqCst);
            if self.answered.fetch_add(1, Ordering::SeqCst) >= self.allow.load(Ordering::SeqCst) {
                return MockReply::Hang;
            }
        }
        support::pipeline::honest(req)
    }
}

fn wired(cli: &Cli, mock: &MockServer) {
    cli.demo(60);
    let url = mock.base_url();
    cli.edit_config(
        "# base_url = \"http://localhost:11434/v1\"",
        &format!("base_url = \"{url}\""),
    );
    cli.edit_config(
        "# base_url = \"https://api.openai.com/v1\"",
        &format!("base_url = \"{url}\""),
    );
    cli.edit_config("max_concurrency = 32", "max_concurrency = 4");
    // Six base clusters: a top level of three makes the hierarchy ask the LLM.
    cli.edit_config("max_top_level = 10", "max_top_level = 3");
}

fn run_cmd(cli: &Cli) -> std::process::Command {
    let mut c = cli.bin();
    c.env("KURA_API_KEY", support::TEST_KEY).args([
        "run",
        cli.project().to_str().unwrap(),
        "--headless",
        "--yes",
    ]);
    c
}

fn lines(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

fn logs(project: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(project.join("logs"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

/// The text of the run logs that are not in `before`.
fn new_logs(project: &Path, before: &[PathBuf]) -> String {
    logs(project)
        .iter()
        .filter(|p| !before.contains(p))
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect()
}

/// Starts a run, waits until `ready` holds (it gets the new run's log),
/// then kills the run with SIGKILL.
fn kill_when(cli: &Cli, what: &str, ready: impl Fn(&str) -> bool) {
    let before = logs(&cli.project());
    let mut child = run_cmd(cli)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    while !ready(&new_logs(&cli.project(), &before)) {
        assert!(Instant::now() < deadline, "{what}: not reached in time");
        assert!(
            child.try_wait().unwrap().is_none(),
            "{what}: the run ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Each stage checkpoint's key, digest and body.
fn checkpoints(project: &Path) -> Vec<(String, String, String, Vec<u8>)> {
    STAGES
        .iter()
        .map(|s| {
            let dir = project.join("checkpoints");
            let path = if *s == "embeddings" {
                dir.join("embeddings.bin")
            } else {
                dir.join(format!("{s}.jsonl"))
            };
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{s}: {e}"));
            let at = bytes.iter().position(|b| *b == b'\n').unwrap();
            let header: serde_json::Value = serde_json::from_slice(&bytes[..at]).unwrap();
            (
                s.to_string(),
                header["key"].as_str().unwrap().to_string(),
                header["digest"].as_str().unwrap().to_string(),
                bytes[at + 1..].to_vec(),
            )
        })
        .collect()
}

#[test]
fn kill_9_in_every_stage_then_resume_gives_the_uninterrupted_checkpoints() {
    let gate = Arc::new(Gate {
        kind: AtomicUsize::new(0),
        allow: AtomicUsize::new(0),
        answered: AtomicUsize::new(0),
        arrived: AtomicUsize::new(0),
    });
    let g = gate.clone();
    let mock = MockServer::start(move |req: &MockRequest| g.reply(req));

    let reference = Cli::new();
    wired(&reference, &mock);
    let out = run_cmd(&reference).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let cli = Cli::new();
    wired(&cli, &mock);
    let p = cli.project();
    let cp = p.join("checkpoints");

    gate.set(Some(Kind::Summary), 10);
    kill_when(&cli, "summaries", |_| {
        lines(&cp.join("summaries.partial.jsonl")) > 10
    });
    assert!(!cp.join("summaries.jsonl").exists());

    gate.set(Some(Kind::Embedding), 0);
    kill_when(&cli, "embeddings", |_| {
        gate.arrived.load(Ordering::SeqCst) > 0
    });
    assert!(cp.join("summaries.jsonl").exists());
    assert!(!cp.join("embeddings.bin").exists());

    gate.set(Some(Kind::Name), 0);
    kill_when(&cli, "clusters", |log| log.contains("clusters: started"));
    gate.set(Some(Kind::Name), 0);
    kill_when(&cli, "projection", |log| {
        log.contains("projection: started")
    });

    gate.set(Some(Kind::Name), 3);
    kill_when(&cli, "names", |_| {
        lines(&cp.join("names.partial.jsonl")) > 3
    });
    assert!(!cp.join("names.jsonl").exists());

    gate.set(Some(Kind::Hierarchy), 0);
    kill_when(&cli, "hierarchy", |_| {
        gate.arrived.load(Ordering::SeqCst) > 0
    });
    assert!(cp.join("names.jsonl").exists());
    assert!(!cp.join("hierarchy.jsonl").exists());

    gate.set(None, 0);
    let out = run_cmd(&cli).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let got = checkpoints(&p);
    let want = checkpoints(&reference.project());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.1, w.1, "{}: same key", g.0);
        assert_eq!(g.2, w.2, "{}: same digest", g.0);
        assert!(g.3 == w.3, "{}: same content", g.0);
    }
    for partial in ["summaries", "names"] {
        assert!(!cp.join(format!("{partial}.partial.jsonl")).exists());
    }
}
