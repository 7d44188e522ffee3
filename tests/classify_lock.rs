//! `classify new | label | eval | apply` take the project's lock, as `run`
//! does: while another process holds it they fail at once, naming the
//! holder, and write nothing; once it is released they work.

mod support;

use std::fmt::Write as _;

use kura_tui::project::{Layout, ProjectLock};
use support::cli::{Cli, stderr};

const DEFINITION: &str = r#"
[[categories]]
name = "Billing"
description = "payments and refunds"

[[categories]]
name = "Shipping"
description = "deliveries"
"#;

#[test]
fn classify_commands_wait_for_no_one_while_the_project_is_locked() {
    let cli = Cli::new();
    let mut convs = String::new();
    let mut labels = String::from("id,label\n");
    for i in 0..30 {
        let (text, label) = if i % 2 == 0 {
            (
                format!("where is my parcel {i}, the courier is late"),
                "Shipping",
            )
        } else {
            (
                format!("refund my invoice {i}, I was charged twice"),
                "Billing",
            )
        };
        let line = serde_json::json!({"id": format!("c{i}"), "messages": [{"role": "user", "content": text}]});
        let _ = writeln!(convs, "{line}");
        let _ = writeln!(labels, "c{i},{label}");
    }
    let input = cli.dir.path().join("c.jsonl");
    std::fs::write(&input, convs).unwrap();
    cli.ok(&["init", "P", "--input", input.to_str().unwrap()]);
    std::fs::create_dir_all(cli.path("classifiers")).unwrap();
    cli.write("classifiers/route.toml", DEFINITION.as_bytes());
    let lpath = cli.dir.path().join("l.csv");
    std::fs::write(&lpath, labels).unwrap();
    let label = [
        "classify",
        "label",
        "P",
        "route",
        "--input",
        lpath.to_str().unwrap(),
    ];

    let root = cli.project();
    let held = ProjectLock::acquire(&Layout::new(&root).lock(), &root).unwrap();
    for args in [
        &label[..],
        &["classify", "eval", "P", "route"],
        &["classify", "apply", "P", "route"],
        &["classify", "new", "P", "other", "--from-cluster", "L0-0"],
    ] {
        let out = cli.run(args);
        assert!(!out.status.success(), "{args:?} ran under the lock");
        let err = stderr(&out);
        assert!(
            err.contains("in use") && err.contains(&format!("pid {}", std::process::id())),
            "{args:?}: {err}"
        );
    }
    assert!(!cli.path("classifiers/route.labels.jsonl").exists());
    assert!(!cli.path("classifiers/route.applied.jsonl").exists());
    assert!(!cli.path("classifiers/other.toml").exists());

    drop(held);
    let out = cli.ok(&label);
    assert!(out.contains("imported 30 labels"), "{out}");
    let rows = std::fs::read_to_string(cli.path("classifiers/route.labels.jsonl")).unwrap();
    assert_eq!(rows.lines().count(), 30);
}
