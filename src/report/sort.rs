//! Sorting rows by any column: `count`, `share`, `name`, `id`, the facets
//! (`frustration`, `concerning`, `error_rate`), a metadata field (its mean,
//! or share of true; `FIELD=VALUE` for the share of one value). Absent values
//! always sort last.

use std::cmp::Ordering;
use std::str::FromStr;

use super::fields::FieldKind;
use super::{Report, Row, unknown_field};
use crate::error::{Error, Result};

/// `COLUMN` or `COLUMN:asc` / `COLUMN:desc` (descending by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub column: String,
    pub descending: bool,
}

impl FromStr for SortKey {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let (column, descending) = match text.rsplit_once(':') {
            Some((c, "asc")) => (c, false),
            Some((c, "desc")) => (c, true),
            Some((_, other)) => {
                return Err(format!("`{other}` is not a direction; use asc or desc"));
            }
            None => (text, true),
        };
        if column.is_empty() {
            return Err("empty sort column".into());
        }
        Ok(SortKey {
            column: column.to_string(),
            descending,
        })
    }
}

const FIXED: [&str; 7] = [
    "count",
    "share",
    "name",
    "id",
    "frustration",
    "concerning",
    "error_rate",
];

#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Value {
    Num(f64),
    Text(String),
}

enum Column {
    Fixed(&'static str),
    Field(usize, FieldKind),
    Share(usize, String),
}

fn resolve(report: &Report, key: &SortKey) -> Result<Column> {
    if let Some(f) = FIXED.iter().find(|f| **f == key.column) {
        return Ok(Column::Fixed(f));
    }
    if let Some(i) = report.field_index(&key.column) {
        return Ok(Column::Field(i, report.fields[i].kind));
    }
    if let Some((field, value)) = key.column.split_once('=')
        && let Some(i) = report.field_index(field)
    {
        return Ok(Column::Share(i, value.to_string()));
    }
    let mut known: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
    known.extend(report.fields.iter().map(|f| f.name.clone()));
    known.push("FIELD=VALUE".into());
    Err(match unknown_field(&key.column, &known, "sort column") {
        Error::Other(m) => Error::Other(m.replace("known fields", "columns")),
        other => other,
    })
}

fn value(row: &Row, column: &Column) -> Option<Value> {
    match column {
        Column::Fixed("count") => Some(Value::Num(row.count as f64)),
        Column::Fixed("share") => Some(Value::Num(row.share)),
        Column::Fixed("name") => Some(Value::Text(row.name.to_lowercase())),
        Column::Fixed("id") => Some(Value::Text(row.id.clone())),
        Column::Fixed("frustration") => row.frustration.map(Value::Num),
        Column::Fixed("concerning") => row.concerning.map(Value::Num),
        Column::Fixed(_) => row.error_rate.map(Value::Num),
        Column::Field(i, kind) => {
            let stat = row.fields.get(*i)?;
            match kind {
                FieldKind::Numeric => stat.mean.map(Value::Num),
                FieldKind::Boolean => stat.share_true.map(Value::Num),
                FieldKind::Categorical => stat.top.first().map(|t| Value::Text(t.value.clone())),
            }
        }
        Column::Share(i, v) => {
            let stat = row.fields.get(*i)?;
            let n = stat.counts.get(v).copied().unwrap_or(0);
            (row.count > 0).then(|| Value::Num(n as f64 / row.count as f64))
        }
    }
}

/// Sorts the rows by `keys` in turn; equal rows keep hierarchy order.
pub(super) fn apply(report: &mut Report, keys: &[SortKey]) -> Result<()> {
    let columns: Vec<(Column, bool)> = keys
        .iter()
        .map(|k| resolve(report, k).map(|c| (c, k.descending)))
        .collect::<Result<_>>()?;
    report.rows.sort_by(|a, b| {
        for (column, descending) in &columns {
            let order = match (value(a, column), value(b, column)) {
                (Some(x), Some(y)) => {
                    let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                    if *descending { o.reverse() } else { o }
                }
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    });
    Ok(())
}
