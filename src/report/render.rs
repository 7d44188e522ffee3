//! The report as an aligned table, JSON, CSV or Markdown. Absent values are
//! a dash in the table and Markdown, empty in CSV and null in JSON.

use unicode_width::UnicodeWidthStr;

use super::fields::FieldKind;
use super::{FieldStat, Report, Row};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
    Markdown,
}

const ABSENT: &str = "-";

pub(super) fn render(report: &Report, format: Format) -> Result<String> {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report)
                .map_err(|e| Error::Other(format!("report as JSON: {e}")))?;
            s.push('\n');
            Ok(s)
        }
        Format::Csv => csv_text(report),
        Format::Table => Ok(table(report, false)),
        Format::Markdown => Ok(table(report, true)),
    }
}

/// Header and cells of every column; `human` formats shares as percents and
/// shows one column per field, otherwise raw numbers and every aggregate.
fn columns(report: &Report, human: bool) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let num = |v: Option<f64>| {
        v.map(|x| {
            if human {
                format!("{x:.2}")
            } else {
                format!("{x}")
            }
        })
    };
    let pct = |v: Option<f64>| {
        v.map(|x| {
            if human {
                format!("{:.1}%", x * 100.0)
            } else {
                format!("{x:.4}")
            }
        })
    };
    let mut headers: Vec<String> = ["id", "name", "count", "share", "frustration"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    headers.extend(["concerning".into(), "error_rate".into()]);
    for f in &report.fields {
        match (f.kind, human) {
            (FieldKind::Numeric, true) => headers.push(format!("{} mean", f.name)),
            (FieldKind::Numeric, false) => {
                headers.push(format!("{}_mean", f.name));
                headers.push(format!("{}_sum", f.name));
            }
            (FieldKind::Boolean, true) => headers.push(format!("{} true", f.name)),
            (FieldKind::Boolean, false) => headers.push(format!("{}_share_true", f.name)),
            (FieldKind::Categorical, true) => headers.push(format!("{} top", f.name)),
            (FieldKind::Categorical, false) => headers.push(format!("{}_top", f.name)),
        }
    }
    let rows = report
        .rows
        .iter()
        .map(|r: &Row| {
            let mut cells = vec![
                Some(r.id.clone()),
                Some(r.name.clone()),
                Some(r.count.to_string()),
                pct(Some(r.share)),
                num(r.frustration),
                num(r.concerning),
                pct(r.error_rate),
            ];
            for (f, stat) in report.fields.iter().zip(&r.fields) {
                match f.kind {
                    FieldKind::Numeric => {
                        cells.push(num(stat.mean));
                        if !human {
                            cells.push(stat.sum.map(|s| s.to_string()));
                        }
                    }
                    FieldKind::Boolean => cells.push(pct(stat.share_true)),
                    FieldKind::Categorical => cells.push(top(stat, human)),
                }
            }
            cells
        })
        .collect();
    (headers, rows)
}

fn top(stat: &FieldStat, human: bool) -> Option<String> {
    if stat.top.is_empty() {
        return None;
    }
    let parts: Vec<String> = stat
        .top
        .iter()
        .map(|t| {
            if human {
                format!("{} {:.0}%", t.value, t.share * 100.0)
            } else {
                format!("{}={:.4}", t.value, t.share)
            }
        })
        .collect();
    Some(parts.join(if human { " · " } else { ";" }))
}

fn csv_text(report: &Report) -> Result<String> {
    let (headers, rows) = columns(report, false);
    let mut w = csv::Writer::from_writer(Vec::new());
    let to_err = |e: csv::Error| Error::Other(format!("report as CSV: {e}"));
    w.write_record(&headers).map_err(to_err)?;
    for row in rows {
        w.write_record(row.iter().map(|c| c.as_deref().unwrap_or("")))
            .map_err(to_err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Other(format!("report as CSV: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Names longer than this are cut in the table (never in CSV or JSON).
const NAME_WIDTH: usize = 48;

fn table(report: &Report, markdown: bool) -> String {
    let (headers, rows) = columns(report, true);
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let c = c.unwrap_or_else(|| ABSENT.to_string());
                    if i == 1 && !markdown {
                        cut(&c, NAME_WIDTH)
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect();
    // Numbers are right-aligned: count and the figures after the name.
    let right = |i: usize| {
        (2..7).contains(&i) || (i >= 7 && !matches!(headers[i].rsplit(' ').next(), Some("top")))
    };
    let mut out = String::new();
    if !markdown {
        let what = match report.level {
            Some(l) => format!("level {l}"),
            None => "top-level clusters".to_string(),
        };
        out.push_str(&format!(
            "{} clusters ({what}), {} conversations\n",
            report.rows.len(),
            report.total
        ));
    }
    out.push_str(&super::grid::grid(&headers, &rows, &right, markdown));
    out
}

fn cut(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for ch in text.chars() {
        if out.width() + 1 >= max {
            break;
        }
        out.push(ch);
    }
    out.push('…');
    out
}
