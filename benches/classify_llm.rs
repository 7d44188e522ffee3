//! The LLM-judge path of `kura-tui classify` end to end against the
//! loopback mock, on the W&B labelled queries behind the talk's example
//! (issue 13): a project of the 110 queries, a definition with the judge
//! engine and one few-shot example per category, the labels imported, then
//! `eval` (validation split) and `apply` (every query) through the real
//! client, and the same again with the LLM cache warm.
//!
//! The mock judges by keywords, so its accuracy says nothing about a real
//! model: the figures are the requests sent, the wall time and that a
//! warm rerun sends none.
//!
//! `cargo bench --bench classify_llm -- --wandb FILE`

#[path = "../tests/support/mock_openai.rs"]
mod mock_openai;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Instant;

use kura_tui::classify::ops::{self, LlmJudge};
use kura_tui::classify::{ClassifierFiles, Split};
use kura_tui::model::{Conversation, Message, Role};
use kura_tui::project::Project;
use kura_tui::project::store::StoreWriter;
use mock_openai::{MockReply, MockServer};
use serde_json::json;

const DEFAULT: &str = "../shared/data/wandb_queries/wandb_rag_queries_labels_110.jsonl";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

/// (query, label) pairs.
fn read(path: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).expect("readable wandb jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid json line");
            (
                v["query"].as_str().unwrap_or_default().to_string(),
                v["label"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A keyword judge standing in for the model.
fn judge(text: &str) -> &'static str {
    let t = text.to_lowercase();
    if t.contains("artifact") || t.contains("version") || t.contains("dataset") {
        "artifact"
    } else if [
        "langchain",
        "hugging",
        "keras",
        "pytorch",
        "lightning",
        "integrat",
        "sagemaker",
    ]
    .iter()
    .any(|k| t.contains(k))
    {
        "integrations"
    } else if [
        "plot", "chart", "visual", "table", "panel", "image", "media",
    ]
    .iter()
    .any(|k| t.contains(k))
    {
        "visualisation"
    } else {
        "other"
    }
}

fn main() {
    let path = arg("--wandb").unwrap_or_else(|| DEFAULT.to_string());
    let data = read(&path);
    let server = MockServer::start(|req| {
        if !req.is_chat() {
            return MockReply::status(404, "chat only");
        }
        MockReply::json(&json!({"labels": [judge(&req.first_user_text())]}))
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("wandb");
    let (layout, lock) = Project::create(&root, false).expect("project");
    let mut w =
        StoreWriter::create(&layout.conversations(), &layout.conversations_index()).expect("store");
    for (i, (q, _)) in data.iter().enumerate() {
        w.push(&Conversation::new(
            format!("q{i:03}"),
            vec![Message::new(Role::User, q.clone())],
        ))
        .expect("push");
    }
    w.finish().expect("finish");
    drop(lock);
    let env: HashMap<String, String> = [
        ("KURA_CONFIG_DIR", "/nonexistent"),
        ("KURA_BASE_URL", server.base_url().as_str()),
        ("KURA_API_KEY", "sk-bench-classify"),
        ("KURA_MODEL", "gpt-4o-mini"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let project = Project::open_locked(&root, &env).expect("open");

    // One example per category: the first query of each label.
    let mut def = String::from("engine = \"llm\"\ndescription = \"What W&B users ask about\"\n");
    for (name, desc) in [
        ("artifact", "W&B Artifacts: versioning datasets and models"),
        (
            "integrations",
            "using W&B with other libraries and platforms",
        ),
        (
            "visualisation",
            "plots, tables, panels and media in the W&B UI",
        ),
    ] {
        let example = data
            .iter()
            .find(|(_, l)| l == name)
            .map(|(q, _)| q.replace('"', "'"))
            .unwrap_or_default();
        let _ = write!(
            def,
            "\n[[categories]]\nname = \"{name}\"\ndescription = \"{desc}\"\nexamples = [{{ text = \"{example}\" }}]\n"
        );
    }
    let files = ClassifierFiles::new(&root, "wandb").expect("name");
    std::fs::create_dir_all(files.dir()).expect("dir");
    std::fs::write(files.definition(), def).expect("definition");
    let mut csv = String::from("id,label\n");
    for (i, (_, l)) in data.iter().enumerate() {
        let _ = writeln!(csv, "q{i:03},{l}");
    }
    let labels = dir.path().join("labels.csv");
    std::fs::write(&labels, csv).expect("labels");
    ops::import_labels(&project, &files, &labels).expect("import");

    println!(
        "W&B queries ({} labelled) through the LLM judge and the loopback mock",
        data.len()
    );
    println!("| run | eval (validation) accuracy | applied | requests | wall |");
    println!("|---|---|---|---|---|");
    let mut before = 0;
    for run in ["cold cache", "warm cache"] {
        let start = Instant::now();
        let loaded = ops::load(&project, &files).expect("load");
        let judge = LlmJudge::for_project(&project, &loaded.def, None).expect("judge");
        let rec = ops::evaluate(&files, &loaded, Split::Validation, Some(&judge)).expect("eval");
        let applied = ops::apply(&files, &loaded, None, Some(&judge)).expect("apply");
        let wall = start.elapsed();
        let requests = server.requests().iter().filter(|r| r.is_chat()).count();
        println!(
            "| {run} | {:.3} (n = {}) | {} | {} | {:.2} s |",
            rec.accuracy,
            rec.n,
            applied.header.count,
            requests - before,
            wall.as_secs_f64()
        );
        before = requests;
    }
}
