//! Exporting a cluster, with all its descendants, to JSONL: one conversation
//! a line with its summary and its cluster path (after relabels). `init` can
//! read such a file back.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::model::{Message, Metadata, Summary};
use crate::project::store::Store;
use crate::project::{Layout, atomic};

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

/// Writes every conversation under `cluster` (id or slug) to `out`
/// atomically.
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
    let path = match out {
        Some(p) => p.to_path_buf(),
        None => default_path(layout, &c.slug, chrono::Utc::now()),
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
    atomic::write_with(&path, |w| {
        if !progress(0, members.len()) {
            return Err(stopped());
        }
        for id in &members {
            let pos = analysis
                .position(id)
                .or_else(|| positions.as_ref().and_then(|p| p.get(*id).copied()));
            let Some(pos) = pos else { continue };
            let conv = store.get(pos).map_err(std::io::Error::other)?;
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
            serde_json::to_writer(&mut *w, &line).map_err(std::io::Error::other)?;
            w.write_all(b"\n")?;
            count += 1;
            if !progress(count, members.len()) {
                return Err(stopped());
            }
        }
        Ok(())
    })?;
    Ok(ExportReport {
        path,
        conversations: count,
        cluster_id: c.id.clone(),
    })
}
