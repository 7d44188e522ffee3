//! `kura-tui report`: per cluster at one level, its size and share, an
//! aggregate of every metadata field (mean and sum for numbers, share of
//! true for booleans, the most frequent values otherwise) and the facets the
//! summaries carry (frustration, concerning score, error rate).
//!
//! Facets a summary does not carry (the offline summariser never guesses
//! frustration, concern or errors) are absent (`None`), never zero.

mod aggregate;
pub mod fields;
mod grid;
pub mod growth;
mod render;
mod sort;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::project::store::Store;

pub use fields::FieldKind;
pub use render::Format;
pub use sort::SortKey;

/// What to report.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Hierarchy level (0 = base clusters); `None` = the top-level clusters.
    pub level: Option<u32>,
    /// Only these metadata fields (all when empty).
    pub by: Vec<String>,
    /// Sort keys, most important first; none keeps hierarchy order.
    pub sort: Vec<SortKey>,
    /// How many values to list for a categorical field.
    pub top_values: usize,
}

/// The report: one row per cluster.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The level reported, or `None` for the top-level clusters.
    pub level: Option<u32>,
    /// Conversations in the hierarchy.
    pub total: usize,
    /// The metadata fields reported, in column order.
    pub fields: Vec<Field>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub name: String,
    pub kind: FieldKind,
}

/// One cluster's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub level: u32,
    pub count: usize,
    pub share: f64,
    /// Mean user frustration (1–5) over summaries that carry it.
    pub frustration: Option<f64>,
    /// Mean concerning score (1–5) over summaries that carry it.
    pub concerning: Option<f64>,
    /// Share of conversations with an assistant error, over summaries that
    /// carry the LLM facets.
    pub error_rate: Option<f64>,
    /// One entry per reported field, in [`Report::fields`] order.
    pub fields: Vec<FieldStat>,
}

/// One metadata field's aggregate within a cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldStat {
    pub name: String,
    /// Conversations in the cluster with a non-null value.
    pub present: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sum: Option<f64>,
    /// Booleans: share of true among present values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_true: Option<f64>,
    /// Categorical: the most frequent values, with counts and their share of
    /// the cluster's conversations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top: Vec<TopValue>,
    /// Every value's count (for sorting by a value's share).
    #[serde(skip)]
    pub(crate) counts: std::collections::HashMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopValue {
    pub value: String,
    pub count: usize,
    pub share: f64,
}

/// Builds the report from a loaded analysis and the project's conversations.
pub fn build(analysis: &Analysis, store: &Store, options: &ReportOptions) -> Result<Report> {
    let h = &analysis.hierarchy;
    let clusters: Vec<_> = match options.level {
        None => h.roots().collect(),
        Some(level) => {
            let max = h.clusters().iter().map(|c| c.level).max().unwrap_or(0);
            if level > max {
                return Err(Error::Other(format!(
                    "no clusters at level {level}; levels go from 0 (base clusters) to {max}"
                )));
            }
            h.at_level(level)
        }
    };
    let mut report = aggregate::aggregate(analysis, store, &clusters, options)?;
    report.level = options.level;
    sort::apply(&mut report, &options.sort)?;
    Ok(report)
}

impl Report {
    /// The report in `format`.
    pub fn render(&self, format: Format) -> Result<String> {
        render::render(self, format)
    }

    pub(crate) fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// The error for a field that is not in the metadata.
pub(crate) fn unknown_field(name: &str, known: &[String], what: &str) -> Error {
    let list = if known.is_empty() {
        "the conversations have no metadata".to_string()
    } else {
        format!("known fields: {}", known.join(", "))
    };
    Error::Other(format!("unknown {what} `{name}`; {list}"))
}

#[cfg(test)]
mod tests;
