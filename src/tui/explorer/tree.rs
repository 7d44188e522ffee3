//! The cluster tree's model: which clusters are open, which is selected,
//! the visible rows in the chosen sort, and the first row in view.
//!
//! The open set is private: every mutator (expand, collapse, toggle,
//! expand_all, collapse_all, reveal, select, step) returns whether anything
//! changed and leaves the rows in step with the open set, splicing only the
//! rows under the cluster it touched. [`TreeModel::rebuild`] is for when
//! the order itself changes (sort, filter, a rename).

use std::collections::HashSet;

use super::index::{ClusterIndex, NONE};
use super::order::RowOrder;

/// One visible line of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub cluster: u32,
    pub depth: u16,
    /// Some child is visible (under the filter) when opened.
    pub has_children: bool,
}

/// Open and selected clusters, the rows they make visible, and the scroll.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreeModel {
    opened: HashSet<u32>,
    selected: Option<u32>,
    rows: Vec<Row>,
    /// First row in view.
    offset: usize,
}

impl TreeModel {
    /// The roots' rows, nothing open, the first row selected.
    pub fn new(ord: &RowOrder<'_>) -> TreeModel {
        let mut tree = TreeModel::default();
        tree.rebuild(ord);
        tree
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn selected(&self) -> Option<u32> {
        self.selected
    }

    pub fn is_open(&self, cluster: u32) -> bool {
        self.opened.contains(&cluster)
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Recomputes every row (after the sort, the filter or a name
    /// changed), keeping the selection when it is still visible.
    pub fn rebuild(&mut self, ord: &RowOrder<'_>) {
        let mut rows = Vec::new();
        for root in ord.order(&ord.index.roots) {
            self.push_subtree(ord, root, 0, &mut rows);
        }
        self.rows = rows;
        if self.selected.is_none_or(|s| self.row_of(s).is_none()) {
            self.selected = self.rows.first().map(|r| r.cluster);
        }
    }

    /// Pushes `c`'s row and, if it is open, the rows under it.
    fn push_subtree(&self, ord: &RowOrder<'_>, c: u32, depth: u16, rows: &mut Vec<Row>) {
        let mut stack = vec![(c, depth)];
        while let Some((c, depth)) = stack.pop() {
            let children = ord.children(c);
            rows.push(Row {
                cluster: c,
                depth,
                has_children: children.iter().any(|&ch| ord.shown(ch)),
            });
            // The index is a forest; the length check only guards bad data.
            if self.opened.contains(&c) && rows.len() <= ord.index.len() {
                for ch in ord.order(children).into_iter().rev() {
                    stack.push((ch, depth.saturating_add(1)));
                }
            }
        }
    }

    /// Rows under the one at `row` (its visible descendants).
    fn below(&self, row: usize) -> std::ops::Range<usize> {
        let depth = self.rows.get(row).map_or(0, |r| r.depth);
        let end = self.rows[row + 1..]
            .iter()
            .position(|r| r.depth <= depth)
            .map_or(self.rows.len(), |n| row + 1 + n);
        row + 1..end
    }

    /// Opens `cluster`; its children appear under it if it is visible.
    pub fn expand(&mut self, cluster: u32, ord: &RowOrder<'_>) -> bool {
        if !self.opened.insert(cluster) {
            return false;
        }
        if let Some(r) = self.row_of(cluster) {
            let depth = self.rows[r].depth.saturating_add(1);
            let mut under = Vec::new();
            for ch in ord.order(ord.children(cluster)) {
                self.push_subtree(ord, ch, depth, &mut under);
            }
            self.rows.splice(r + 1..r + 1, under);
        }
        true
    }

    /// Closes `cluster`; a selection under it moves up to it.
    pub fn collapse(&mut self, cluster: u32) -> bool {
        if !self.opened.remove(&cluster) {
            return false;
        }
        if let Some(r) = self.row_of(cluster) {
            let below = self.below(r);
            let hidden = self
                .selected
                .is_some_and(|s| self.rows[below.clone()].iter().any(|x| x.cluster == s));
            self.rows.drain(below);
            if hidden {
                self.selected = Some(cluster);
            }
        }
        true
    }

    pub fn toggle(&mut self, cluster: u32, ord: &RowOrder<'_>) -> bool {
        if self.is_open(cluster) {
            self.collapse(cluster)
        } else {
            self.expand(cluster, ord)
        }
    }

    /// Opens every cluster that has children.
    pub fn expand_all(&mut self, ord: &RowOrder<'_>) -> bool {
        let before = self.opened.len();
        self.opened
            .extend((0..ord.index.len() as u32).filter(|&c| !ord.children(c).is_empty()));
        if self.opened.len() == before {
            return false;
        }
        self.rebuild(ord);
        true
    }

    /// Closes everything; the selection moves to its top-level cluster.
    pub fn collapse_all(&mut self, index: &ClusterIndex) -> bool {
        if self.opened.is_empty() {
            return false;
        }
        self.opened.clear();
        let root = self.selected.and_then(|s| index.path(s).first().copied());
        self.rows.retain(|r| r.depth == 0);
        self.selected = root
            .filter(|r| self.row_of(*r).is_some())
            .or_else(|| self.rows.first().map(|r| r.cluster));
        true
    }

    /// Opens every ancestor of `cluster` and selects it; when the filter
    /// hides it, the first row is selected instead.
    pub fn reveal(&mut self, cluster: u32, ord: &RowOrder<'_>) -> bool {
        let before = (self.rows.len(), self.selected);
        let path = ord.index.path(cluster);
        let mut opened = false;
        for &c in &path[..path.len().saturating_sub(1)] {
            opened |= self.expand(c, ord);
        }
        match self.row_of(cluster) {
            Some(r) => self.select_row(r),
            None => self.select_row(0),
        };
        opened || before != (self.rows.len(), self.selected)
    }

    /// Selects a visible cluster.
    pub fn select(&mut self, cluster: u32) -> bool {
        match self.row_of(cluster) {
            Some(r) => self.select_row(r),
            None => false,
        }
    }

    /// Selects the parent of the selected cluster, if it has one.
    pub fn select_parent(&mut self, index: &ClusterIndex) -> bool {
        match self
            .selected
            .and_then(|c| index.parent.get(c as usize).copied())
        {
            Some(p) if p != NONE => self.select(p),
            _ => false,
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

    /// Scrolls as little as needed to show the selection in `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = tree_offset(self.offset, self.selected_row(), self.rows.len(), height);
    }
}

/// The first row to show so that `selected` is among `height` rows,
/// moving as little as possible from `offset`.
pub fn tree_offset(offset: usize, selected: Option<usize>, len: usize, height: usize) -> usize {
    let mut start = offset.min(len.saturating_sub(1));
    if let Some(sel) = selected {
        start = start.min(sel);
        if height > 0 && sel >= start + height {
            start = sel + 1 - height;
        }
    }
    start
}
