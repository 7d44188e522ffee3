//! `kura-tui import-kura`: a checkpoint folder in Kura's format (written
//! here, field for field as Kura's pydantic models dump them) becomes a
//! project whose stages are done, whose tree is Kura's and which a run
//! does not recompute; bad or missing files are named and leave nothing.

mod cli_support;

use std::fs;
use std::path::{Path, PathBuf};

use cli_support::{Env, s};
use serde_json::{Value, json};

const CHATS: [&str; 6] = ["c1", "c2", "c3", "c4", "c5", "c6"];

fn conversation(id: &str) -> Value {
    json!({
        "chat_id": id,
        "created_at": "2025-05-29T22:11:46.173975",
        "messages": [
            {"created_at": "2025-05-29T22:11:46.173977", "role": "user", "content": format!("question {id}")},
            {"created_at": "2025-05-29T22:11:47.000000", "role": "assistant", "content": format!("answer {id}")}
        ],
        "metadata": {"turns": 1, "team": if id < "c4" { "a" } else { "b" }}
    })
}

fn summary(id: &str, embedding: Option<Vec<f32>>) -> Value {
    json!({
        "summary": format!("The user asked about topic {id}."),
        "request": format!("Explain {id}"),
        "topic": null,
        "languages": ["english"],
        "task": "explain",
        "concerning_score": 1,
        "user_frustration": 2,
        "assistant_errors": null,
        "chat_id": id,
        "metadata": {"conversation_turns": 1},
        "embedding": embedding
    })
}

fn cluster(id: &str, name: &str, slug: &str, chats: &[&str], parent: Option<&str>) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": format!("Users asked about {name}."),
        "slug": slug,
        "chat_ids": chats,
        "parent_id": parent,
        "count": chats.len()
    })
}

fn projected(c: &Value, x: f32, y: f32, level: u32) -> Value {
    let mut c = c.clone();
    c["x_coord"] = json!(x);
    c["y_coord"] = json!(y);
    c["level"] = json!(level);
    c
}

fn jsonl(path: &Path, rows: &[Value]) {
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    fs::write(path, text).unwrap();
}

/// A Kura checkpoint folder: three base clusters (billing 3, login 2,
/// export 1), a meta cluster over the first two, and the projection.
fn kura_dir(env: &Env, name: &str) -> PathBuf {
    let dir = env.path(name);
    fs::create_dir_all(&dir).unwrap();
    let convs: Vec<Value> = CHATS.iter().map(|c| conversation(c)).collect();
    jsonl(&dir.join("conversations.jsonl"), &convs);
    let sums: Vec<Value> = CHATS.iter().map(|c| summary(c, None)).collect();
    jsonl(&dir.join("summaries.jsonl"), &sums);
    let billing = cluster(
        "kb",
        "Fix billing errors",
        "billing_error_fixes",
        &["c1", "c2", "c3"],
        None,
    );
    let login = cluster(
        "kl",
        "Reset login passwords",
        "login_password_reset",
        &["c4", "c5"],
        None,
    );
    let export = cluster("ke", "Export data to CSV", "csv_data_export", &["c6"], None);
    jsonl(
        &dir.join("clusters.jsonl"),
        &[billing.clone(), login.clone(), export.clone()],
    );
    let account = cluster(
        "km",
        "Help with account problems",
        "account_problem_help",
        &["c1", "c2", "c3", "c4", "c5"],
        None,
    );
    let with_parent = |c: &Value| {
        let mut c = c.clone();
        c["parent_id"] = json!("km");
        c
    };
    let meta = [
        with_parent(&billing),
        with_parent(&login),
        export.clone(),
        account.clone(),
    ];
    jsonl(&dir.join("meta_clusters.jsonl"), &meta);
    let dims = [
        projected(&meta[0], 1.0, 1.0, 1),
        projected(&meta[1], 2.0, 1.0, 1),
        projected(&meta[2], -5.0, 4.0, 0),
        projected(&meta[3], 1.5, 1.0, 0),
    ];
    jsonl(&dir.join("dimensionality.jsonl"), &dims);
    dir
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn find<'a>(nodes: &'a Value, name: &str) -> &'a Value {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("no `{name}` in {nodes:#}"))
}

fn exported_ids(env: &Env, project: &Path, cluster: &str) -> Vec<String> {
    let out = env.path(&format!("{cluster}.jsonl"));
    env.ok(&["export", s(project), "--cluster", cluster, "--out", s(&out)]);
    let mut ids: Vec<String> = fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| json_of(l)["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn no_leftovers(env: &Env) {
    let stray: Vec<String> = fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("import"))
        .collect();
    assert!(stray.is_empty(), "temporary directories left: {stray:?}");
}

#[test]
fn an_imported_checkpoint_is_done_with_kuras_tree_and_exports() {
    let env = Env::new();
    let kura = kura_dir(&env, "kura");
    let p = env.path("p");
    let said = env.ok(&["import-kura", s(&kura), s(&p)]);
    assert!(
        said.contains("imported 6 conversations, 3 base clusters"),
        "{said}"
    );
    assert!(
        said.contains("embeddings: Kura's summaries carry none"),
        "{said}"
    );
    no_leftovers(&env);

    let info = json_of(&env.ok(&["info", s(&p), "--json"]));
    assert_eq!(info["conversations"], 6);
    for stage in ["summaries", "clusters", "names", "hierarchy", "projection"] {
        let st = &info["stages"][stage];
        assert_eq!(st["status"], "done", "{stage}: {st:#}");
        let source = st["built_with"]["source"].as_str().unwrap();
        assert!(
            source.starts_with("imported from Kura"),
            "{stage}: {source}"
        );
    }
    assert_eq!(info["stages"]["summaries"]["done"], 6);
    assert_eq!(info["stages"]["embeddings"]["status"], "missing");
    assert_eq!(info["stages"]["hierarchy"]["done"], 4);

    let tree = json_of(&env.ok(&["tree", s(&p), "--json"]));
    assert_eq!(tree.as_array().unwrap().len(), 2, "{tree:#}");
    let account = find(&tree, "Help with account problems");
    assert_eq!(account["count"], 5);
    assert_eq!(account["level"], 1);
    assert_eq!(account["slug"], "account_problem_help");
    let billing = find(&account["children"], "Fix billing errors");
    assert_eq!(billing["count"], 3);
    assert_eq!(billing["level"], 0);
    assert_eq!(
        find(&account["children"], "Reset login passwords")["count"],
        2
    );
    assert_eq!(find(&tree, "Export data to CSV")["count"], 1);

    assert_eq!(
        exported_ids(&env, &p, "account_problem_help"),
        ["c1", "c2", "c3", "c4", "c5"]
    );
    assert_eq!(exported_ids(&env, &p, "login_password_reset"), ["c4", "c5"]);
    let conv = fs::read_to_string(env.path("login_password_reset.jsonl")).unwrap();
    let first = json_of(conv.lines().next().unwrap());
    assert_eq!(first["messages"][1]["content"], "answer c4");
    assert_eq!(first["metadata"]["team"], "b");

    // Each conversation sits near its base cluster's Kura coordinate.
    let points = fs::read_to_string(p.join("checkpoints/projection.jsonl")).unwrap();
    let c6 = points
        .lines()
        .skip(1)
        .map(json_of)
        .find(|v| v["conversation_id"] == "c6")
        .unwrap();
    let (x, y) = (c6["x"].as_f64().unwrap(), c6["y"].as_f64().unwrap());
    assert!((x + 5.0).abs() < 0.5 && (y - 4.0).abs() < 0.5, "{c6}");
}

#[test]
fn a_run_keeps_the_imported_stages_and_only_computes_embeddings() {
    let env = Env::new();
    let kura = kura_dir(&env, "kura");
    let p = env.path("p");
    env.ok(&["import-kura", s(&kura), s(&p)]);
    let before = fs::read(p.join("checkpoints/hierarchy.jsonl")).unwrap();
    env.ok(&["run", s(&p), "--offline", "--headless"]);
    assert_eq!(
        fs::read(p.join("checkpoints/hierarchy.jsonl")).unwrap(),
        before
    );
    let info = json_of(&env.ok(&["info", s(&p), "--json"]));
    for (stage, st) in info["stages"].as_object().unwrap() {
        assert_eq!(st["status"], "done", "{stage}: {st:#}");
    }
    let source = &info["stages"]["clusters"]["built_with"]["source"];
    assert_eq!(source, "imported from Kura (clusters.jsonl)");
}

#[test]
fn a_json_dump_with_embeddings_imports_them_and_no_meta_gives_a_flat_tree() {
    let env = Env::new();
    let kura = kura_dir(&env, "kura");
    fs::remove_file(kura.join("conversations.jsonl")).unwrap();
    fs::remove_file(kura.join("meta_clusters.jsonl")).unwrap();
    fs::remove_file(kura.join("dimensionality.jsonl")).unwrap();
    let convs: Vec<Value> = CHATS.iter().map(|c| conversation(c)).collect();
    fs::write(
        kura.join("conversations.json"),
        Value::from(convs).to_string(),
    )
    .unwrap();
    let sums: Vec<Value> = CHATS
        .iter()
        .enumerate()
        .map(|(i, c)| summary(c, Some(vec![i as f32, 1.0, 0.5])))
        .collect();
    jsonl(&kura.join("summaries.jsonl"), &sums);
    let p = env.path("p");
    let said = env.ok(&["import-kura", s(&kura), s(&p)]);
    assert!(
        said.contains("projection: no dimensionality.jsonl"),
        "{said}"
    );
    let info = json_of(&env.ok(&["info", s(&p), "--json"]));
    assert_eq!(info["stages"]["embeddings"]["status"], "done");
    assert_eq!(info["stages"]["embeddings"]["done"], 6);
    assert_eq!(info["stages"]["hierarchy"]["status"], "done");
    assert_eq!(info["stages"]["projection"]["status"], "missing");
    let tree = json_of(&env.ok(&["tree", s(&p), "--json"]));
    let counts: Vec<u64> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [3, 2, 1]);
}

#[test]
fn a_malformed_line_is_named_by_file_line_and_field_and_nothing_is_written() {
    let env = Env::new();
    let kura = kura_dir(&env, "kura");
    let mut sums: Vec<Value> = CHATS.iter().map(|c| summary(c, None)).collect();
    sums[2]["summary"] = json!(5);
    jsonl(&kura.join("summaries.jsonl"), &sums);
    let p = env.path("p");
    let err = env.fails(&["import-kura", s(&kura), s(&p)]);
    assert!(err.contains("summaries.jsonl:3"), "{err}");
    assert!(err.contains("field `summary`"), "{err}");
    assert!(!p.exists());
    no_leftovers(&env);

    // Not JSON at all, and a member that is no conversation.
    let mut text = fs::read_to_string(kura.join("clusters.jsonl")).unwrap();
    text.push_str("{\"id\": \"broken\n");
    fs::write(kura.join("clusters.jsonl"), &text).unwrap();
    sums[2]["summary"] = json!("fine");
    jsonl(&kura.join("summaries.jsonl"), &sums);
    let err = env.fails(&["import-kura", s(&kura), s(&p)]);
    assert!(
        err.contains("clusters.jsonl:4") && err.contains("not valid JSON"),
        "{err}"
    );
    let bad = cluster("kx", "Ghosts", "ghosts", &["c1", "nope"], None);
    jsonl(&kura.join("clusters.jsonl"), &[bad]);
    let err = env.fails(&["import-kura", s(&kura), s(&p)]);
    assert!(
        err.contains("clusters.jsonl:1") && err.contains("chat_ids[1]"),
        "{err}"
    );
    assert!(!p.exists());
}

#[test]
fn a_missing_or_parquet_file_is_named() {
    let env = Env::new();
    let kura = kura_dir(&env, "kura");
    fs::remove_file(kura.join("clusters.jsonl")).unwrap();
    let p = env.path("p");
    let err = env.fails(&["import-kura", s(&kura), s(&p)]);
    assert!(
        err.contains("clusters.jsonl") && err.contains("missing"),
        "{err}"
    );
    fs::write(kura.join("clusters.parquet"), b"PAR1").unwrap();
    let err = env.fails(&["import-kura", s(&kura), s(&p)]);
    assert!(
        err.contains("clusters.parquet") && err.contains("JSONL"),
        "{err}"
    );
    assert!(!p.exists());
    // An existing project is never overwritten.
    let other = kura_dir(&env, "kura2");
    fs::create_dir(&p).unwrap();
    fs::write(p.join("keep.txt"), "mine").unwrap();
    let err = env.fails(&["import-kura", s(&other), s(&p)]);
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(fs::read_to_string(p.join("keep.txt")).unwrap(), "mine");
}
