//! Clean endings: a closed standard output (`| head`) ends the binary
//! quietly with status 0, an OS error is said once, and a directory where a
//! file is wanted is called a directory.

mod cli_support;

use std::process::Stdio;

use cli_support::{Env, first_cluster, s};

/// Runs with standard output a pipe whose reader is already gone.
fn with_closed_stdout(env: &Env, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = env
        .bin()
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn closed_stdout_ends_quietly() {
    let env = Env::new();
    let p = env.analysed("p", 40);
    let (cluster, _) = first_cluster(&env, &p);
    let commands: [&[&str]; 6] = [
        &["tree", s(&p), "--json"],
        &["tree", s(&p)],
        &["info", s(&p)],
        &["export", s(&p), "--cluster", &cluster, "--out", "-"],
        &["cache", "stats", s(&p)],
        // Not a terminal: prints the tree instead of opening the explorer.
        &[s(&p)],
    ];
    for args in commands {
        let out = with_closed_stdout(&env, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn os_errors_are_said_once() {
    let env = Env::new();
    let file = env.path("a-file");
    std::fs::write(&file, "x").unwrap();
    // A project inside a regular file: the OS says "Not a directory".
    let err = env.fails(&["demo", s(&file.join("p")), "--conversations", "5"]);
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn directories_are_called_directories() {
    let env = Env::new();
    let dir = env.path("inputs");
    std::fs::create_dir(&dir).unwrap();
    let err = env.fails(&["init", s(&env.path("p")), "--input", s(&dir)]);
    assert!(err.contains("is a directory"), "{err}");
    assert!(!err.contains("no such file"), "{err}");
    assert!(!env.path("p").exists());

    let err = env.fails(&[
        "init",
        s(&env.path("p")),
        "--input",
        s(&env.path("nope.jsonl")),
    ]);
    assert!(err.contains("no such file"), "{err}");

    // A directory without the model files says what it lacks.
    let err = env.fails(&["model", "install", "--from", s(&dir)]);
    assert!(!err.contains("No such file"), "{err}");
    assert!(err.contains(s(&dir)), "{err}");
}
