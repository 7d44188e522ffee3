//! Editing each setting group of `kura.toml` (summarise, embedding, cluster,
//! naming, hierarchy, projection) outdates exactly the stage it belongs to
//! and the stages that depend on it, in `info --json`; `kura-tui PATH` then
//! recomputes that stage, loads the independent ones from their
//! checkpoints, and recomputes a dependent stage exactly when the content
//! of a stage it reads changed.

mod support;

use std::collections::HashMap;

use serde_json::Value;
use support::cli::{Cli, stderr};
use support::mock_openai::{MockRequest, MockServer};

const STAGES: [&str; 6] = [
    "summaries",
    "embeddings",
    "clusters",
    "names",
    "hierarchy",
    "projection",
];

/// The stages each stage reads (the specification, written out).
fn reads(stage: &str) -> &'static [&'static str] {
    match stage {
        "embeddings" => &["summaries"],
        "clusters" => &["summaries", "embeddings"],
        "names" | "projection" => &["summaries", "embeddings", "clusters"],
        "hierarchy" => &["summaries", "embeddings", "names"],
        _ => &[],
    }
}

/// Stages that depend on `stage`, directly or not.
fn dependents(stage: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for s in STAGES {
        if reads(s).contains(&stage) || reads(s).iter().any(|r| out.contains(r)) {
            out.push(s);
        }
    }
    out
}

/// Each stage's checkpoint digest.
fn digests(cli: &Cli) -> HashMap<&'static str, String> {
    STAGES
        .iter()
        .map(|s| {
            let rel = if *s == "embeddings" {
                "checkpoints/embeddings.bin".to_string()
            } else {
                format!("checkpoints/{s}.jsonl")
            };
            let bytes = cli.read(&rel);
            let at = bytes.iter().position(|b| *b == b'\n').unwrap();
            let header: Value = serde_json::from_slice(&bytes[..at]).unwrap();
            (*s, header["digest"].as_str().unwrap().to_string())
        })
        .collect()
}

/// `kura-tui PATH` without a terminal; returns, per stage, whether it was
/// loaded from its checkpoint.
fn run_and_print(cli: &Cli) -> HashMap<String, bool> {
    let out = cli
        .bin()
        .env("KURA_API_KEY", support::TEST_KEY)
        .arg(cli.project())
        .arg("--yes")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let mut cached = HashMap::new();
    for line in err.lines() {
        if let Some((stage, word)) = line.split_once(": ")
            && STAGES.contains(&stage)
            && (word == "cached" || word == "done")
        {
            cached.insert(stage.to_string(), word == "cached");
        }
    }
    assert_eq!(cached.len(), 6, "every stage reported: {err}");
    cached
}

#[test]
fn each_setting_group_outdates_exactly_its_stage_and_dependents() {
    let mock = MockServer::start(|req: &MockRequest| support::pipeline::honest(req));
    let cli = Cli::new();
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
    run_and_print(&cli);

    let cases = [
        (
            "projection",
            "epochs = 200",
            "epochs = 150",
            "projection.epochs 200 → 150",
        ),
        (
            "hierarchy",
            "max_top_level = 10",
            "max_top_level = 4",
            "hierarchy.max_top_level 10 → 4",
        ),
        (
            "names",
            "max_examples = 15",
            "max_examples = 12",
            "naming.max_examples 15 → 12",
        ),
        (
            "clusters",
            "per_cluster = 10",
            "per_cluster = 8",
            "cluster.per_cluster 10 → 8",
        ),
        (
            "embeddings",
            "# model = \"text-embedding-3-small\"",
            "model = \"mock-embed-2\"",
            "embedder api:text-embedding-3-small → api:mock-embed-2",
        ),
        (
            "summaries",
            "max_chars = 24000",
            "max_chars = 20000",
            "summarise.max_chars 24000 → 20000",
        ),
    ];
    for (stage, from, to, why) in cases {
        let before = digests(&cli);
        cli.edit_config(from, to);
        let info: Value = cli.info();
        let deps = dependents(stage);
        for s in STAGES {
            let status = info["stages"][s]["status"].as_str().unwrap_or_default();
            let expected = if s == stage || deps.contains(&s) {
                "outdated"
            } else {
                "done"
            };
            assert_eq!(status, expected, "{stage} edited: {s} in {info:#}");
        }
        let reasons = info["stages"][stage]["why"].to_string();
        assert!(reasons.contains(why), "{stage}: {reasons}");

        let cached = run_and_print(&cli);
        let after = digests(&cli);
        for s in STAGES {
            let expect_cached = if s == stage {
                false
            } else if deps.contains(&s) {
                reads(s).iter().all(|r| before[r] == after[r])
            } else {
                true
            };
            assert_eq!(cached[s], expect_cached, "{stage} edited: {s} cached?");
        }
        let info = cli.info();
        for s in STAGES {
            assert_eq!(
                info["stages"][s]["status"], "done",
                "{stage} edited, rerun: {s}"
            );
        }
    }
}
