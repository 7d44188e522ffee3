//! `kura-tui cache stats|clear PATH` on a project with cached answers.

use std::process::Command;

use kura_tui::llm::Cache;
use kura_tui::project::Project;
use serde_json::json;

fn kura(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kura-tui"))
        .args(args)
        .env("KURA_CONFIG_DIR", "/nonexistent-kura-config")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn stats_then_clear() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    let (layout, lock) = Project::create(&root, false).unwrap();
    drop(lock);
    let cache = Cache::new(layout.cache());
    for i in 0..3 {
        let key = Cache::key("openai", "m", &json!({ "i": i }));
        cache
            .put(&key, "openai", "m", &json!({ "content": "x".repeat(100) }))
            .unwrap();
    }
    let path = root.to_str().unwrap();

    let (ok, out, err) = kura(&["cache", "stats", path]);
    assert!(ok, "{err}");
    assert!(out.contains("3 cached responses"), "{out}");

    let (ok, out, err) = kura(&["cache", "clear", path]);
    assert!(ok, "{err}");
    assert!(out.contains("removed 3 cached responses"), "{out}");

    let (ok, out, _) = kura(&["cache", "stats", path]);
    assert!(ok);
    assert!(out.contains("0 cached responses, 0 bytes"), "{out}");

    let (ok, _, err) = kura(&["cache", "stats", dir.path().join("nope").to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("not a kura-tui project"), "{err}");
}
