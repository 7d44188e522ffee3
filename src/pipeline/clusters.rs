//! Stage 3: base clusters from the embeddings — seeded k-means by default
//! (mini-batch above a size), or HDBSCAN on a 5-d UMAP projection with its
//! noise kept as an "unclustered" group. Before k-means, sentence-model
//! vectors are smoothed towards their nearest neighbours
//! (`[cluster] smooth_neighbours`, [`cluster::smooth_rows`]), and lexical
//! vectors are clustered beside their projection on the directions that
//! best separate a rough clustering (`[cluster] discriminant_dims`,
//! [`cluster::discriminant_projection`]). Offline, where summaries keep
//! each conversation's language, a sentence model's rows of every language
//! of at least 2% of the corpus are centred on the corpus mean first
//! ([`cluster::centre_languages`]). The centroids the later stages use
//! stay those of the raw vectors.

use ndarray::{Array2, ArrayView2};

use super::plan::StageInputs;
use super::{Event, Stage, StageCtx, cached};
use crate::cluster::{self, KMeansParams, KnnMemo, UmapParams};
use crate::config::{ClusterAlgorithm, ClusterConfig};
use crate::error::{Error, Result};
use crate::model::{Cluster, Summary};
use crate::project::checkpoint;

/// Assigns each row a base cluster; `None` is HDBSCAN noise.
pub fn assign(
    embeddings: ArrayView2<f32>,
    config: &ClusterConfig,
    k_override: Option<usize>,
    knn: &KnnMemo,
) -> Result<Vec<Option<usize>>> {
    let n = embeddings.nrows();
    if n == 0 {
        return Ok(Vec::new());
    }
    match config.algorithm {
        ClusterAlgorithm::Kmeans => {
            let k = k_override
                .filter(|k| *k > 0)
                .or((config.k > 0).then_some(config.k))
                .unwrap_or_else(|| cluster::default_k(n, config.per_cluster))
                .clamp(1, n);
            let mut params = KMeansParams::new(k);
            params.seed = config.seed;
            params.minibatch_above = config.minibatch_above;
            let smooth = config.smooth_neighbours.unwrap_or(0);
            let smoothed = if cluster::smooths(n, smooth) {
                Some(cluster::smooth_rows(embeddings, smooth, 1.0, knn)?)
            } else {
                None
            };
            let rows = smoothed.as_ref().map_or(embeddings, |m| m.view());
            let fit = match config.discriminant() {
                Some(dims) => {
                    let p = cluster::discriminant_projection(rows, dims, config.seed)?;
                    cluster::kmeans(cluster::with_projection(rows, &p).view(), &params)?
                }
                None => cluster::kmeans(rows, &params)?,
            };
            Ok(fit.labels.into_iter().map(Some).collect())
        }
        ClusterAlgorithm::Hdbscan => {
            if n < 3 {
                return Ok(vec![Some(0); n]);
            }
            let mut params = UmapParams::new(5.min(n.saturating_sub(1)).max(1));
            params.seed = config.seed;
            params.min_dist = 0.0;
            let low = cluster::umap_shared(embeddings, &params, knn)?;
            let min_size = config.hdbscan_min_cluster_size.clamp(2, n.max(2));
            let min_samples = if config.hdbscan_min_samples == 0 {
                min_size
            } else {
                config.hdbscan_min_samples
            };
            cluster::hdbscan(low.view(), min_size, min_samples.min(n))
        }
    }
}

/// Builds unnamed level-0 clusters from assignments, largest first; noise
/// becomes one extra cluster flagged `noise`.
pub fn build(summaries: &[Summary], labels: &[Option<usize>]) -> Vec<Cluster> {
    let k = labels.iter().flatten().max().map_or(0, |m| m + 1);
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); k];
    let mut noise = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        match l {
            Some(c) => groups[*c].push(i),
            None => noise.push(i),
        }
    }
    groups.retain(|g| !g.is_empty());
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a[0].cmp(&b[0])));
    let mut out: Vec<Cluster> = groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| base(i, &g, summaries, false))
        .collect();
    if !noise.is_empty() {
        out.push(base(out.len(), &noise, summaries, true));
    }
    out
}

fn base(i: usize, rows: &[usize], summaries: &[Summary], noise: bool) -> Cluster {
    let (name, slug) = if noise {
        (
            "Unclustered conversations".to_string(),
            "unclustered".to_string(),
        )
    } else {
        (format!("Cluster {i}"), format!("cluster-{i}"))
    };
    Cluster {
        id: Cluster::cluster_id(0, i),
        name,
        original_name: None,
        description: String::new(),
        slug,
        level: 0,
        parent: None,
        children: Vec::new(),
        members: rows
            .iter()
            .map(|r| summaries[*r].conversation_id.clone())
            .collect(),
        count: rows.len(),
        noise,
    }
}

/// Unit-length mean of the rows of each cluster (noise included).
pub fn centroids(embeddings: ArrayView2<f32>, groups: &[Vec<usize>]) -> Array2<f32> {
    let d = embeddings.ncols();
    let mut out = Array2::<f32>::zeros((groups.len(), d));
    for (g, rows) in groups.iter().enumerate() {
        let mut c = out.row_mut(g);
        for r in rows {
            c += &embeddings.row(*r);
        }
        let norm = c.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            c.mapv_inplace(|x| x / norm);
        }
    }
    out
}

/// Runs (or loads) the base clusters; returns them with the checkpoint's
/// digest. `config` holds the run's effective seed and k.
pub async fn run(
    ctx: &StageCtx,
    summaries: &[Summary],
    embeddings: &Array2<f32>,
    config: &ClusterConfig,
    centre_languages: bool,
    inputs: &StageInputs,
) -> Result<(Vec<Cluster>, String)> {
    let stage = Stage::Clusters;
    if let Some(done) = cached::records::<Cluster>(ctx, inputs)? {
        return Ok(done);
    }
    let _ = ctx.events.send(Event::Started {
        stage,
        total: 1,
        resumed: 0,
    });
    // Offline summaries are in each conversation's own language: centre
    // the languages (when the caller asks) so that k-means groups topics
    // across them. The centred rows need neighbours of their own; the
    // shared memo holds the embeddings' (for the map).
    let centred = if centre_languages {
        let languages: Vec<Option<&str>> =
            crate::offline::coverage::main_languages(summaries).collect();
        cluster::centre_languages(embeddings.view(), &languages)?
    } else {
        None
    };
    let (emb, knn, centred) = match centred {
        Some((rows, langs)) => (rows, KnnMemo::new(), langs),
        None => (embeddings.clone(), ctx.knn.clone(), Vec::new()),
    };
    if !centred.is_empty() {
        let list = centred
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = ctx.events.send(Event::Log {
            level: super::LogLevel::Info,
            message: format!(
                "clusters: {} languages ({list}) each centred on the corpus mean before \
                 clustering, so that topics group across languages",
                centred.len()
            ),
        });
    }
    let cfg = config.clone();
    let labels = tokio::task::spawn_blocking(move || assign(emb.view(), &cfg, None, &knn))
        .await
        .map_err(|e| Error::task("clustering task", e))??;
    let clusters = build(summaries, &labels);
    let smooth = config.smooth_neighbours.unwrap_or(0);
    let kmeans = config.algorithm == ClusterAlgorithm::Kmeans;
    let smoothed = kmeans && cluster::smooths(embeddings.nrows(), smooth);
    if kmeans && smooth > 0 && !smoothed {
        let _ = ctx.events.send(Event::Log {
            level: super::LogLevel::Info,
            message: format!(
                "clusters: no neighbour smoothing ({} conversations; it runs from {} to {})",
                embeddings.nrows(),
                smooth + 2,
                cluster::SMOOTH_MAX_ROWS
            ),
        });
    }
    if !kmeans && config.discriminant().is_some() {
        let _ = ctx.events.send(Event::Log {
            level: super::LogLevel::Warn,
            message:
                "clusters: cluster.discriminant_dims applies to k-means only; HDBSCAN ignores it"
                    .into(),
        });
    }
    let mut built_with = serde_json::Map::new();
    let algorithm = serde_json::to_value(config.algorithm).unwrap_or_default();
    built_with.insert("algorithm".into(), algorithm);
    built_with.insert(
        "k".into(),
        clusters.iter().filter(|c| !c.noise).count().into(),
    );
    if smoothed {
        built_with.insert("smooth_neighbours".into(), smooth.into());
    }
    if let Some(dims) = config.discriminant().filter(|_| kmeans) {
        built_with.insert("discriminant_dims".into(), dims.into());
    }
    if !centred.is_empty() {
        let langs: Vec<&str> = centred.iter().map(|(l, _)| l.as_str()).collect();
        built_with.insert("languages_centred".into(), langs.into());
    }
    let digest = checkpoint::save(
        ctx.cps.as_ref(),
        stage.name(),
        &inputs.meta(built_with, Vec::new()),
        &clusters,
    )?;
    let _ = ctx.events.send(Event::Advanced { stage, n: 1 });
    let _ = ctx.events.send(Event::Log {
        level: super::LogLevel::Info,
        message: format!("{} base clusters", clusters.len()),
    });
    let _ = ctx.events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok((clusters, digest))
}
