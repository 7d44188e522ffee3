//! `kura-tui add`: new conversations of a seeded synthetic set join the
//! clusters of their own topic; the threshold sends outliers to
//! "unassigned"; relabels survive; the project stays done for `run`; bad
//! input (unknown format, empty file, duplicate ids) is refused with nothing
//! written; an HDBSCAN project grows without touching its noise; and
//! `report --growth` counts per period.

mod cli_support;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use cli_support::{Env, s};
use kura_tui::config::ProcessEnv;
use kura_tui::model::{Conversation, Message, Role};
use kura_tui::project::Project;
use kura_tui::project::labels::Labels;
use serde_json::Value;

const BASE: usize = 400;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn write_jsonl(path: &Path, convs: &[Conversation]) {
    let text: String = convs
        .iter()
        .map(|c| serde_json::to_string(c).unwrap() + "\n")
        .collect();
    std::fs::write(path, text).unwrap();
}

/// Demo conversations `from..to` of the default demo seed (7).
fn demo_range(from: usize, to: usize) -> Vec<Conversation> {
    (from..to)
        .map(|i| kura_tui::demo::conversation(i, 7))
        .collect()
}

/// Off-topic conversations about beekeeping, far from every demo topic.
fn outliers(n: usize) -> Vec<Conversation> {
    let lines = [
        "My beehive queen stopped laying and the colony is swarming near the apiary hedgerow.",
        "Which smoker fuel calms honeybees when I inspect brood frames and propolis seals?",
        "The varroa mites overwhelm my hives; should I requeen before the clover nectar flow?",
        "How do I render beeswax cappings after extracting heather honey from supers?",
    ];
    (0..n)
        .map(|i| {
            Conversation::new(
                format!("bees-{i}"),
                vec![
                    Message::new(Role::User, lines[i % 4]),
                    Message::new(Role::Assistant, lines[(i + 1) % 4]),
                    Message::new(Role::User, lines[(i + 2) % 4]),
                ],
            )
        })
        .collect()
}

/// Every file of the project but logs, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if rel.starts_with("logs") || rel == ".lock" {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Conversations under the roots of `tree --json`.
fn roots_total(tree: &Value) -> u64 {
    tree.as_array()
        .unwrap()
        .iter()
        .map(|n| n["count"].as_u64().unwrap())
        .sum()
}

/// Base cluster id → conversation ids, from the hierarchy checkpoint.
fn base_members(root: &Path) -> HashMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root.join("checkpoints/hierarchy.jsonl")).unwrap();
    text.lines()
        .skip(1)
        .map(json)
        .filter(|c| c["level"] == 0)
        .map(|c| {
            let members = c["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_string())
                .collect();
            (c["id"].as_str().unwrap().to_string(), members)
        })
        .collect()
}

fn topic_of(id: &str) -> Option<String> {
    let i: usize = id.strip_prefix("demo-")?.parse().ok()?;
    Some(
        kura_tui::demo::conversation(i, 7).metadata["topic"]
            .as_str()?
            .to_string(),
    )
}

#[test]
fn new_conversations_join_their_topic_and_relabels_survive() {
    let env = Env::new();
    let p = env.analysed("p", BASE);
    let before = base_members(&p);

    // Relabel the largest base cluster.
    let project = Project::open(&p, &ProcessEnv).unwrap();
    let analysis = kura_tui::analysis::Analysis::load(&project).unwrap();
    let (target, _) = before
        .iter()
        .max_by_key(|(id, m)| (m.len(), std::cmp::Reverse((*id).clone())))
        .unwrap();
    let mut labels = Labels::default();
    labels.set(&analysis.hierarchy, target, "Hand-named cluster");
    labels.save(&project.layout.labels()).unwrap();

    let input = env.path("new.jsonl");
    write_jsonl(&input, &demo_range(BASE, BASE + 120));
    let out = json(&env.ok(&["add", s(&p), "--input", s(&input), "--json"]));
    assert_eq!(out["added"], 120, "{out}");
    assert_eq!(out["conversations"], BASE + 120);
    assert_eq!(out["offline"], true);
    assert!(
        out["embedding"]
            .as_str()
            .unwrap()
            .contains("refitted on the first 400"),
        "{out}"
    );
    let unassigned = out["unassigned"].as_u64().unwrap();
    assert!(unassigned <= 12, "too many unassigned: {out}");

    // Each assigned conversation's topic is its cluster's majority topic.
    let after = base_members(&p);
    let (mut right, mut assigned, mut pure) = (0, 0, 0);
    for (id, members) in &after {
        let Some(old) = before.get(id) else { continue };
        let mut topics: HashMap<String, usize> = HashMap::new();
        for m in old {
            *topics.entry(topic_of(m).unwrap()).or_default() += 1;
        }
        let (major, n) = topics.into_iter().max_by_key(|(_, n)| *n).unwrap();
        pure += n;
        assert_eq!(&members[..old.len()], &old[..], "old members kept in order");
        for m in &members[old.len()..] {
            assigned += 1;
            right += usize::from(topic_of(m).unwrap() == major);
        }
    }
    assert_eq!(assigned as u64 + unassigned, 120);
    // As topic-pure as the clusters themselves (the offline lexical
    // clustering's own purity on the same demo data).
    let purity = pure as f64 / BASE as f64;
    let agreement = right as f64 / assigned as f64;
    assert!(
        agreement >= purity - 0.1 && agreement >= 0.6,
        "{right} of {assigned} new conversations joined a cluster of their topic \
         ({agreement:.2}); the clusters' own purity is {purity:.2}"
    );

    // The relabel survives; the tree counts everything.
    let tree = json(&env.ok(&["tree", s(&p), "--json"]));
    let text = tree.to_string();
    assert!(text.contains("Hand-named cluster"), "{text}");
    let total = roots_total(&tree);
    assert_eq!(total, (BASE + 120) as u64);

    // A later run finds every stage done and changes nothing.
    let files = snapshot(&p);
    let info = json(&env.ok(&["info", s(&p), "--json"]));
    assert!(info.to_string().contains("done"), "{info}");
    assert_eq!(info["added"]["conversations"], 120, "{info}");
    assert_eq!(info["added"]["batches"], 1, "{info}");
    let text = env.ok(&["info", s(&p)]);
    assert!(
        text.contains("added           120 conversations in 1 batch since"),
        "{text}"
    );
    env.ok(&["run", s(&p), "--offline", "--headless"]);
    let again = snapshot(&p);
    for name in [
        "conversations.jsonl",
        "checkpoints/clusters.jsonl",
        "checkpoints/hierarchy.jsonl",
        "checkpoints/embeddings.bin",
        "added.json",
    ] {
        assert_eq!(files.get(name), again.get(name), "{name} changed on run");
    }

    // A second add continues the record and keeps the lexical fit.
    let second = env.path("second.jsonl");
    write_jsonl(&second, &demo_range(BASE + 120, BASE + 150));
    let out = json(&env.ok(&["add", s(&p), "--input", s(&second), "--json"]));
    assert_eq!(out["conversations"], BASE + 150);
    assert!(
        out["embedding"]
            .as_str()
            .unwrap()
            .contains("refitted on the first 400"),
        "{out}"
    );
    let log = json(&std::fs::read_to_string(p.join("added.json")).unwrap());
    assert_eq!(log["batches"].as_array().unwrap().len(), 2);

    // A damaged record: `info` still reports the project and names the
    // file; `add` refuses rather than start a new record over it.
    std::fs::write(p.join("added.json"), b"{\"version\": 1, \"batches\": [").unwrap();
    let info = json(&env.ok(&["info", s(&p), "--json"]));
    assert_eq!(info["conversations"], BASE + 150, "{info}");
    assert!(info.get("added").is_none(), "{info}");
    let warning = info["warnings"].to_string();
    assert!(
        warning.contains("added conversations not counted") && warning.contains("added.json"),
        "{warning}"
    );
    let third = env.path("third.jsonl");
    write_jsonl(&third, &demo_range(BASE + 150, BASE + 160));
    let err = env.fails(&["add", s(&p), "--input", s(&third)]);
    assert!(err.contains("added.json"), "{err}");
}

#[test]
fn the_threshold_sends_outliers_to_unassigned() {
    let env = Env::new();
    let p = env.analysed("p", 300);
    let input = env.path("mixed.jsonl");
    let mut convs = demo_range(300, 340);
    convs.extend(outliers(12));
    write_jsonl(&input, &convs);
    let out = json(&env.ok(&["add", s(&p), "--input", s(&input), "--json"]));
    let bucket = out["unassigned_cluster"].as_str().unwrap().to_string();
    let members = base_members(&p);
    let unassigned = &members[&bucket];
    // Off-topic conversations go to "unassigned" far more often than
    // conversations of the project's own topics.
    let bees = unassigned.iter().filter(|m| m.starts_with("bees-")).count();
    let demo = unassigned.len() - bees;
    assert!(
        bees >= 6,
        "only {bees} of 12 outliers unassigned: {unassigned:?}"
    );
    assert!(
        bees as f64 / 12.0 >= 3.0 * demo as f64 / 40.0,
        "{bees} of 12 outliers but {demo} of 40 demo conversations unassigned"
    );
    // Shown as its own root in the tree and in the report.
    let tree = env.ok(&["tree", s(&p)]);
    assert!(tree.contains("Unassigned (added)"), "{tree}");
    let report = json(&env.ok(&["report", s(&p), "--format", "json"]));
    let row = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == bucket.as_str())
        .unwrap();
    assert_eq!(row["count"].as_u64().unwrap() as usize, unassigned.len());

    // A zero threshold leaves every new conversation unassigned.
    let q = env.analysed("q", 200);
    let input = env.path("few.jsonl");
    write_jsonl(&input, &demo_range(200, 210));
    let out = json(&env.ok(&[
        "add",
        s(&q),
        "--input",
        s(&input),
        "--threshold",
        "0",
        "--json",
    ]));
    assert_eq!(
        (out["assigned"].as_u64(), out["unassigned"].as_u64()),
        (Some(0), Some(10))
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let env = Env::new();
    let p = env.analysed("p", 150);
    let before = snapshot(&p);

    let prose = env.path("notes.txt");
    std::fs::write(&prose, "just some notes, not conversations\n").unwrap();
    let err = env.fails(&["add", s(&p), "--input", s(&prose)]);
    assert!(err.contains("notes.txt"), "{err}");

    let empty = env.path("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let err = env.fails(&["add", s(&p), "--input", s(&empty)]);
    assert!(err.contains("empty"), "{err}");

    let dupes = env.path("dupes.jsonl");
    let mut convs = demo_range(148, 152);
    convs.extend(demo_range(0, 1));
    write_jsonl(&dupes, &convs);
    let err = env.fails(&["add", s(&p), "--input", s(&dupes)]);
    assert!(
        err.contains("3 of its conversations are already in the project"),
        "{err}"
    );
    assert!(
        err.contains("`demo-00148`") && err.contains("--skip-duplicates"),
        "{err}"
    );

    assert_eq!(before, snapshot(&p), "a refused add changed the project");

    let out = json(&env.ok(&[
        "add",
        s(&p),
        "--input",
        s(&dupes),
        "--skip-duplicates",
        "--json",
    ]));
    assert_eq!(
        (out["added"].as_u64(), out["skipped_duplicates"].as_u64()),
        (Some(2), Some(3))
    );

    // A broken record is refused by line; with --skip-invalid the rest is
    // added and the record is appended to rejected.jsonl.
    let mixed = env.path("mixed.jsonl");
    let good = demo_range(160, 162);
    let text = format!(
        "{}\n{{\"id\": \"broken\", \"messages\": 7}}\n{}\n",
        serde_json::to_string(&good[0]).unwrap(),
        serde_json::to_string(&good[1]).unwrap()
    );
    std::fs::write(&mixed, text).unwrap();
    let before = snapshot(&p);
    let err = env.fails(&["add", s(&p), "--input", s(&mixed)]);
    assert!(
        err.contains("mixed.jsonl:2") && err.contains("`messages`"),
        "{err}"
    );
    assert_eq!(before, snapshot(&p), "a refused add changed the project");
    let out = env.ok(&["add", s(&p), "--input", s(&mixed), "--skip-invalid"]);
    assert!(out.contains("added 2 conversations"), "{out}");
    assert!(
        out.contains("left out 1 invalid records (appended to"),
        "{out}"
    );
    let rejected = std::fs::read_to_string(p.join("rejected.jsonl")).unwrap();
    let lines: Vec<Value> = rejected.lines().map(json).collect();
    assert_eq!(lines.len(), 1, "{rejected}");
    assert!(lines[0]["file"].as_str().unwrap().ends_with("mixed.jsonl"));
    assert_eq!(lines[0]["line"], 2);
    assert!(!p.join(".rejected.jsonl.add").exists());
}

#[test]
fn an_hdbscan_project_grows_without_touching_its_noise() {
    let env = Env::new();
    let p = env.demo("h", 300);
    let toml = p.join("kura.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("algorithm = \"kmeans\""), "{text}");
    std::fs::write(
        &toml,
        text.replacen("algorithm = \"kmeans\"", "algorithm = \"hdbscan\"", 1),
    )
    .unwrap();
    env.ok(&["run", s(&p), "--offline", "--headless"]);
    let before = base_members(&p);
    let hierarchy = std::fs::read_to_string(p.join("checkpoints/hierarchy.jsonl")).unwrap();
    let noise: Vec<String> = hierarchy
        .lines()
        .skip(1)
        .map(json)
        .filter(|c| c["level"] == 0 && c["noise"] == true)
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();

    let input = env.path("new.jsonl");
    write_jsonl(&input, &demo_range(300, 340));
    let out = json(&env.ok(&["add", s(&p), "--input", s(&input), "--json"]));
    assert_eq!(out["added"], 40, "{out}");
    let after = base_members(&p);
    // New conversations join clustered groups or "unassigned", never the
    // HDBSCAN noise, which keeps exactly its members.
    for id in &noise {
        assert_eq!(before.get(id), after.get(id), "noise cluster {id} changed");
    }
    let grew: usize = out["grew"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| noise.contains(k))
        .count();
    assert_eq!(grew, 0, "{out}");
    let tree = json(&env.ok(&["tree", s(&p), "--json"]));
    assert_eq!(roots_total(&tree), 340);
    // The settings still say HDBSCAN, and a run finds the project done.
    let files = snapshot(&p);
    env.ok(&["run", s(&p), "--offline", "--headless"]);
    assert_eq!(
        files.get("checkpoints/clusters.jsonl"),
        snapshot(&p).get("checkpoints/clusters.jsonl")
    );
}

#[test]
fn a_project_not_analysed_is_refused() {
    let env = Env::new();
    let p = env.demo("p", 60);
    let input = env.path("new.jsonl");
    write_jsonl(&input, &demo_range(60, 70));
    let err = env.fails(&["add", s(&p), "--input", s(&input)]);
    assert!(err.contains("analysis is complete"), "{err}");
    assert!(err.contains("kura-tui run"), "{err}");
}

#[test]
fn growth_report_counts_each_period() {
    let env = Env::new();
    let p = env.analysed("p", 200);
    let dates: Vec<String> = (0..200)
        .map(|i| kura_tui::demo::conversation(i, 7).created_at.unwrap()[..10].to_string())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    let since = &sorted[100];
    let out = json(&env.ok(&[
        "report",
        s(&p),
        "--growth",
        "--since",
        since,
        "--format",
        "json",
    ]));
    let current: u64 = out["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["current"].as_u64().unwrap())
        .sum();
    let expected = dates
        .iter()
        .filter(|d| d.as_str() >= since.as_str())
        .count();
    assert_eq!(current as usize, expected);
    assert_eq!(out["current_total"].as_u64().unwrap() as usize, expected);
    let shares: f64 = out["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["current_share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9, "{shares}");

    let table = env.ok(&[
        "report",
        s(&p),
        "--growth",
        "--period",
        "2025-03-10..2025-03-16",
        "--vs",
        "2025-03-03..2025-03-09",
    ]);
    assert!(
        table.starts_with("growth 2025-03-10..2025-03-16"),
        "{table}"
    );
    assert!(table.contains("change_pct"), "{table}");
    let err = env.fails(&[
        "report",
        s(&p),
        "--growth",
        "--period",
        "2025-03-10..2025-03-01",
        "--vs",
        "2025-03-03..2025-03-09",
    ]);
    assert!(err.contains("ends before it starts"), "{err}");
}

/// Rewrites the embeddings checkpoint's header as an older lexical embedder
/// (`lexical-v2`, whose vectors differ) would have left it; the vectors stay.
fn pretend_embedded_by(root: &Path, old: &str) {
    let path = root.join("checkpoints/embeddings.bin");
    let bytes = std::fs::read(&path).unwrap();
    let nl = bytes.iter().position(|b| *b == b'\n').unwrap();
    let mut header: Value = serde_json::from_slice(&bytes[..nl]).unwrap();
    assert_eq!(header["inputs"]["embedder"], "lexical-v5-256", "{header}");
    header["inputs"]["embedder"] = old.into();
    header["built_with"]["embedder"] = old.into();
    header["key"] = kura_tui::project::checkpoint::hash_key(&header["inputs"]).into();
    let mut out = serde_json::to_vec(&header).unwrap();
    out.extend_from_slice(&bytes[nl..]);
    std::fs::write(&path, out).unwrap();
}

/// A project embedded by the lexical embedder v2 never mixes its vectors
/// with v3's: `add` refuses, naming the change and the fix, and writes
/// nothing; `run` says in one line why it re-embeds, and afterwards `add`
/// works.
#[test]
fn a_project_embedded_by_an_older_lexical_embedder_is_reembedded_not_mixed() {
    let env = Env::new();
    let p = env.analysed("p", 120);
    pretend_embedded_by(&p, "lexical-v2-256");
    let before = snapshot(&p);

    let input = env.path("new.jsonl");
    write_jsonl(&input, &demo_range(120, 140));
    let err = env.fails(&["add", s(&p), "--input", s(&input)]);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("embeddings is outdated (embedder lexical-v2-256 → lexical-v5-256)"),
        "{err}"
    );
    assert!(errors[0].contains("run `kura-tui run "), "{err}");
    assert!(snapshot(&p) == before, "a refused add changed the project");

    let out = env.run(&["run", s(&p), "--offline", "--headless"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let why: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("embedder lexical-v2-256 → lexical-v5-256"))
        .collect();
    assert_eq!(why.len(), 1, "{said}");
    assert!(why[0].contains("recomputing"), "{said}");
    let bytes = std::fs::read(p.join("checkpoints/embeddings.bin")).unwrap();
    let nl = bytes.iter().position(|b| *b == b'\n').unwrap();
    let header: Value = serde_json::from_slice(&bytes[..nl]).unwrap();
    assert_eq!(header["inputs"]["embedder"], "lexical-v5-256");

    let out = json(&env.ok(&["add", s(&p), "--input", s(&input), "--json"]));
    assert_eq!(out["added"], 20, "{out}");
}
