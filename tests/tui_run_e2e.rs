//! End to end: `kura-tui PATH` on a project with no analysis yet, in a
//! pseudo-terminal, against the loopback mock. Above `max_cost_usd` the run
//! screen asks first: "n" makes no request at all; "y" runs every stage
//! over real sockets, shows the run screen and opens the explorer.

mod pty;
mod support;

use std::path::Path;

use support::TEST_KEY;
use support::mock_openai::MockServer;
use support::pipeline::honest;

/// A project of `n` demo conversations whose config points at `mock`, with
/// prices that put the run above its `max_cost_usd`.
fn costly_project(root: &Path, mock: &MockServer, n: usize) {
    let (layout, lock) = kura_tui::project::Project::create(root, false).unwrap();
    let mut w = kura_tui::project::store::StoreWriter::create(
        &layout.conversations(),
        &layout.conversations_index(),
    )
    .unwrap();
    for c in kura_tui::demo::generate(n, 5) {
        w.push(&c).unwrap();
    }
    w.finish().unwrap();
    drop(lock);
    let config = format!(
        r#"[llm]
provider = "openai"
base_url = "{url}"
model = "mock-model"
max_cost_usd = 0.01

[embedding]
base_url = "{url}"
model = "mock-embed"

[hierarchy]
max_top_level = 3

[prices]
"mock-model" = {{ input = 500.0, output = 500.0 }}
"mock-embed" = {{ input = 1.0, output = 0.0 }}
"#,
        url = mock.base_url()
    );
    std::fs::write(root.join("kura.toml"), config).unwrap();
}

fn spawn(dir: &Path, project: &Path) -> pty::Term {
    let config_dir = dir.join("config");
    let data_dir = dir.join("data");
    pty::Term::spawn(
        &[project.as_os_str()],
        dir,
        &[
            ("KURA_CONFIG_DIR", config_dir.as_os_str()),
            ("KURA_DATA_DIR", data_dir.as_os_str()),
            ("KURA_API_KEY", std::ffi::OsStr::new(TEST_KEY)),
        ],
    )
}

#[test]
fn declining_the_cost_makes_no_request() {
    let mock = MockServer::start(honest);
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p");
    costly_project(&project, &mock, 40);

    let mut term = spawn(dir.path(), &project);
    term.wait_for(&["Confirm the cost", "Continue?", "mock-model", "y run it"]);
    term.send(b"n");
    assert!(!term.wait_exit(), "declining exits with a failure status");
    assert_eq!(mock.request_count(), 0, "no LLM or embedding request");
    let checkpoints = std::fs::read_dir(project.join("checkpoints"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(checkpoints, 0, "nothing was written");
}

#[test]
fn accepting_the_cost_runs_then_explores() {
    let mock = MockServer::start(honest);
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p");
    costly_project(&project, &mock, 40);

    let mut term = spawn(dir.path(), &project);
    term.wait_for(&["Confirm the cost"]);
    term.send(b"y");
    // The run ends and the explorer opens on the mock's names.
    term.wait_for(&["Map", "Help with"]);
    term.send(b"q");
    assert!(term.wait_exit(), "kura-tui exits cleanly after q");

    let requests = mock.requests();
    let summaries = requests
        .iter()
        .filter(|r| r.is_chat() && r.user_text().contains("<conversation>"))
        .count();
    assert_eq!(summaries, 40, "one summary request per conversation");
    assert!(requests.iter().any(|r| r.is_embeddings()));
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TEST_KEY}").as_str())
        );
    }
    let info = std::process::Command::new(env!("CARGO_BIN_EXE_kura-tui"))
        .args(["tree", "--json"])
        .arg(&project)
        .env("KURA_CONFIG_DIR", dir.path().join("config"))
        .output()
        .unwrap();
    assert!(info.status.success());
    let roots: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    let total: u64 = roots
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 40);
    assert!(roots.as_array().unwrap().len() <= 3);
}
