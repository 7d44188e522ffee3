//! `kura-tui info` and `kura-tui eval` as commands, in text and `--json`:
//! their figures are checked against what the test computes itself from
//! the project's files.

mod cli_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::Path;

use cli_support::{Env, s};
use kura_tui::model::{Cluster, Conversation};
use serde_json::Value;

fn conversations(p: &Path) -> Vec<Conversation> {
    fs::read_to_string(p.join("conversations.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn base_clusters(p: &Path) -> Vec<Cluster> {
    fs::read_to_string(p.join("checkpoints/clusters.jsonl"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const STAGES: [&str; 6] = [
    "summaries",
    "embeddings",
    "clusters",
    "names",
    "hierarchy",
    "projection",
];

#[test]
fn info_counts_match_the_store_before_and_after_a_run() {
    let env = Env::new();
    let p = env.demo("p", 120);
    let convs = conversations(&p);
    assert_eq!(convs.len(), 120);
    let messages: usize = convs.iter().map(|c| c.messages.len()).sum();
    let mut turns: Vec<usize> = convs.iter().map(|c| c.messages.len()).collect();
    turns.sort_unstable();
    let fields: BTreeSet<&String> = convs.iter().flat_map(|c| c.metadata.keys()).collect();
    let fields: Vec<&String> = fields.into_iter().collect();
    assert!(fields.iter().any(|f| *f == "topic"));

    // Before any run.
    let json: Value = serde_json::from_str(&env.ok(&["info", s(&p), "--json"])).unwrap();
    assert_eq!(json["conversations"], 120);
    assert_eq!(json["messages"], messages);
    assert_eq!(json["turns"]["min"], turns[0]);
    assert_eq!(json["turns"]["median"], turns[turns.len() / 2]);
    assert_eq!(json["turns"]["max"], turns[turns.len() - 1]);
    assert_eq!(json["metadata_fields"], serde_json::json!(fields));
    assert_eq!(json["provider"], "offline");
    assert_eq!(json["offline"], true);
    assert_eq!(json["embedder"], "lexical-v5-256");
    assert_eq!(json["embedder_built"], Value::Null);
    for stage in STAGES {
        assert_eq!(json["stages"][stage]["status"], "missing", "{stage}");
    }
    let text = env.ok(&["info", s(&p)]);
    assert!(text.contains("conversations   120\n"), "{text}");
    assert!(
        text.contains(&format!("messages        {messages}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "turns/conv      min {}  median {}  max {}\n",
            turns[0],
            turns[turns.len() / 2],
            turns[turns.len() - 1]
        )),
        "{text}"
    );
    let joined: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    assert!(
        text.contains(&format!("metadata        {}\n", joined.join(", "))),
        "{text}"
    );
    assert!(text.contains("provider        offline (offline mode: no LLM calls)\n"));
    assert!(text.contains("embedder        lexical-v5-256\n"), "{text}");
    assert!(text.contains("  summaries    missing\n"), "{text}");

    // After a run every stage is done, with its counts and what it was
    // built with.
    env.ok(&["run", s(&p), "--offline", "--headless"]);
    let k = base_clusters(&p).len();
    let json: Value = serde_json::from_str(&env.ok(&["info", s(&p), "--json"])).unwrap();
    for stage in STAGES {
        assert_eq!(json["stages"][stage]["status"], "done", "{stage}: {json}");
    }
    for stage in ["summaries", "embeddings", "projection"] {
        assert_eq!(json["stages"][stage]["done"], 120, "{stage}");
        assert_eq!(json["stages"][stage]["total"], 120, "{stage}");
    }
    assert_eq!(json["stages"]["clusters"]["done"], k);
    assert_eq!(json["stages"]["clusters"]["built_with"]["k"], k);
    assert_eq!(
        json["stages"]["clusters"]["built_with"]["algorithm"],
        "kmeans"
    );
    assert_eq!(
        json["stages"]["embeddings"]["built_with"]["embedder"],
        "lexical-v5-256"
    );
    assert_eq!(json["embedder_built"], "lexical-v5-256");
    // The demo is partly non-English: the only warning is the language one.
    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .contains("in languages the lexical-v5-256 embedder does not cover"),
        "{warnings:?}"
    );
    let text = env.ok(&["info", s(&p)]);
    let line = |stage: &str| -> String {
        text.lines()
            .find(|l| l.trim_start().starts_with(stage))
            .unwrap_or_else(|| panic!("no {stage} line in {text}"))
            .to_string()
    };
    assert!(line("summaries").contains("done        120/120"), "{text}");
    assert!(
        line("embeddings").contains("built with embedder lexical-v5-256, dims 320"),
        "{text}"
    );
    assert!(
        line("clusters").contains(&format!("{k}/{k}")) && line("clusters").contains("kmeans"),
        "{text}"
    );
    // A changed setting shows the stage as outdated, and why.
    let toml = p.join("kura.toml");
    let config = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, config.replacen("k = 0", "k = 3", 1)).unwrap();
    let json: Value = serde_json::from_str(&env.ok(&["info", s(&p), "--json"])).unwrap();
    assert_eq!(json["stages"]["clusters"]["status"], "outdated", "{json}");
    assert_eq!(json["stages"]["summaries"]["status"], "done");
    let why = json["stages"]["clusters"]["why"].to_string();
    assert!(why.contains('k'), "{why}");
    // Out-of-date clusters are not shown, and not called missing either.
    let err = env.fails(&["tree", s(&p)]);
    assert!(
        err.contains("has clusters, but they are out of date for its current settings"),
        "{err}"
    );
    assert!(!err.contains("no clusters yet"), "{err}");
}

/// Purity of `labels` over the base clusters, computed here.
fn purity(clusters: &[Cluster], label: &HashMap<&str, &str>) -> f64 {
    let mut right = 0usize;
    let mut n = 0usize;
    for c in clusters {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for m in &c.members {
            *counts.entry(label[m.as_str()]).or_default() += 1;
        }
        right += counts.values().max().copied().unwrap_or(0);
        n += c.members.len();
    }
    right as f64 / n as f64
}

#[test]
fn eval_scores_the_default_demo_and_its_text_matches_its_json() {
    let env = Env::new();
    let p = env.demo("p", 800);
    // Before a run there is nothing to score.
    let err = env.fails(&["eval", s(&p), "--label", "topic"]);
    assert!(err.contains("has no clusters yet"), "{err}");

    env.ok(&["run", s(&p), "--offline", "--headless"]);
    let report: Value = serde_json::from_str(&env.ok(&[
        "eval",
        s(&p),
        "--label",
        "topic",
        "--label",
        "subtopic",
        "--json",
    ]))
    .unwrap();
    assert_eq!(report["n"], 800);
    let convs = conversations(&p);
    let base = base_clusters(&p);
    for key in ["topic", "subtopic"] {
        let levels = report["labels"][key].as_array().unwrap();
        assert!(levels.len() >= 2, "{report}");
        assert_eq!(levels[0]["level"], 0);
        assert_eq!(levels[0]["n_clusters"], base.len());
        // Fewer clusters at each level up.
        for pair in levels.windows(2) {
            assert!(pair[1]["n_clusters"].as_u64() < pair[0]["n_clusters"].as_u64());
        }
        // Hungarian accuracy only at the level nearest the label count.
        let with_acc = levels
            .iter()
            .filter(|l| !l["hungarian_acc"].is_null())
            .count();
        assert_eq!(with_acc, 1, "{key}");
        for l in levels {
            for m in ["nmi", "v_measure", "purity"] {
                let v = l[m].as_f64().unwrap();
                assert!((0.0..=1.0).contains(&v), "{key} {m} {v}");
            }
        }
        let label: HashMap<&str, &str> = convs
            .iter()
            .map(|c| (c.id.as_str(), c.metadata[key].as_str().unwrap()))
            .collect();
        let ours = purity(&base, &label);
        let theirs = levels[0]["purity"].as_f64().unwrap();
        assert!((ours - theirs).abs() < 1e-9, "{key}: {ours} vs {theirs}");
    }
    // A floor on clustering quality, so a clustering regression fails here.
    // Measured offline with the lexical embedder: NMI 0.633 against
    // subtopic at level 0 and 0.505 against topic at level 1.
    let nmi = |key: &str, level: usize| report["labels"][key][level]["nmi"].as_f64().unwrap();
    assert!(nmi("subtopic", 0) >= 0.55, "{report}");
    assert!(nmi("topic", 1) >= 0.42, "{report}");

    // The text table shows the same figures.
    let text = env.ok(&["eval", s(&p), "--label", "topic", "--label", "subtopic"]);
    assert!(text.starts_with("800 clustered conversations\n"), "{text}");
    for key in ["subtopic", "topic"] {
        assert!(text.contains(&format!("label `{key}`")), "{text}");
        for l in report["labels"][key].as_array().unwrap() {
            let row = format!(
                "{:>5}  {:>8}  {:.3}",
                l["level"].as_u64().unwrap(),
                l["n_clusters"].as_u64().unwrap(),
                l["nmi"].as_f64().unwrap()
            );
            assert!(text.contains(&row), "no `{row}` in {text}");
        }
    }
    // `subtopic` is listed before `topic` (keys in order).
    assert!(text.find("label `subtopic`") < text.find("label `topic`"));

    let err = env.fails(&["eval", s(&p), "--label", "nope"]);
    assert!(
        err.contains("no clustered conversation has metadata `nope`"),
        "{err}"
    );
}
