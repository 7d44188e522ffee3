//! Exporting a cluster, with all its descendants, to JSONL: one conversation
//! a line with its summary and its cluster path (after relabels). `init` can
//! read such a file back. Where the lines go (a file written atomically,
//! standard output, a FIFO or device written through) is [`sink`]'s call.

pub mod sink;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::model::{Message, Metadata, Summary};
use crate::project::Layout;
use crate::project::store::Store;

pub use sink::Destination;

/// One exported line.
#[derive(Debug, Serialize)]
pub struct ExportLine<'a> {
    pub id: &'a str,
    pub created_at: Option<&'a str>,
    pub messages: &'a [Message],
    pub metadata: &'a Metadata,
    pub summary: Option<&'a Summary>,
    pub cluster_path: Vec<&'a str>,
    pub cluster_ids: Vec<&'a str>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportReport {
    /// Where the lines went; `-` for standard output.
    pub path: PathBuf,
    pub conversations: usize,
    pub cluster_id: String,
}

/// The default file name: `exports/<slug>-<YYYYMMDDTHHMMSSZ>.jsonl`.
pub fn default_path(layout: &Layout, slug: &str, now: chrono::DateTime<chrono::Utc>) -> PathBuf {
    layout
        .exports()
        .join(format!("{slug}-{}.jsonl", now.format("%Y%m%dT%H%M%SZ")))
}

/// Writes every conversation under `cluster` (id or slug) to `out` (see
/// [`Destination::resolve`]: `-` is standard output, a regular file is
/// replaced atomically, a FIFO or device is written through), or to
/// [`default_path`] when `out` is `None`.
pub fn export_cluster(
    analysis: &Analysis,
    store: &Store,
    layout: &Layout,
    cluster: &str,
    out: Option<&Path>,
) -> Result<ExportReport> {
    export_cluster_with(analysis, store, layout, cluster, out, &mut |_, _| true)
}

/// [`export_cluster`], calling `progress(written, total)` before the first
/// conversation and after each one; when it returns false the export
/// stops and nothing is written.
pub fn export_cluster_with(
    analysis: &Analysis,
    store: &Store,
    layout: &Layout,
    cluster: &str,
    out: Option<&Path>,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<ExportReport> {
    let h = &analysis.hierarchy;
    let c = h.find(cluster).ok_or_else(|| {
        Error::Other(format!(
            "no cluster with id or slug `{cluster}`; `kura-tui tree {}` lists them",
            layout.root().display()
        ))
    })?;
    let destination = match out {
        Some(p) => Destination::resolve(p)?,
        None => Destination::Replace(default_path(layout, &c.slug, chrono::Utc::now())),
    };
    let base_of = h.base_of();
    let mut members: Vec<&str> = h.members(&c.id);
    members.sort_by_key(|m| analysis.position(m).unwrap_or(usize::MAX));
    let positions = if members.iter().any(|m| analysis.position(m).is_none()) {
        Some(store.id_index()?)
    } else {
        None
    };
    let mut count = 0;
    let stopped = || std::io::Error::other("the export was stopped");
    // A store error is reported as itself, not as a failed write to `out`.
    let mut read_error: Option<Error> = None;
    let written = destination.write(|w| {
        if !progress(0, members.len()) {
            return Err(stopped());
        }
        for id in &members {
            let pos = analysis
                .position(id)
                .or_else(|| positions.as_ref().and_then(|p| p.get(*id).copied()));
            let Some(pos) = pos else { continue };
            let conv = match store.get(pos) {
                Ok(conv) => conv,
                Err(e) => {
                    read_error = Some(e);
                    return Err(std::io::Error::other("the store could not be read"));
                }
            };
            let chain = base_of.get(id).map(|b| h.path(b)).unwrap_or_default();
            let line = ExportLine {
                id: &conv.id,
                created_at: conv.created_at.as_deref(),
                messages: &conv.messages,
                metadata: &conv.metadata,
                summary: analysis.summary(id),
                cluster_path: chain.iter().map(|c| c.name.as_str()).collect(),
                cluster_ids: chain.iter().map(|c| c.id.as_str()).collect(),
            };
            serde_json::to_writer(&mut *w, &line).map_err(std::io::Error::from)?;
            w.write_all(b"\n")?;
            count += 1;
            if !progress(count, members.len()) {
                return Err(stopped());
            }
        }
        Ok(())
    });
    if let Some(e) = read_error {
        return Err(e);
    }
    written?;
    Ok(ExportReport {
        path: match out {
            // The path as given (a link's own name, `/dev/fd/N`, `-`).
            Some(p) => p.to_path_buf(),
            None => destination.path().to_path_buf(),
        },
        conversations: count,
        cluster_id: c.id.clone(),
    })
}
