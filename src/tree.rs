//! `kura-tui tree`: the hierarchy as text (like Kura's terminal tree view)
//! or as JSON.

use serde::Serialize;

use crate::model::{Cluster, Hierarchy};

/// One node of `tree --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreeNode {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub original_name: String,
    pub description: String,
    pub level: u32,
    pub count: usize,
    pub share: f64,
    pub children: Vec<TreeNode>,
}

fn node(h: &Hierarchy, c: &Cluster, total: usize, depth_left: Option<usize>) -> TreeNode {
    let children = match depth_left {
        Some(0) | Some(1) => Vec::new(),
        _ => h
            .children(&c.id)
            .into_iter()
            .map(|ch| node(h, ch, total, depth_left.map(|d| d - 1)))
            .collect(),
    };
    TreeNode {
        id: c.id.clone(),
        slug: c.slug.clone(),
        name: c.name.clone(),
        original_name: c.original_name.clone().unwrap_or_else(|| c.name.clone()),
        description: c.description.clone(),
        level: c.level,
        count: c.count,
        share: if total == 0 {
            0.0
        } else {
            c.count as f64 / total as f64
        },
        children,
    }
}

/// The roots, down to `depth` levels (1 = top level only; None = all).
pub fn build(h: &Hierarchy, depth: Option<usize>) -> Vec<TreeNode> {
    let total = h.total();
    h.roots().map(|c| node(h, c, total, depth)).collect()
}

/// Text rendering with counts, shares and bars.
pub fn render(nodes: &[TreeNode]) -> String {
    let mut out = String::new();
    let total: usize = nodes.iter().map(|n| n.count).sum();
    out.push_str(&format!("All conversations ({total})\n"));
    for (i, n) in nodes.iter().enumerate() {
        render_node(&mut out, n, "", i + 1 == nodes.len());
    }
    out
}

fn render_node(out: &mut String, n: &TreeNode, prefix: &str, last: bool) {
    let branch = if last { "└── " } else { "├── " };
    let bar_len = (n.share * 20.0).round() as usize;
    let renamed = if n.original_name != n.name { " *" } else { "" };
    out.push_str(&format!(
        "{prefix}{branch}{}{renamed} ({}, {:.1}%) {}  [{}]\n",
        n.name,
        n.count,
        n.share * 100.0,
        "█".repeat(bar_len.min(20)),
        n.id
    ));
    let child_prefix = format!("{prefix}{}", if last { "    " } else { "│   " });
    for (i, c) in n.children.iter().enumerate() {
        render_node(out, c, &child_prefix, i + 1 == n.children.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, level: u32, parent: Option<&str>, children: &[&str], count: usize) -> Cluster {
        Cluster::test_node(id, level, parent, children, count)
    }

    #[test]
    fn builds_json_tree_with_depth_and_shares() {
        let h = Hierarchy::new(vec![
            c("L1-0", 1, None, &["L0-0", "L0-1"], 3),
            c("L0-0", 0, Some("L1-0"), &[], 2),
            c("L0-1", 0, Some("L1-0"), &[], 1),
            c("L1-1", 1, None, &["L0-2"], 1),
            c("L0-2", 0, Some("L1-1"), &[], 1),
        ]);
        let full = build(&h, None);
        assert_eq!(full.len(), 2);
        assert_eq!(full[0].id, "L1-0");
        assert_eq!(full[0].share, 0.75);
        assert_eq!(full[0].children.len(), 2);
        let top = build(&h, Some(1));
        assert!(top.iter().all(|n| n.children.is_empty()));
        let text = render(&full);
        assert!(text.contains("├── Do L1-0 (3, 75.0%)"), "{text}");
        assert!(text.contains("│   └── Do L0-1 (1, 25.0%)"), "{text}");
    }
}
