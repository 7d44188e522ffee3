//! `added.json`: what `kura-tui add` appended since the clusters were last
//! computed, for the explorer's "new" markers and `info`. It names the
//! hierarchy checkpoint it describes; once a run recomputes the hierarchy
//! the record no longer applies and is ignored.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::project::Layout;

pub const ADDED_FILE: &str = "added.json";
const ADDED_VERSION: u32 = 1;

/// The path of `added.json` in a project.
pub fn path(layout: &Layout) -> PathBuf {
    layout.root().join(ADDED_FILE)
}

/// Every `add` since the clusters were computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddLog {
    pub version: u32,
    /// The digest of the hierarchy checkpoint this record describes.
    pub hierarchy_digest: String,
    /// The base cluster holding added conversations beyond every threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unassigned_cluster: Option<String>,
    pub batches: Vec<Batch>,
}

/// One `add`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub added_at: String,
    pub input: String,
    /// The conversations added, in store order.
    pub ids: Vec<String>,
    /// Conversations of the input already in the project, skipped.
    pub skipped_duplicates: usize,
    pub assigned: usize,
    pub unassigned: usize,
    /// How the distance threshold was chosen (`auto p99 per cluster` or
    /// `fixed 0.45`).
    pub threshold: String,
    /// New conversations per base cluster.
    pub grew: BTreeMap<String, usize>,
}

impl AddLog {
    pub fn new(hierarchy_digest: String) -> AddLog {
        AddLog {
            version: ADDED_VERSION,
            hierarchy_digest,
            unassigned_cluster: None,
            batches: Vec::new(),
        }
    }

    /// Reads the record; `None` when there is none.
    pub fn load(path: &Path) -> Result<Option<AddLog>> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        let log: AddLog = serde_json::from_slice(&bytes).map_err(|e| Error::CorruptCheckpoint {
            path: path.to_path_buf(),
            message: format!("line {}: {e}", e.line()),
        })?;
        if log.version != ADDED_VERSION {
            return Err(Error::CheckpointVersion {
                path: path.to_path_buf(),
                found: log.version,
                expected: ADDED_VERSION,
            });
        }
        Ok(Some(log))
    }

    /// Whether the record describes the hierarchy checkpoint with this
    /// digest (a run that rebuilt the hierarchy makes it stale).
    pub fn describes(&self, hierarchy_digest: Option<&str>) -> bool {
        Some(self.hierarchy_digest.as_str()) == hierarchy_digest
    }

    /// Every added conversation id.
    pub fn new_ids(&self) -> HashSet<&str> {
        self.batches
            .iter()
            .flat_map(|b| b.ids.iter().map(String::as_str))
            .collect()
    }

    /// Conversations added so far.
    pub fn added(&self) -> usize {
        self.batches.iter().map(|b| b.ids.len()).sum()
    }
}
