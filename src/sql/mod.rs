//! `kura-tui export-sql`: the project as one SQLite file, for SQL, DuckDB,
//! Datasette or a BI tool. Conversations, messages, summaries, the named
//! hierarchy (relabels applied), every conversation's cluster at every
//! level, metadata in long form plus a wide table of the always-numeric
//! fields, and the (possibly empty) classifier tables.
//!
//! The file is built beside the target under a temporary name and renamed
//! over it only when complete: an existing file is replaced only on success.

mod schema;
mod write;

use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::project::store::Store;

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlExport {
    pub path: PathBuf,
    pub conversations: usize,
    pub clusters: usize,
    pub memberships: usize,
    pub metadata_rows: usize,
    /// The always-numeric fields, columns of `metadata_numeric`.
    pub numeric_fields: Vec<String>,
}

/// Writes the database to `out`, replacing it atomically.
pub fn export(analysis: &Analysis, store: &Store, out: &Path) -> Result<SqlExport> {
    if out.is_dir() {
        return Err(Error::Other(format!("{} is a directory", out.display())));
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export.db".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let written = write::write(analysis, store, &tmp).and_then(|mut report| {
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
        report.path = out.to_path_buf();
        Ok(report)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

pub(crate) fn sql_error(path: &Path, e: rusqlite::Error) -> Error {
    Error::Other(format!("{}: SQLite: {e}", path.display()))
}
