//! Navigation over the cluster hierarchy: parents, children, paths, members.

use std::collections::{HashMap, HashSet};

use super::Cluster;

/// All clusters of a run, indexed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hierarchy {
    clusters: Vec<Cluster>,
    by_id: HashMap<String, usize>,
    roots: Vec<usize>,
}

impl Hierarchy {
    /// Indexes `clusters`. Roots are those without a (known) parent, largest
    /// first.
    pub fn new(clusters: Vec<Cluster>) -> Self {
        let by_id: HashMap<String, usize> = clusters
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let mut roots: Vec<usize> = clusters
            .iter()
            .enumerate()
            .filter(|(_, c)| c.parent.as_ref().is_none_or(|p| !by_id.contains_key(p)))
            .map(|(i, _)| i)
            .collect();
        roots.sort_by(|a, b| {
            clusters[*b]
                .count
                .cmp(&clusters[*a].count)
                .then_with(|| clusters[*a].id.cmp(&clusters[*b].id))
        });
        Hierarchy {
            clusters,
            by_id,
            roots,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    pub fn into_clusters(self) -> Vec<Cluster> {
        self.clusters
    }

    pub fn get(&self, id: &str) -> Option<&Cluster> {
        self.by_id.get(id).map(|i| &self.clusters[*i])
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Cluster> {
        self.by_id.get(id).map(|i| &mut self.clusters[*i])
    }

    /// Finds a cluster by id or slug.
    pub fn find(&self, id_or_slug: &str) -> Option<&Cluster> {
        self.get(id_or_slug)
            .or_else(|| self.clusters.iter().find(|c| c.slug == id_or_slug))
    }

    pub fn roots(&self) -> impl Iterator<Item = &Cluster> {
        self.roots.iter().map(|i| &self.clusters[*i])
    }

    /// Children in stored order (largest first, as the pipeline writes them).
    pub fn children(&self, id: &str) -> Vec<&Cluster> {
        self.get(id)
            .map(|c| c.children.iter().filter_map(|ch| self.get(ch)).collect())
            .unwrap_or_default()
    }

    /// The path from the root down to `id`, root first.
    pub fn path(&self, id: &str) -> Vec<&Cluster> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut cur = self.get(id);
        while let Some(c) = cur {
            if !seen.insert(c.id.as_str()) {
                break; // a cycle would be a bug; never loop forever
            }
            out.push(c);
            cur = c.parent.as_deref().and_then(|p| self.get(p));
        }
        out.reverse();
        out
    }

    /// Every base cluster at or below `id`.
    pub fn base_clusters(&self, id: &str) -> Vec<&Cluster> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        let mut seen = HashSet::new();
        while let Some(cur) = stack.pop() {
            if !seen.insert(cur) {
                continue;
            }
            let Some(c) = self.get(cur) else { continue };
            if c.children.is_empty() {
                out.push(c);
            } else {
                stack.extend(c.children.iter().rev().map(String::as_str));
            }
        }
        out
    }

    /// Every conversation id at or below `id`.
    pub fn members(&self, id: &str) -> Vec<&str> {
        self.base_clusters(id)
            .into_iter()
            .flat_map(|c| c.members.iter().map(String::as_str))
            .collect()
    }

    /// Conversation id → base cluster id.
    pub fn base_of(&self) -> HashMap<&str, &str> {
        let mut out = HashMap::new();
        for c in &self.clusters {
            if c.children.is_empty() {
                for m in &c.members {
                    out.insert(m.as_str(), c.id.as_str());
                }
            }
        }
        out
    }

    /// The clusters that stand for level `level`: those at or below it
    /// with no cluster of that level or below above them. Together they
    /// cover every conversation once, also where a parent with one child
    /// was folded into it (the child stands for the parent's level).
    pub fn at_level(&self, level: u32) -> Vec<&Cluster> {
        self.clusters
            .iter()
            .filter(|c| {
                c.level <= level
                    && c.parent
                        .as_deref()
                        .and_then(|p| self.get(p))
                        .is_none_or(|p| p.level > level)
            })
            .collect()
    }

    /// The root above `id`.
    pub fn root_of(&self, id: &str) -> Option<&Cluster> {
        self.path(id).into_iter().next()
    }

    /// Total conversations under the roots.
    pub fn total(&self) -> usize {
        self.roots().map(|c| c.count).sum()
    }

    /// Renames a cluster, keeping the generated name in `original_name` and
    /// giving it a unique slug. Returns false if the id is unknown.
    pub fn rename(&mut self, id: &str, name: &str) -> bool {
        let Some(&i) = self.by_id.get(id) else {
            return false;
        };
        let taken: HashSet<String> = self
            .clusters
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| c.slug.clone())
            .collect();
        let c = &mut self.clusters[i];
        if c.original_name.is_none() && c.name != name {
            c.original_name = Some(c.name.clone());
        }
        if c.original_name.as_deref() == Some(name) {
            c.original_name = None;
        }
        c.name = name.to_string();
        c.slug = unique_slug(&super::slugify(name, 6), &taken);
        true
    }
}

/// `base`, or `base-2`, `base-3`, … whichever is free.
pub fn unique_slug(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|s| !taken.contains(s))
        .unwrap_or_else(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn cluster(
        id: &str,
        level: u32,
        parent: Option<&str>,
        children: &[&str],
        members: &[&str],
    ) -> Cluster {
        Cluster {
            id: id.into(),
            name: format!("Name {id}"),
            original_name: None,
            description: String::new(),
            slug: super::super::slugify(&format!("name {id}"), 6),
            level,
            parent: parent.map(Into::into),
            children: children.iter().map(|s| s.to_string()).collect(),
            members: members.iter().map(|s| s.to_string()).collect(),
            count: members.len(),
            noise: false,
        }
    }

    #[test]
    fn navigates_paths_members_and_renames() {
        let mut top = cluster("L1-0", 1, None, &["L0-0", "L0-1"], &[]);
        top.count = 3;
        let h = Hierarchy::new(vec![
            top,
            cluster("L0-0", 0, Some("L1-0"), &[], &["a", "b"]),
            cluster("L0-1", 0, Some("L1-0"), &[], &["c"]),
        ]);
        assert_eq!(
            h.roots().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["L1-0"]
        );
        let path: Vec<_> = h.path("L0-1").iter().map(|c| c.id.clone()).collect();
        assert_eq!(path, ["L1-0", "L0-1"]);
        let mut m = h.members("L1-0");
        m.sort();
        assert_eq!(m, ["a", "b", "c"]);
        assert_eq!(h.base_of()["c"], "L0-1");
        let mut h = h;
        assert!(h.rename("L0-0", "Name L0-1"));
        let c = h.get("L0-0").unwrap();
        assert_eq!(c.original_name.as_deref(), Some("Name L0-0"));
        assert_eq!(c.slug, "name-l0-1-2", "slug clash gets -2");
        assert_eq!(h.find("name-l0-1-2").unwrap().id, "L0-0");
    }

    #[test]
    fn a_level_is_covered_where_a_single_child_was_folded_into_its_parent() {
        // L2-0 over L1-0 (two base clusters) and, folded, the base L0-2.
        let mut top = cluster("L2-0", 2, None, &["L1-0", "L0-2"], &[]);
        top.count = 4;
        let mut mid = cluster("L1-0", 1, Some("L2-0"), &["L0-0", "L0-1"], &[]);
        mid.count = 3;
        let h = Hierarchy::new(vec![
            top,
            mid,
            cluster("L0-0", 0, Some("L1-0"), &[], &["a", "b"]),
            cluster("L0-1", 0, Some("L1-0"), &[], &["c"]),
            cluster("L0-2", 0, Some("L2-0"), &[], &["d"]),
        ]);
        let ids =
            |level| -> Vec<&str> { h.at_level(level).iter().map(|c| c.id.as_str()).collect() };
        assert_eq!(ids(0), ["L0-0", "L0-1", "L0-2"]);
        assert_eq!(
            ids(1),
            ["L1-0", "L0-2"],
            "the folded cluster stands for level 1"
        );
        assert_eq!(ids(2), ["L2-0"]);
        assert_eq!(ids(5), ["L2-0"]);
    }
}
