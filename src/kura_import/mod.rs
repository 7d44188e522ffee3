//! `kura-tui import-kura KURA_DIR PATH`: turns a Kura checkpoint folder
//! into a kura-tui project whose stages are done, so the explorer opens on
//! Kura's results without recomputing them.
//!
//! Kura's files map onto our stages: `conversations.jsonl` (or `.json`) is
//! the store, `summaries.jsonl` the summaries, `clusters.jsonl` the base
//! clusters (and their names), `meta_clusters.jsonl` the hierarchy and
//! `dimensionality.jsonl` the map. Each checkpoint's inputs carry the
//! [`IMPORTED`] marker and the digests of the upstream content it was
//! imported with, so the plan counts it done whatever the project's
//! settings, and a run keeps it (see `pipeline::plan`).
//!
//! Kura projects clusters, not conversations: each conversation is placed
//! on a small disc around its base cluster's Kura coordinate. Kura keeps
//! embeddings only in some versions (`ConversationSummary.embedding`); when
//! every summary has one they are imported, otherwise the first run
//! computes them with the project's embedder (the explorer does not need
//! them).
//!
//! Everything is read and checked before anything is written; the project
//! is built in a temporary sibling directory and renamed into place.

mod convert;
mod read;
mod write;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use convert::KuraCluster;
pub use write::Imported;

use crate::error::{Error, Location, Result};
use crate::model::{Conversation, Summary};

/// Kura's checkpoint folder, read and checked.
pub struct KuraCheckpoint {
    pub dir: PathBuf,
    pub conversations: Vec<Conversation>,
    /// In the order of `conversations`.
    pub summaries: Vec<Summary>,
    /// One per summary, when every summary had one of the same width.
    pub embeddings: Option<Vec<Vec<f32>>>,
    /// Base clusters, and the meta clusters above them when Kura built any.
    pub clusters: Vec<KuraCluster>,
    pub has_meta: bool,
    /// Cluster id → Kura's 2D coordinate.
    pub positions: Option<HashMap<String, (f32, f32)>>,
    /// The files read, for the checkpoints' inputs.
    pub files: HashMap<&'static str, PathBuf>,
}

fn required(dir: &Path, stem: &'static str, names: &[&str]) -> Result<PathBuf> {
    if let Some(p) = read::find(dir, names) {
        return Ok(p);
    }
    if let Some(e) = read::unsupported(dir, stem) {
        return Err(e);
    }
    Err(Error::Input {
        location: Location::file(dir.join(names[0])),
        message: format!(
            "missing: a Kura checkpoint folder needs {} (conversations.jsonl or conversations.json, summaries.jsonl and clusters.jsonl; meta_clusters.jsonl and dimensionality.jsonl are optional)",
            names.join(" or ")
        ),
    })
}

fn optional(dir: &Path, stem: &'static str) -> Result<Option<PathBuf>> {
    match read::find(dir, &[&format!("{stem}.jsonl")]) {
        Some(p) => Ok(Some(p)),
        None => match read::unsupported(dir, stem) {
            Some(e) => Err(e),
            None => Ok(None),
        },
    }
}

/// Reads and checks every file of a Kura checkpoint folder.
pub fn load(dir: &Path) -> Result<KuraCheckpoint> {
    if !dir.is_dir() {
        return Err(Error::Input {
            location: Location::file(dir),
            message: "not a directory (give the folder Kura wrote its checkpoints to)".into(),
        });
    }
    let conv_path = required(
        dir,
        "conversations",
        &["conversations.jsonl", "conversations.json"],
    )?;
    let sum_path = required(dir, "summaries", &["summaries.jsonl"])?;
    let cl_path = required(dir, "clusters", &["clusters.jsonl"])?;
    let meta_path = optional(dir, "meta_clusters")?;
    let dim_path = optional(dir, "dimensionality")?;

    let mut conversations = Vec::new();
    let mut seen = HashSet::new();
    for r in read::records(&conv_path)? {
        let c = convert::conversation(&r)?;
        if !seen.insert(c.id.clone()) {
            return Err(r.error("chat_id", format!("`{}` appears twice", c.id)));
        }
        conversations.push(c);
    }
    let known: HashSet<&str> = conversations.iter().map(|c| c.id.as_str()).collect();

    let mut by_id: HashMap<String, (Summary, Option<Vec<f32>>)> = HashMap::new();
    for r in read::records(&sum_path)? {
        let (s, e) = convert::summary(&r)?;
        if !known.contains(s.conversation_id.as_str()) {
            return Err(r.error(
                "chat_id",
                format!("`{}` is not in {}", s.conversation_id, conv_path.display()),
            ));
        }
        if by_id.contains_key(&s.conversation_id) {
            return Err(r.error(
                "chat_id",
                format!("a second summary for `{}`", s.conversation_id),
            ));
        }
        by_id.insert(s.conversation_id.clone(), (s, e));
    }
    let mut summaries = Vec::with_capacity(conversations.len());
    let mut embeddings = Vec::with_capacity(conversations.len());
    for c in &conversations {
        let Some((s, e)) = by_id.remove(&c.id) else {
            return Err(Error::Input {
                location: Location::file(&sum_path),
                message: format!(
                    "conversation `{}` has no summary; import a checkpoint folder where Kura's summarisation finished",
                    c.id
                ),
            });
        };
        summaries.push(s);
        embeddings.push(e);
    }
    let width = embeddings.first().and_then(|e| e.as_ref()).map(Vec::len);
    let embeddings = match width {
        Some(w)
            if w > 0
                && embeddings
                    .iter()
                    .all(|e| e.as_ref().map(Vec::len) == Some(w)) =>
        {
            Some(embeddings.into_iter().flatten().collect())
        }
        _ => None,
    };

    let base: Vec<KuraCluster> = read::records(&cl_path)?
        .iter()
        .map(|r| convert::cluster(r, &known))
        .collect::<Result<_>>()?;
    let (clusters, has_meta) = match &meta_path {
        Some(p) => {
            let all: Vec<KuraCluster> = read::records(p)?
                .iter()
                .map(|r| convert::cluster(r, &known))
                .collect::<Result<_>>()?;
            (all, true)
        }
        None => (base, false),
    };
    let ids: HashSet<&str> = clusters.iter().map(|c| c.id.as_str()).collect();
    if ids.len() != clusters.len() {
        return Err(Error::Input {
            location: Location::file(meta_path.as_ref().unwrap_or(&cl_path)),
            message: "two clusters share an `id`".into(),
        });
    }
    let positions = match &dim_path {
        Some(p) => Some(
            read::records(p)?
                .iter()
                .map(convert::position)
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .map(|(id, x, y)| (id, (x, y)))
                .collect(),
        ),
        None => None,
    };
    let mut files = HashMap::from([
        ("conversations", conv_path),
        ("summaries", sum_path),
        ("clusters", cl_path),
    ]);
    if let Some(p) = meta_path {
        files.insert("meta_clusters", p);
    }
    if let Some(p) = dim_path {
        files.insert("dimensionality", p);
    }
    Ok(KuraCheckpoint {
        dir: dir.to_path_buf(),
        conversations,
        summaries,
        embeddings,
        clusters,
        has_meta,
        positions,
        files,
    })
}

/// Imports the Kura checkpoint folder `kura_dir` as a new project at
/// `project`, which must not exist or be an empty directory.
pub fn import(kura_dir: &Path, project: &Path) -> Result<Imported> {
    if project.exists()
        && std::fs::read_dir(project)
            .map_err(|e| Error::io(project, e))?
            .next()
            .is_some()
    {
        return Err(Error::ProjectExists {
            path: project.to_path_buf(),
        });
    }
    let kura = load(kura_dir)?;
    write::project(&kura, project)
}

#[cfg(test)]
mod tests;
