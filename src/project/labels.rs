//! The user's relabels (`labels.json`). They live apart from the checkpoints,
//! so a re-run of the pipeline never loses them: each relabel remembers a
//! sample of its cluster's members and is matched to the new clusters by
//! membership overlap.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::atomic;
use crate::error::{Error, Result};
use crate::model::Hierarchy;

const LABELS_VERSION: u32 = 1;
const SAMPLE: usize = 200;
/// Share of a relabel's remembered members that must fall in a cluster for
/// the relabel to follow it to a new run.
pub const MIN_OVERLAP: f64 = 0.5;

/// One relabel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relabel {
    pub cluster_id: String,
    pub level: u32,
    pub name: String,
    pub original_name: String,
    /// Up to 200 member conversation ids, sorted.
    pub members: Vec<String>,
    pub updated_at: String,
}

/// All relabels of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Labels {
    pub version: u32,
    pub relabels: Vec<Relabel>,
}

impl Default for Labels {
    fn default() -> Self {
        Labels {
            version: LABELS_VERSION,
            relabels: Vec::new(),
        }
    }
}

impl Labels {
    /// Reads `labels.json`; a missing file means no relabels.
    pub fn load(path: &Path) -> Result<Labels> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Labels::default()),
            Err(e) => return Err(Error::io(path, e)),
        };
        let labels: Labels =
            serde_json::from_slice(&bytes).map_err(|e| Error::CorruptCheckpoint {
                path: path.to_path_buf(),
                message: format!("line {}: {e}", e.line()),
            })?;
        if labels.version != LABELS_VERSION {
            return Err(Error::CheckpointVersion {
                path: path.to_path_buf(),
                found: labels.version,
                expected: LABELS_VERSION,
            });
        }
        Ok(labels)
    }

    /// Writes `labels.json` atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        atomic::write_json(path, self)
    }

    pub fn get(&self, cluster_id: &str) -> Option<&Relabel> {
        self.relabels.iter().find(|r| r.cluster_id == cluster_id)
    }

    /// Records a new name for a cluster of `hierarchy` (which should not yet
    /// carry the rename). Returns the relabel it replaced, if any.
    pub fn set(&mut self, hierarchy: &Hierarchy, cluster_id: &str, name: &str) -> Option<Relabel> {
        let cluster = hierarchy.get(cluster_id)?;
        let mut members: Vec<String> = hierarchy
            .members(cluster_id)
            .into_iter()
            .map(str::to_string)
            .collect();
        members.sort();
        members.truncate(SAMPLE);
        let original = cluster
            .original_name
            .clone()
            .unwrap_or_else(|| cluster.name.clone());
        let previous = self.remove(cluster_id);
        if name != original {
            self.relabels.push(Relabel {
                cluster_id: cluster_id.to_string(),
                level: cluster.level,
                name: name.to_string(),
                original_name: original,
                members,
                updated_at: chrono::Utc::now().to_rfc3339(),
            });
        }
        previous
    }

    /// Puts back a relabel (for undo).
    pub fn restore(&mut self, relabel: Relabel) {
        self.remove(&relabel.cluster_id);
        self.relabels.push(relabel);
    }

    pub fn remove(&mut self, cluster_id: &str) -> Option<Relabel> {
        let i = self
            .relabels
            .iter()
            .position(|r| r.cluster_id == cluster_id)?;
        Some(self.relabels.remove(i))
    }

    /// Applies every relabel to `hierarchy`: to the cluster with the same id
    /// if it still holds most of the remembered members, else to the cluster
    /// of the same level that holds the largest share of them (at least
    /// [`MIN_OVERLAP`]). Returns how many relabels found a cluster.
    pub fn apply(&self, hierarchy: &mut Hierarchy) -> usize {
        let mut applied = 0;
        for r in &self.relabels {
            if let Some(id) = best_match(hierarchy, r) {
                hierarchy.rename(&id, &r.name);
                applied += 1;
            }
        }
        applied
    }
}

fn overlap(hierarchy: &Hierarchy, id: &str, sample: &HashSet<&str>) -> f64 {
    if sample.is_empty() {
        return 0.0;
    }
    let hits = hierarchy
        .members(id)
        .into_iter()
        .filter(|m| sample.contains(m))
        .count();
    hits as f64 / sample.len() as f64
}

fn best_match(hierarchy: &Hierarchy, r: &Relabel) -> Option<String> {
    let sample: HashSet<&str> = r.members.iter().map(String::as_str).collect();
    if hierarchy.get(&r.cluster_id).is_some()
        && overlap(hierarchy, &r.cluster_id, &sample) >= MIN_OVERLAP
    {
        return Some(r.cluster_id.clone());
    }
    hierarchy
        .clusters()
        .iter()
        .filter(|c| c.level == r.level)
        .map(|c| (overlap(hierarchy, &c.id, &sample), c.id.clone()))
        .filter(|(score, _)| *score >= MIN_OVERLAP)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cluster;

    fn base(id: &str, members: &[&str]) -> Cluster {
        Cluster {
            id: id.into(),
            name: format!("gen {id}"),
            original_name: None,
            description: String::new(),
            slug: id.to_lowercase(),
            level: 0,
            parent: None,
            children: vec![],
            members: members.iter().map(|s| s.to_string()).collect(),
            count: members.len(),
            noise: false,
        }
    }

    #[test]
    fn relabel_survives_rerun_with_shuffled_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.json");
        let h = Hierarchy::new(vec![
            base("L0-0", &["a", "b", "c"]),
            base("L0-1", &["d", "e"]),
        ]);
        let mut labels = Labels::default();
        labels.set(&h, "L0-0", "Billing questions");
        labels.save(&path).unwrap();

        // A re-run numbered the clusters differently and moved one member.
        let mut h2 = Hierarchy::new(vec![
            base("L0-0", &["d", "e", "c"]),
            base("L0-1", &["a", "b", "f"]),
        ]);
        let loaded = Labels::load(&path).unwrap();
        assert_eq!(loaded.apply(&mut h2), 1);
        assert_eq!(h2.get("L0-1").unwrap().name, "Billing questions");
        assert_eq!(
            h2.get("L0-1").unwrap().original_name.as_deref(),
            Some("gen L0-1")
        );
        assert_eq!(h2.get("L0-0").unwrap().name, "gen L0-0");
    }

    #[test]
    fn missing_file_is_empty_and_corrupt_file_names_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.json");
        assert!(Labels::load(&path).unwrap().relabels.is_empty());
        std::fs::write(&path, "{\n\"version\": 1,\n\"relabels\": [oops]}").unwrap();
        let err = Labels::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("labels.json") && err.contains("line 3"),
            "{err}"
        );
    }
}
