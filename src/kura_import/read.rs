//! Reading Kura's checkpoint files: JSONL (one pydantic model a line) or,
//! for conversations, a JSON array. Every record comes back as a JSON
//! object with where it came from, so a bad field is named with its file
//! and line; the typed readers below check the fields Kura's models
//! require (`kura/types/`).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, IoContext, Location, Result};

/// One record of a Kura file and where it is.
pub struct Record {
    pub fields: Map<String, Value>,
    pub at: Location,
}

impl Record {
    /// An error about `field` of this record.
    pub fn error(&self, field: &str, message: impl Into<String>) -> Error {
        Error::Input {
            location: self.at.clone().with_field(field),
            message: message.into(),
        }
    }

    /// A required string field.
    pub fn string(&self, field: &str) -> Result<String> {
        match self.fields.get(field) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(self.error(field, format!("expected a string, found {other}"))),
            None => Err(self.error(field, "missing required field")),
        }
    }

    /// An optional string field (`null` or absent is `None`).
    pub fn opt_string(&self, field: &str) -> Result<Option<String>> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.error(field, format!("expected a string, found {other}"))),
        }
    }

    /// An optional list of strings.
    pub fn strings(&self, field: &str) -> Result<Vec<String>> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.error(
                        &format!("{field}[{i}]"),
                        format!("expected a string, found {other}"),
                    )),
                })
                .collect(),
            Some(other) => Err(self.error(field, format!("expected a list, found {other}"))),
        }
    }

    /// An optional 1-5 score.
    pub fn score(&self, field: &str) -> Result<Option<u8>> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n @ 1..=5) => Ok(Some(n as u8)),
                _ => Err(self.error(field, format!("expected a score from 1 to 5, found {v}"))),
            },
        }
    }

    /// A required number.
    pub fn number(&self, field: &str) -> Result<f64> {
        match self.fields.get(field) {
            Some(v) => v
                .as_f64()
                .ok_or_else(|| self.error(field, format!("expected a number, found {v}"))),
            None => Err(self.error(field, "missing required field")),
        }
    }
}

/// The first of `names` that exists in `dir`.
pub fn find(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    names.iter().map(|n| dir.join(n)).find(|p| p.exists())
}

/// A Kura file this build does not read (Parquet, a Hugging Face dataset
/// directory), when one stands in for `stem` in `dir`.
pub fn unsupported(dir: &Path, stem: &str) -> Option<Error> {
    let parquet = dir.join(format!("{stem}.parquet"));
    let hf = dir.join(stem);
    let found = if parquet.exists() {
        parquet
    } else if hf.is_dir() {
        hf
    } else {
        return None;
    };
    Some(Error::Input {
        location: Location::file(&found),
        message: format!(
            "Kura's Parquet and Hugging Face dataset checkpoints are not read; convert them to \
             JSONL first (in Python: load them with Kura's ParquetCheckpointManager or \
             HFDatasetCheckpointManager and save with JSONLCheckpointManager, or \
             `pandas.read_parquet(...).to_json(\"{stem}.jsonl\", orient=\"records\", lines=True)`)"
        ),
    })
}

/// Every record of a JSONL file, or of a JSON array when the file ends in
/// `.json`.
pub fn records(path: &Path) -> Result<Vec<Record>> {
    let text = std::fs::read_to_string(path).at(path)?;
    if path.extension().is_some_and(|e| e == "json") {
        return array(path, &text);
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let at = Location::line(path, n);
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(fields)) => out.push(Record { fields, at }),
            Ok(_) => {
                return Err(Error::Input {
                    location: at,
                    message: "expected a JSON object".into(),
                });
            }
            Err(e) => {
                return Err(Error::Input {
                    location: at,
                    message: format!("not valid JSON: {e}"),
                });
            }
        }
    }
    Ok(out)
}

fn array(path: &Path, text: &str) -> Result<Vec<Record>> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::Input {
        location: Location::line(path, e.line() as u64),
        message: format!("not valid JSON: {e}"),
    })?;
    let Value::Array(items) = value else {
        return Err(Error::Input {
            location: Location::file(path),
            message: "expected a JSON array of conversations".into(),
        });
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let at = Location::file(path).with_record(i as u64);
            match v {
                Value::Object(fields) => Ok(Record { fields, at }),
                _ => Err(Error::Input {
                    location: at,
                    message: "expected a JSON object".into(),
                }),
            }
        })
        .collect()
}
