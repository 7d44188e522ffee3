//! Clusters at every level of the hierarchy.

use serde::{Deserialize, Serialize};

/// One node of the cluster hierarchy. Level 0 holds the base clusters, made
/// directly from conversations; each higher level groups the one below.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// Stable within a run, e.g. `L0-12`, `L2-3`.
    pub id: String,
    pub name: String,
    /// The generated name, when the user relabelled the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_name: Option<String>,
    pub description: String,
    pub slug: String,
    pub level: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Child cluster ids (empty for base clusters).
    #[serde(default)]
    pub children: Vec<String>,
    /// Conversation ids directly in this cluster (base clusters only; a
    /// parent's members are the union of its children's).
    #[serde(default)]
    pub members: Vec<String>,
    /// Conversations under this node, across all descendants.
    pub count: usize,
    /// True for the HDBSCAN noise group ("unclustered").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub noise: bool,
}

impl Cluster {
    pub fn cluster_id(level: u32, index: usize) -> String {
        format!("L{level}-{index}")
    }

    pub fn is_root(&self) -> bool {
        self.parent.is_none()
    }

    /// For unit tests: cluster `id` ("L{level}-{i}") named "Do {id}" with
    /// `count` conversations, its own members ("{id}-{n}") when it has no
    /// children.
    #[cfg(test)]
    pub(crate) fn test_node(
        id: &str,
        level: u32,
        parent: Option<&str>,
        children: &[&str],
        count: usize,
    ) -> Cluster {
        Cluster {
            id: id.into(),
            name: format!("Do {id}"),
            original_name: None,
            description: format!("About {id}."),
            slug: id.to_lowercase(),
            level,
            parent: parent.map(Into::into),
            children: children.iter().map(|s| s.to_string()).collect(),
            members: (0..if children.is_empty() { count } else { 0 })
                .map(|i| format!("{id}-{i}"))
                .collect(),
            count,
            noise: false,
        }
    }
}

/// Turns a name into a lowercase, dash-separated slug of at most `max_words` words.
pub fn slugify(name: &str, max_words: usize) -> String {
    let mut words = Vec::new();
    let mut cur = String::new();
    for ch in name.chars() {
        if ch.is_alphanumeric() {
            cur.extend(ch.to_lowercase());
        } else if !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.truncate(max_words.max(1));
    if words.is_empty() {
        "cluster".to_string()
    } else {
        words.join("-")
    }
}
