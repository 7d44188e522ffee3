//! How the tree orders and hides clusters: the sort key, and the row
//! order built from the hierarchy, the counts and the filter.

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
    /// The sort menu's report fields, in turn (the aggregates hold each
    /// cluster's rank).
    Fields(Vec<crate::report::SortKey>),
}

impl SortKey {
    pub fn describe(&self) -> String {
        match self {
            SortKey::Size => "size".into(),
            SortKey::Name => "name".into(),
            SortKey::Mean(c) => format!("mean {c}"),
            SortKey::Fields(keys) => crate::tui::sort_menu::describe(keys),
        }
    }
}

/// What the rows are built from: the hierarchy, the sort and the filter.
pub struct RowOrder<'a> {
    pub index: &'a ClusterIndex,
    pub hierarchy: &'a Hierarchy,
    pub sort: &'a SortKey,
    /// Per-cluster conversations to count (filtered counts when filtering).
    pub counts: &'a [u32],
    /// Hide clusters with a zero count (when a filter is on).
    pub hide_empty: bool,
    pub aggregates: &'a [Option<f64>],
}

impl RowOrder<'_> {
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

    pub(super) fn shown(&self, c: u32) -> bool {
        !self.hide_empty || self.count(c) > 0
    }

    pub(super) fn children(&self, c: u32) -> &[u32] {
        self.index
            .children
            .get(c as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// `list`, visible ones only, in sort order.
    pub fn order(&self, list: &[u32]) -> Vec<u32> {
        use std::cmp::Ordering;
        let mut out: Vec<u32> = list.iter().copied().filter(|&c| self.shown(c)).collect();
        match self.sort {
            SortKey::Size => out.sort_by(|&a, &b| {
                self.count(b)
                    .cmp(&self.count(a))
                    .then_with(|| self.id(a).cmp(self.id(b)))
            }),
            SortKey::Name => out.sort_by_cached_key(|&c| (self.name(c), self.id(c).to_string())),
            SortKey::Fields(_) => {
                let rank = |c: u32| self.aggregates.get(c as usize).copied().flatten();
                out.sort_by(|&a, &b| match (rank(a), rank(b)) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    _ => self.id(a).cmp(self.id(b)),
                })
            }
            SortKey::Mean(_) => {
                let agg = |c: u32| self.aggregates.get(c as usize).copied().flatten();
                out.sort_by(|&a, &b| match (agg(a), agg(b)) {
                    (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| self.id(a).cmp(self.id(b))),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => self.count(b).cmp(&self.count(a)),
                })
            }
        }
        out
    }
}
