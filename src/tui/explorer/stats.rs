//! Numbers derived from the columns: a cluster's distribution of one field,
//! the mean of a numeric field per cluster (for the sort), and the mask and
//! per-cluster counts of a filter.

use super::columns::Column;
use super::index::ClusterIndex;

/// How one field is distributed over a set of conversations.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub column: String,
    /// (label, conversations), in display order.
    pub bars: Vec<(String, u32)>,
    /// Conversations in the set.
    pub total: u32,
    /// Conversations with at least one value.
    pub with_value: u32,
    /// Conversations whose labels are not among the bars.
    pub other: u32,
    pub mean: Option<f64>,
}

/// The distribution of `column` over `members`; `None` when nothing in the
/// set has a value or the column cannot be charted.
pub fn distribution(column: &Column, members: &[u32], max_bars: usize) -> Option<Distribution> {
    if column.high_cardinality && !column.is_numeric() {
        return None;
    }
    let mut counts = vec![0u32; column.labels.len()];
    let mut with_value = 0u32;
    let (mut sum, mut n) = (0f64, 0u32);
    for &p in members {
        let labels = column.labels_of(p);
        if !labels.is_empty() {
            with_value += 1;
        }
        for &l in labels {
            if let Some(c) = counts.get_mut(l as usize) {
                *c += 1;
            }
        }
        if let Some(x) = column.number(p) {
            sum += f64::from(x);
            n += 1;
            if labels.is_empty() {
                with_value += 1;
            }
        }
    }
    if with_value == 0 {
        return None;
    }
    let mut bars: Vec<(usize, u32)> = counts.iter().copied().enumerate().collect();
    if column.ordinal {
        bars.sort_by_key(|(i, _)| column.labels[*i].parse::<i64>().unwrap_or(i64::MAX));
    } else {
        bars.retain(|(_, c)| *c > 0);
        bars.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| column.labels[a.0].cmp(&column.labels[b.0]))
        });
    }
    let shown: Vec<(String, u32)> = bars
        .iter()
        .take(max_bars)
        .map(|(i, c)| (column.labels[*i].clone(), *c))
        .collect();
    let other = bars.iter().skip(max_bars).map(|(_, c)| *c).sum();
    Some(Distribution {
        column: column.name.clone(),
        bars: shown,
        total: members.len() as u32,
        with_value,
        other,
        mean: (n > 0).then(|| sum / f64::from(n)),
    })
}

/// Mean of a numeric column per cluster, over its (matching) members.
pub fn means(column: &Column, index: &ClusterIndex, mask: Option<&[bool]>) -> Vec<Option<f64>> {
    index
        .members
        .iter()
        .map(|members| {
            let (mut sum, mut n) = (0f64, 0u32);
            for &p in members {
                if mask.is_some_and(|m| !m.get(p as usize).copied().unwrap_or(false)) {
                    continue;
                }
                if let Some(x) = column.number(p) {
                    sum += f64::from(x);
                    n += 1;
                }
            }
            (n > 0).then(|| sum / f64::from(n))
        })
        .collect()
}

/// A filter in force: conversations whose `column` has `label`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub column: String,
    pub label: String,
    /// By store position.
    pub mask: Vec<bool>,
    /// Matching conversations under each cluster.
    pub counts: Vec<u32>,
    pub matches: usize,
}

impl Filter {
    pub fn build(column: &Column, label: &str, index: &ClusterIndex, rows: usize) -> Filter {
        let id = column.label_id(label);
        let mask: Vec<bool> = (0..rows as u32)
            .map(|p| id.is_some_and(|l| column.has(p, l)))
            .collect();
        let counts = index
            .members
            .iter()
            .map(|m| {
                m.iter()
                    .filter(|&&p| mask.get(p as usize).copied().unwrap_or(false))
                    .count() as u32
            })
            .collect();
        let matches = mask.iter().filter(|m| **m).count();
        Filter {
            column: column.name.clone(),
            label: label.to_string(),
            mask,
            counts,
            matches,
        }
    }

    pub fn accepts(&self, position: u32) -> bool {
        self.mask.get(position as usize).copied().unwrap_or(false)
    }

    pub fn describe(&self) -> String {
        format!("{} = {}", self.column, self.label)
    }
}

/// One choice in the filter picker.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterOption {
    pub column: String,
    pub label: String,
    pub count: u32,
}

impl FilterOption {
    pub fn text(&self) -> String {
        format!("{}: {}", self.column, self.label)
    }
}

/// Every value of every chartable column, most common first within a column.
pub fn filter_options(columns: &[Column], per_column: usize) -> Vec<FilterOption> {
    let mut out = Vec::new();
    for column in columns {
        if column.high_cardinality || column.labels.is_empty() {
            continue;
        }
        let all: Vec<u32> = (0..column.rows() as u32).collect();
        if let Some(d) = distribution(column, &all, per_column) {
            out.extend(
                d.bars
                    .into_iter()
                    .filter(|(_, c)| *c > 0)
                    .map(|(label, count)| FilterOption {
                        column: column.name.clone(),
                        label,
                        count,
                    }),
            );
        }
    }
    out
}
