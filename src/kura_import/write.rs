//! Writes a checked Kura checkpoint as a project: the store, then one
//! checkpoint per stage Kura did, each marked imported. The project is
//! built in a temporary sibling directory and renamed into place at the
//! end, so a failure leaves nothing behind.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use serde_json::{Map, Value};

use super::KuraCheckpoint;
use super::convert::hierarchy;
use crate::error::{Error, IoContext, Result};
use crate::model::{Cluster, Point2D};
use crate::pipeline::Stage;
use crate::pipeline::plan::IMPORTED;
use crate::project::checkpoint::{self, FileCheckpoints, Meta, digest_hex, hash_key};
use crate::project::store::{Store, StoreWriter};
use crate::project::{Layout, Project};

/// What an import produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub conversations: usize,
    pub base_clusters: usize,
    pub clusters: usize,
    pub top_level: usize,
    pub embeddings: bool,
    pub projection: bool,
    /// One line per stage left for the first run, and why.
    pub notes: Vec<String>,
}

/// The temporary directory an import builds `project` in.
fn staging(project: &Path) -> PathBuf {
    let name = project
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".into());
    let parent = project.parent().unwrap_or(Path::new("."));
    parent.join(format!(".{name}.import-{}", std::process::id()))
}

pub fn project(kura: &KuraCheckpoint, project: &Path) -> Result<Imported> {
    let tmp = staging(project);
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).at(&tmp)?;
    }
    let built = (|| {
        let (layout, lock) = Project::create(&tmp, false)?;
        let out = fill(kura, &layout)?;
        drop(lock);
        Ok(out)
    })();
    let result = built.and_then(|out| {
        if project.exists() {
            // An empty directory (checked by the caller): replaced.
            std::fs::remove_dir(project).at(project)?;
        }
        std::fs::rename(&tmp, project).at(project)?;
        Ok(out)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// The inputs and header of an imported checkpoint.
fn meta(
    kura: &KuraCheckpoint,
    file: &str,
    upstream: &[(&str, &str)],
    extra: &[(&str, Value)],
) -> Result<Meta> {
    let path = kura.files.get(file).cloned().unwrap_or_default();
    let bytes = std::fs::read(&path).at(&path)?;
    let mut inputs = Map::new();
    inputs.insert(IMPORTED.into(), "kura".into());
    inputs.insert("source".into(), digest_hex(&bytes).into());
    for (k, v) in upstream {
        inputs.insert((*k).into(), (*v).into());
    }
    let mut built_with = Map::new();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    built_with.insert(
        "source".into(),
        format!("imported from Kura ({name})").into(),
    );
    for (k, v) in extra {
        built_with.insert((*k).into(), v.clone());
    }
    Ok(Meta {
        key: hash_key(&inputs),
        inputs,
        built_with,
        incomplete: Vec::new(),
    })
}

fn up(stage: Stage) -> String {
    format!("upstream.{}", stage.name())
}

fn fill(kura: &KuraCheckpoint, layout: &Layout) -> Result<Imported> {
    let mut writer = StoreWriter::create(&layout.conversations(), &layout.conversations_index())?;
    for c in &kura.conversations {
        writer.push(c)?;
    }
    writer.finish()?;
    let store = Store::open(&layout.conversations(), &layout.conversations_index())?;
    let cps = FileCheckpoints::new(layout.checkpoints());
    let mut notes = Vec::new();

    let m = meta(
        kura,
        "summaries",
        &[("store", &store.fingerprint().digest)],
        &[],
    )?;
    let d_sum = checkpoint::save(&cps, Stage::Summaries.name(), &m, &kura.summaries)?;
    let (su, cl, na) = (up(Stage::Summaries), up(Stage::Clusters), up(Stage::Names));

    if let Some(rows) = &kura.embeddings {
        let dims = rows.first().map_or(0, Vec::len);
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        let matrix = Array2::from_shape_vec((rows.len(), dims), flat)
            .map_err(|e| Error::Other(format!("Kura embeddings: {e}")))?;
        let m = meta(
            kura,
            "summaries",
            &[(&su, &d_sum)],
            &[("dimensions", dims.into())],
        )?;
        checkpoint::save_matrix(&cps, Stage::Embeddings.name(), &m, matrix.view())?;
    } else {
        notes.push(
            "embeddings: Kura's summaries carry none; the first `kura-tui run` computes them with the project's embedder (the explorer does not need them)".into(),
        );
    }

    let (tree, kura_ids) = hierarchy(&kura.clusters);
    let base: Vec<Cluster> = tree
        .iter()
        .filter(|c| c.level == 0)
        .cloned()
        .map(|mut c| {
            c.parent = None;
            c
        })
        .collect();
    let file = if kura.has_meta {
        "meta_clusters"
    } else {
        "clusters"
    };
    let k = [("k", Value::from(base.len()))];
    let m = meta(kura, "clusters", &[(&su, &d_sum)], &k)?;
    let d_cl = checkpoint::save(&cps, Stage::Clusters.name(), &m, &base)?;
    let m = meta(kura, "clusters", &[(&su, &d_sum), (&cl, &d_cl)], &[])?;
    let d_na = checkpoint::save(&cps, Stage::Names.name(), &m, &base)?;
    let levels = tree.iter().map(|c| c.level).max().unwrap_or(0) + 1;
    let top_level = tree.iter().filter(|c| c.parent.is_none()).count();
    let extra = [
        ("levels", Value::from(levels)),
        ("top_level", Value::from(top_level)),
    ];
    let m = meta(kura, file, &[(&su, &d_sum), (&na, &d_na)], &extra)?;
    checkpoint::save(&cps, Stage::Hierarchy.name(), &m, &tree)?;

    let projection = match &kura.positions {
        Some(at) => {
            let points = place(kura, &base, &tree, &kura_ids, at);
            let extra = [("points", Value::from(points.len()))];
            let m = meta(
                kura,
                "dimensionality",
                &[(&su, &d_sum), (&cl, &d_cl)],
                &extra,
            )?;
            checkpoint::save(&cps, Stage::Projection.name(), &m, &points)?;
            true
        }
        None => {
            notes.push(
                "projection: no dimensionality.jsonl; the first `kura-tui run` computes the map"
                    .into(),
            );
            false
        }
    };
    Ok(Imported {
        conversations: kura.conversations.len(),
        base_clusters: base.len(),
        clusters: tree.len(),
        top_level,
        embeddings: kura.embeddings.is_some(),
        projection,
        notes,
    })
}

/// One point per conversation: Kura places clusters, not conversations, so
/// each base cluster's members sit on a small sunflower disc around its
/// Kura coordinate (or its nearest placed ancestor's; the origin if none),
/// deterministically.
fn place(
    kura: &KuraCheckpoint,
    base: &[Cluster],
    tree: &[Cluster],
    kura_of: &HashMap<String, String>,
    at: &HashMap<String, (f32, f32)>,
) -> Vec<Point2D> {
    let by_id: HashMap<&str, &Cluster> = tree.iter().map(|c| (c.id.as_str(), c)).collect();
    let centre = |id: &str| -> (f32, f32) {
        let mut cur = by_id.get(id).copied();
        while let Some(c) = cur {
            if let Some(p) = kura_of.get(&c.id).and_then(|k| at.get(k)) {
                return *p;
            }
            cur = c.parent.as_deref().and_then(|p| by_id.get(p).copied());
        }
        (0.0, 0.0)
    };
    let (xs, ys): (Vec<f32>, Vec<f32>) = at.values().copied().unzip();
    let span = |v: &[f32]| {
        let lo = v.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        if hi > lo { hi - lo } else { 1.0 }
    };
    let radius = 0.03 * span(&xs).max(span(&ys));
    let mut point: HashMap<&str, (f32, f32, &str)> = HashMap::new();
    for c in base {
        let (cx, cy) = centre(&c.id);
        let n = c.members.len().max(1) as f32;
        for (j, m) in c.members.iter().enumerate() {
            let r = radius * ((j as f32 + 0.5) / n).sqrt();
            let angle = j as f32 * 2.399_963; // the golden angle, in radians
            point.insert(
                m.as_str(),
                (cx + r * angle.cos(), cy + r * angle.sin(), c.id.as_str()),
            );
        }
    }
    kura.summaries
        .iter()
        .map(|s| {
            let (x, y, cluster) = point
                .get(s.conversation_id.as_str())
                .copied()
                .unwrap_or((0.0, 0.0, ""));
            Point2D {
                conversation_id: s.conversation_id.clone(),
                x,
                y,
                cluster: cluster.to_string(),
            }
        })
        .collect()
}
