//! Running the real `kura-tui` binary in tests: an environment of its own
//! (no user config, no API key, the lexical embedder) and small projects.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn bin(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kura-tui"));
        c.env("KURA_CONFIG_DIR", self.dir.path().join("config"))
            .env("KURA_DATA_DIR", self.dir.path().join("data"))
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .env_remove("KURA_API_KEY")
            .env_remove("KURA_LOG")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.bin().args(args).output().unwrap()
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "kura-tui {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and asserts failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "kura-tui {args:?} should fail; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// A demo project of `n` conversations.
    pub fn demo(&self, name: &str, n: usize) -> PathBuf {
        let p = self.path(name);
        self.ok(&["demo", s(&p), "--conversations", &n.to_string()]);
        p
    }

    /// A demo project with a finished offline analysis.
    pub fn analysed(&self, name: &str, n: usize) -> PathBuf {
        let p = self.demo(name, n);
        self.ok(&["run", s(&p), "--offline", "--headless"]);
        p
    }
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The id and size of the first top-level cluster of `tree --json`.
pub fn first_cluster(env: &Env, project: &Path) -> (String, usize) {
    let tree: serde_json::Value =
        serde_json::from_str(&env.ok(&["tree", s(project), "--json"])).unwrap();
    let first = &tree[0];
    (
        first["id"].as_str().unwrap().to_string(),
        first["count"].as_u64().unwrap() as usize,
    )
}
