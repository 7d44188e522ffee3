//! `kura-tui classify new | label | eval | apply` end to end on small
//! projects written here, single- and multi-label, and the bad inputs of
//! issue 13: unknown fields, duplicate categories, unknown categories and
//! unknown ids give clear errors and leave nothing half-written.

mod support;

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;
use support::cli::{Cli, stderr};

/// Three topics with distinct vocabularies; `both` mixes two of them.
const TOPICS: [(&str, &[&str]); 3] = [
    (
        "billing",
        &[
            "refund",
            "invoice",
            "charged",
            "payment",
            "card",
            "subscription",
            "price",
        ],
    ),
    (
        "shipping",
        &[
            "parcel", "delivery", "courier", "tracking", "shipped", "address", "package",
        ],
    ),
    (
        "account",
        &[
            "password", "login", "username", "email", "locked", "profile", "reset",
        ],
    ),
];

/// `n` conversations per topic (ids `t<topic>-<i>`), as JSONL.
fn conversations(n: usize) -> String {
    let mut out = String::new();
    for (t, (_, words)) in TOPICS.iter().enumerate() {
        for i in 0..n {
            let w = |k: usize| words[(i * 3 + k * 5) % words.len()];
            let text = format!(
                "hello, I have a question about my {} and the {} {} please help with {}",
                w(0),
                w(1),
                w(2),
                w(3)
            );
            let line = serde_json::json!({
                "id": format!("t{t}-{i}"),
                "messages": [
                    {"role": "user", "content": text},
                    {"role": "assistant", "content": "Sure, let me look into that."}
                ]
            });
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn project(n: usize) -> Cli {
    let cli = Cli::new();
    let input = cli.dir.path().join("conv.jsonl");
    std::fs::write(&input, conversations(n)).unwrap();
    cli.ok(&["init", "P", "--input", input.to_str().unwrap()]);
    cli
}

const SINGLE: &str = r#"
description = "What the user needs help with"

[[categories]]
name = "Billing"
description = "payments and refunds"

[[categories]]
name = "Shipping"
description = "deliveries"
examples = [{ text = "where is my parcel, the tracking says shipped" }]

[[categories]]
name = "Account"
description = "logins and passwords"
"#;

fn fails(cli: &Cli, args: &[&str]) -> String {
    let out = cli.run(args);
    assert!(!out.status.success(), "{args:?} should fail");
    stderr(&out)
}

fn json(cli: &Cli, args: &[&str]) -> Value {
    serde_json::from_str(&cli.ok(args)).unwrap()
}

#[test]
fn single_label_define_label_eval_apply() {
    let cli = project(30);
    std::fs::create_dir_all(cli.path("classifiers")).unwrap();
    cli.write("classifiers/intent.toml", SINGLE.as_bytes());
    let names = ["Billing", "Shipping", "Account"];
    let mut csv = String::from("id,label\n");
    for (t, name) in names.iter().enumerate() {
        for i in 0..30 {
            let _ = writeln!(csv, "t{t}-{i},{}", name.to_lowercase());
        }
    }
    let labels = cli.dir.path().join("labels.csv");
    std::fs::write(&labels, csv).unwrap();
    let out = cli.ok(&[
        "classify",
        "label",
        "P",
        "intent",
        "--input",
        labels.to_str().unwrap(),
    ]);
    assert!(out.contains("imported 90 labels"), "{out}");

    let rec = json(&cli, &["classify", "eval", "P", "intent", "--json"]);
    assert_eq!(rec["split"], "validation");
    assert_eq!(
        rec["classes"],
        serde_json::json!(["Billing", "Shipping", "Account", "other"])
    );
    let n = rec["n"].as_u64().unwrap();
    assert!(n >= 5, "validation holds {n}");
    assert!(rec["accuracy"].as_f64().unwrap() >= 0.9, "{rec}");
    let confusion = rec["single"]["confusion"].as_array().unwrap();
    assert_eq!(confusion.len(), 4);
    let total: u64 = confusion
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, n);
    let version = rec["version"].as_str().unwrap().to_string();

    let text = cli.ok(&["classify", "eval", "P", "intent", "--split", "test"]);
    assert!(
        text.contains("accuracy") && text.contains("confusion matrix"),
        "{text}"
    );
    assert!(text.contains("Shipping"), "{text}");

    // A changed definition is a new version, and the history shows both.
    let edited = SINGLE.replace("deliveries", "parcels and deliveries");
    cli.write("classifiers/intent.toml", edited.as_bytes());
    let again = json(&cli, &["classify", "eval", "P", "intent", "--json"]);
    assert_ne!(again["version"].as_str().unwrap(), version);
    let history = json(
        &cli,
        &["classify", "eval", "P", "intent", "--history", "--json"],
    );
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0]["version"], version.as_str());
    let table = cli.ok(&["classify", "eval", "P", "intent", "--history"]);
    assert_eq!(table.lines().count(), 4, "{table}");

    // Apply labels every conversation, with the version.
    cli.ok(&["classify", "apply", "P", "intent"]);
    let applied = String::from_utf8(cli.read("classifiers/intent.applied.jsonl")).unwrap();
    let mut lines = applied.lines();
    let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], again["version"]);
    assert_eq!(header["count"], 90);
    let mut right = 0;
    for l in lines {
        let v: Value = serde_json::from_str(l).unwrap();
        let id = v["id"].as_str().unwrap();
        let t: usize = id[1..2].parse().unwrap();
        let got = v["labels"][0].as_str().unwrap();
        right += usize::from(got == names[t]);
        assert!(v["confidence"][0].as_f64().unwrap() > 0.0);
    }
    assert!(right >= 85, "{right} of 90 right");

    // New texts from a file.
    let new = cli.dir.path().join("new.jsonl");
    std::fs::write(
        &new,
        "{\"text\": \"my password reset email never came and the login is locked\"}\n{\"text\": \"the courier lost my package\"}\n",
    )
    .unwrap();
    let out = json(
        &cli,
        &[
            "classify",
            "apply",
            "P",
            "intent",
            "--input",
            new.to_str().unwrap(),
            "--json",
        ],
    );
    let path = out["path"].as_str().unwrap();
    let rows: Vec<Value> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["labels"][0], "Account");
    assert_eq!(rows[1]["labels"][0], "Shipping");
}

#[test]
fn multi_label_with_text_labels() {
    let cli = project(4);
    std::fs::create_dir_all(cli.path("classifiers")).unwrap();
    cli.write(
        "classifiers/topics.toml",
        b"mode = \"multi\"\nother = false\n[[categories]]\nname = \"billing\"\n[[categories]]\nname = \"shipping\"\n",
    );
    let (b, s) = (TOPICS[0].1, TOPICS[1].1);
    let mut jsonl = String::new();
    for i in 0..240 {
        let filler = ["today", "again", "please", "now", "urgently", "asap"][(i / 28) % 6];
        let (x, y) = (i / 4 % 7, (i / 4 / 7 + 1) % 7);
        let (text, labels): (String, Vec<&str>) = match i % 4 {
            0 => (format!("{} {} {filler}", b[x], b[y]), vec!["billing"]),
            1 => (format!("{} {} {filler}", s[x], s[y]), vec!["shipping"]),
            2 => (
                format!("{} and {} {filler}", b[x], s[y]),
                vec!["billing", "shipping"],
            ),
            _ => (format!("just saying hi {filler} {x} {y}"), vec![]),
        };
        let _ = writeln!(
            jsonl,
            "{}",
            serde_json::json!({"text": text, "labels": labels})
        );
    }
    let labels = cli.dir.path().join("labels.jsonl");
    std::fs::write(&labels, jsonl).unwrap();
    cli.ok(&[
        "classify",
        "label",
        "P",
        "topics",
        "--input",
        labels.to_str().unwrap(),
    ]);
    let rec = json(&cli, &["classify", "eval", "P", "topics", "--json"]);
    assert_eq!(rec["mode"], "multi");
    let m = &rec["multi"];
    assert_eq!(m["per_label"].as_array().unwrap().len(), 2);
    assert!(m["exact_match"].as_f64().unwrap() >= 0.8, "{rec}");
    let text = cli.ok(&["classify", "eval", "P", "topics"]);
    assert!(text.contains("exact match"), "{text}");

    cli.ok(&["classify", "apply", "P", "topics"]);
    let applied = String::from_utf8(cli.read("classifiers/topics.applied.jsonl")).unwrap();
    assert_eq!(applied.lines().count(), 1 + 12);
}

#[test]
fn bad_definitions_name_file_line_and_field() {
    let cli = project(2);
    std::fs::create_dir_all(cli.path("classifiers")).unwrap();
    let labels = cli.dir.path().join("l.csv");
    std::fs::write(&labels, "id,label\nt0-0,a\n").unwrap();
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "[[categories]]\nname = \"a\"\ncolour = \"red\"\n",
            ":3",
            &["colour"],
        ),
        (
            "[[categories]]\nname = \"a\"\n\n[[categories]]\nname = \"A\"\n",
            ":5",
            &["duplicate category", "categories[1].name", "line 2"],
        ),
        (
            "[[categories]]\nname = \"  \"\n",
            ":2",
            &["empty category name"],
        ),
        (
            "mode = \"single\"\ncategories = []\n",
            "",
            &["no categories", "`categories`"],
        ),
    ];
    for (toml, line, needles) in cases {
        cli.write("classifiers/intent.toml", toml.as_bytes());
        let err = fails(
            &cli,
            &[
                "classify",
                "label",
                "P",
                "intent",
                "--input",
                labels.to_str().unwrap(),
            ],
        );
        assert!(err.contains(&format!("intent.toml{line}")), "{toml}: {err}");
        for n in needles {
            assert!(err.contains(n), "{toml}: `{n}` missing from {err}");
        }
        assert!(!cli.path("classifiers/intent.labels.jsonl").exists());
    }
}

#[test]
fn bad_labels_write_nothing() {
    let cli = project(3);
    std::fs::create_dir_all(cli.path("classifiers")).unwrap();
    cli.write("classifiers/intent.toml", SINGLE.as_bytes());
    let good = cli.dir.path().join("good.csv");
    std::fs::write(&good, "id,label\nt0-0,billing\nt1-0,Shipping\n").unwrap();
    cli.ok(&[
        "classify",
        "label",
        "P",
        "intent",
        "--input",
        good.to_str().unwrap(),
    ]);
    let before = cli.read("classifiers/intent.labels.jsonl");

    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "bad.csv",
            "id,label\nt0-1,billing\nt0-2,refunds\n",
            &[
                "bad.csv:3",
                "`label`",
                "unknown category `refunds`",
                "Billing",
            ],
        ),
        (
            "bad.csv",
            "id,label\nt0-1,billing\nnope-7,billing\n",
            &["bad.csv:3", "`id`", "unknown conversation id `nope-7`"],
        ),
        (
            "bad.jsonl",
            "{\"id\": \"t0-1\", \"labels\": [\"billing\", \"account\"]}\n",
            &["bad.jsonl:1", "exactly one category"],
        ),
        (
            "bad.jsonl",
            "{\"text\": \"hi\"}\n",
            &["bad.jsonl:1", "`label`", "missing"],
        ),
    ];
    for (file, body, needles) in cases {
        let path = cli.dir.path().join(file);
        std::fs::write(&path, body).unwrap();
        let err = fails(
            &cli,
            &[
                "classify",
                "label",
                "P",
                "intent",
                "--input",
                path.to_str().unwrap(),
            ],
        );
        for n in needles {
            assert!(err.contains(n), "{body}: `{n}` missing from {err}");
        }
        assert_eq!(cli.read("classifiers/intent.labels.jsonl"), before);
    }
    let leftovers: Vec<_> = std::fs::read_dir(cli.path("classifiers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let err = fails(&cli, &["classify", "eval", "P", "missing"]);
    assert!(err.contains("no classifier `missing`"), "{err}");
}

#[test]
fn new_from_clusters_bootstraps_categories_and_examples() {
    let cli = Cli::new();
    cli.demo(160);
    cli.ok(&["run", "P", "--offline", "--headless"]);
    let tree: Value = json(&cli, &["tree", "P", "--json", "--depth", "1"]);
    let roots: Vec<(String, String)> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().into(),
                r["slug"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(roots.len() >= 2);
    let (a, b) = (&roots[0], &roots[1]);
    cli.ok(&[
        "classify",
        "new",
        "P",
        "topics",
        "--from-cluster",
        &a.0,
        &b.1,
        "--examples",
        "3",
    ]);
    let text = String::from_utf8(cli.read("classifiers/topics.toml")).unwrap();
    let def: Value = toml::from_str::<toml::Value>(&text)
        .map(|v| serde_json::to_value(v).unwrap())
        .unwrap();
    let cats = def["categories"].as_array().unwrap();
    assert_eq!(cats.len(), 2);
    assert_eq!(cats[0]["from_cluster"], a.0.as_str());
    let mut examples: HashMap<String, usize> = HashMap::new();
    for c in cats {
        assert!(!c["description"].as_str().unwrap().is_empty());
        let ex = c["examples"].as_array().unwrap();
        assert_eq!(ex.len(), 3);
        for e in ex {
            *examples
                .entry(e["id"].as_str().unwrap().into())
                .or_default() += 1;
        }
    }
    assert_eq!(examples.len(), 6, "examples are distinct conversations");
    // Refuses to overwrite; the examples alone train a working classifier.
    let err = fails(
        &cli,
        &["classify", "new", "P", "topics", "--from-cluster", &a.0],
    );
    assert!(err.contains("already exists"), "{err}");
    let err = fails(
        &cli,
        &[
            "classify",
            "new",
            "P",
            "other",
            "--from-cluster",
            "no-such-cluster",
        ],
    );
    assert!(err.contains("no cluster `no-such-cluster`"), "{err}");
    let out = json(&cli, &["classify", "apply", "P", "topics", "--json"]);
    assert_eq!(out["header"]["count"], 160);
    assert_eq!(out["header"]["n_train"], 6);
}
