//! A user's relabel survives a re-run that rebuilds the clusters: the new
//! cluster holding most of the renamed one's conversations carries the
//! name in `tree`, and `export` finds it by its new slug. Runs the real
//! binary offline on a demo project.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};

use kura_tui::analysis::Analysis;
use kura_tui::project::Project;
use kura_tui::project::labels::Labels;
use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn bin(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kura-tui"));
        c.env("KURA_CONFIG_DIR", self.dir.path().join("config"))
            // A data dir of its own: the lexical embedder, whatever the
            // machine has installed.
            .env("KURA_DATA_DIR", self.dir.path().join("data"))
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .env_remove("KURA_API_KEY")
            .stdin(Stdio::null());
        c
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.bin().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "kura-tui {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// Every node of `tree --json`, depth first.
fn nodes(tree: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = tree.as_array().unwrap().iter().rev().collect();
    while let Some(n) = stack.pop() {
        out.push(n);
        stack.extend(n["children"].as_array().unwrap().iter().rev());
    }
    out
}

fn exported_ids(path: &Path) -> HashSet<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Base conversation ids under each cluster of a project's analysis.
fn memberships(project: &Path) -> (Analysis, std::collections::HashMap<String, HashSet<String>>) {
    let opened = Project::open(project, &std::collections::HashMap::new()).unwrap();
    let analysis = Analysis::load(&opened).unwrap();
    let members = analysis
        .hierarchy
        .clusters()
        .iter()
        .map(|c| {
            let ids = analysis
                .hierarchy
                .members(&c.id)
                .into_iter()
                .map(str::to_string);
            (c.id.clone(), ids.collect())
        })
        .collect();
    (analysis, members)
}

#[test]
fn relabels_survive_a_rerun_with_new_clusters() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let project = env.dir.path().join("p");
    let p = project.to_str().unwrap();
    env.ok(&["demo", p, "--conversations", "240"]);
    env.ok(&["run", p, "--offline", "--headless"]);

    // Rename every top-level cluster, as the explorer does.
    let tree: Value = serde_json::from_str(&env.ok(&["tree", p, "--json"])).unwrap();
    let roots: Vec<String> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(roots.len() >= 3);
    let (analysis, before) = memberships(&project);
    let labels_path = project.join("labels.json");
    let mut labels = Labels::load(&labels_path).unwrap();
    let mut renamed = Vec::new();
    for (i, id) in roots.iter().enumerate() {
        let name = format!("Thème n° {}", i + 1);
        labels.set(&analysis.hierarchy, id, &name);
        renamed.push((name, before[id].clone()));
    }
    labels.save(&labels_path).unwrap();
    let tree: Value = serde_json::from_str(&env.ok(&["tree", p, "--json"])).unwrap();
    assert_eq!(tree[0]["name"], "Thème n° 1");
    assert_eq!(tree[0]["slug"], "thème-n-1");

    // A rerun with another seed rebuilds clusters, names and levels. The
    // seed goes in kura.toml: `tree` judges results by the project's
    // settings, not by a past run's flags.
    let toml = project.join("kura.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("seed = 42"));
    std::fs::write(&toml, text.replacen("seed = 42", "seed = 9", 1)).unwrap();
    env.ok(&["run", p, "--offline", "--headless"]);
    let tree: Value = serde_json::from_str(&env.ok(&["tree", p, "--json"])).unwrap();
    let all = nodes(&tree);
    let (_, after) = memberships(&project);
    let mut survived = 0;
    for (name, old) in &renamed {
        let carriers: Vec<&&Value> = all.iter().filter(|n| n["name"] == name.as_str()).collect();
        assert!(
            carriers.len() <= 1,
            "{name} is on {} clusters",
            carriers.len()
        );
        let share = |id: &str| after[id].intersection(old).count() as f64 / old.len() as f64;
        match carriers.first() {
            // It follows a cluster holding at least half its conversations.
            Some(node) => {
                survived += 1;
                let id = node["id"].as_str().unwrap();
                assert!(share(id) >= 0.5, "{name} moved to {id}, {:.2}", share(id));
                assert_ne!(node["original_name"], name.as_str());
            }
            // Lost only when no cluster without a name of its own holds half.
            None => {
                for n in &all {
                    let id = n["id"].as_str().unwrap();
                    let free = n["original_name"].is_null();
                    assert!(
                        !(free && share(id) >= 0.5),
                        "{name} was dropped though {id} holds {:.2} of it",
                        share(id)
                    );
                }
            }
        }
    }
    assert!(
        survived * 2 >= renamed.len(),
        "{survived} of {} survived",
        renamed.len()
    );

    // A surviving name exports by its slug, with the name in the path.
    let first = all
        .iter()
        .find(|n| n["name"].as_str().unwrap().starts_with("Thème"))
        .unwrap();
    let out = env.dir.path().join("after.jsonl");
    env.ok(&[
        "export",
        p,
        "--cluster",
        first["slug"].as_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let ids = exported_ids(&out);
    assert_eq!(ids.len() as u64, first["count"].as_u64().unwrap());
    let line: Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(
        line["cluster_path"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == &first["name"]),
        "{}",
        line["cluster_path"]
    );
}
