//! End to end: the real binary in a pseudo-terminal on a finished project.
//! It navigates, renames a cluster, exports it and quits; then the labels
//! store and the exported file are checked. The test waits on what the
//! screen shows (through a tiny terminal emulator), never on fixed sleeps.

mod tui_fixture;

mod pty;

#[test]
fn explore_rename_export_quit() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("demo");
    tui_fixture::write_project(&project);
    let config_dir = dir.path().join("config");

    let mut term = pty::Term::spawn(
        &[project.as_os_str()],
        dir.path(),
        &[("KURA_CONFIG_DIR", config_dir.as_os_str())],
    );

    term.wait_for(&["Programming help", "Careers and work", "Map"]);
    term.send(b"j");
    term.wait_for(&["22 conversations"]);
    // Open it and step into its first child and back, to exercise keys.
    term.send(b"\r");
    term.wait_for(&["Plan a trip to Japan"]);
    term.send(b"r");
    term.wait_for(&["Enter save"]);
    term.send(b"\x15"); // ctrl-u clears the field
    term.send("Voyages et cuisine".as_bytes());
    term.send(b"\r");
    term.wait_for(&["Renamed to", "Voyages et cuisine"]);
    term.send(b"e");
    term.wait_for(&["Exported 22 conversations"]);
    term.send(b"q");

    assert!(term.wait_exit(), "kura-tui exits cleanly after q");

    // The labels store holds the rename.
    let labels: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.join("labels.json")).unwrap()).unwrap();
    let relabels = labels["relabels"].as_array().unwrap();
    assert_eq!(relabels.len(), 1);
    assert_eq!(relabels[0]["cluster_id"], "L1-1");
    assert_eq!(relabels[0]["name"], "Voyages et cuisine");
    assert_eq!(relabels[0]["original_name"], "Everyday life");

    // The export holds the cluster's 22 conversations, with the new name.
    let exports: Vec<_> = std::fs::read_dir(project.join("exports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(exports.len(), 1, "{exports:?}");
    let name = exports[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("voyages-et-cuisine-") && name.ends_with(".jsonl"),
        "{name}"
    );
    let text = std::fs::read_to_string(&exports[0]).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 22);
    let expected: Vec<String> = (27..49).map(tui_fixture::conversation_id).collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, expected);
    for l in &lines {
        assert_eq!(l["cluster_path"][0], "Voyages et cuisine");
        assert_eq!(l["cluster_ids"][0], "L1-1");
        assert!(
            l["summary"]["summary"]
                .as_str()
                .unwrap()
                .starts_with("The user asks")
        );
        assert_eq!(l["messages"].as_array().unwrap().len(), 4);
        assert!(l["metadata"]["satisfaction"].is_number());
    }
}
