//! A run killed with SIGKILL in the middle of summarisation resumes where it
//! stopped: no summary is lost or made twice.
//!
//! No sleeping or polling: the mock answers the first summary requests and
//! holds the rest, and tells the test (over a channel) when it holds one, so
//! the kill comes while the run is stuck with some summaries saved.

mod support;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use support::TEST_KEY;
use support::mock_openai::{MockReply, MockRequest, MockServer};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kura-tui"));
    c.env("KURA_CONFIG_DIR", "/nonexistent-kura-config")
        .env("KURA_API_KEY", TEST_KEY)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .stdin(Stdio::null());
    c
}

/// Summaries saved in a partial file (its complete lines but the header).
fn partial_records(path: &std::path::Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.split_inclusive('\n')
        .filter(|l| l.ends_with('\n') && l.contains("\"summary\""))
        .count()
}

/// Summary requests the mock answers before it starts holding them.
const ANSWERED: usize = 12;

fn is_summary(req: &MockRequest) -> bool {
    req.user_text().contains("<conversation>")
}

#[test]
fn kill_during_summaries_then_resume_loses_and_repeats_nothing() {
    let holding = Arc::new(AtomicBool::new(true));
    let summary_requests = Arc::new(AtomicUsize::new(0));
    let (held_tx, held_rx) = mpsc::channel::<()>();
    let mock = {
        let holding = holding.clone();
        let summary_requests = summary_requests.clone();
        MockServer::start(move |req: &MockRequest| {
            if is_summary(req)
                && holding.load(Ordering::SeqCst)
                && summary_requests.fetch_add(1, Ordering::SeqCst) >= ANSWERED
            {
                let _ = held_tx.send(());
                return MockReply::Hang;
            }
            support::pipeline::honest(req)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p");
    let out = bin()
        .args(["demo", project.to_str().unwrap(), "--conversations", "60"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut toml = std::fs::read_to_string(project.join("kura.toml")).unwrap();
    toml = toml.replace(
        "# base_url = \"http://localhost:11434/v1\"",
        &format!("base_url = \"{}\"", mock.base_url()),
    );
    toml = toml.replace("max_concurrency = 32", "max_concurrency = 4");
    toml = toml.replace(
        "# base_url = \"https://api.openai.com/v1\"",
        &format!("base_url = \"{}\"", mock.base_url()),
    );
    std::fs::write(project.join("kura.toml"), toml).unwrap();

    let partial = project.join("checkpoints/summaries.partial.jsonl");
    let mut child = bin()
        .args(["run", project.to_str().unwrap(), "--headless", "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the mock to hold a request: the run has had its answers to
    // the first ANSWERED and can go no further. Then kill -9. (The timeout
    // only bounds a broken run; it is not how long the test waits.)
    let held = held_rx.recv_timeout(Duration::from_secs(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended before the kill"
    );
    assert!(
        held.is_ok(),
        "the run sent no summary request past the first {ANSWERED}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // The 13th request is sent only once a slot (of 4) is free again, that
    // is after the stage has saved at least 9 answers; answers being saved
    // when the kill came may be lost, and are asked for again.
    let saved = partial_records(&partial);
    assert!(
        (ANSWERED - 3..=ANSWERED).contains(&saved),
        "{saved} summaries saved before the kill"
    );
    let first_run_requests = mock.requests().iter().filter(|r| is_summary(r)).count();
    holding.store(false, Ordering::SeqCst);

    let out = bin()
        .args(["run", project.to_str().unwrap(), "--headless", "--yes"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(project.join("checkpoints/summaries.jsonl")).unwrap();
    let ids: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["conversation_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 60);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        60,
        "no duplicates"
    );
    assert!(
        !partial.exists(),
        "partial file removed once the stage finished"
    );
    let total = mock.requests().iter().filter(|r| is_summary(r)).count();
    // The resumed run asked again for nothing that was saved, and for
    // nothing the first run got an answer to in time to keep (in the
    // partial file, or in the LLM cache when the kill came before the
    // partial line): between 60 - ANSWERED and 60 - saved requests.
    let resumed = total - first_run_requests;
    assert!(
        (60 - ANSWERED..=60 - saved).contains(&resumed),
        "summary requests: first run {first_run_requests}, resumed {resumed}, saved {saved}"
    );
    assert!(project.join("checkpoints/hierarchy.jsonl").exists());
}
