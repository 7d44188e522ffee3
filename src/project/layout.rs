//! Where things live inside a project directory.

use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "kura.toml";
pub const CONVERSATIONS_FILE: &str = "conversations.jsonl";
pub const CONVERSATIONS_INDEX: &str = "conversations.idx";
pub const CHECKPOINTS_DIR: &str = "checkpoints";
pub const CACHE_DIR: &str = "cache";
pub const LABELS_FILE: &str = "labels.json";
pub const PROMPTS_DIR: &str = "prompts";
pub const EXPORTS_DIR: &str = "exports";
pub const REJECTED_FILE: &str = "rejected.jsonl";
pub const LOGS_DIR: &str = "logs";
pub const LOCK_FILE: &str = ".lock";

/// The paths of one project directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }
    pub fn conversations(&self) -> PathBuf {
        self.root.join(CONVERSATIONS_FILE)
    }
    pub fn conversations_index(&self) -> PathBuf {
        self.root.join(CONVERSATIONS_INDEX)
    }
    pub fn checkpoints(&self) -> PathBuf {
        self.root.join(CHECKPOINTS_DIR)
    }
    pub fn cache(&self) -> PathBuf {
        self.root.join(CACHE_DIR)
    }
    pub fn labels(&self) -> PathBuf {
        self.root.join(LABELS_FILE)
    }
    pub fn prompts(&self) -> PathBuf {
        self.root.join(PROMPTS_DIR)
    }
    pub fn exports(&self) -> PathBuf {
        self.root.join(EXPORTS_DIR)
    }
    pub fn rejected(&self) -> PathBuf {
        self.root.join(REJECTED_FILE)
    }
    pub fn logs(&self) -> PathBuf {
        self.root.join(LOGS_DIR)
    }
    pub fn lock(&self) -> PathBuf {
        self.root.join(LOCK_FILE)
    }

    /// The directories a project always has.
    pub fn directories(&self) -> [PathBuf; 5] {
        [
            self.checkpoints(),
            self.cache(),
            self.prompts(),
            self.exports(),
            self.logs(),
        ]
    }

    pub fn is_project(&self) -> bool {
        self.config().is_file()
    }
}
