//! `[cluster] discriminant_dims`: on by default for the lexical embedder,
//! keyed and recorded; turned off, the clusters are recomputed without it
//! and the run says why.

use std::path::Path;

mod cli_support;

use cli_support::ok_with_data as cli;

/// The clusters checkpoint: its header, and each conversation's cluster.
fn clusters(project: &Path) -> (serde_json::Value, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(project.join("checkpoints/clusters.jsonl")).unwrap();
    let mut lines = text.lines();
    let header = serde_json::from_str(lines.next().unwrap()).unwrap();
    let mut groups: Vec<Vec<String>> = lines
        .map(|l| {
            let c: serde_json::Value = serde_json::from_str(l).unwrap();
            let mut m: Vec<String> = c["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            m.sort();
            m
        })
        .collect();
    groups.sort();
    (header, groups)
}

#[test]
fn the_lexical_default_projects_is_keyed_recorded_and_can_be_turned_off() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let p = project.to_str().unwrap();
    let run = || {
        cli(
            tmp.path(),
            &[
                "run",
                p,
                "--offline",
                "--headless",
                "--embedder",
                "lexical",
                "--yes",
            ],
        )
    };
    cli(tmp.path(), &["demo", p, "--conversations", "200"]);
    run();
    let (header, projected) = clusters(&project);
    assert_eq!(
        header["inputs"]["cluster.discriminant_dims"], 32,
        "{header}"
    );
    assert_eq!(header["built_with"]["discriminant_dims"], 32, "{header}");

    let toml = project.join("kura.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        config.replacen("[cluster]\n", "[cluster]\ndiscriminant_dims = 0\n", 1),
    )
    .unwrap();
    let log = run();
    assert!(
        log.contains("clusters: outdated (cluster.discriminant_dims 32 → 0)"),
        "{log}"
    );
    let (header, plain) = clusters(&project);
    assert_eq!(header["inputs"]["cluster.discriminant_dims"], 0, "{header}");
    assert!(
        header["built_with"].get("discriminant_dims").is_none(),
        "{header}"
    );
    assert_eq!(projected.len(), plain.len(), "same k");
    assert_ne!(projected, plain, "k-means ran in another space");
    assert_eq!(plain.iter().map(Vec::len).sum::<usize>(), 200);
}
