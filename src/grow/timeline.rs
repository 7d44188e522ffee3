//! When conversations happened: a date per conversation from its
//! `created_at` (as the importers keep it: RFC 3339, a date, or a
//! date-time without zone), else from a `created_at`, `timestamp` or `date`
//! metadata field, else from its first message's time; and each cluster's
//! volume per day or week.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::Deserialize;

use crate::error::{Error, Location, Result};
use crate::model::Hierarchy;
use crate::project::store::Store;

/// Metadata fields read when a conversation has no `created_at`.
const META_FIELDS: [&str; 3] = ["created_at", "timestamp", "date"];
/// Buckets beyond which a day series is shown per week instead.
const MAX_DAYS: i64 = 120;

/// The date of a timestamp string, or `None` when it is not one.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.naive_utc().date());
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, f) {
            return Some(dt.date());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(d);
    }
    if let Ok(secs) = t.parse::<f64>()
        && secs.is_finite()
    {
        return DateTime::from_timestamp(secs as i64, 0).map(|d| d.date_naive());
    }
    None
}

#[derive(Deserialize)]
struct Stamps {
    id: String,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    metadata: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    messages: Vec<MessageStamp>,
}

#[derive(Deserialize)]
struct MessageStamp {
    #[serde(default)]
    created_at: Option<String>,
}

fn value_date(v: &serde_json::Value) -> Option<NaiveDate> {
    match v {
        serde_json::Value::String(s) => parse_date(s),
        serde_json::Value::Number(n) => parse_date(&n.to_string()),
        _ => None,
    }
}

/// The date of every conversation of `store` that has one, by id.
pub fn dates(store: &Store) -> Result<HashMap<String, NaiveDate>> {
    let mut out = HashMap::new();
    let file = std::fs::File::open(store.path()).map_err(|e| Error::io(store.path(), e))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    for (i, line) in std::io::BufRead::lines(reader).enumerate() {
        let line = line.map_err(|e| Error::io(store.path(), e))?;
        let s: Stamps = serde_json::from_str(&line).map_err(|e| {
            Error::input(
                Location::line(store.path(), i as u64 + 1),
                format!("corrupt conversation store: {e}"),
            )
        })?;
        let date = s
            .created_at
            .as_deref()
            .and_then(parse_date)
            .or_else(|| {
                META_FIELDS
                    .iter()
                    .find_map(|f| s.metadata.get(*f).and_then(value_date))
            })
            .or_else(|| {
                s.messages
                    .iter()
                    .find_map(|m| m.created_at.as_deref().and_then(parse_date))
            });
        if let Some(d) = date {
            out.insert(s.id, d);
        }
    }
    Ok(out)
}

/// Day or week buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Day,
    /// Weeks starting on Monday.
    Week,
}

impl Bucket {
    pub fn word(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }

    fn start(self, d: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => d,
            Bucket::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
        }
    }

    fn len_days(self) -> i64 {
        match self {
            Bucket::Day => 1,
            Bucket::Week => 7,
        }
    }
}

/// Every cluster's volume per bucket over the project's date range.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub bucket: Bucket,
    /// The first day of the first bucket.
    pub start: NaiveDate,
    pub buckets: usize,
    /// Per cluster id (every level): conversations per bucket.
    pub series: HashMap<String, Vec<u64>>,
    /// Conversations with a date.
    pub dated: usize,
}

impl Timeline {
    /// Volumes per day (per week when the range is longer than 120 days);
    /// `None` when no conversation has a date.
    pub fn build(hierarchy: &Hierarchy, dates: &HashMap<String, NaiveDate>) -> Option<Timeline> {
        let first = dates.values().min()?;
        let last = dates.values().max()?;
        let bucket = if (*last - *first).num_days() > MAX_DAYS {
            Bucket::Week
        } else {
            Bucket::Day
        };
        let start = bucket.start(*first);
        let buckets = ((*last - start).num_days() / bucket.len_days()) as usize + 1;
        let mut series = HashMap::new();
        for c in hierarchy.clusters() {
            let mut counts = vec![0u64; buckets];
            for m in hierarchy.members(&c.id) {
                if let Some(d) = dates.get(m) {
                    let b = ((*d - start).num_days() / bucket.len_days()) as usize;
                    if let Some(slot) = counts.get_mut(b) {
                        *slot += 1;
                    }
                }
            }
            series.insert(c.id.clone(), counts);
        }
        Some(Timeline {
            bucket,
            start,
            buckets,
            series,
            dated: dates.len(),
        })
    }

    /// The first day of bucket `i`.
    pub fn bucket_start(&self, i: usize) -> NaiveDate {
        self.start + Duration::days(i as i64 * self.bucket.len_days())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_the_usual_shapes() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        assert_eq!(parse_date("2024-03-05T10:00:00Z"), Some(d));
        assert_eq!(parse_date("2024-03-05T23:30:00-05:00"), d.succ_opt());
        assert_eq!(parse_date("2024-03-05 10:00:00"), Some(d));
        assert_eq!(parse_date("2024-03-05"), Some(d));
        assert_eq!(parse_date("1709633000"), Some(d));
        assert_eq!(parse_date("last tuesday"), None);
    }
}
