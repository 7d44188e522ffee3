//! `kura-tui report --growth`: per cluster, the conversations dated in a
//! current and an earlier period, their shares of each period's dated
//! conversations, and the change ("what changed since last week").
//! Conversations without a date are left out and counted.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::Format;
use crate::error::{Error, Result};
use crate::model::{Cluster, Hierarchy};

/// Inclusive dates `FROM..TO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let (a, b) = s
            .split_once("..")
            .ok_or_else(|| format!("`{s}` is not FROM..TO (e.g. 2024-03-01..2024-03-07)"))?;
        let date = |t: &str| {
            NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                .map_err(|e| format!("`{t}` is not a YYYY-MM-DD date: {e}"))
        };
        let period = Period {
            from: date(a)?,
            to: date(b)?,
        };
        if period.to < period.from {
            return Err(format!("`{s}` ends before it starts"));
        }
        Ok(period)
    }
}

impl Period {
    /// The current period from `since` to `until`, and the earlier period
    /// of the same length that ends the day before `since`.
    pub fn since(since: NaiveDate, until: NaiveDate) -> Result<(Period, Period)> {
        if until < since {
            return Err(Error::param(
                "--until",
                format!("{until} is before --since {since}"),
            ));
        }
        let days = (until - since).num_days() + 1;
        let current = Period {
            from: since,
            to: until,
        };
        let previous = Period {
            from: since - Duration::days(days),
            to: since - Duration::days(1),
        };
        Ok((current, previous))
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// The growth report.
#[derive(Debug, Clone, Serialize)]
pub struct Growth {
    pub level: Option<u32>,
    pub current: Period,
    pub previous: Period,
    /// Dated conversations in each period.
    pub current_total: usize,
    pub previous_total: usize,
    /// Conversations without a usable date.
    pub undated: usize,
    pub rows: Vec<GrowthRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GrowthRow {
    pub id: String,
    pub name: String,
    pub previous: usize,
    pub current: usize,
    pub previous_share: f64,
    pub current_share: f64,
    /// `current − previous`.
    pub change: i64,
    /// Relative change, `None` when the cluster had nothing before.
    pub change_pct: Option<f64>,
}

/// Growth of `clusters` between `previous` and `current`, from the dates of
/// the conversations; rows sorted by absolute change, largest first.
pub fn build(
    hierarchy: &Hierarchy,
    clusters: &[&Cluster],
    dates: &HashMap<String, NaiveDate>,
    total: usize,
    level: Option<u32>,
    current: Period,
    previous: Period,
) -> Growth {
    let in_period = |p: &Period| dates.values().filter(|d| p.contains(**d)).count();
    let current_total = in_period(&current);
    let previous_total = in_period(&previous);
    let share = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    let mut rows: Vec<GrowthRow> = clusters
        .iter()
        .map(|c| {
            let (mut now, mut before) = (0, 0);
            for m in hierarchy.members(&c.id) {
                if let Some(d) = dates.get(m) {
                    now += usize::from(current.contains(*d));
                    before += usize::from(previous.contains(*d));
                }
            }
            GrowthRow {
                id: c.id.clone(),
                name: c.name.clone(),
                previous: before,
                current: now,
                previous_share: share(before, previous_total),
                current_share: share(now, current_total),
                change: now as i64 - before as i64,
                change_pct: (before > 0).then(|| (now as f64 - before as f64) / before as f64),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.change
            .abs()
            .cmp(&a.change.abs())
            .then(b.current.cmp(&a.current))
            .then(a.id.cmp(&b.id))
    });
    Growth {
        level,
        current,
        previous,
        current_total,
        previous_total,
        undated: total.saturating_sub(dates.len()),
        rows,
    }
}

impl Growth {
    /// The report as a table, JSON, CSV or Markdown.
    pub fn render(&self, format: Format) -> Result<String> {
        let header = [
            "id",
            "name",
            "previous",
            "current",
            "previous_share",
            "current_share",
            "change",
            "change_pct",
        ];
        let human = matches!(format, Format::Table | Format::Markdown);
        let pct = |x: f64| {
            if human {
                format!("{:.1}%", x * 100.0)
            } else {
                format!("{x:.4}")
            }
        };
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.name.clone(),
                    r.previous.to_string(),
                    r.current.to_string(),
                    pct(r.previous_share),
                    pct(r.current_share),
                    format!("{:+}", r.change),
                    r.change_pct.map_or_else(
                        || if human { "new".into() } else { String::new() },
                        |p| {
                            if human {
                                format!("{:+.0}%", p * 100.0)
                            } else {
                                format!("{p:.4}")
                            }
                        },
                    ),
                ]
            })
            .collect();
        match format {
            Format::Json => {
                let mut s = serde_json::to_string_pretty(self)
                    .map_err(|e| Error::Other(format!("growth report as JSON: {e}")))?;
                s.push('\n');
                Ok(s)
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(Vec::new());
                let io = |e: csv::Error| Error::Other(format!("growth report as CSV: {e}"));
                w.write_record(header).map_err(io)?;
                for row in &cells {
                    w.write_record(row).map_err(io)?;
                }
                let bytes = w
                    .into_inner()
                    .map_err(|e| Error::Other(format!("growth report as CSV: {e}")))?;
                Ok(String::from_utf8_lossy(&bytes).into_owned())
            }
            Format::Table | Format::Markdown => {
                Ok(self.table(&header, &cells, format == Format::Markdown))
            }
        }
    }

    fn table(&self, header: &[&str], cells: &[Vec<String>], markdown: bool) -> String {
        let mut out = format!(
            "growth {} ({} dated) vs {} ({} dated){}\n",
            self.current,
            self.current_total,
            self.previous,
            self.previous_total,
            if self.undated > 0 {
                format!("; {} conversations have no date", self.undated)
            } else {
                String::new()
            }
        );
        if markdown {
            out.push('\n');
        }
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        out.push_str(&super::grid::grid(&header, cells, &|i| i >= 2, markdown));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_since_builds_the_window_before() {
        let p: Period = "2024-03-01..2024-03-07".parse().unwrap();
        assert_eq!(p.to - p.from, Duration::days(6));
        assert!("2024-03-07..2024-03-01".parse::<Period>().is_err());
        assert!("2024-03-01".parse::<Period>().is_err());
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (cur, prev) = Period::since(d("2024-03-08"), d("2024-03-14")).unwrap();
        assert_eq!(cur.to_string(), "2024-03-08..2024-03-14");
        assert_eq!(prev.to_string(), "2024-03-01..2024-03-07");
    }
}
