//! `<stage>.partial.jsonl`: per-record progress of the stages that work
//! record by record, appended and flushed one line at a time. The file
//! starts with a small header line naming its version; a crash can tear
//! only the last line, which is dropped without a word. Any other line that
//! does not parse is skipped, counted and reported, and the rest is kept.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::CheckpointStore;
use crate::error::{Error, Result};

/// The partial-file format this build writes. Version 1 had no header line
/// and short field names; its records still read (the record types accept
/// the old names) but carry keys of the old scheme.
pub const PARTIAL_VERSION: u32 = 2;
const PARTIAL_MAGIC: &str = "kura-tui-partial";

#[derive(Debug, Serialize, Deserialize)]
struct PartialHeader {
    format: String,
    version: u32,
    stage: String,
}

/// The header line a new partial file starts with.
pub(super) fn header_line(stage: &str) -> Vec<u8> {
    serde_json::to_vec(&PartialHeader {
        format: PARTIAL_MAGIC.into(),
        version: PARTIAL_VERSION,
        stage: stage.into(),
    })
    .unwrap_or_default()
}

/// Appends one record to a stage's partial file.
pub fn append_partial<T: Serialize>(
    store: &dyn CheckpointStore,
    stage: &str,
    record: &T,
) -> Result<()> {
    let line = serde_json::to_vec(record).map_err(|e| Error::Other(e.to_string()))?;
    store.append_partial(stage, &line)
}

/// What a partial file held.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialRecords<T> {
    /// The records that parsed, in file order.
    pub records: Vec<T>,
    /// Complete lines that did not parse (a torn last line is not counted).
    pub skipped: usize,
    /// The first skipped line's number and error.
    pub first_problem: Option<String>,
    /// The file's format version (1 for files without a header line).
    pub version: u32,
}

impl<T> PartialRecords<T> {
    /// A one-line report of skipped lines, if any.
    pub fn problem(&self, path: &std::path::Path) -> Option<String> {
        (self.skipped > 0).then(|| {
            format!(
                "{}: skipped {} unreadable line{} ({}); the other {} records are kept",
                path.display(),
                self.skipped,
                if self.skipped == 1 { "" } else { "s" },
                self.first_problem.as_deref().unwrap_or("?"),
                self.records.len()
            )
        })
    }
}

/// Reads a stage's partial records.
pub fn read_partial<T: DeserializeOwned>(
    store: &dyn CheckpointStore,
    stage: &str,
) -> Result<PartialRecords<T>> {
    Ok(parse_partial(&store.read_partial(stage)?))
}

/// Parses the complete lines of a partial file (exposed for fuzzing).
pub fn parse_partial<T: DeserializeOwned>(lines: &[Vec<u8>]) -> PartialRecords<T> {
    let mut out = PartialRecords {
        records: Vec::with_capacity(lines.len()),
        skipped: 0,
        first_problem: None,
        version: 1,
    };
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            continue;
        }
        if i == 0
            && let Ok(h) = serde_json::from_slice::<PartialHeader>(line)
            && h.format == PARTIAL_MAGIC
        {
            out.version = h.version;
            continue;
        }
        match serde_json::from_slice(line) {
            Ok(r) => out.records.push(r),
            Err(e) => {
                out.skipped += 1;
                if out.first_problem.is_none() {
                    out.first_problem = Some(format!("line {}: {e}", i + 1));
                }
            }
        }
    }
    out
}
