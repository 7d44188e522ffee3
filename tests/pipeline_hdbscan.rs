//! HDBSCAN as the clustering stage (`algorithm = "hdbscan"` in kura.toml):
//! its noise becomes one "unclustered" group that naming leaves alone, the
//! hierarchy keeps at the top, the map places, export writes and eval
//! counts as a cluster. A 400-conversation demo, run offline with the
//! lexical embedder, has both noise and a level above the base clusters.

mod cli_support;

use std::collections::{BTreeSet, HashMap};
use std::fs;

use cli_support::{Env, s};
use kura_tui::analysis::Analysis;
use kura_tui::model::Cluster;
use kura_tui::pipeline::RunOptions;
use kura_tui::project::Project;
use serde_json::Value;

const N: usize = 400;

/// The records of a checkpoint (every line after the header).
fn records<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Vec<T> {
    let text = fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn hdbscan_noise_goes_through_naming_hierarchy_map_export_and_eval() {
    let env = Env::new();
    let p = env.demo("p", N);
    let toml = p.join("kura.toml");
    let text = fs::read_to_string(&toml).unwrap();
    assert!(text.contains("algorithm = \"kmeans\""));
    fs::write(
        &toml,
        text.replacen("algorithm = \"kmeans\"", "algorithm = \"hdbscan\"", 1),
    )
    .unwrap();
    let run = env.run(&["run", s(&p), "--offline", "--headless"]);
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{said}");
    assert!(said.contains("base clusters"), "{said}");

    // Clusters: one noise group, flagged and named as such, holding the
    // conversations HDBSCAN left out; every conversation is in exactly one
    // base cluster.
    let cps = p.join("checkpoints");
    let base: Vec<Cluster> = records(&cps.join("clusters.jsonl"));
    let noise: Vec<&Cluster> = base.iter().filter(|c| c.noise).collect();
    assert_eq!(noise.len(), 1, "one noise group");
    let noise = noise[0].clone();
    assert_eq!(noise.name, "Unclustered conversations");
    assert_eq!(noise.slug, "unclustered");
    assert!(noise.count > 0 && noise.count < N / 2, "{}", noise.count);
    assert_eq!(noise.members.len(), noise.count);
    let real = base.len() - 1;
    assert!(real >= 5, "{real} dense clusters");
    let mut all: Vec<&String> = base.iter().flat_map(|c| &c.members).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), N);
    assert_eq!(base.iter().map(|c| c.count).sum::<usize>(), N);

    // Naming: the dense clusters get keyword names, noise keeps its own.
    let named: Vec<Cluster> = records(&cps.join("names.jsonl"));
    for c in &named {
        if c.id == noise.id {
            assert_eq!(c.name, "Unclustered conversations");
            assert_eq!(c.members, noise.members);
        } else {
            assert!(!c.name.starts_with("Cluster "), "{} unnamed", c.id);
            assert!(!c.description.is_empty(), "{} has no description", c.id);
        }
    }

    // Hierarchy: a level above the dense clusters; noise stays a root
    // without parent or children.
    let tree: Value = serde_json::from_str(&env.ok(&["tree", s(&p), "--json"])).unwrap();
    let roots = tree.as_array().unwrap();
    let noise_root: Vec<&Value> = roots.iter().filter(|r| r["id"] == noise.id).collect();
    assert_eq!(noise_root.len(), 1, "noise is a root: {tree}");
    assert_eq!(noise_root[0]["name"], "Unclustered conversations");
    assert_eq!(noise_root[0]["count"], noise.count);
    assert_eq!(noise_root[0]["level"], 0);
    assert!(noise_root[0]["children"].as_array().unwrap().is_empty());
    // Roots are level-1 parents, or base clusters a one-child parent was
    // folded into; no cluster is left with exactly one child.
    for r in roots.iter().filter(|r| r["id"] != noise.id) {
        let kids = r["children"].as_array().unwrap();
        assert!(
            (r["level"] == 1 && kids.len() > 1) || (r["level"] == 0 && kids.is_empty()),
            "{r}"
        );
    }
    let total: u64 = roots.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, N);
    let hierarchy: Vec<Cluster> = records(&cps.join("hierarchy.jsonl"));
    let in_hierarchy = hierarchy.iter().find(|c| c.id == noise.id).unwrap();
    assert!(in_hierarchy.noise && in_hierarchy.parent.is_none());
    assert!(
        hierarchy
            .iter()
            .all(|c| !c.children.contains(&noise.id) && c.parent.as_deref() != Some(&noise.id))
    );

    // Map: what the explorer loads places every noise conversation, under
    // the noise cluster, at a finite position.
    let data_env = HashMap::from([(
        "KURA_DATA_DIR".to_string(),
        env.path("data").display().to_string(),
    )]);
    let project = Project::open(&p, &data_env).unwrap();
    let analysis = Analysis::load_for_run(
        &project.layout,
        &project.config,
        true,
        &RunOptions::default(),
        &data_env,
    )
    .unwrap();
    assert_eq!(analysis.points.len(), N);
    let on_map: BTreeSet<&str> = analysis
        .points
        .iter()
        .filter(|pt| pt.cluster == noise.id)
        .inspect(|pt| assert!(pt.x.is_finite() && pt.y.is_finite()))
        .map(|pt| pt.conversation_id.as_str())
        .collect();
    let members: BTreeSet<&str> = noise.members.iter().map(String::as_str).collect();
    assert_eq!(on_map, members);
    assert!(analysis.hierarchy.get(&noise.id).is_some_and(|c| c.noise));

    // Export: `--cluster unclustered` writes exactly the noise conversations.
    let out = env.path("noise.jsonl");
    let said = env.ok(&[
        "export",
        s(&p),
        "--cluster",
        "unclustered",
        "--out",
        s(&out),
    ]);
    assert!(
        said.contains(&format!("exported {} conversations", noise.count)),
        "{said}"
    );
    let exported: BTreeSet<String> = fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    let exported: BTreeSet<&str> = exported.iter().map(String::as_str).collect();
    assert_eq!(exported, members);

    // Eval: every conversation counts, noise as one cluster at each level.
    let report: Value =
        serde_json::from_str(&env.ok(&["eval", s(&p), "--label", "topic", "--json"])).unwrap();
    assert_eq!(report["n"], N);
    let levels = report["labels"]["topic"].as_array().unwrap();
    assert_eq!(levels.len(), 2, "{report}");
    assert_eq!(levels[0]["n_clusters"], base.len());
    assert_eq!(levels[1]["n_clusters"], roots.len());
    for l in levels {
        let nmi = l["nmi"].as_f64().unwrap();
        assert!(nmi > 0.2 && nmi <= 1.0, "{l}");
    }
}
