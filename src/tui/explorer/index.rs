//! A numeric index over the hierarchy, built once when the explorer opens:
//! clusters by position in `Hierarchy::clusters()`, their parents, children,
//! depth and top-level ancestor, and the store positions of the
//! conversations under each. Everything the UI does per keypress works on
//! these small integers instead of string ids.

use std::collections::HashMap;

use crate::analysis::Analysis;

/// No cluster / no conversation.
pub const NONE: u32 = u32::MAX;

/// The hierarchy, indexed.
#[derive(Debug, Clone, Default)]
pub struct ClusterIndex {
    pub parent: Vec<u32>,
    pub children: Vec<Vec<u32>>,
    /// Top-level clusters, largest first.
    pub roots: Vec<u32>,
    /// For each cluster, the rank of its top-level ancestor in `roots`.
    pub root_rank: Vec<u32>,
    pub depth: Vec<u16>,
    /// Store positions of every conversation under the cluster, sorted.
    pub members: Vec<Vec<u32>>,
    /// Base cluster of each conversation (by store position), or [`NONE`].
    pub conv_base: Vec<u32>,
    pub by_id: HashMap<String, u32>,
    /// Conversations under the roots.
    pub total: usize,
}

impl ClusterIndex {
    pub fn build(analysis: &Analysis) -> ClusterIndex {
        let h = &analysis.hierarchy;
        let clusters = h.clusters();
        let n = clusters.len();
        let by_id: HashMap<String, u32> = clusters
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i as u32))
            .collect();
        let mut parent = vec![NONE; n];
        let mut children = vec![Vec::new(); n];
        for (i, c) in clusters.iter().enumerate() {
            for ch in &c.children {
                if let Some(&j) = by_id.get(ch)
                    && parent[j as usize] == NONE
                    && j as usize != i
                {
                    parent[j as usize] = i as u32;
                    children[i].push(j);
                }
            }
        }
        let roots: Vec<u32> = h
            .roots()
            .filter_map(|c| by_id.get(&c.id).copied())
            .filter(|&r| parent[r as usize] == NONE)
            .collect();

        let mut index = ClusterIndex {
            parent,
            children,
            root_rank: vec![NONE; n],
            depth: vec![0; n],
            members: vec![Vec::new(); n],
            conv_base: vec![NONE; analysis.summaries.len()],
            by_id,
            total: h.total(),
            roots,
        };
        // Depth-first from each root; a node is visited once, so a cycle in
        // bad data cannot loop.
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut visited = vec![false; n];
        for (rank, &root) in index.roots.iter().enumerate() {
            let mut stack = vec![(root, 0u16)];
            while let Some((c, d)) = stack.pop() {
                let ci = c as usize;
                if visited[ci] {
                    continue;
                }
                visited[ci] = true;
                index.depth[ci] = d;
                index.root_rank[ci] = rank as u32;
                order.push(c);
                for &ch in index.children[ci].iter().rev() {
                    stack.push((ch, d.saturating_add(1)));
                }
            }
        }
        // Base members, then parents from their children (reverse DFS order
        // visits children before parents).
        for &c in &order {
            let ci = c as usize;
            if index.children[ci].is_empty() {
                let mut pos: Vec<u32> = clusters[ci]
                    .members
                    .iter()
                    .filter_map(|m| analysis.position(m))
                    .map(|p| p as u32)
                    .collect();
                pos.sort_unstable();
                pos.dedup();
                for &p in &pos {
                    if let Some(slot) = index.conv_base.get_mut(p as usize) {
                        *slot = c;
                    }
                }
                index.members[ci] = pos;
            }
        }
        for &c in order.iter().rev() {
            let ci = c as usize;
            if !index.children[ci].is_empty() {
                let mut pos: Vec<u32> = index.children[ci]
                    .iter()
                    .flat_map(|&ch| index.members[ch as usize].iter().copied())
                    .collect();
                pos.sort_unstable();
                pos.dedup();
                index.members[ci] = pos;
            }
        }
        index
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// Ancestors of `c`, root first, ending with `c`.
    pub fn path(&self, c: u32) -> Vec<u32> {
        let mut out = vec![c];
        let mut cur = c;
        while let Some(&p) = self.parent.get(cur as usize) {
            if p == NONE || out.len() > self.len() {
                break;
            }
            out.push(p);
            cur = p;
        }
        out.reverse();
        out
    }

    /// True when `c` is `ancestor` or below it.
    pub fn is_under(&self, c: u32, ancestor: u32) -> bool {
        let mut cur = c;
        for _ in 0..=self.len() {
            if cur == ancestor {
                return true;
            }
            match self.parent.get(cur as usize) {
                Some(&p) if p != NONE => cur = p,
                _ => return false,
            }
        }
        false
    }

    pub fn has_children(&self, c: u32) -> bool {
        self.children
            .get(c as usize)
            .is_some_and(|ch| !ch.is_empty())
    }

    pub fn members_of(&self, c: u32) -> &[u32] {
        self.members
            .get(c as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}
