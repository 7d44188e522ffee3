//! `kura-tui report`: counts, shares and a metadata mean checked against
//! figures computed here from `tree --json` and `export`; sorting; facets
//! absent (not zero) after an offline run; clear errors for unknown fields.

mod cli_support;

use std::collections::HashMap;

use cli_support::{Env, s};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// Mean satisfaction of a cluster's conversations, from `export --out -`.
fn satisfaction_mean(env: &Env, project: &std::path::Path, cluster: &str) -> (usize, f64) {
    let out = env.ok(&["export", s(project), "--cluster", cluster, "--out", "-"]);
    let values: Vec<f64> = out
        .lines()
        .map(|l| json(l)["metadata"]["satisfaction"].as_f64().unwrap())
        .collect();
    (
        values.len(),
        values.iter().sum::<f64>() / values.len() as f64,
    )
}

#[test]
fn json_rows_match_the_tree_and_the_conversations() {
    let env = Env::new();
    let p = env.analysed("p", 120);
    let tree = json(&env.ok(&["tree", s(&p), "--json"]));
    let tops = tree.as_array().unwrap();
    let report = json(&env.ok(&["report", s(&p), "--format", "json"]));
    assert_eq!(report["total"], 120);
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), tops.len());
    let fields: Vec<(&str, &str)> = report["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    assert!(fields.contains(&("satisfaction", "numeric")), "{fields:?}");
    assert!(fields.contains(&("plan", "categorical")), "{fields:?}");
    let sat = fields.iter().position(|f| f.0 == "satisfaction").unwrap();
    let plan = fields.iter().position(|f| f.0 == "plan").unwrap();
    for (row, node) in rows.iter().zip(tops) {
        let id = row["id"].as_str().unwrap();
        assert_eq!(id, node["id"].as_str().unwrap(), "hierarchy order");
        let count = row["count"].as_u64().unwrap() as usize;
        assert_eq!(count as u64, node["count"].as_u64().unwrap());
        let share = row["share"].as_f64().unwrap();
        assert!((share - count as f64 / 120.0).abs() < 1e-12);
        // Offline summaries carry no facets: absent, not zero.
        assert!(row["frustration"].is_null(), "{row}");
        assert!(row["concerning"].is_null(), "{row}");
        assert!(row["error_rate"].is_null(), "{row}");
        let (n, mean) = satisfaction_mean(&env, &p, id);
        assert_eq!(n, count);
        let stat = &row["fields"][sat];
        assert_eq!(stat["present"].as_u64().unwrap() as usize, count);
        assert!(
            (stat["mean"].as_f64().unwrap() - mean).abs() < 1e-9,
            "{stat}"
        );
        assert!((stat["sum"].as_f64().unwrap() - mean * n as f64).abs() < 1e-6);
        let top = stat_top(&row["fields"][plan]);
        assert!(!top.is_empty() && top.len() <= 3, "{top:?}");
        assert!(top.windows(2).all(|w| w[0].1 >= w[1].1), "{top:?}");
    }
    let total: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 120);
}

fn stat_top(stat: &Value) -> Vec<(String, u64)> {
    stat["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["value"].as_str().unwrap().to_string(),
                t["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn table_sorting_levels_and_errors() {
    let env = Env::new();
    let p = env.analysed("p", 120);

    // Base clusters, least satisfied first; ties by volume.
    let report = json(&env.ok(&[
        "report",
        s(&p),
        "--level",
        "0",
        "--by",
        "satisfaction",
        "--sort",
        "satisfaction:asc",
        "--sort",
        "count",
        "--format",
        "json",
    ]));
    let rows = report["rows"].as_array().unwrap();
    let tree = json(&env.ok(&["tree", s(&p), "--json"]));
    let mut base = HashMap::new();
    collect_base(&tree, &mut base);
    assert_eq!(rows.len(), base.len());
    assert_eq!(report["fields"].as_array().unwrap().len(), 1);
    let keys: Vec<(f64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["fields"][0]["mean"].as_f64().unwrap(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect();
    for w in keys.windows(2) {
        assert!(
            w[0].0 < w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1),
            "{keys:?}"
        );
    }
    for r in rows {
        assert_eq!(
            Some(&r["count"].as_u64().unwrap()),
            base.get(r["id"].as_str().unwrap())
        );
    }

    // Biggest first, as a table: the header, the rows in order, `-` for absent facets.
    let table = env.ok(&[
        "report",
        s(&p),
        "--sort",
        "count",
        "--by",
        "satisfaction",
        "--by",
        "plan",
    ]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].contains("120 conversations"), "{table}");
    assert!(
        lines[1].starts_with("id") && lines[1].contains("satisfaction mean"),
        "{table}"
    );
    assert!(lines[1].contains("plan top"), "{table}");
    let counts: Vec<u64> = lines[3..]
        .iter()
        .map(|l| {
            l.split_whitespace()
                .find_map(|w| w.parse::<u64>().ok())
                .unwrap()
        })
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{table}");
    assert_eq!(counts.iter().sum::<u64>(), 120, "{table}");
    assert!(
        lines[3].contains(" - "),
        "absent facets shown as a dash: {table}"
    );

    // CSV and Markdown carry the same rows.
    let csv = env.ok(&["report", s(&p), "--format", "csv", "--by", "satisfaction"]);
    assert!(csv.starts_with("id,name,count,share,frustration,concerning,error_rate,satisfaction_mean,satisfaction_sum\n"), "{csv}");
    assert_eq!(csv.lines().count(), counts.len() + 1);
    let md = env.ok(&["report", s(&p), "--format", "markdown", "--by", "plan"]);
    assert_eq!(md.lines().count(), counts.len() + 2);
    assert!(md.lines().nth(1).unwrap().starts_with("| ---"), "{md}");

    // Unknown names are errors that list what exists.
    let err = env.fails(&["report", s(&p), "--by", "satisfacton"]);
    assert!(err.contains("unknown field `satisfacton`"), "{err}");
    assert!(
        err.contains("satisfaction") && err.contains("plan") && err.contains("platform"),
        "{err}"
    );
    let err = env.fails(&["report", s(&p), "--sort", "volume"]);
    assert!(
        err.contains("unknown sort column `volume`") && err.contains("count"),
        "{err}"
    );
    let err = env.fails(&["report", s(&p), "--level", "9"]);
    assert!(err.contains("no clusters at level 9"), "{err}");

    // Every level covers every conversation once, also where a parent with
    // one child was folded into it and the child stands for its level.
    let total: u64 = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    let mut top = 0;
    max_level(&tree, &mut top);
    assert!(top >= 1, "a hierarchy above the base");
    for level in 0..=top {
        let report = json(&env.ok(&[
            "report",
            s(&p),
            "--level",
            &level.to_string(),
            "--format",
            "json",
        ]));
        let counted: u64 = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["count"].as_u64().unwrap())
            .sum();
        assert_eq!(counted, total, "level {level}");
    }
}

fn max_level(nodes: &Value, top: &mut u64) {
    for n in nodes.as_array().unwrap() {
        *top = (*top).max(n["level"].as_u64().unwrap());
        max_level(&n["children"], top);
    }
}

fn collect_base(nodes: &Value, out: &mut HashMap<String, u64>) {
    for n in nodes.as_array().unwrap() {
        if n["level"] == 0 {
            out.insert(
                n["id"].as_str().unwrap().to_string(),
                n["count"].as_u64().unwrap(),
            );
        }
        collect_base(&n["children"], out);
    }
}
