//! Stage 4: a name, a two-sentence description and a slug for every base
//! cluster. The LLM namer sees a capped sample of the cluster's own summaries
//! (those nearest its centroid) and contrasting summaries from the *nearest*
//! other clusters, as Clio does. Offline, names come from class-based TF-IDF
//! keywords. Names are saved per cluster, so a killed run resumes.

mod inputs;
mod keywords;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use inputs::{inputs, rows_of};
pub use keywords::keyword_names;

use super::failures::Failures;
use super::plan::StageInputs;
use super::{Corpus, Event, Stage, StageCtx, cached, concurrent};
use crate::config::NamingConfig;
use crate::embed::BoxFuture;
use crate::error::{Error, Result};
use crate::model::{Cluster, slugify, unique_slug};
use crate::project::checkpoint;
use serde::{Deserialize, Serialize};

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
pub async fn run(
    ctx: &StageCtx,
    corpus: Corpus<'_>,
    mut clusters: Vec<Cluster>,
    namer: Option<Arc<dyn ClusterNamer>>,
    config: &NamingConfig,
    inputs: &StageInputs,
) -> Result<(Vec<Cluster>, String)> {
    let Corpus {
        summaries,
        embeddings,
        ..
    } = corpus;
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
                config.max_examples,
                config.contrastive_examples,
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
    let todo: Vec<(String, NamingInput)> = clusters
        .iter()
        .zip(inputs)
        .filter(|(c, _)| !c.noise && !done.contains_key(&c.id))
        .map(|(c, i)| (c.id.clone(), i))
        .collect();
    let mut failures = Failures::default();
    concurrent::for_each(
        ctx,
        todo.into_iter().map(Ok),
        |(id, input)| {
            let namer = namer.clone();
            async move {
                let r = namer.name(input).await;
                (id, r)
            }
        },
        |(id, r)| {
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
                Err(Error::Cancelled) => return Err(Error::Cancelled),
                Err(e) => {
                    failures.add(&e);
                    let _ = ctx.events.send(Event::ItemFailed {
                        stage,
                        error: format!("cluster {id}: {e}"),
                    });
                }
            }
            Ok(())
        },
    )
    .await?;
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
