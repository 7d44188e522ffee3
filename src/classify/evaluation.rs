//! A classifier's evaluation record (stored one per line in
//! `NAME.evals.jsonl`) and its text rendering.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::definition::{EngineKind, LabelMode};
use super::metrics::{ClassMetrics, MultiLabelReport, Report};
use crate::error::{Error, Location, Result};
use crate::project::atomic;

/// One evaluation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalRecord {
    pub classifier: String,
    /// The classifier's version (hash of its definition and labels).
    pub version: String,
    /// RFC 3339 time of the run.
    pub at: String,
    /// `validation` or `test`.
    pub split: String,
    pub engine: EngineKind,
    pub mode: LabelMode,
    /// Whether the project's embeddings were features.
    pub embeddings: bool,
    pub n_train: usize,
    pub n: usize,
    pub classes: Vec<String>,
    /// Single-label: accuracy. Multi-label: the exact-match rate.
    pub accuracy: f64,
    pub macro_f1: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single: Option<Report>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi: Option<MultiLabelReport>,
}

/// Reads every stored evaluation (oldest first); a missing file is none.
pub fn history(path: &Path) -> Result<Vec<EvalRecord>> {
    let source = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    source
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                Error::input(
                    Location::line(path, i as u64 + 1),
                    format!("invalid eval record: {e}"),
                )
            })
        })
        .collect()
}

/// Adds a record to the history (the file is rewritten atomically).
pub fn record(path: &Path, rec: &EvalRecord) -> Result<()> {
    let mut all = history(path)?;
    all.push(rec.clone());
    atomic::write_with(path, |w| {
        for r in &all {
            serde_json::to_writer(&mut *w, r).map_err(std::io::Error::other)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

fn class_table(out: &mut String, names: &[String], per: &[ClassMetrics], label: &str) {
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "{label:<width$}  precision  recall     F1  support",
        width = width
    );
    for (n, m) in names.iter().zip(per) {
        let _ = writeln!(
            out,
            "{n:<width$}  {:>9.3}  {:>6.3}  {:>5.3}  {:>7}",
            m.precision,
            m.recall,
            m.f1,
            m.support,
            width = width
        );
    }
}

impl EvalRecord {
    /// The report as text: headline, per-class table, confusion matrix.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "classifier {} version {} ({:?} engine{}), {} split: {} examples, trained on {}",
            self.classifier,
            self.version,
            self.engine,
            if self.embeddings {
                ", n-grams + embeddings"
            } else {
                ", n-grams"
            },
            self.split,
            self.n,
            self.n_train
        );
        match (&self.single, &self.multi) {
            (Some(r), _) => {
                let _ = writeln!(
                    out,
                    "accuracy {:.3}  macro-F1 {:.3}\n",
                    r.accuracy, r.macro_f1
                );
                class_table(&mut out, &self.classes, &r.per_class, "category");
                let _ = writeln!(out, "\nconfusion matrix (rows: true, columns: predicted)");
                let w = r
                    .confusion
                    .iter()
                    .flatten()
                    .map(|v| v.to_string().len())
                    .max()
                    .unwrap_or(1)
                    .max(self.classes.len().to_string().len());
                let _ = write!(out, "{:>4}", "");
                for j in 0..self.classes.len() {
                    let _ = write!(out, " {j:>w$}");
                }
                let _ = writeln!(out);
                for (i, row) in r.confusion.iter().enumerate() {
                    let _ = write!(out, "{i:>4}");
                    for v in row {
                        let _ = write!(out, " {v:>w$}");
                    }
                    let _ = writeln!(out, "  {}", self.classes.get(i).map_or("", String::as_str));
                }
            }
            (None, Some(m)) => {
                let _ = writeln!(
                    out,
                    "exact match {:.3}  macro-F1 {:.3}  micro-F1 {:.3}\n",
                    m.exact_match, m.macro_f1, m.micro_f1
                );
                class_table(&mut out, &self.classes, &m.per_label, "label");
            }
            (None, None) => {}
        }
        out
    }
}

/// The history as a table, with the change from the previous run on the
/// same split.
pub fn render_history(records: &[EvalRecord]) -> String {
    let mut out = String::from(
        "when                  version       split        n  accuracy  macro-F1  change\n",
    );
    for (i, r) in records.iter().enumerate() {
        let prev = records[..i].iter().rev().find(|p| p.split == r.split);
        let change = prev.map_or(String::new(), |p| {
            format!("{:+.3}", r.accuracy - p.accuracy)
        });
        let when: String = r.at.chars().take(19).collect();
        let _ = writeln!(
            out,
            "{when:<20}  {:<12}  {:<10} {:>4}  {:>8.3}  {:>8.3}  {change}",
            r.version, r.split, r.n, r.accuracy, r.macro_f1
        );
    }
    out
}
