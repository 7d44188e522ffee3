//! The cluster tree's model: which clusters are open, which is selected,
//! and the visible rows in the chosen sort. Moves return whether anything
//! changed, and only visible rows are ever walked.

use std::collections::HashSet;

use super::index::ClusterIndex;
use crate::model::Hierarchy;

/// How siblings are ordered.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    /// Largest first (matching conversations first when filtered).
    Size,
    /// Alphabetical by (current) name.
    Name,
    /// Highest mean of a numeric field first.
    Mean(String),
}

impl SortKey {
    pub fn describe(&self) -> String {
        match self {
            SortKey::Size => "size".into(),
            SortKey::Name => "name".into(),
            SortKey::Mean(c) => format!("mean {c}"),
        }
    }
}

/// One visible line of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub cluster: u32,
    pub depth: u16,
    pub has_children: bool,
}

/// Open and selected clusters, and the rows they make visible.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreeModel {
    pub opened: HashSet<u32>,
    pub selected: Option<u32>,
    pub rows: Vec<Row>,
}

/// What the row builder needs to order and hide clusters.
pub struct Ordering<'a> {
    pub index: &'a ClusterIndex,
    pub hierarchy: &'a Hierarchy,
    pub sort: &'a SortKey,
    /// Per-cluster conversations to count (filtered counts when filtering).
    pub counts: &'a [u32],
    /// Hide clusters with a zero count (when a filter is on).
    pub hide_empty: bool,
    pub aggregates: &'a [Option<f64>],
}

impl Ordering<'_> {
    fn count(&self, c: u32) -> u32 {
        self.counts.get(c as usize).copied().unwrap_or(0)
    }

    fn name(&self, c: u32) -> String {
        self.hierarchy
            .clusters()
            .get(c as usize)
            .map(|cl| cl.name.to_lowercase())
            .unwrap_or_default()
    }

    fn id(&self, c: u32) -> &str {
        self.hierarchy
            .clusters()
            .get(c as usize)
            .map(|cl| cl.id.as_str())
            .unwrap_or("")
    }

    /// `list`, visible ones only, in sort order.
    pub fn order(&self, list: &[u32]) -> Vec<u32> {
        let mut out: Vec<u32> = list
            .iter()
            .copied()
            .filter(|&c| !self.hide_empty || self.count(c) > 0)
            .collect();
        match self.sort {
            SortKey::Size => out.sort_by(|&a, &b| {
                self.count(b)
                    .cmp(&self.count(a))
                    .then_with(|| self.id(a).cmp(self.id(b)))
            }),
            SortKey::Name => out.sort_by_cached_key(|&c| (self.name(c), self.id(c).to_string())),
            SortKey::Mean(_) => {
                let agg = |c: u32| self.aggregates.get(c as usize).copied().flatten();
                out.sort_by(|&a, &b| match (agg(a), agg(b)) {
                    (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| self.id(a).cmp(self.id(b))),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => self.count(b).cmp(&self.count(a)),
                })
            }
        }
        out
    }
}

impl TreeModel {
    /// Recomputes the visible rows and keeps a visible selection.
    pub fn rebuild(&mut self, ord: &Ordering<'_>) {
        let mut rows = Vec::new();
        let mut stack: Vec<(u32, u16)> = ord
            .order(&ord.index.roots)
            .into_iter()
            .rev()
            .map(|c| (c, 0))
            .collect();
        while let Some((c, depth)) = stack.pop() {
            let children = ord
                .index
                .children
                .get(c as usize)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let open = self.opened.contains(&c);
            let visible_children = if open {
                ord.order(children)
            } else {
                Vec::new()
            };
            let has_children = if open {
                !visible_children.is_empty()
            } else {
                children
                    .iter()
                    .any(|&ch| !ord.hide_empty || ord.count(ch) > 0)
            };
            rows.push(Row {
                cluster: c,
                depth,
                has_children,
            });
            if open && rows.len() <= ord.index.len() {
                for ch in visible_children.into_iter().rev() {
                    stack.push((ch, depth.saturating_add(1)));
                }
            }
        }
        self.rows = rows;
        if self.selected.is_none_or(|s| self.row_of(s).is_none()) {
            self.selected = self.rows.first().map(|r| r.cluster);
        }
    }

    pub fn row_of(&self, cluster: u32) -> Option<usize> {
        self.rows.iter().position(|r| r.cluster == cluster)
    }

    pub fn selected_row(&self) -> Option<usize> {
        self.selected.and_then(|s| self.row_of(s))
    }

    /// The selected cluster's visible row.
    pub fn selected_row_data(&self) -> Option<Row> {
        self.selected_row().and_then(|r| self.rows.get(r).copied())
    }

    /// Moves the selection by `delta` rows, clamped.
    pub fn step(&mut self, delta: isize) -> bool {
        if self.rows.is_empty() {
            return false;
        }
        let cur = self.selected_row().unwrap_or(0) as isize;
        let last = self.rows.len() as isize - 1;
        let next = (cur + delta).clamp(0, last) as usize;
        self.select_row(next)
    }

    pub fn select_row(&mut self, row: usize) -> bool {
        let Some(r) = self.rows.get(row) else {
            return false;
        };
        let changed = self.selected != Some(r.cluster);
        self.selected = Some(r.cluster);
        changed
    }

    /// Opens every ancestor of `cluster` and selects it (rows need a
    /// rebuild afterwards).
    pub fn reveal(&mut self, index: &ClusterIndex, cluster: u32) {
        let path = index.path(cluster);
        for &c in &path[..path.len().saturating_sub(1)] {
            self.opened.insert(c);
        }
        self.selected = Some(cluster);
    }
}
