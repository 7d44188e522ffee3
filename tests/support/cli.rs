//! The real binary on a project in a temporary directory, with no user
//! config, no API keys from the machine, and its own data directory (so the
//! lexical embedder is used whatever is installed).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The binary with its config and data directories under `dir`, no API
/// key or provider from the machine's environment, and no stdin.
pub fn isolated(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kura-tui"));
    c.env("KURA_CONFIG_DIR", dir.join("config"))
        .env("KURA_DATA_DIR", dir.join("data"))
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("KURA_API_KEY")
        .env_remove("KURA_BASE_URL")
        .env_remove("KURA_OFFLINE")
        .env_remove("KURA_LOG")
        .stdin(Stdio::null());
    c
}

/// Runs the binary as [`isolated`] does but with `data` itself as its data
/// directory (where a test installed a model); returns stderr then stdout,
/// failing the test on a non-zero exit.
pub fn ok_with_data(data: &Path, args: &[&str]) -> String {
    let out = isolated(data)
        .env("KURA_DATA_DIR", data)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?}: {stderr}");
    stderr + &String::from_utf8_lossy(&out.stdout)
}

/// One project, `P` in arguments.
pub struct Cli {
    pub dir: tempfile::TempDir,
}

impl Default for Cli {
    fn default() -> Self {
        Self::new()
    }
}

impl Cli {
    pub fn new() -> Self {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `<tmp>/p`.
    pub fn project(&self) -> PathBuf {
        self.dir.path().join("p")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.project().join(rel)
    }

    pub fn bin(&self) -> Command {
        isolated(self.dir.path())
    }

    /// Runs the binary with `args`, where `P` stands for the project path.
    pub fn run(&self, args: &[&str]) -> Output {
        let p = self.project();
        let args: Vec<&std::ffi::OsStr> = args
            .iter()
            .map(|a| {
                if *a == "P" {
                    p.as_os_str()
                } else {
                    std::ffi::OsStr::new(a)
                }
            })
            .collect();
        self.bin().args(args).output().unwrap()
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "kura-tui {args:?} failed: {}",
            stderr(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A demo project of `n` conversations.
    pub fn demo(&self, n: usize) {
        self.ok(&["demo", "P", "--conversations", &n.to_string()]);
    }

    /// `info --json`.
    pub fn info(&self) -> Value {
        serde_json::from_str(&self.ok(&["info", "P", "--json"])).unwrap()
    }

    /// Replaces `from` by `to` in `kura.toml` (which must hold `from`).
    pub fn edit_config(&self, from: &str, to: &str) {
        let path = self.path("kura.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "kura.toml has no `{from}`");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path(rel)).unwrap()
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) {
        std::fs::write(self.path(rel), bytes).unwrap();
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A checkpoint's header and body lines.
pub fn checkpoint_lines(path: &Path) -> (Value, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = serde_json::from_str(lines.next().unwrap()).unwrap();
    (header, lines.map(str::to_string).collect())
}

/// The body of a checkpoint (everything after its header line).
pub fn body(bytes: &[u8]) -> &[u8] {
    let at = bytes.iter().position(|b| *b == b'\n').unwrap();
    &bytes[at + 1..]
}

/// Several named projects in one temporary directory.
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
        isolated(self.dir.path())
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
