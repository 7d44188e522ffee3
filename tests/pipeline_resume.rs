//! A run killed with SIGKILL in the middle of summarisation resumes where it
//! stopped: no summary is lost or made twice.

mod support;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::TEST_KEY;
use support::mock_openai::{MockRequest, MockServer};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kura-tui"));
    c.env("KURA_CONFIG_DIR", "/nonexistent-kura-config")
        .env("KURA_API_KEY", TEST_KEY)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .stdin(Stdio::null());
    c
}

fn partial_lines(path: &std::path::Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn kill_during_summaries_then_resume_loses_and_repeats_nothing() {
    let mock = MockServer::start(|req: &MockRequest| {
        support::pipeline::honest(req).after(Duration::from_millis(40))
    });
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
    // Wait for the event "some summaries are saved", then kill -9.
    let deadline = Instant::now() + Duration::from_secs(120);
    while partial_lines(&partial) < 12 {
        assert!(Instant::now() < deadline, "no progress before the deadline");
        assert!(
            child.try_wait().unwrap().is_none(),
            "run ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let saved = partial_lines(&partial);
    assert!(saved < 60, "killed partway ({saved} saved)");
    let first_run_requests = mock
        .requests()
        .iter()
        .filter(|r| r.user_text().contains("<conversation>"))
        .count();

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
    let total = mock
        .requests()
        .iter()
        .filter(|r| r.user_text().contains("<conversation>"))
        .count();
    // The resumed run asked only for what was not saved: at most the
    // requests in flight at the kill (concurrency 4) are made twice.
    assert!(
        (60..=64).contains(&total),
        "{total} summary requests in all (first run {first_run_requests}, saved {saved})"
    );
    assert!(project.join("checkpoints/hierarchy.jsonl").exists());
}
