//! Labelled examples of a classifier: imported from CSV or JSONL
//! (`id` or `text`, plus `label` or `labels`), checked against the
//! definition and the project, and kept in `classifiers/NAME.labels.jsonl`.
//!
//! An import is checked whole before anything is written, and the file is
//! replaced atomically: a bad row leaves the stored labels as they were.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::definition::{Definition, LabelMode};
use super::split::{Split, split_by_id};
use crate::error::{Error, Location, Result};
use crate::project::atomic;

/// One labelled example: a project conversation (`id`) or a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelledItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Category names (one for single-label; any number for multi-label).
    pub labels: Vec<String>,
}

impl LabelledItem {
    /// What identifies the example: its conversation id, else its text.
    pub fn key(&self) -> String {
        match (&self.id, &self.text) {
            (Some(id), _) => format!("id:{id}"),
            (None, Some(t)) => format!("text:{t}"),
            (None, None) => String::new(),
        }
    }
}

/// A raw row before checking: where it came from and what it holds.
struct Row {
    line: u64,
    id: Option<String>,
    text: Option<String>,
    labels: Option<Vec<String>>,
    label_field: &'static str,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

fn split_labels(s: &str) -> Vec<String> {
    s.split(';')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn read_csv(path: &Path, need_labels: bool) -> Result<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| Error::input(Location::file(path), e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::input(Location::line(path, 1), e.to_string()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (id, text) = (col("id"), col("text"));
    let (label, labels) = (col("label"), col("labels"));
    if id.is_none() && text.is_none() {
        return Err(Error::input(
            Location::line(path, 1),
            "the header needs an `id` or a `text` column",
        ));
    }
    if need_labels && label.is_none() && labels.is_none() {
        return Err(Error::input(
            Location::line(path, 1),
            "the header needs a `label` or a `labels` column",
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::input(Location::line(path, line), e.to_string())
        })?;
        let line = r.position().map_or(0, |p| p.line());
        let get = |c: Option<usize>| c.and_then(|c| r.get(c)).map(str::to_string);
        let (field, value) = match labels {
            Some(c) => ("labels", get(Some(c))),
            None => ("label", get(label)),
        };
        rows.push(Row {
            line,
            id: non_empty(get(id)),
            text: non_empty(get(text)),
            labels: value.map(|v| split_labels(&v)),
            label_field: field,
        });
    }
    Ok(rows)
}

fn read_jsonl(path: &Path) -> Result<Vec<Row>> {
    let source = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut rows = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let n = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| Error::input(Location::line(path, n), format!("invalid JSON: {e}")))?;
        let Some(obj) = value.as_object() else {
            return Err(Error::input(
                Location::line(path, n),
                "expected a JSON object",
            ));
        };
        let string = |key: &str| -> Result<Option<String>> {
            match obj.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(non_empty(Some(s.clone()))),
                Some(serde_json::Value::Number(x)) if key == "id" => Ok(Some(x.to_string())),
                Some(_) => Err(Error::input(
                    Location::line(path, n).with_field(key),
                    "expected a string",
                )),
            }
        };
        let (field, labels) = match (obj.get("labels"), obj.get("label")) {
            (Some(serde_json::Value::Array(items)), _) => {
                let mut out = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
                        _ => {
                            return Err(Error::input(
                                Location::line(path, n).with_field("labels"),
                                "expected a list of category names",
                            ));
                        }
                    }
                }
                ("labels", Some(out))
            }
            (Some(serde_json::Value::String(s)), _) => ("labels", Some(split_labels(s))),
            (Some(_), _) => {
                return Err(Error::input(
                    Location::line(path, n).with_field("labels"),
                    "expected a list of category names",
                ));
            }
            (None, Some(serde_json::Value::String(s))) => ("label", Some(split_labels(s))),
            (None, Some(_)) => {
                return Err(Error::input(
                    Location::line(path, n).with_field("label"),
                    "expected a category name",
                ));
            }
            (None, None) => ("label", None),
        };
        rows.push(Row {
            line: n,
            id: string("id")?,
            text: string("text")?,
            labels,
            label_field: field,
        });
    }
    Ok(rows)
}

fn read_rows(path: &Path, need_labels: bool) -> Result<Vec<Row>> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let rows = if is_csv {
        read_csv(path, need_labels)?
    } else {
        read_jsonl(path)?
    };
    if rows.is_empty() {
        return Err(Error::input(Location::file(path), "no rows"));
    }
    Ok(rows)
}

/// Reads texts to label (CSV or JSONL rows with `id` or `text`; any
/// labels are ignored); ids must be in the project.
pub fn read_unlabelled(path: &Path, known_ids: &dyn Fn(&str) -> bool) -> Result<Vec<LabelledItem>> {
    let mut out = Vec::new();
    for row in read_rows(path, false)? {
        let at = Location::line(path, row.line).with_field("id");
        match (&row.id, &row.text) {
            (None, None) => return Err(Error::input(at, "neither `id` nor `text` is given")),
            (Some(id), None) if !known_ids(id) => {
                return Err(Error::input(
                    at,
                    format!(
                        "unknown conversation id `{id}` (not in the project); give its `text` instead"
                    ),
                ));
            }
            _ => {}
        }
        // A text given with an unknown id is classified as a text.
        let id = row.id.filter(|id| row.text.is_none() || known_ids(id));
        out.push(LabelledItem {
            id: id.clone(),
            text: if id.is_some() { None } else { row.text },
            labels: Vec::new(),
        });
    }
    Ok(out)
}

/// Reads a label file (CSV by extension `.csv`, else JSONL) and checks
/// every row against the definition and the project's conversation ids.
/// Any bad row fails the whole import.
pub fn import(
    path: &Path,
    def: &Definition,
    known_ids: &dyn Fn(&str) -> bool,
) -> Result<Vec<LabelledItem>> {
    let rows = read_rows(path, true)?;
    let names = def.class_names();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let at = |field: &str| Location::line(path, row.line).with_field(field);
        if row.id.is_none() && row.text.is_none() {
            return Err(Error::input(at("id"), "neither `id` nor `text` is given"));
        }
        if let Some(id) = &row.id
            && !known_ids(id)
        {
            return Err(Error::input(
                at("id"),
                format!("unknown conversation id `{id}` (not in the project)"),
            ));
        }
        let Some(labels) = row.labels else {
            return Err(Error::input(
                at(row.label_field),
                "missing: give `label` or `labels`",
            ));
        };
        let mut canonical = Vec::new();
        for l in &labels {
            let Some(c) = def.class_of(l) else {
                return Err(Error::input(
                    at(row.label_field),
                    format!(
                        "unknown category `{l}`; the classifier has: {}",
                        names.join(", ")
                    ),
                ));
            };
            if !canonical.contains(&names[c]) {
                canonical.push(names[c].clone());
            }
        }
        if def.mode == LabelMode::Single && canonical.len() != 1 {
            return Err(Error::input(
                at(row.label_field),
                format!(
                    "a single-label classifier needs exactly one category, got {}",
                    canonical.len()
                ),
            ));
        }
        out.push(LabelledItem {
            id: row.id,
            text: row.text,
            labels: canonical,
        });
    }
    Ok(out)
}

/// The stored labels (`NAME.labels.jsonl`); a missing file means none.
pub fn load(path: &Path, def: &Definition) -> Result<Vec<LabelledItem>> {
    let source = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = Location::line(path, i as u64 + 1);
        let item: LabelledItem = serde_json::from_str(line)
            .map_err(|e| Error::input(at.clone(), format!("invalid label record: {e}")))?;
        if let Some(l) = item.labels.iter().find(|l| def.class_of(l).is_none()) {
            return Err(Error::input(
                at.with_field("labels"),
                format!("category `{l}` is not in the classifier's definition any more"),
            ));
        }
        out.push(item);
    }
    Ok(out)
}

/// Merges `new` into `old` (a new label for the same key replaces the old
/// one); returns the merged list and how many were replaced.
pub fn merge(old: Vec<LabelledItem>, new: Vec<LabelledItem>) -> (Vec<LabelledItem>, usize) {
    let mut out = old;
    let mut index: HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, it)| (it.key(), i))
        .collect();
    let mut replaced = HashSet::new();
    for item in new {
        match index.get(&item.key()) {
            Some(&i) => {
                if i < out.len() {
                    replaced.insert(i);
                    out[i] = item;
                }
            }
            None => {
                index.insert(item.key(), out.len());
                out.push(item);
            }
        }
    }
    (out, replaced.len())
}

/// Writes the labels atomically, one JSON record per line.
pub fn save(path: &Path, items: &[LabelledItem]) -> Result<()> {
    atomic::write_with(path, |w| {
        for item in items {
            serde_json::to_writer(&mut *w, item).map_err(std::io::Error::other)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// Each item's split, from a hash of its key and the definition's seed.
pub fn splits(items: &[LabelledItem], def: &Definition) -> Result<Vec<Split>> {
    let keys: Vec<String> = items.iter().map(LabelledItem::key).collect();
    split_by_id(&keys, def.split.validation, def.split.test, def.split.seed)
        .map_err(|e| Error::param("split", e.to_string()))
}
