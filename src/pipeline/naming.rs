//! Stage 4: a name, a two-sentence description and a slug for every base
//! cluster. The LLM namer sees a capped sample of the cluster's own summaries
//! (those nearest its centroid) and contrasting summaries from the *nearest*
//! other clusters, as Clio does. Offline, names are distinctive phrases of
//! the clusters' own summaries ([`crate::offline::naming`]). Names are saved
//! per cluster, so a killed run resumes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use super::{Event, Stage, StageCtx};
use crate::embed::BoxFuture;
use crate::error::{Error, Result};
use crate::model::{Cluster, Summary, slugify, unique_slug};
use crate::project::checkpoint;

/// What the namer sees of one cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct NamingInput {
    pub examples: Vec<String>,
    pub contrastive: Vec<String>,
}

/// A generated name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratedName {
    pub name: String,
    pub description: String,
    pub slug: String,
}

/// Names one cluster (the LLM seam).
pub trait ClusterNamer: Send + Sync {
    fn identity(&self) -> String;
    fn name<'a>(&'a self, input: NamingInput) -> BoxFuture<'a, Result<GeneratedName>>;
}

#[derive(Debug, Serialize, Deserialize)]
struct Partial {
    k: String,
    id: String,
    n: GeneratedName,
}

/// Rows of each cluster, in cluster order.
pub fn rows_of(clusters: &[Cluster], summaries: &[Summary]) -> Vec<Vec<usize>> {
    let pos: HashMap<&str, usize> = summaries
        .iter()
        .enumerate()
        .map(|(i, s)| (s.conversation_id.as_str(), i))
        .collect();
    clusters
        .iter()
        .map(|c| {
            c.members
                .iter()
                .filter_map(|m| pos.get(m.as_str()).copied())
                .collect()
        })
        .collect()
}

fn dot(a: ndarray::ArrayView1<f32>, b: ndarray::ArrayView1<f32>) -> f32 {
    a.dot(&b)
}

/// The `max` rows of a cluster closest to its centroid.
fn central(
    rows: &[usize],
    centroid: ndarray::ArrayView1<f32>,
    emb: ArrayView2<f32>,
    max: usize,
) -> Vec<usize> {
    let mut scored: Vec<(f32, usize)> = rows
        .iter()
        .map(|r| (dot(emb.row(*r), centroid), *r))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(max).map(|(_, r)| r).collect()
}

/// Builds the namer's input for every cluster.
pub fn inputs(
    rows: &[Vec<usize>],
    centroids: &Array2<f32>,
    embeddings: ArrayView2<f32>,
    summaries: &[Summary],
    max_examples: usize,
    contrastive: usize,
) -> Vec<NamingInput> {
    let text = |r: &usize| summaries[*r].summary.clone();
    (0..rows.len())
        .map(|c| {
            let examples: Vec<String> =
                central(&rows[c], centroids.row(c), embeddings, max_examples)
                    .iter()
                    .map(text)
                    .collect();
            // Nearest other clusters by centroid similarity.
            let mut near: Vec<(f32, usize)> = (0..rows.len())
                .filter(|o| *o != c && !rows[*o].is_empty())
                .map(|o| (dot(centroids.row(c), centroids.row(o)), o))
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let per = contrastive.div_ceil(3).max(1);
            let mut contrast = Vec::new();
            for (_, o) in near.into_iter().take(3) {
                for r in central(&rows[o], centroids.row(o), embeddings, per) {
                    if contrast.len() < contrastive {
                        contrast.push(text(&r));
                    }
                }
            }
            NamingInput {
                examples,
                contrastive: contrast,
            }
        })
        .collect()
}

/// Applies names to clusters, making slugs unique (`-2` on a clash).
pub fn apply(clusters: &mut [Cluster], names: &[GeneratedName]) {
    let mut taken = HashSet::new();
    for (c, n) in clusters.iter_mut().zip(names) {
        if c.noise {
            taken.insert(c.slug.clone());
            continue;
        }
        c.name = n.name.clone();
        c.description = n.description.clone();
        let base = if n.slug.trim().is_empty() {
            slugify(&n.name, 4)
        } else {
            slugify(&n.slug, 5)
        };
        c.slug = unique_slug(&base, &taken);
        taken.insert(c.slug.clone());
    }
}

/// Runs (or resumes, or loads) the naming stage.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    ctx: &StageCtx,
    mut clusters: Vec<Cluster>,
    summaries: &[Summary],
    embeddings: &Array2<f32>,
    namer: Option<Arc<dyn ClusterNamer>>,
    max_examples: usize,
    contrastive: usize,
    key: &str,
) -> Result<Vec<Cluster>> {
    let stage = Stage::Names;
    if let Some(c) = checkpoint::load::<Cluster>(ctx.cps.as_ref(), stage.name(), Some(key))? {
        let _ = ctx.events.send(Event::Finished {
            stage,
            cached: true,
        });
        return Ok(c);
    }
    let rows = rows_of(&clusters, summaries);
    let names = match namer {
        None => {
            let _ = ctx.events.send(Event::Started {
                stage,
                total: clusters.len() as u64,
                resumed: 0,
            });
            let names = crate::offline::naming::name_clusters(summaries, &rows);
            let _ = ctx.events.send(Event::Advanced {
                stage,
                n: clusters.len() as u64,
            });
            names
        }
        Some(namer) => {
            let centroids = super::clusters::centroids(embeddings.view(), &rows);
            let inputs = inputs(
                &rows,
                &centroids,
                embeddings.view(),
                summaries,
                max_examples,
                contrastive,
            );
            name_with_llm(ctx, &clusters, inputs, namer, key).await?
        }
    };
    apply(&mut clusters, &names);
    for c in clusters.iter().take(3) {
        let _ = ctx.events.send(Event::Preview {
            stage,
            text: c.name.clone(),
        });
    }
    checkpoint::save(ctx.cps.as_ref(), stage.name(), key, &clusters)?;
    ctx.cps.clear_partial(stage.name())?;
    let _ = ctx.events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok(clusters)
}

async fn name_with_llm(
    ctx: &StageCtx,
    clusters: &[Cluster],
    inputs: Vec<NamingInput>,
    namer: Arc<dyn ClusterNamer>,
    key: &str,
) -> Result<Vec<GeneratedName>> {
    let stage = Stage::Names;
    let mut done: HashMap<String, GeneratedName> = HashMap::new();
    for p in checkpoint::load_partial::<Partial>(ctx.cps.as_ref(), stage.name())? {
        if p.k == key {
            done.entry(p.id).or_insert(p.n);
        }
    }
    let _ = ctx.events.send(Event::Started {
        stage,
        total: clusters.len() as u64,
        resumed: done.len() as u64,
    });
    let mut set: JoinSet<(String, Result<GeneratedName>)> = JoinSet::new();
    let todo: Vec<(String, NamingInput)> = clusters
        .iter()
        .zip(inputs)
        .filter(|(c, _)| !c.noise && !done.contains_key(&c.id))
        .map(|(c, i)| (c.id.clone(), i))
        .collect();
    let mut pending = todo.into_iter();
    let mut failures = 0;
    loop {
        while set.len() < ctx.concurrency.max(1) && !ctx.cancel.is_cancelled() {
            let Some((id, input)) = pending.next() else {
                break;
            };
            let namer = namer.clone();
            set.spawn(async move {
                let r = namer.name(input).await;
                (id, r)
            });
        }
        let next = tokio::select! {
            biased;
            _ = ctx.cancel.cancelled() => None,
            r = set.join_next() => r,
        };
        let Some(joined) = next else { break };
        let (id, r) = joined.map_err(|e| Error::Other(format!("naming task failed: {e}")))?;
        match r {
            Ok(n) => {
                checkpoint::append_partial(
                    ctx.cps.as_ref(),
                    stage.name(),
                    &Partial {
                        k: key.into(),
                        id: id.clone(),
                        n: n.clone(),
                    },
                )?;
                let _ = ctx.events.send(Event::Advanced { stage, n: 1 });
                let _ = ctx.events.send(Event::Preview {
                    stage,
                    text: n.name.clone(),
                });
                done.insert(id, n);
            }
            Err(e) => {
                failures += 1;
                let _ = ctx.events.send(Event::ItemFailed {
                    stage,
                    error: format!("cluster {id}: {e}"),
                });
            }
        }
    }
    if ctx.cancel.is_cancelled() {
        set.abort_all();
        return Err(Error::Cancelled);
    }
    if failures > 0 {
        return Err(Error::Llm(format!(
            "{failures} clusters could not be named (see the log); the other names are saved, rerun to retry"
        )));
    }
    Ok(clusters
        .iter()
        .map(|c| {
            done.remove(&c.id).unwrap_or_else(|| GeneratedName {
                name: c.name.clone(),
                description: c.description.clone(),
                slug: c.slug.clone(),
            })
        })
        .collect())
}
