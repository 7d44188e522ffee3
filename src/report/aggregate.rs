//! One pass over the conversations, adding each to its cluster's row.

use std::collections::HashMap;

use super::fields::{FieldKind, FieldKinds, flatten, value_text};
use super::{Field, FieldStat, Report, ReportOptions, Row, TopValue, unknown_field};
use crate::analysis::Analysis;
use crate::error::Result;
use crate::model::Cluster;
use crate::project::store::Store;

#[derive(Default)]
struct FieldAcc {
    present: usize,
    sum: f64,
    trues: usize,
    values: HashMap<String, usize>,
}

#[derive(Default)]
struct RowAcc {
    frustration: (f64, usize),
    concerning: (f64, usize),
    /// (with errors, summaries carrying the LLM facets)
    errors: (usize, usize),
    fields: HashMap<String, FieldAcc>,
}

pub(super) fn aggregate(
    analysis: &Analysis,
    store: &Store,
    clusters: &[&Cluster],
    options: &ReportOptions,
) -> Result<Report> {
    let h = &analysis.hierarchy;
    let mut row_of: HashMap<&str, usize> = HashMap::new();
    for (i, c) in clusters.iter().enumerate() {
        for id in h.members(&c.id) {
            row_of.insert(id, i);
        }
    }
    let mut accs: Vec<RowAcc> = clusters.iter().map(|_| RowAcc::default()).collect();
    let mut kinds = FieldKinds::default();
    for conv in store.iter()? {
        let conv = conv?;
        let flat = flatten(&conv.metadata);
        for (k, v) in &flat {
            kinds.observe(k, v);
        }
        let Some(&row) = row_of.get(conv.id.as_str()) else {
            continue;
        };
        let acc = &mut accs[row];
        if let Some(s) = analysis.summary(&conv.id) {
            if let Some(f) = s.user_frustration {
                acc.frustration.0 += f64::from(f);
                acc.frustration.1 += 1;
            }
            if let Some(c) = s.concerning_score {
                acc.concerning.0 += f64::from(c);
                acc.concerning.1 += 1;
            }
            if s.user_frustration.is_some() || s.concerning_score.is_some() {
                acc.errors.1 += 1;
                acc.errors.0 += usize::from(!s.assistant_errors.is_empty());
            }
        }
        for (k, v) in flat {
            if v.is_null() {
                continue;
            }
            let f = acc.fields.entry(k).or_default();
            f.present += 1;
            match v {
                serde_json::Value::Number(n) => f.sum += n.as_f64().unwrap_or(0.0),
                serde_json::Value::Bool(b) => f.trues += usize::from(*b),
                _ => {}
            }
            *f.values.entry(value_text(v)).or_default() += 1;
        }
    }
    let all = kinds.kinds();
    let fields: Vec<Field> = if options.by.is_empty() {
        all.into_iter()
            .map(|(name, kind)| Field { name, kind })
            .collect()
    } else {
        let names: Vec<String> = all.iter().map(|(n, _)| n.clone()).collect();
        let mut out = Vec::new();
        for by in &options.by {
            let Some((name, kind)) = all.iter().find(|(n, _)| n == by) else {
                return Err(unknown_field(by, &names, "field"));
            };
            out.push(Field {
                name: name.clone(),
                kind: *kind,
            });
        }
        out
    };
    let total = h.total();
    let top_n = options.top_values.max(1);
    let rows = clusters
        .iter()
        .zip(accs)
        .map(|(c, acc)| Row {
            id: c.id.clone(),
            name: c.name.clone(),
            level: c.level,
            count: c.count,
            share: ratio(c.count, total).unwrap_or(0.0),
            frustration: mean(acc.frustration),
            concerning: mean(acc.concerning),
            error_rate: ratio(acc.errors.0, acc.errors.1),
            fields: fields
                .iter()
                .map(|f| stat(f, acc.fields.get(&f.name), c.count, top_n))
                .collect(),
        })
        .collect();
    Ok(Report {
        level: None,
        total,
        fields,
        rows,
    })
}

fn stat(field: &Field, acc: Option<&FieldAcc>, count: usize, top_n: usize) -> FieldStat {
    let mut out = FieldStat {
        name: field.name.clone(),
        present: 0,
        mean: None,
        sum: None,
        share_true: None,
        top: Vec::new(),
        counts: Default::default(),
    };
    let Some(acc) = acc else { return out };
    out.present = acc.present;
    out.counts = acc.values.clone();
    match field.kind {
        FieldKind::Numeric => {
            out.mean = ratio_f(acc.sum, acc.present);
            out.sum = Some(acc.sum);
        }
        FieldKind::Boolean => out.share_true = ratio(acc.trues, acc.present),
        FieldKind::Categorical => {
            let mut values: Vec<(&String, &usize)> = acc.values.iter().collect();
            values.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            out.top = values
                .into_iter()
                .take(top_n)
                .map(|(v, n)| TopValue {
                    value: v.clone(),
                    count: *n,
                    share: ratio(*n, count).unwrap_or(0.0),
                })
                .collect();
        }
    }
    out
}

fn mean((sum, n): (f64, usize)) -> Option<f64> {
    ratio_f(sum, n)
}

fn ratio_f(sum: f64, n: usize) -> Option<f64> {
    (n > 0).then(|| sum / n as f64)
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
