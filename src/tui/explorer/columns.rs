//! Per-conversation values the detail pane charts, the filter picks from and
//! the sort aggregates: the summary facets (language, frustration, concern,
//! custom facets) and the conversations' metadata fields.
//!
//! Each is a [`Column`] indexed by store position, holding interned labels
//! (several per conversation for lists such as languages) and, when the
//! values are numbers, the numbers themselves.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::{Metadata, Summary};

/// Columns with more distinct values than this are not charted or offered
/// as filters (ids, free text); their numbers are still aggregated.
pub const MAX_LABELS: usize = 200;
/// Fields beyond this many are ignored (free-form metadata can have many).
pub const MAX_COLUMNS: usize = 48;

/// The metadata columns the background loader sends back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetaTable {
    pub columns: Vec<Column>,
    pub rows: usize,
}

/// Where a column's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Facet,
    Metadata,
    /// A classifier's applied labels.
    Classifier,
}

/// One field across all conversations.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub source: Source,
    pub labels: Vec<String>,
    /// `ids[offsets[p]..offsets[p + 1]]` are the labels of position `p`.
    offsets: Vec<u32>,
    ids: Vec<u32>,
    /// One number per position (NaN when missing), if any value was numeric.
    pub numeric: Option<Vec<f32>>,
    /// Too many distinct values to chart.
    pub high_cardinality: bool,
    /// Every label is a small integer (1–5 scores), so charts keep their
    /// natural order.
    pub ordinal: bool,
}

impl Column {
    pub fn rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Label ids of one conversation.
    pub fn labels_of(&self, position: u32) -> &[u32] {
        let p = position as usize;
        match (self.offsets.get(p), self.offsets.get(p + 1)) {
            (Some(&a), Some(&b)) => self.ids.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    pub fn has(&self, position: u32, label: u32) -> bool {
        self.labels_of(position).contains(&label)
    }

    pub fn number(&self, position: u32) -> Option<f32> {
        self.numeric
            .as_ref()
            .and_then(|v| v.get(position as usize))
            .copied()
            .filter(|x| !x.is_nan())
    }

    pub fn label_id(&self, label: &str) -> Option<u32> {
        self.labels
            .iter()
            .position(|l| l == label)
            .map(|i| i as u32)
    }

    /// True when the sort can aggregate it.
    pub fn is_numeric(&self) -> bool {
        self.numeric.is_some()
    }
}

/// Builds a column row by row.
#[derive(Debug)]
pub struct ColumnBuilder {
    name: String,
    source: Source,
    labels: Vec<String>,
    lookup: HashMap<String, u32>,
    offsets: Vec<u32>,
    ids: Vec<u32>,
    numeric: Vec<f32>,
    numbers: usize,
    overflow: bool,
}

impl ColumnBuilder {
    pub fn new(name: impl Into<String>, source: Source) -> ColumnBuilder {
        ColumnBuilder {
            name: name.into(),
            source,
            labels: Vec::new(),
            lookup: HashMap::new(),
            offsets: vec![0],
            ids: Vec::new(),
            numeric: Vec::new(),
            numbers: 0,
            overflow: false,
        }
    }

    /// Pads with empty rows up to `rows` (for fields first seen late).
    pub fn pad_to(&mut self, rows: usize) {
        while self.offsets.len() <= rows {
            self.offsets.push(self.ids.len() as u32);
            self.numeric.push(f32::NAN);
        }
    }

    /// Adds the values of the next row.
    pub fn push_row<'a>(&mut self, labels: impl IntoIterator<Item = &'a str>, number: Option<f64>) {
        for label in labels {
            let label = label.trim();
            if label.is_empty() || self.overflow {
                continue;
            }
            let id = match self.lookup.get(label) {
                Some(&id) => id,
                None => {
                    if self.labels.len() >= MAX_LABELS {
                        self.overflow = true;
                        continue;
                    }
                    let id = self.labels.len() as u32;
                    self.labels.push(label.to_string());
                    self.lookup.insert(label.to_string(), id);
                    id
                }
            };
            if !self.ids[*self.offsets.last().unwrap_or(&0) as usize..].contains(&id) {
                self.ids.push(id);
            }
        }
        self.offsets.push(self.ids.len() as u32);
        match number {
            Some(x) if x.is_finite() => {
                self.numeric.push(x as f32);
                self.numbers += 1;
            }
            _ => self.numeric.push(f32::NAN),
        }
    }

    pub fn finish(self) -> Column {
        let ordinal = !self.labels.is_empty()
            && self.labels.len() <= 11
            && self
                .labels
                .iter()
                .all(|l| l.parse::<i64>().is_ok_and(|n| (-1..=10).contains(&n)));
        let (labels, offsets, ids) = if self.overflow {
            (Vec::new(), vec![0; self.offsets.len()], Vec::new())
        } else {
            (self.labels, self.offsets, self.ids)
        };
        Column {
            name: self.name,
            source: self.source,
            labels,
            offsets,
            ids,
            numeric: (self.numbers > 0).then_some(self.numeric),
            high_cardinality: self.overflow,
            ordinal,
        }
    }
}

/// Facet columns from the summaries (store order).
pub fn facet_columns(summaries: &[Summary]) -> Vec<Column> {
    let mut language = ColumnBuilder::new("language", Source::Facet);
    let mut frustration = ColumnBuilder::new("frustration", Source::Facet);
    let mut concern = ColumnBuilder::new("concern", Source::Facet);
    let mut custom: Vec<(String, ColumnBuilder)> = Vec::new();
    for (row, s) in summaries.iter().enumerate() {
        language.push_row(s.languages.iter().map(String::as_str), None);
        let score = |v: Option<u8>| v.map(|x| x.to_string());
        let f = score(s.user_frustration);
        frustration.push_row(f.as_deref(), s.user_frustration.map(f64::from));
        let c = score(s.concerning_score);
        concern.push_row(c.as_deref(), s.concerning_score.map(f64::from));
        push_fields(&mut custom, &s.custom, row, Source::Facet);
    }
    let rows = summaries.len();
    let mut out = vec![language.finish(), frustration.finish(), concern.finish()];
    out.extend(custom.into_iter().map(|(_, mut b)| {
        b.pad_to(rows);
        b.finish()
    }));
    out
}

/// Incrementally builds metadata columns from conversations in store order
/// (the background loader feeds it).
#[derive(Debug, Default)]
pub struct MetadataBuilder {
    columns: Vec<(String, ColumnBuilder)>,
    rows: usize,
}

impl MetadataBuilder {
    pub fn push(&mut self, metadata: &Metadata) {
        push_fields(&mut self.columns, metadata, self.rows, Source::Metadata);
        self.rows += 1;
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn finish(self) -> MetaTable {
        let rows = self.rows;
        let columns = self
            .columns
            .into_iter()
            .map(|(_, mut b)| {
                b.pad_to(rows);
                b.finish()
            })
            .collect();
        MetaTable { columns, rows }
    }
}

/// Adds row `row` of every field of `map` (one level of nesting flattened
/// as `a.b`), padding columns seen for the first time.
fn push_fields(
    columns: &mut Vec<(String, ColumnBuilder)>,
    map: &Metadata,
    row: usize,
    source: Source,
) {
    let mut fields: Vec<(String, &Value)> = Vec::new();
    for (k, v) in map {
        match v {
            Value::Object(inner) => {
                for (k2, v2) in inner {
                    if !v2.is_object() {
                        fields.push((format!("{k}.{k2}"), v2));
                    }
                }
            }
            other => fields.push((k.clone(), other)),
        }
    }
    for (name, value) in fields {
        let i = match columns.iter().position(|(n, _)| *n == name) {
            Some(i) => i,
            None if columns.len() >= MAX_COLUMNS => continue,
            None => {
                let mut b = ColumnBuilder::new(name.clone(), source);
                b.pad_to(row);
                columns.push((name, b));
                columns.len() - 1
            }
        };
        let b = &mut columns[i].1;
        b.pad_to(row);
        let (labels, number) = scalar_labels(value);
        b.push_row(labels.iter().map(String::as_str), number);
    }
    for (_, b) in columns.iter_mut() {
        b.pad_to(row + 1);
    }
}

fn scalar_labels(value: &Value) -> (Vec<String>, Option<f64>) {
    match value {
        Value::Null => (Vec::new(), None),
        Value::Bool(b) => (vec![b.to_string()], None),
        Value::Number(n) => (vec![n.to_string()], n.as_f64()),
        Value::String(s) => (vec![s.chars().take(60).collect()], None),
        Value::Array(items) => (
            items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.chars().take(60).collect()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect(),
            None,
        ),
        Value::Object(_) => (Vec::new(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_facets_and_metadata_columns() {
        let mut a = Summary {
            conversation_id: "a".into(),
            languages: vec!["English".into(), "French".into()],
            user_frustration: Some(4),
            ..Default::default()
        };
        a.custom.insert("topic".into(), json!("billing"));
        let b = Summary {
            conversation_id: "b".into(),
            languages: vec!["English".into()],
            ..Default::default()
        };
        let cols = facet_columns(&[a, b]);
        assert_eq!(cols[0].name, "language");
        assert_eq!(cols[0].labels_of(0).len(), 2);
        assert!(cols[0].has(1, cols[0].label_id("English").unwrap()));
        assert_eq!(cols[1].number(0), Some(4.0));
        assert_eq!(cols[1].number(1), None);
        assert!(cols[1].ordinal);
        assert_eq!(cols[3].name, "topic");
        assert_eq!(cols[3].rows(), 2);

        let mut m = MetadataBuilder::default();
        let first: Metadata = serde_json::from_value(json!({"satisfaction": 3})).unwrap();
        let second: Metadata =
            serde_json::from_value(json!({"satisfaction": 5, "user": {"plan": "pro"}})).unwrap();
        m.push(&first);
        m.push(&second);
        let cols = m.finish().columns;
        assert_eq!(cols.len(), 2);
        assert_eq!(cols[0].number(1), Some(5.0));
        assert_eq!(cols[1].name, "user.plan");
        assert_eq!(cols[1].rows(), 2);
        assert!(cols[1].labels_of(0).is_empty());
        assert_eq!(cols[1].labels[cols[1].labels_of(1)[0] as usize], "pro");
    }
}
