//! Runs the stages in order. Each stage is loaded from its checkpoint when
//! that was built from the inputs the [`plan`](super::plan) gives it: the
//! settings that matter, its model's identity and the content digests of
//! the stages it reads. A changed setting recomputes that stage, and the
//! stages after it only if its output changed.

use std::path::PathBuf;
use std::sync::Arc;

use super::naming::ClusterNamer;
use super::plan::{Digests, Identities, Settings};
use super::summarise::Summariser;
use super::{
    Corpus, Event, Outcome, Stage, StageCtx, clusters, embeddings, hierarchy, naming, projection,
    summarise,
};
use crate::config::Config;
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::model::{Cluster, Point2D, Summary};
use crate::project::store::Store;

/// Per-run overrides of `kura.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    pub max_conversations: Option<usize>,
    pub k: Option<usize>,
    pub seed: Option<u64>,
    /// Where to write the run's log; `None` picks
    /// `logs/run-<timestamp>.log` in the project.
    pub log: Option<PathBuf>,
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
    /// LLM work of the hierarchy that fell back; non-empty means the run
    /// finished with an incomplete hierarchy, which the next run redoes.
    pub incomplete: Vec<String>,
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
    let settings = Settings::new(
        config,
        options,
        Identities::from_models(models),
        store.fingerprint(),
    );
    let mut digests = Digests::new();
    let n = settings.conversations;
    let seed = settings.cluster.seed;

    let inputs = settings.inputs(Stage::Summaries, &digests);
    let (summaries, d) = summarise::run(ctx, store, n, models.summariser.clone(), &inputs).await?;
    digests.insert(Stage::Summaries, d);
    if models.namer.is_none() {
        crate::offline::coverage::report(&ctx.events, &summaries, &models.embedder.identity());
    }

    let inputs = settings.inputs(Stage::Embeddings, &digests);
    let (emb, d) = embeddings::run(ctx, &summaries, models.embedder.clone(), &inputs).await?;
    digests.insert(Stage::Embeddings, d);

    let inputs = settings.inputs(Stage::Clusters, &digests);
    let centre_languages = settings.identities.centres_languages();
    let (base, d) = clusters::run(
        ctx,
        &summaries,
        &emb,
        &settings.cluster,
        centre_languages,
        &inputs,
    )
    .await?;
    digests.insert(Stage::Clusters, d);

    // The map needs only embeddings and clusters: compute it while the
    // LLM names clusters.
    let inputs = settings.inputs(Stage::Projection, &digests);
    let proj_ctx = ctx.clone();
    let (p_sum, p_emb, p_base, p_cfg) = (
        summaries.clone(),
        emb.clone(),
        base.clone(),
        settings.projection.clone(),
    );
    let projection = tokio::spawn(async move {
        projection::run(&proj_ctx, &p_sum, &p_emb, &p_base, &p_cfg, seed, &inputs).await
    });

    let corpus = Corpus {
        summaries: &summaries,
        embeddings: &emb,
        seed,
    };
    let inputs = settings.inputs(Stage::Names, &digests);
    let (named, d) = naming::run(
        ctx,
        corpus,
        base,
        models.namer.clone(),
        &settings.naming,
        &inputs,
    )
    .await?;
    digests.insert(Stage::Names, d);

    let inputs = settings.inputs(Stage::Hierarchy, &digests);
    let built = hierarchy::run(
        ctx,
        corpus,
        named,
        models.hierarchy.clone(),
        &settings.hierarchy,
        &inputs,
    )
    .await?;

    let (points, _) = projection
        .await
        .map_err(|e| Error::task("projection task", e))??;
    Ok(RunOutput {
        summaries,
        clusters: built.clusters,
        points,
        incomplete: built.incomplete,
    })
}
