//! `run --headless` with stderr not a terminal writes plain progress lines
//! per running stage (done/total, rate, ETA, retries, timeouts, errors,
//! concurrency), and a run against a server that refuses `json_schema`
//! with HTTP 500 still summarises everything, rejecting one request.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use support::TEST_KEY;
use support::mock_openai::{MockRequest, MockServer, reject_json_schema};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kura-tui"));
    c.env("KURA_CONFIG_DIR", "/nonexistent-kura-config")
        .env("KURA_API_KEY", TEST_KEY)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .stdin(Stdio::null());
    c
}

/// "summaries: 5/20 ..." → (5, 20).
fn counts(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("summaries: ")?;
    let (done, rest) = rest.split_once('/')?;
    let total = rest.split_whitespace().next()?;
    Some((done.parse().ok()?, total.parse().ok()?))
}

#[test]
fn headless_run_prints_plain_progress_and_negotiates_once() {
    let mock = MockServer::start(reject_json_schema(|req: &MockRequest| {
        support::pipeline::honest(req).after(Duration::from_millis(60))
    }));
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p");
    let out = bin()
        .args(["demo", project.to_str().unwrap(), "--conversations", "24"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let toml = std::fs::read_to_string(project.join("kura.toml"))
        .unwrap()
        .replace(
            "# base_url = \"http://localhost:11434/v1\"",
            &format!("base_url = \"{}\"", mock.base_url()),
        )
        .replace("max_concurrency = 32", "max_concurrency = 2")
        .replace("embedder = \"auto\"", "embedder = \"lexical\"");
    std::fs::write(project.join("kura.toml"), toml).unwrap();

    let mut child = bin()
        .args(["run", project.to_str().unwrap(), "--headless", "--yes"])
        .env("KURA_PROGRESS_SECS", "0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read stderr as it comes: no sleeping, the lines are the events.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let lines: Vec<String> = stderr.lines().map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    let text = lines.join("\n");
    assert!(status.success(), "{text}");

    let progress: Vec<&String> = lines.iter().filter(|l| counts(l).is_some()).collect();
    assert!(!progress.is_empty(), "no plain progress line:\n{text}");
    let line = progress
        .iter()
        .find(|l| counts(l).is_some_and(|(d, _)| d > 0))
        .unwrap_or_else(|| panic!("no line after the first summary:\n{text}"));
    assert_eq!(counts(line).unwrap().1, 24);
    for field in [
        "/s",
        "eta ",
        "retries 0",
        "timeouts 0",
        "errors 0",
        "concurrency ",
    ] {
        assert!(line.contains(field), "`{field}` missing from {line}");
    }
    assert!(
        text.contains("refused json_schema structured output (HTTP 500)"),
        "{text}"
    );
    assert_eq!(mock.count_format("json_schema"), 1, "one rejected request");
    let summaries = std::fs::read_to_string(project.join("checkpoints/summaries.jsonl")).unwrap();
    assert_eq!(summaries.lines().count(), 25, "header and 24 summaries");
    let learned = std::fs::read_to_string(project.join("cache/capabilities.json")).unwrap();
    assert!(learned.contains("json_object") && !learned.contains(TEST_KEY));
}
