//! How identifiable cluster names are among their siblings: a name is
//! identified when its own vector is closer (cosine) to its cluster's
//! centroid than to the centroid of any sibling (the other children of its
//! parent; the roots are siblings of each other). Clusters without a
//! sibling are not counted.

use std::collections::HashMap;

use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::Serialize;

use crate::model::Hierarchy;

/// The top-1 rate of one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameLevel {
    pub level: u32,
    /// Named clusters with at least one sibling.
    pub clusters: usize,
    /// Share of them whose name is nearest its own cluster.
    pub top1: f64,
}

fn unit(v: Array1<f32>) -> Array1<f32> {
    let n = v.dot(&v).sqrt();
    if n > 0.0 { v / n } else { v }
}

/// Per level, the share of names nearest their own cluster among its
/// siblings. `conversations` has one row per summary, `position` maps a
/// conversation id to its row; `names` maps a cluster id to its name's
/// vector. Noise clusters and clusters without a vector are skipped.
pub fn identifiability(
    h: &Hierarchy,
    conversations: ArrayView2<f32>,
    position: &dyn Fn(&str) -> Option<usize>,
    names: &HashMap<String, ArrayView1<f32>>,
) -> Vec<NameLevel> {
    let mut centroid: HashMap<&str, Array1<f32>> = HashMap::new();
    for c in h.clusters().iter().filter(|c| !c.noise) {
        let mut sum = Array1::<f32>::zeros(conversations.ncols());
        for m in h.members(&c.id) {
            if let Some(r) = position(m) {
                sum += &conversations.row(r);
            }
        }
        centroid.insert(c.id.as_str(), unit(sum));
    }
    // Each set of siblings with the level it stands for: the roots the
    // top level, a parent's children the level below it (a child whose
    // one-child parent was folded into it stands for the parent's level).
    let top = h.clusters().iter().map(|c| c.level).max().unwrap_or(0);
    let mut sibling_sets: Vec<(u32, Vec<&str>)> =
        vec![(top, h.roots().map(|c| c.id.as_str()).collect())];
    for c in h.clusters() {
        if !c.children.is_empty() {
            let ids = c.children.iter().map(String::as_str).collect();
            sibling_sets.push((c.level.saturating_sub(1), ids));
        }
    }
    let mut tally: HashMap<u32, (usize, usize)> = HashMap::new();
    for (level, set) in sibling_sets {
        let set: Vec<&str> = set
            .into_iter()
            .filter(|id| centroid.contains_key(id))
            .collect();
        if set.len() < 2 {
            continue;
        }
        for id in &set {
            let (Some(v), Some(c)) = (names.get(*id), h.get(id)) else {
                continue;
            };
            let best = set
                .iter()
                .map(|s| (v.dot(&centroid[s]), *s))
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)))
                .map(|(_, s)| s);
            let entry = tally.entry(level).or_default();
            entry.0 += 1;
            if best == Some(*id) {
                entry.1 += 1;
            } else {
                let nearest = best.and_then(|b| h.get(b)).map_or("?", |b| b.name.as_str());
                tracing::debug!(
                    level,
                    name = %c.name,
                    nearest = %nearest,
                    "a name nearer a sibling's centroid than its own"
                );
            }
        }
    }
    let mut out: Vec<NameLevel> = tally
        .into_iter()
        .map(|(level, (n, hit))| NameLevel {
            level,
            clusters: n,
            top1: hit as f64 / n as f64,
        })
        .collect();
    out.sort_by_key(|l| l.level);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cluster;
    use ndarray::array;

    fn cluster(id: &str, parent: Option<&str>, members: &[&str]) -> Cluster {
        Cluster {
            id: id.into(),
            name: id.into(),
            original_name: None,
            description: String::new(),
            slug: id.to_lowercase(),
            level: 0,
            parent: parent.map(Into::into),
            children: Vec::new(),
            members: members.iter().map(|s| s.to_string()).collect(),
            count: members.len(),
            noise: false,
        }
    }

    #[test]
    fn counts_names_nearest_their_own_cluster() {
        let h = Hierarchy::new(vec![
            cluster("a", None, &["1", "2"]),
            cluster("b", None, &["3"]),
            cluster("c", None, &["4"]),
        ]);
        let conv = array![[1.0f32, 0.0], [1.0, 0.1], [0.0, 1.0], [-1.0, 0.0]];
        let na = array![0.9f32, 0.1];
        let nb = array![0.1f32, 0.9];
        let nc = array![0.9f32, 0.0]; // closer to a than to c
        let names: HashMap<String, ArrayView1<f32>> = [
            ("a".to_string(), na.view()),
            ("b".to_string(), nb.view()),
            ("c".to_string(), nc.view()),
        ]
        .into_iter()
        .collect();
        let pos = |id: &str| id.parse::<usize>().ok().map(|i| i - 1);
        let r = identifiability(&h, conv.view(), &pos, &names);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].clusters, 3);
        assert!((r[0].top1 - 2.0 / 3.0).abs() < 1e-9);
    }
}
