//! The tree's sort menu (`S`): the fields `kura-tui report` sorts by
//! (count, share, frustration, concern, error rate, every numeric or
//! boolean metadata field), each ascending or descending, one after the
//! other ("lowest satisfaction, then most volume").
//!
//! The chosen keys use the report's own [`crate::report::SortKey`] names;
//! the explorer turns them into one rank per cluster
//! ([`ranks`]), which the tree orders siblings by.

use std::cmp::Ordering;

use super::explorer::{Column, Explorer};
use crate::report::SortKey as ReportKey;

/// One field in the menu.
#[derive(Debug, Clone, PartialEq)]
pub struct SortOption {
    /// The report's column name (`count`, `frustration`, a field).
    pub column: String,
    pub label: String,
    pub descending: bool,
}

/// The menu's state.
#[derive(Debug, Clone, PartialEq)]
pub struct SortMenu {
    pub options: Vec<SortOption>,
    pub cursor: usize,
    /// Keys chosen so far, most important first.
    pub chosen: Vec<ReportKey>,
}

impl SortMenu {
    /// The fields `ex` can sort by (metadata ones once loaded).
    pub fn for_explorer(ex: &Explorer) -> SortMenu {
        let fixed = [
            ("count", "count (conversations)", true),
            ("share", "share of all", true),
            ("frustration", "frustration (mean)", true),
            ("concerning", "concern (mean)", true),
            ("error_rate", "error rate", true),
        ];
        let mut options: Vec<SortOption> = fixed
            .iter()
            .map(|(c, l, d)| SortOption {
                column: c.to_string(),
                label: l.to_string(),
                descending: *d,
            })
            .collect();
        for col in ex
            .columns
            .iter()
            .filter(|c| c.source == super::explorer::Source::Metadata)
        {
            let what = if col.is_numeric() {
                "mean"
            } else if is_boolean(col) {
                "share true"
            } else {
                continue;
            };
            options.push(SortOption {
                column: col.name.clone(),
                label: format!("{} ({what})", col.name),
                descending: true,
            });
        }
        SortMenu {
            options,
            cursor: 0,
            chosen: Vec::new(),
        }
    }

    pub fn highlighted(&self) -> Option<&SortOption> {
        self.options.get(self.cursor)
    }

    /// Flips the highlighted field's direction.
    pub fn flip(&mut self) {
        if let Some(o) = self.options.get_mut(self.cursor) {
            o.descending = !o.descending;
        }
    }

    /// Adds the highlighted field as the next key (replacing it if chosen).
    pub fn add(&mut self) {
        if let Some(o) = self.options.get(self.cursor) {
            self.chosen.retain(|k| k.column != o.column);
            self.chosen.push(ReportKey {
                column: o.column.clone(),
                descending: o.descending,
            });
        }
    }
}

/// `satisfaction ↑, count ↓`.
pub fn describe(keys: &[ReportKey]) -> String {
    keys.iter()
        .map(|k| format!("{} {}", k.column, if k.descending { "↓" } else { "↑" }))
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_boolean(col: &Column) -> bool {
    !col.labels.is_empty() && col.labels.iter().all(|l| l == "true" || l == "false")
}

/// One value per cluster of a report column over the explorer's
/// (filtered) conversations.
fn values(ex: &Explorer, column: &str) -> Vec<Option<f64>> {
    let n = ex.index.members.len();
    let mask = ex.filter.as_ref().map(|f| f.mask.as_slice());
    let keep = |p: u32| mask.is_none_or(|m| m.get(p as usize).copied().unwrap_or(false));
    let total: u32 = ex.index.roots.iter().map(|&r| ex.count(r)).sum();
    let per_member = |f: &dyn Fn(u32) -> Option<f64>| -> Vec<Option<f64>> {
        ex.index
            .members
            .iter()
            .map(|members| {
                let (mut sum, mut k) = (0.0, 0usize);
                for &p in members.iter().filter(|&&p| keep(p)) {
                    if let Some(x) = f(p) {
                        sum += x;
                        k += 1;
                    }
                }
                (k > 0).then(|| sum / k as f64)
            })
            .collect()
    };
    let summaries = &ex.analysis.summaries;
    match column {
        "count" => (0..n as u32)
            .map(|c| Some(f64::from(ex.count(c))))
            .collect(),
        "share" => (0..n as u32)
            .map(|c| (total > 0).then(|| f64::from(ex.count(c)) / f64::from(total)))
            .collect(),
        "frustration" => per_member(&|p| {
            summaries
                .get(p as usize)
                .and_then(|s| s.user_frustration)
                .map(f64::from)
        }),
        "concerning" => per_member(&|p| {
            summaries
                .get(p as usize)
                .and_then(|s| s.concerning_score)
                .map(f64::from)
        }),
        "error_rate" => per_member(&|p| {
            summaries
                .get(p as usize)
                .filter(|s| s.user_frustration.is_some() || s.concerning_score.is_some())
                .map(|s| f64::from(u8::from(!s.assistant_errors.is_empty())))
        }),
        field => match ex.column(field) {
            Some(col) if col.is_numeric() => per_member(&|p| col.number(p).map(f64::from)),
            Some(col) => {
                let t = col.label_id("true");
                per_member(&|p| {
                    let labels = col.labels_of(p);
                    (!labels.is_empty())
                        .then(|| f64::from(u8::from(t.is_some_and(|t| labels.contains(&t)))))
                })
            }
            None => vec![None; n],
        },
    }
}

/// Each cluster's rank under `keys` (0 first); absent values sort last,
/// ties keep cluster order.
pub fn ranks(ex: &Explorer, keys: &[ReportKey]) -> Vec<Option<f64>> {
    let n = ex.index.members.len();
    let columns: Vec<(Vec<Option<f64>>, bool)> = keys
        .iter()
        .map(|k| (values(ex, &k.column), k.descending))
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        for (vals, descending) in &columns {
            let o = match (
                vals.get(a).copied().flatten(),
                vals.get(b).copied().flatten(),
            ) {
                (Some(x), Some(y)) => {
                    let o = x.total_cmp(&y);
                    if *descending { o.reverse() } else { o }
                }
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    let mut out = vec![None; n];
    for (rank, c) in order.into_iter().enumerate() {
        out[c] = Some(rank as f64);
    }
    out
}
