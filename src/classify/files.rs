//! Where a classifier's files live in a project, and its version.
//!
//! - `classifiers/NAME.toml`: the definition;
//! - `classifiers/NAME.labels.jsonl`: labelled examples;
//! - `classifiers/NAME.evals.jsonl`: every evaluation, with the version;
//! - `classifiers/NAME.applied.jsonl`: the labels of every conversation.
//!
//! The version is a hash of the definition file and the labels file, so
//! an edit of either shows as a new version in the eval history.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::definition::check_name;
use crate::error::{Error, Result};

pub const CLASSIFIERS_DIR: &str = "classifiers";

/// The paths of one classifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassifierFiles {
    pub name: String,
    dir: PathBuf,
}

impl ClassifierFiles {
    /// The files of classifier `name` in the project at `root`.
    pub fn new(root: &Path, name: &str) -> Result<ClassifierFiles> {
        check_name(name)?;
        Ok(ClassifierFiles {
            name: name.to_string(),
            dir: root.join(CLASSIFIERS_DIR),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{}{suffix}", self.name))
    }

    pub fn definition(&self) -> PathBuf {
        self.file(".toml")
    }
    pub fn labels(&self) -> PathBuf {
        self.file(".labels.jsonl")
    }
    pub fn evals(&self) -> PathBuf {
        self.file(".evals.jsonl")
    }
    pub fn applied(&self) -> PathBuf {
        self.file(".applied.jsonl")
    }

    /// Labels of a separate input file (`apply --input`).
    pub fn applied_to(&self, input: &Path) -> PathBuf {
        let stem = input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "input".into());
        let stem: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.file(&format!(".applied-{stem}.jsonl"))
    }

    /// Fails clearly when the definition does not exist.
    pub fn require(&self) -> Result<()> {
        if self.definition().is_file() {
            Ok(())
        } else {
            Err(Error::Other(format!(
                "no classifier `{}`: {} does not exist; create it with `kura-tui classify new PATH {} --from-cluster ID` or by hand",
                self.name,
                self.definition().display(),
                self.name
            )))
        }
    }

    /// Hash of the definition and the labels (12 hex digits).
    pub fn version(&self) -> Result<String> {
        let mut h = Sha256::new();
        for path in [self.definition(), self.labels()] {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    h.update((bytes.len() as u64).to_le_bytes());
                    h.update(&bytes);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    h.update(u64::MAX.to_le_bytes())
                }
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        Ok(hex::encode(h.finalize())[..12].to_string())
    }
}
