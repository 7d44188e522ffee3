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
    /// Conversations in the cluster when it was renamed (0 in files from
    /// before this field: matching then falls back to the sampled share).
    #[serde(default)]
    pub size: usize,
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
        let size = members.len();
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
                size,
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

    /// Applies the relabels to `hierarchy`, one cluster each: the pairs of
    /// (relabel, cluster) where the cluster holds at least [`MIN_OVERLAP`]
    /// of the relabel's remembered members, at any level (a rerun may have
    /// more or fewer levels), are taken best first by estimated Jaccard
    /// index; ties go to the same level, then the same id, then the newer
    /// relabel. Returns how many relabels found a cluster.
    pub fn apply(&self, hierarchy: &mut Hierarchy) -> usize {
        if self.relabels.is_empty() {
            return 0;
        }
        let samples: Vec<HashSet<&str>> = self
            .relabels
            .iter()
            .map(|r| r.members.iter().map(String::as_str).collect())
            .collect();
        let mut pairs: Vec<(f64, bool, bool, usize, String)> = Vec::new();
        // Each cluster's members are gathered once, for every relabel.
        for c in hierarchy.clusters() {
            let members = hierarchy.members(&c.id);
            for (i, (r, sample)) in self.relabels.iter().zip(&samples).enumerate() {
                let (recall, jaccard) = score(&members, r, sample);
                if recall >= MIN_OVERLAP {
                    pairs.push((
                        jaccard,
                        c.level == r.level,
                        c.id == r.cluster_id,
                        i,
                        c.id.clone(),
                    ));
                }
            }
        }
        pairs.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(b.2.cmp(&a.2))
                .then(b.3.cmp(&a.3))
                .then(a.4.cmp(&b.4))
        });
        let mut done = vec![false; self.relabels.len()];
        let mut taken: HashSet<String> = HashSet::new();
        for (_, _, _, i, id) in pairs {
            if done[i] || taken.contains(&id) {
                continue;
            }
            hierarchy.rename(&id, &self.relabels[i].name);
            done[i] = true;
            taken.insert(id);
        }
        done.iter().filter(|d| **d).count()
    }
}

/// How well a cluster with `members` matches relabel `r`: the share of the
/// remembered sample it holds (recall) and the estimated Jaccard index of
/// the two memberships, which also penalises a much larger cluster.
fn score(members: &[&str], r: &Relabel, sample: &HashSet<&str>) -> (f64, f64) {
    if sample.is_empty() {
        return (0.0, 0.0);
    }
    let hits = members.iter().filter(|m| sample.contains(*m)).count();
    let recall = hits as f64 / sample.len() as f64;
    let old = r.size.max(sample.len()) as f64;
    let shared = recall * old;
    let union = old + members.len() as f64 - shared;
    let jaccard = if union > 0.0 { shared / union } else { 0.0 };
    (recall, jaccard)
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

    fn parent_of(id: &str, level: u32, children: &[&Cluster]) -> Cluster {
        let mut c = base(id, &[]);
        c.level = level;
        c.children = children.iter().map(|ch| ch.id.clone()).collect();
        c.count = children.iter().map(|ch| ch.count).sum();
        c
    }

    fn with_parent(mut c: Cluster, parent: &str) -> Cluster {
        c.parent = Some(parent.into());
        c
    }

    #[test]
    fn relabel_follows_the_closest_membership_at_any_level() {
        let (a, b) = (base("L0-0", &["a", "b", "c"]), base("L0-1", &["d", "e"]));
        let root = parent_of("L1-0", 1, &[&a, &b]);
        let h = Hierarchy::new(vec![with_parent(a, "L1-0"), with_parent(b, "L1-0"), root]);
        let mut labels = Labels::default();
        labels.set(&h, "L1-0", "Everything");
        labels.set(&h, "L0-0", "First three");
        assert_eq!(labels.get("L1-0").unwrap().size, 5);

        // The rerun has one level fewer, and at level 0 a big cluster holds
        // all of "First three" among 27 others while a small one holds two
        // of its three: the small one is the closer match.
        let many: Vec<String> = (0..27).map(|i| format!("z{i}")).collect();
        let mut big: Vec<&str> = vec!["a", "b"];
        big.extend(many.iter().map(String::as_str));
        let mut h2 = Hierarchy::new(vec![
            base("L0-0", &["c", "d", "e"]),
            base("L0-1", &big),
            base("L0-2", &["a", "b", "d", "e", "c"]),
        ]);
        // "Everything" (level 1, five members) takes L0-2, exactly its
        // members; "First three" would match L0-2 better (3 of 5) than L0-1
        // (2 of its 3, among 29), but each cluster carries one name.
        assert_eq!(labels.apply(&mut h2), 2);
        assert_eq!(h2.get("L0-2").unwrap().name, "Everything");
        assert_eq!(h2.get("L0-1").unwrap().name, "First three");
        assert_eq!(h2.get("L0-0").unwrap().name, "gen L0-0");

        let only_first = Labels {
            relabels: vec![labels.get("L0-0").unwrap().clone()],
            ..Labels::default()
        };
        // Alone, it takes the closest cluster, not the one holding all of it
        // among many others.
        let mut all = big.clone();
        all.push("c");
        let mut h3 = Hierarchy::new(vec![base("L0-7", &["a", "b", "x"]), base("L0-8", &all)]);
        assert_eq!(only_first.apply(&mut h3), 1);
        assert_eq!(h3.get("L0-7").unwrap().name, "First three");
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
