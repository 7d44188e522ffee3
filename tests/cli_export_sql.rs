//! `kura-tui export-sql`: the README's queries run as they are on an
//! exported demo project, and every table's counts agree with `tree --json`.
//! The queries are read from README.md between the `export-sql queries`
//! markers, so a README change is tested too.

mod cli_support;

use std::collections::HashMap;
use std::fs;

use cli_support::{Env, s};
use rusqlite::Connection;
use serde_json::Value;

/// The ```sql blocks of README.md between the markers.
fn readme_queries() -> Vec<String> {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("<!-- export-sql queries -->")
        .expect("start marker");
    let end = readme
        .find("<!-- /export-sql queries -->")
        .expect("end marker");
    let part = &readme[start..end];
    let mut out = Vec::new();
    let mut rest = part;
    while let Some(i) = rest.find("```sql\n") {
        let body = &rest[i + 7..];
        let j = body.find("```").unwrap();
        out.push(body[..j].to_string());
        rest = &body[j..];
    }
    out
}

fn rows(conn: &Connection, sql: &str) -> Vec<Vec<rusqlite::types::Value>> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

struct Node {
    name: String,
    count: i64,
    level: i64,
    parent: Option<String>,
}

fn walk(nodes: &Value, parent: Option<&str>, out: &mut HashMap<String, Node>) {
    for n in nodes.as_array().unwrap() {
        let id = n["id"].as_str().unwrap().to_string();
        out.insert(
            id.clone(),
            Node {
                name: n["name"].as_str().unwrap().to_string(),
                count: n["count"].as_i64().unwrap(),
                level: n["level"].as_i64().unwrap(),
                parent: parent.map(str::to_string),
            },
        );
        walk(&n["children"], Some(&id), out);
    }
}

fn text(v: &rusqlite::types::Value) -> String {
    match v {
        rusqlite::types::Value::Text(t) => t.clone(),
        other => panic!("not text: {other:?}"),
    }
}

fn int(v: &rusqlite::types::Value) -> i64 {
    match v {
        rusqlite::types::Value::Integer(i) => *i,
        other => panic!("not an integer: {other:?}"),
    }
}

fn real(v: &rusqlite::types::Value) -> f64 {
    match v {
        rusqlite::types::Value::Real(x) => *x,
        other => panic!("not a real: {other:?}"),
    }
}

#[test]
fn readme_queries_run_and_counts_match_the_tree() {
    let env = Env::new();
    let p = env.analysed("p", 150);
    // A relabel must show in `clusters.name`.
    let tree: Value = serde_json::from_str(&env.ok(&["tree", s(&p), "--json"])).unwrap();
    let first = tree[0]["id"].as_str().unwrap().to_string();
    let exported = env.ok(&["export", s(&p), "--cluster", &first, "--out", "-"]);
    let mut members: Vec<String> = exported
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    members.sort();
    let labels = serde_json::json!({"version": 1, "relabels": [{
        "cluster_id": first, "level": tree[0]["level"], "name": "Renamed by hand",
        "original_name": tree[0]["name"], "members": members, "size": members.len(),
        "updated_at": "2026-01-01T00:00:00Z"}]});
    fs::write(p.join("labels.json"), labels.to_string()).unwrap();
    let tree: Value = serde_json::from_str(&env.ok(&["tree", s(&p), "--json"])).unwrap();
    let mut nodes = HashMap::new();
    walk(&tree, None, &mut nodes);
    assert_eq!(nodes[&first].name, "Renamed by hand", "labels.json format");

    let out_dir = env.path("out");
    fs::create_dir(&out_dir).unwrap();
    let db = out_dir.join("demo.db");
    fs::write(&db, "not a database").unwrap();
    let said = env.ok(&["export-sql", s(&p), "--out", s(&db)]);
    assert!(said.contains("150 conversations"), "{said}");
    let left: Vec<_> = fs::read_dir(&out_dir).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporaries left: {left:?}");
    let conn = Connection::open(&db).unwrap();

    // Tables and counts.
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM conversations"), 150);
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM clusters"),
        nodes.len() as i64
    );
    let members: i64 = nodes.values().map(|n| n.count).sum();
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM memberships"), members);
    let store = fs::read_to_string(p.join("conversations.jsonl")).unwrap();
    let messages: usize = store
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["messages"]
                .as_array()
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM messages"),
        messages as i64
    );
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM summaries"), 150);
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM summaries WHERE user_frustration IS NOT NULL"
        ),
        0
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM metadata WHERE key = 'plan'"),
        150
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM metadata_numeric WHERE satisfaction IS NOT NULL"
        ),
        150
    );
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM classifier_labels"), 0);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM classifier_evals"), 0);
    assert!(rows(&conn, "PRAGMA foreign_key_check").is_empty());
    for (id, n) in &nodes {
        let sql = format!("SELECT name, count, level, parent FROM clusters WHERE id = '{id}'");
        let r = &rows(&conn, &sql)[0];
        assert_eq!(text(&r[0]), n.name);
        assert_eq!(int(&r[1]), n.count);
        assert_eq!(int(&r[2]), n.level);
        let parent = match &r[3] {
            rusqlite::types::Value::Null => None,
            v => Some(text(v)),
        };
        assert_eq!(parent, n.parent);
        let sql = format!("SELECT COUNT(*) FROM memberships WHERE cluster_id = '{id}'");
        assert_eq!(count(&conn, &sql), n.count, "members of {id}");
    }
    let indexes = count(
        &conn,
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'",
    );
    assert!(indexes >= 8, "{indexes}");

    // The README's three queries, as they are.
    let queries = readme_queries();
    assert_eq!(queries.len(), 3, "{queries:?}");
    let roots: Vec<(&String, &Node)> = nodes.iter().filter(|(_, n)| n.parent.is_none()).collect();

    // 1. Satisfaction and volume per top-level cluster.
    let r = rows(&conn, &queries[0]);
    assert_eq!(r.len(), roots.len());
    for row in &r {
        let n = &nodes[&text(&row[0])];
        assert!(n.parent.is_none());
        assert_eq!(text(&row[1]), n.name);
        assert_eq!(int(&row[2]), n.count);
        assert!((1.0..=5.0).contains(&real(&row[3])));
    }
    assert!(r.windows(2).all(|w| real(&w[0][3]) <= real(&w[1][3])));
    assert!(r.iter().any(|row| text(&row[1]) == "Renamed by hand"));

    // 2. The biggest base clusters with their parent's name.
    let r = rows(&conn, &queries[1]);
    let bases = nodes.values().filter(|n| n.level == 0).count();
    assert_eq!(r.len(), bases.min(10));
    let mut biggest: Vec<i64> = nodes
        .values()
        .filter(|n| n.level == 0)
        .map(|n| n.count)
        .collect();
    biggest.sort_unstable_by(|a, b| b.cmp(a));
    for (row, want) in r.iter().zip(&biggest) {
        let n = &nodes[&text(&row[0])];
        assert_eq!(n.level, 0);
        assert_eq!(int(&row[2]), *want);
        let parent = n.parent.as_ref().map(|p| nodes[p].name.clone());
        let got = match &row[3] {
            rusqlite::types::Value::Null => None,
            v => Some(text(v)),
        };
        assert_eq!(got, parent);
    }

    // 3. The share of a metadata value per top-level cluster, against the
    // conversations themselves.
    let plan: HashMap<String, String> = store
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["metadata"]["plan"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let r = rows(&conn, &queries[2]);
    assert_eq!(r.len(), roots.len());
    for row in &r {
        let id = text(&row[0]);
        let out = env.ok(&["export", s(&p), "--cluster", &id, "--out", "-"]);
        let ids: Vec<String> = out
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let enterprise = ids.iter().filter(|i| plan[*i] == "enterprise").count();
        let want = (enterprise as f64 / ids.len() as f64 * 1000.0).round() / 1000.0;
        assert!(
            (real(&row[2]) - want).abs() < 1e-9,
            "{id}: {} vs {want}",
            real(&row[2])
        );
    }
}

#[test]
fn a_failed_export_leaves_the_old_file() {
    let env = Env::new();
    let p = env.analysed("p", 30);
    let dir = env.path("out.db");
    fs::create_dir(&dir).unwrap();
    let err = env.fails(&["export-sql", s(&p), "--out", s(&dir)]);
    assert!(err.contains("is a directory"), "{err}");
    assert!(dir.is_dir());
    // A project without clusters yet: refused, the old file untouched.
    let q = env.demo("q", 10);
    let db = env.path("keep.db");
    fs::write(&db, "old").unwrap();
    let err = env.fails(&["export-sql", s(&q), "--out", s(&db)]);
    assert!(err.contains("no clusters yet"), "{err}");
    assert_eq!(fs::read_to_string(&db).unwrap(), "old");
}
