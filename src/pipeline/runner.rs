//! Runs the stages in order, each loaded from its checkpoint when its key
//! (a hash of its inputs and the settings that matter) is unchanged, so a
//! changed setting recomputes only that stage and the ones after it.

use std::sync::Arc;

use serde::Serialize;

use super::naming::ClusterNamer;
use super::summarise::Summariser;
use super::{Event, Outcome, StageCtx, clusters, embeddings, naming, projection, summarise};
use crate::config::Config;
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::model::{Cluster, Point2D, Summary};
use crate::project::checkpoint::hash_key;
use crate::project::store::Store;

/// Per-run overrides of `kura.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    pub max_conversations: Option<usize>,
    pub k: Option<usize>,
    pub seed: Option<u64>,
}

/// The models a run uses: the seams.
#[derive(Clone)]
pub struct Models {
    pub summariser: Arc<dyn Summariser>,
    pub embedder: Arc<dyn Embedder>,
    /// `None` names clusters offline from keywords.
    pub namer: Option<Arc<dyn ClusterNamer>>,
    /// `None` builds the hierarchy offline.
    pub hierarchy: Option<Arc<dyn super::hierarchy_llm::HierarchyLlm>>,
}

/// What a finished run produced.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub summaries: Vec<Summary>,
    pub clusters: Vec<Cluster>,
    pub points: Vec<Point2D>,
}

#[derive(Serialize)]
struct StoreFingerprint {
    conversations: usize,
    bytes: u64,
}

/// Runs every stage; sends `Event::Done` at the end whatever happens.
pub async fn run(
    ctx: &StageCtx,
    store: &Store,
    config: &Config,
    options: &RunOptions,
    models: &Models,
) -> Result<RunOutput> {
    let result = run_stages(ctx, store, config, options, models).await;
    let outcome = match &result {
        Ok(_) => Outcome::Completed,
        Err(Error::Cancelled) => Outcome::Cancelled,
        Err(e) => Outcome::Failed(e.to_string()),
    };
    let _ = ctx.events.send(Event::Done(outcome));
    result
}

async fn run_stages(
    ctx: &StageCtx,
    store: &Store,
    config: &Config,
    options: &RunOptions,
    models: &Models,
) -> Result<RunOutput> {
    let n = options
        .max_conversations
        .map_or(store.len(), |m| m.min(store.len()));
    let seed = options.seed.unwrap_or(config.cluster.seed);
    let fingerprint = StoreFingerprint {
        conversations: n,
        bytes: std::fs::metadata(store.path())
            .map(|m| m.len())
            .unwrap_or(0),
    };
    let k_sum = hash_key(&(
        "summaries-v1",
        models.summariser.identity(),
        &config.summarise,
        &fingerprint,
    ));
    let summaries = summarise::run(ctx, store, n, models.summariser.clone(), &k_sum).await?;
    if models.namer.is_none() {
        crate::offline::coverage::report(&ctx.events, &summaries, &models.embedder.name());
    }

    let k_emb = hash_key(&("embeddings-v1", &k_sum, models.embedder.name()));
    let emb = embeddings::run(ctx, &summaries, models.embedder.clone(), &k_emb).await?;

    let k_clu = hash_key(&("clusters-v1", &k_emb, &config.cluster, options.k, seed));
    let mut cluster_cfg = config.cluster.clone();
    cluster_cfg.seed = seed;
    let base = clusters::run(ctx, &summaries, &emb, &cluster_cfg, options.k, &k_clu).await?;

    // The map needs only embeddings and clusters: compute it while the
    // LLM names clusters.
    let k_proj = hash_key(&("projection-v1", &k_emb, &k_clu, &config.projection, seed));
    let proj_ctx = ctx.clone();
    let (p_sum, p_emb, p_base, p_cfg) = (
        summaries.clone(),
        emb.clone(),
        base.clone(),
        config.projection.clone(),
    );
    let projection = tokio::spawn(async move {
        projection::run(&proj_ctx, &p_sum, &p_emb, &p_base, &p_cfg, seed, &k_proj).await
    });

    let namer_id = models
        .namer
        .as_ref()
        .map_or(crate::offline::naming::IDENTITY.to_string(), |m| {
            m.identity()
        });
    let k_names = hash_key(&("names-v1", &k_clu, &namer_id, &config.naming));
    let named = naming::run(
        ctx,
        base,
        &summaries,
        &emb,
        models.namer.clone(),
        config.naming.max_examples,
        config.naming.contrastive_examples,
        &k_names,
    )
    .await?;

    let hier_id = models
        .hierarchy
        .as_ref()
        .map_or(crate::offline::hierarchy::IDENTITY.to_string(), |m| {
            m.identity()
        });
    let k_hier = hash_key(&("hierarchy-v1", &k_names, &hier_id, &config.hierarchy, seed));
    let clusters = super::hierarchy_llm::run(
        ctx,
        named,
        &summaries,
        &emb,
        models.hierarchy.clone(),
        &config.hierarchy,
        seed,
        &k_hier,
    )
    .await?;

    let points = projection
        .await
        .map_err(|e| Error::Other(format!("projection task failed: {e}")))??;
    Ok(RunOutput {
        summaries,
        clusters,
        points,
    })
}
