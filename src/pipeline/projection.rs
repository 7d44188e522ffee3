//! Stage 6: every conversation on a 2D map (UMAP, seeded), tagged with its
//! base cluster. Cluster positions are the centroids of their members.

use std::collections::HashMap;

use ndarray::Array2;

use super::plan::StageInputs;
use super::{Event, Stage, StageCtx, cached};
use crate::cluster::{self, KnnMemo, UmapParams};
use crate::config::ProjectionConfig;
use crate::error::{Error, Result};
use crate::model::{Cluster, ClusterPosition, Hierarchy, Point2D, Summary};
use crate::project::checkpoint;

fn layout(
    embeddings: &Array2<f32>,
    config: &ProjectionConfig,
    seed: u64,
    knn: &KnnMemo,
) -> Result<Array2<f32>> {
    let n = embeddings.nrows();
    match n {
        0 => Ok(Array2::zeros((0, 2))),
        1 => Ok(Array2::zeros((1, 2))),
        2 => Ok(ndarray::array![[-1.0, 0.0], [1.0, 0.0]]),
        _ => {
            let mut p = UmapParams::new(2);
            p.n_neighbors = config.n_neighbors.min(n - 1).max(2);
            p.min_dist = config.min_dist;
            p.epochs = config.epochs;
            p.seed = seed;
            cluster::umap_shared(embeddings.view(), &p, knn)
        }
    }
}

/// Runs (or loads) the 2D map; returns it with the checkpoint's digest.
pub async fn run(
    ctx: &StageCtx,
    summaries: &[Summary],
    embeddings: &Array2<f32>,
    base: &[Cluster],
    config: &ProjectionConfig,
    seed: u64,
    inputs: &StageInputs,
) -> Result<(Vec<Point2D>, String)> {
    let stage = Stage::Projection;
    if let Some(done) = cached::records::<Point2D>(ctx, inputs)? {
        return Ok(done);
    }
    let _ = ctx.events.send(Event::Started {
        stage,
        total: summaries.len() as u64,
        resumed: 0,
    });
    let emb = embeddings.clone();
    let cfg = config.clone();
    let knn = ctx.knn.clone();
    let coords = tokio::select! {
        biased;
        _ = ctx.cancel.cancelled() => return Err(Error::Cancelled),
        r = tokio::task::spawn_blocking(move || layout(&emb, &cfg, seed, &knn)) => {
            r.map_err(|e| Error::Other(format!("projection task failed: {e}")))??
        }
    };
    let mut cluster_of: HashMap<&str, &str> = HashMap::new();
    for c in base {
        for m in &c.members {
            cluster_of.insert(m.as_str(), c.id.as_str());
        }
    }
    let points: Vec<Point2D> = summaries
        .iter()
        .enumerate()
        .map(|(i, s)| Point2D {
            conversation_id: s.conversation_id.clone(),
            x: coords[[i, 0]],
            y: coords[[i, 1]],
            cluster: cluster_of
                .get(s.conversation_id.as_str())
                .map(|c| c.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let mut built_with = serde_json::Map::new();
    built_with.insert("points".into(), points.len().into());
    let digest = checkpoint::save(
        ctx.cps.as_ref(),
        stage.name(),
        &inputs.meta(built_with, Vec::new()),
        &points,
    )?;
    let _ = ctx.events.send(Event::Advanced {
        stage,
        n: points.len() as u64,
    });
    let _ = ctx.events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok((points, digest))
}

/// Each cluster's position: the mean of its members' points.
pub fn cluster_positions(hierarchy: &Hierarchy, points: &[Point2D]) -> Vec<ClusterPosition> {
    let at: HashMap<&str, (f32, f32)> = points
        .iter()
        .map(|p| (p.conversation_id.as_str(), (p.x, p.y)))
        .collect();
    hierarchy
        .clusters()
        .iter()
        .filter_map(|c| {
            let members = hierarchy.members(&c.id);
            let pts: Vec<(f32, f32)> = members.iter().filter_map(|m| at.get(m).copied()).collect();
            if pts.is_empty() {
                return None;
            }
            let n = pts.len() as f32;
            Some(ClusterPosition {
                cluster: c.id.clone(),
                x: pts.iter().map(|p| p.0).sum::<f32>() / n,
                y: pts.iter().map(|p| p.1).sum::<f32>() / n,
            })
        })
        .collect()
}
