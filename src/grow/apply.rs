//! Folding added conversations into the cluster lists of the clusters,
//! names and hierarchy checkpoints: base clusters gain members, every
//! ancestor's count follows, and conversations beyond every threshold go to
//! one "unassigned" base cluster (flagged like HDBSCAN noise, so it is a
//! root of its own and never a target of assignment).

use std::collections::{BTreeMap, HashMap};

use crate::model::Cluster;

pub const UNASSIGNED_NAME: &str = "Unassigned (added)";
pub const UNASSIGNED_SLUG: &str = "unassigned";
const UNASSIGNED_DESCRIPTION: &str = "Conversations added with `kura-tui add` that were farther \
     from every cluster's centroid than its threshold";

/// The new members of each base cluster, and of the unassigned bucket.
#[derive(Debug, Clone, Default)]
pub struct Growth {
    pub members: BTreeMap<String, Vec<String>>,
    pub unassigned: Vec<String>,
}

/// The id for a new base cluster: one past the highest `L0-N` in use.
pub fn next_base_id(clusters: &[Cluster]) -> String {
    let next = clusters
        .iter()
        .filter_map(|c| c.id.strip_prefix("L0-")?.parse::<usize>().ok())
        .max()
        .map_or(0, |m| m + 1);
    Cluster::cluster_id(0, next)
}

fn unassigned_cluster(id: &str) -> Cluster {
    Cluster {
        id: id.to_string(),
        name: UNASSIGNED_NAME.into(),
        original_name: None,
        description: UNASSIGNED_DESCRIPTION.into(),
        slug: UNASSIGNED_SLUG.into(),
        level: 0,
        parent: None,
        children: Vec::new(),
        members: Vec::new(),
        count: 0,
        noise: true,
    }
}

/// Adds `growth` to `clusters` (base clusters alone, or a whole hierarchy):
/// members to base clusters, counts up the parent chain, and the
/// unassigned bucket `unassigned_id` created when needed.
pub fn apply(clusters: &mut Vec<Cluster>, growth: &Growth, unassigned_id: &str) {
    let mut all = growth.members.clone();
    if !growth.unassigned.is_empty() {
        if !clusters.iter().any(|c| c.id == unassigned_id) {
            clusters.push(unassigned_cluster(unassigned_id));
        }
        all.entry(unassigned_id.to_string())
            .or_default()
            .extend(growth.unassigned.iter().cloned());
    }
    let index: HashMap<String, usize> = clusters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for (id, new) in &all {
        let Some(&i) = index.get(id) else {
            continue;
        };
        clusters[i].members.extend(new.iter().cloned());
        // Walk up the parents (bounded, in case of a cycle).
        let mut at = Some(i);
        let mut steps = 0;
        while let Some(j) = at {
            clusters[j].count += new.len();
            at = clusters[j]
                .parent
                .as_ref()
                .and_then(|p| index.get(p).copied());
            steps += 1;
            if steps > clusters.len() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, level: u32, parent: Option<&str>, members: &[&str], count: usize) -> Cluster {
        Cluster {
            id: id.into(),
            name: id.into(),
            original_name: None,
            description: String::new(),
            slug: id.into(),
            level,
            parent: parent.map(str::to_string),
            children: vec![],
            members: members.iter().map(|s| s.to_string()).collect(),
            count,
            noise: false,
        }
    }

    #[test]
    fn counts_follow_the_parent_chain_and_unassigned_is_created() {
        let mut h = vec![
            node("L0-0", 0, Some("L1-0"), &["a"], 1),
            node("L0-1", 0, Some("L1-0"), &["b", "c"], 2),
            node("L1-0", 1, None, &[], 3),
        ];
        let id = next_base_id(&h);
        assert_eq!(id, "L0-2");
        let growth = Growth {
            members: [("L0-1".to_string(), vec!["x".to_string(), "y".to_string()])].into(),
            unassigned: vec!["z".into()],
        };
        apply(&mut h, &growth, &id);
        assert_eq!(h[1].members, ["b", "c", "x", "y"]);
        assert_eq!(h[1].count, 4);
        assert_eq!(h[2].count, 5);
        let u = h.iter().find(|c| c.id == "L0-2").unwrap();
        assert!(u.noise && u.is_root());
        assert_eq!((u.count, u.members.clone()), (1, vec!["z".to_string()]));
    }
}
