//! `[cluster] discriminant_dims`: off by default and absent from the
//! clusters stage's key; asked for, the clusters are recomputed in the
//! projected space, the run says why, and the checkpoint records it.

use std::path::Path;

fn cli(data: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kura-tui"))
        .args(args)
        .env("KURA_DATA_DIR", data)
        .env("KURA_CONFIG_DIR", data.join("config"))
        .env_remove("OPENAI_API_KEY")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("KURA_BASE_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?}: {stderr}");
    stderr + &String::from_utf8_lossy(&out.stdout)
}

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
fn the_discriminant_projection_is_opt_in_keyed_and_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    let p = project.to_str().unwrap();
    let run = || cli(tmp.path(), &["run", p, "--offline", "--headless", "--yes"]);
    cli(tmp.path(), &["demo", p, "--conversations", "200"]);
    run();
    let (header, plain) = clusters(&project);
    assert!(
        header["inputs"].get("cluster.discriminant_dims").is_none(),
        "{header}"
    );
    assert!(header["built_with"].get("discriminant_dims").is_none());

    let toml = project.join("kura.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        config.replacen("[cluster]\n", "[cluster]\ndiscriminant_dims = 16\n", 1),
    )
    .unwrap();
    let log = run();
    assert!(
        log.contains("clusters: outdated (cluster.discriminant_dims is new (16))"),
        "{log}"
    );
    let (header, projected) = clusters(&project);
    assert_eq!(
        header["inputs"]["cluster.discriminant_dims"], 16,
        "{header}"
    );
    assert_eq!(header["built_with"]["discriminant_dims"], 16, "{header}");
    assert_eq!(projected.len(), plain.len(), "same k");
    assert_ne!(projected, plain, "k-means ran in another space");
    assert_eq!(projected.iter().map(Vec::len).sum::<usize>(), 200);
}
