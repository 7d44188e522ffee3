//! Stage 4: a name, a two-sentence description and a slug for every base
//! cluster. The LLM namer sees a capped sample of the cluster's own summaries
//! (those nearest its centroid) and contrasting summaries from the *nearest*
//! other clusters, as Clio does. Offline, names come from class-based TF-IDF
//! keywords. Names are saved per cluster, so a killed run resumes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use super::failures::Failures;
use super::plan::StageInputs;
use super::{Event, Stage, StageCtx, cached};
use crate::cluster;
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

/// One line of `names.partial.jsonl`. Version 1 files used the short
/// names `k`, `id` and `n`; they still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialName {
    /// The key of the stage inputs the record was made under.
    #[serde(alias = "k")]
    pub key: String,
    #[serde(alias = "id")]
    pub cluster_id: String,
    #[serde(alias = "n")]
    pub name: GeneratedName,
}

/// The partial names made under `key`, by cluster id (the first of
/// duplicates wins). Unreadable lines are reported as a warning.
pub fn load_partial(
    cps: &dyn checkpoint::CheckpointStore,
    key: &str,
    warnings: &mut Vec<String>,
) -> Result<HashMap<String, GeneratedName>> {
    let stage = Stage::Names.name();
    let read = checkpoint::read_partial::<PartialName>(cps, stage)?;
    warnings.extend(read.problem(&cps.describe(&format!("{stage}.partial.jsonl"))));
    let mut done = HashMap::new();
    for p in read.records {
        if p.key == key {
            done.entry(p.cluster_id).or_insert(p.name);
        }
    }
    Ok(done)
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

/// Keyword names for groups of texts (offline mode).
pub fn keyword_names(
    texts: &[String],
    labels: &[usize],
    groups: usize,
) -> Result<Vec<GeneratedName>> {
    let keywords = if texts.is_empty() {
        vec![Vec::new(); groups]
    } else {
        cluster::ctfidf_keywords(texts, labels, 8)?
    };
    let mut taken_names = HashSet::new();
    Ok((0..groups)
        .map(|g| {
            let kw = keywords.get(g).cloned().unwrap_or_default();
            let mut name = cluster::keyword_name(&kw);
            // Two groups with the same top words: add the next distinct one.
            let mut extra = kw.iter().skip(3);
            while taken_names.contains(&name) {
                match extra.next() {
                    Some(k) => name = format!("{name}, {k}"),
                    None => {
                        name = format!("{name} ({})", g + 1);
                        break;
                    }
                }
            }
            taken_names.insert(name.clone());
            let description = if kw.is_empty() {
                "Conversations without distinctive words.".to_string()
            } else {
                format!(
                    "Conversations whose summaries stand out for: {}.",
                    kw.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
                )
            };
            GeneratedName {
                slug: slugify(&name, 4),
                name,
                description,
            }
        })
        .collect())
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

/// Runs (or resumes, or loads) the naming stage; returns the named
/// clusters with the checkpoint's digest.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    ctx: &StageCtx,
    mut clusters: Vec<Cluster>,
    summaries: &[Summary],
    embeddings: &Array2<f32>,
    namer: Option<Arc<dyn ClusterNamer>>,
    max_examples: usize,
    contrastive: usize,
    inputs: &StageInputs,
) -> Result<(Vec<Cluster>, String)> {
    let stage = Stage::Names;
    if let Some(done) = cached::records::<Cluster>(ctx, inputs)? {
        return Ok(done);
    }
    let namer_id = namer
        .as_ref()
        .map_or_else(|| super::plan::KEYWORD_NAMER.to_string(), |n| n.identity());
    let rows = rows_of(&clusters, summaries);
    let names = match namer {
        None => {
            let _ = ctx.events.send(Event::Started {
                stage,
                total: clusters.len() as u64,
                resumed: 0,
            });
            let mut texts = Vec::new();
            let mut labels = Vec::new();
            for (g, rs) in rows.iter().enumerate() {
                for r in rs {
                    texts.push(summaries[*r].embedding_text());
                    labels.push(g);
                }
            }
            let names = keyword_names(&texts, &labels, clusters.len())?;
            let _ = ctx.events.send(Event::Advanced {
                stage,
                n: clusters.len() as u64,
            });
            names
        }
        Some(namer) => {
            let key = inputs.key();
            let centroids = super::clusters::centroids(embeddings.view(), &rows);
            let naming_inputs = self::inputs(
                &rows,
                &centroids,
                embeddings.view(),
                summaries,
                max_examples,
                contrastive,
            );
            name_with_llm(ctx, &clusters, naming_inputs, namer, &key).await?
        }
    };
    apply(&mut clusters, &names);
    for c in clusters.iter().take(3) {
        let _ = ctx.events.send(Event::Preview {
            stage,
            text: c.name.clone(),
        });
    }
    let mut built_with = serde_json::Map::new();
    built_with.insert("namer".into(), namer_id.into());
    let digest = checkpoint::save(
        ctx.cps.as_ref(),
        stage.name(),
        &inputs.meta(built_with, Vec::new()),
        &clusters,
    )?;
    ctx.cps.clear_partial(stage.name())?;
    let _ = ctx.events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok((clusters, digest))
}

async fn name_with_llm(
    ctx: &StageCtx,
    clusters: &[Cluster],
    inputs: Vec<NamingInput>,
    namer: Arc<dyn ClusterNamer>,
    key: &str,
) -> Result<Vec<GeneratedName>> {
    let stage = Stage::Names;
    let mut warnings = Vec::new();
    let mut done = load_partial(ctx.cps.as_ref(), key, &mut warnings)?;
    for message in warnings {
        let _ = ctx.events.send(Event::Log {
            level: super::LogLevel::Warn,
            message,
        });
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
    let mut failures = Failures::default();
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
                    &PartialName {
                        key: key.into(),
                        cluster_id: id.clone(),
                        name: n.clone(),
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
                failures.add(&e);
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
    if !failures.is_empty() {
        return Err(Error::Llm(format!(
            "{} of {} clusters could not be named ({}); the other names are saved, rerun to retry",
            failures.total(),
            clusters.iter().filter(|c| !c.noise).count(),
            failures.summary()
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
