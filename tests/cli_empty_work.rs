//! Empty work is refused with one clear line before anything is written:
//! `--max-conversations 0`, an import that yields no conversation, and a
//! project that holds none.

mod cli_support;

use std::fs;
use std::path::Path;

use cli_support::{Env, s};

/// Every file under `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.display().to_string(), fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn zero_conversations_to_analyse_is_refused() {
    let env = Env::new();
    let p = env.analysed("p", 30);
    let before = snapshot(&p.join("checkpoints"));
    assert!(!before.is_empty());
    for args in [
        vec![
            "run",
            s(&p),
            "--offline",
            "--headless",
            "--max-conversations",
            "0",
        ],
        vec![s(&p), "--offline", "--headless", "--max-conversations", "0"],
        vec!["run", s(&p), "--offline", "--k", "0"],
    ] {
        let out = env.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("must be at least 1"), "{err}");
    }
    assert_eq!(snapshot(&p.join("checkpoints")), before);
}

#[test]
fn an_import_of_nothing_leaves_nothing() {
    let env = Env::new();
    let bad = env.path("bad.jsonl");
    fs::write(
        &bad,
        "{\"id\": \"a\", \"messages\": 3}\n{\"id\": \"b\"\nnot json\n",
    )
    .unwrap();
    let p = env.path("p");
    let err = env.fails(&["init", s(&p), "--input", s(&bad), "--skip-invalid"]);
    assert!(
        err.contains("none of its 3 records could be imported"),
        "{err}"
    );
    assert!(err.contains("no project was created"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!p.exists(), "a half-made project was left");

    // An existing empty directory is left empty.
    fs::create_dir(&p).unwrap();
    env.fails(&["init", s(&p), "--input", s(&bad), "--skip-invalid"]);
    assert_eq!(fs::read_dir(&p).unwrap().count(), 0);

    // An empty file with its format given.
    let empty = env.path("empty.jsonl");
    fs::write(&empty, "").unwrap();
    let err = env.fails(&[
        "init",
        s(&env.path("q")),
        "--input",
        s(&empty),
        "--format",
        "openai",
    ]);
    assert!(err.contains("holds no conversations"), "{err}");
    assert!(!env.path("q").exists());
}

#[test]
fn a_forced_import_of_nothing_keeps_the_project() {
    let env = Env::new();
    let p = env.analysed("p", 30);
    let before = snapshot(&p);
    let bad = env.path("bad.jsonl");
    fs::write(&bad, "{\"id\": 1, \"messages\": [{\"role\": \"robot\"}]}\n").unwrap();
    let err = env.fails(&[
        "init",
        s(&p),
        "--input",
        s(&bad),
        "--skip-invalid",
        "--force",
    ]);
    assert!(err.contains("the project was left as it was"), "{err}");
    // Every file is as it was (the lock file is emptied on release).
    let after = snapshot(&p);
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&after), names(&before));
    for ((name, a), (_, b)) in after.iter().zip(&before) {
        if !name.ends_with(".lock") {
            assert!(a == b, "{name} changed");
        }
    }
}

#[test]
fn a_project_without_conversations_says_so() {
    let env = Env::new();
    let p = env.demo("p", 10);
    fs::write(p.join("conversations.jsonl"), "").unwrap();
    fs::write(p.join("conversations.idx"), "").unwrap();
    for args in [
        vec!["run", s(&p), "--offline", "--headless"],
        vec![s(&p), "--offline", "--headless"],
        vec!["tree", s(&p)],
        vec!["info", s(&p)],
        vec!["export", s(&p), "--cluster", "L0-0"],
    ] {
        let err = env.fails(&args);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("holds no conversations"), "{args:?}: {err}");
    }
    assert_eq!(fs::read_dir(p.join("checkpoints")).unwrap().count(), 0);
}
