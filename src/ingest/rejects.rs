//! `rejected.jsonl`: the records `--skip-invalid` set aside, one JSON line
//! each: `{"file", "line", "record", "field", "reason", "error", "raw"}`.
//! `raw` is the record's text, cut to [`MAX_RAW_BYTES`]. The file is
//! written beside its target and renamed into place when the import ends.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Rejected;
use super::fields::Reason;
use super::text;
use crate::error::{Error, IoContext, Result};

/// Longest `raw` kept per rejected record.
pub const MAX_RAW_BYTES: usize = 64 * 1024;

#[derive(Serialize)]
struct Line<'a> {
    file: String,
    line: Option<u64>,
    record: Option<u64>,
    field: Option<&'a str>,
    reason: &'static str,
    error: &'a str,
    raw: Option<&'a str>,
}

/// Streams rejected records to a temporary file, created on the first one.
pub(crate) struct RejectWriter {
    target: PathBuf,
    open: Option<(PathBuf, BufWriter<File>)>,
}

impl RejectWriter {
    pub(crate) fn new(target: &Path) -> RejectWriter {
        RejectWriter {
            target: target.to_path_buf(),
            open: None,
        }
    }

    fn writer(&mut self) -> Result<&mut (PathBuf, BufWriter<File>)> {
        if self.open.is_none() {
            let name = self
                .target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "rejected.jsonl".into());
            let tmp = self
                .target
                .with_file_name(format!(".{name}.tmp-{}", std::process::id()));
            let file = File::create(&tmp).at(&tmp)?;
            self.open = Some((tmp, BufWriter::new(file)));
        }
        self.open
            .as_mut()
            .ok_or_else(|| Error::Internal("the rejected-records file is not open".into()))
    }

    pub(crate) fn write(
        &mut self,
        rejected: &Rejected,
        reason: Reason,
        record: Option<u64>,
    ) -> Result<()> {
        let raw = rejected
            .raw
            .as_deref()
            .map(|r| text::truncate(r, MAX_RAW_BYTES));
        let line = Line {
            file: rejected.location.file.display().to_string(),
            line: rejected.location.line,
            record: rejected.location.record.or(record),
            field: rejected.location.field.as_deref(),
            reason: reason.key(),
            error: &rejected.message,
            raw: raw.as_deref(),
        };
        let mut bytes = serde_json::to_vec(&line).map_err(Error::encode("a rejected record"))?;
        bytes.push(b'\n');
        let (tmp, out) = self.writer()?;
        out.write_all(&bytes).at(&*tmp)?;
        Ok(())
    }

    /// Moves the file into place and returns its path. With no rejects no
    /// file is left behind (a stale one from an earlier import is removed).
    pub(crate) fn finish(self) -> Result<Option<PathBuf>> {
        let RejectWriter { target, open } = self;
        let Some((tmp, out)) = open else {
            match fs::remove_file(&target) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&target, e)),
            }
            return Ok(None);
        };
        let file = out
            .into_inner()
            .map_err(|e| Error::io(&tmp, e.into_error()))?;
        file.sync_all().at(&tmp)?;
        fs::rename(&tmp, &target).at(&target)?;
        Ok(Some(target))
    }

    /// Drops the temporary file (the import failed).
    pub(crate) fn abandon(self) {
        if let Some((tmp, _)) = self.open {
            let _ = fs::remove_file(tmp);
        }
    }
}
