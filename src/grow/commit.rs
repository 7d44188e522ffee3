//! Writes an add: the grown store and every stage checkpoint, staged and
//! committed at once. Each checkpoint gets the key a run would expect from
//! the current settings and the grown store (so the plan finds it done),
//! and its `built_with` says how many conversations were added instead of
//! computed by the stage.

use std::path::{Path, PathBuf};

use ndarray::{Array2, Axis, concatenate};
use serde::Serialize;
use serde_json::{Map, Value};

use super::Loaded;
use super::apply::{self, Growth};
use super::record::{self, AddLog};
use crate::error::{Error, IoContext, Result};
use crate::model::{Conversation, Point2D, Summary};
use crate::pipeline::Stage;
use crate::pipeline::plan::{Digests, Settings};
use crate::project::checkpoint::{self, FileCheckpoints, Header};
use crate::project::journal::Staging;
use crate::project::store::{Store, StoreWriter};
use crate::project::{Layout, atomic};

/// What an add appends.
pub(super) struct Additions {
    pub conversations: Vec<Conversation>,
    pub summaries: Vec<Summary>,
    pub vectors: Array2<f32>,
    pub points: Vec<Point2D>,
    pub growth: Growth,
    pub unassigned_id: String,
    /// Summaries the lexical embedder's fit covers.
    pub fitted_on: usize,
    /// Records `--skip-invalid` set aside, to append to `rejected.jsonl`.
    pub rejects: Option<PathBuf>,
}

/// Stages and commits the grown store, checkpoints and `added.json`.
pub(super) fn write(
    layout: &Layout,
    store: &Store,
    settings: &Settings,
    loaded: Loaded,
    add: Additions,
    mut log: AddLog,
) -> Result<()> {
    let mut staging = Staging::start(layout)?;
    let result = stage_all(layout, &mut staging, store, settings, loaded, add, &mut log);
    match result {
        Ok(()) => staging.commit(),
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    }
}

fn stage_all(
    layout: &Layout,
    staging: &mut Staging,
    store: &Store,
    settings: &Settings,
    loaded: Loaded,
    add: Additions,
    log: &mut AddLog,
) -> Result<()> {
    let data = staging.file(&file_name(&layout.conversations()))?;
    let index = staging.file(&file_name(&layout.conversations_index()))?;
    let mut writer = StoreWriter::create(&data, &index)?;
    for c in store.iter()? {
        writer.push(&c?)?;
    }
    for c in &add.conversations {
        writer.push(c)?;
    }
    writer.finish()?;
    let grown = Store::open(&data, &index)?;
    let mut settings = settings.clone();
    settings.store = grown.fingerprint();
    settings.conversations = grown.len();

    if let Some(rejects) = &add.rejects {
        stage_rejects(layout, staging, rejects)?;
    }
    let cp_dir = staging.dir("checkpoints")?;
    for stage in Stage::ALL {
        let name = if stage == Stage::Embeddings {
            checkpoint::matrix_file(stage.name())
        } else {
            checkpoint::stage_file(stage.name())
        };
        staging.file(&format!("checkpoints/{name}"))?;
    }
    let cps = FileCheckpoints::new(cp_dir);
    let total_added = log.added();
    let Loaded {
        headers,
        mut summaries,
        embeddings,
        mut clusters,
        mut names,
        mut hierarchy,
        mut points,
    } = loaded;
    let mut digests = Digests::new();
    let meta = |stage: Stage, digests: &Digests, extra: &[(&str, Value)]| {
        let mut built_with: Map<String, Value> = headers
            .get(&stage)
            .map(|h: &Header| h.built_with.clone())
            .unwrap_or_default();
        built_with.insert("added".into(), total_added.into());
        for (k, v) in extra {
            built_with.insert((*k).into(), v.clone());
        }
        settings.inputs(stage, digests).meta(built_with, Vec::new())
    };

    summaries.extend(add.summaries);
    let conversations = summaries.len();
    let d = save(
        &cps,
        Stage::Summaries,
        &meta(
            Stage::Summaries,
            &digests,
            &[("conversations", conversations.into())],
        ),
        &summaries,
    )?;
    digests.insert(Stage::Summaries, d);

    if add.vectors.ncols() != embeddings.ncols() {
        return Err(Error::Internal(format!(
            "new vectors have {} columns, the project's {}",
            add.vectors.ncols(),
            embeddings.ncols()
        )));
    }
    let grown_matrix = concatenate(Axis(0), &[embeddings.view(), add.vectors.view()])
        .map_err(|e| Error::Internal(format!("joining embeddings: {e}")))?;
    let d = checkpoint::save_matrix(
        &cps,
        Stage::Embeddings.name(),
        &meta(
            Stage::Embeddings,
            &digests,
            &[("fitted_on", add.fitted_on.into())],
        ),
        grown_matrix.view(),
    )?;
    digests.insert(Stage::Embeddings, d);

    apply::apply(&mut clusters, &add.growth, &add.unassigned_id);
    let d = save(
        &cps,
        Stage::Clusters,
        &meta(Stage::Clusters, &digests, &[]),
        &clusters,
    )?;
    digests.insert(Stage::Clusters, d);

    apply::apply(&mut names, &add.growth, &add.unassigned_id);
    let d = save(
        &cps,
        Stage::Names,
        &meta(Stage::Names, &digests, &[]),
        &names,
    )?;
    digests.insert(Stage::Names, d);

    apply::apply(&mut hierarchy, &add.growth, &add.unassigned_id);
    let d = save(
        &cps,
        Stage::Hierarchy,
        &meta(Stage::Hierarchy, &digests, &[]),
        &hierarchy,
    )?;
    digests.insert(Stage::Hierarchy, d.clone());

    points.extend(add.points);
    let d = save(
        &cps,
        Stage::Projection,
        &meta(Stage::Projection, &digests, &[]),
        &points,
    )?;
    digests.insert(Stage::Projection, d);

    log.hierarchy_digest = digests.get(&Stage::Hierarchy).cloned().unwrap_or_default();
    let target = staging.file(record::ADDED_FILE)?;
    atomic::write_json(&target, log)?;
    Ok(())
}

fn save<T: Serialize>(
    cps: &FileCheckpoints,
    stage: Stage,
    meta: &checkpoint::Meta,
    records: &[T],
) -> Result<String> {
    checkpoint::save(cps, stage.name(), meta, records)
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Stages `rejected.jsonl` as its old lines followed by this add's, so
/// the file keeps every record `init` and each `add` set aside (each line
/// names its input file).
fn stage_rejects(layout: &Layout, staging: &mut Staging, rejects: &Path) -> Result<()> {
    let current = layout.rejected();
    let mut bytes = match std::fs::read(&current) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(&current, e)),
    };
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend(std::fs::read(rejects).at(rejects)?);
    let staged = staging.file(&file_name(&current))?;
    std::fs::write(&staged, bytes).at(&staged)
}
