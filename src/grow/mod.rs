//! `kura-tui add`: appends conversations to a project whose analysis is
//! done, without recomputing it. The new conversations are summarised and
//! embedded with the project's models ([`embed`]), assigned to the nearest
//! base cluster within a distance threshold ([`assign`]; beyond it they go
//! to an "unassigned" bucket), placed on the map among their nearest
//! neighbours ([`place`]), and folded into every checkpoint ([`apply`]).
//! The hierarchy is not rebuilt and the user's relabels stay.
//!
//! Every file is staged and committed at once ([`crate::project::journal`]).
//! The rewritten checkpoints carry the keys a run would expect from the
//! current settings and the grown store, so a later `run` finds them done;
//! their `built_with` and `added.json` ([`record`]) say what was added
//! rather than recomputed.

pub mod apply;
pub mod assign;
mod commit;
pub mod embed;
pub mod input;
pub mod marks;
pub mod place;
pub mod record;
pub mod timeline;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use ndarray::{Array2, Axis};
use serde::Serialize;

use crate::config::EnvSource;
use crate::error::{Error, Result};
use crate::ingest::{ImportOptions, ImportReport};
use crate::model::{Cluster, Point2D, Summary};
use crate::pipeline::plan::{self, Plan, Settings};
use crate::pipeline::{RunOptions, Stage, StageCtx, concurrent, models};
use crate::project::Project;
use crate::project::checkpoint::{self, Header};
pub use assign::Threshold;
pub use record::AddLog;

/// What to add and how.
#[derive(Debug, Clone)]
pub struct AddOptions {
    pub input: PathBuf,
    pub import: ImportOptions,
    /// Skip conversations whose id is already in the project (else refuse).
    pub skip_duplicates: bool,
    pub threshold: Threshold,
    /// Use no LLM (also chosen when the project's results are offline ones).
    pub offline: bool,
}

/// What an add did.
#[derive(Debug, Clone, Serialize)]
pub struct AddReport {
    pub added: usize,
    pub assigned: usize,
    pub unassigned: usize,
    pub skipped_duplicates: usize,
    /// The unassigned bucket's cluster id, when it holds anything.
    pub unassigned_cluster: Option<String>,
    /// New conversations per base cluster.
    pub grew: BTreeMap<String, usize>,
    pub threshold: String,
    pub offline: bool,
    /// How the new vectors were made.
    pub embedding: String,
    pub conversations: usize,
    #[serde(skip)]
    pub import: ImportReport,
}

/// The checkpoints of a done project.
pub(crate) struct Loaded {
    pub headers: BTreeMap<Stage, Header>,
    pub summaries: Vec<Summary>,
    pub embeddings: Array2<f32>,
    pub clusters: Vec<Cluster>,
    pub names: Vec<Cluster>,
    pub hierarchy: Vec<Cluster>,
    pub points: Vec<Point2D>,
}

/// Adds the conversations of `options.input` to `project` (its lock is
/// taken here).
pub async fn add(
    project: &mut Project,
    options: &AddOptions,
    env: &(dyn EnvSource + Sync),
) -> Result<AddReport> {
    project.lock()?;
    let layout = project.layout.clone();
    let config = project.config.clone();
    let store = project.store()?;
    let cps = project.checkpoints();
    let run_options = run_options(&cps)?;
    let (offline, plan, settings) =
        current_plan(project, &store, options.offline, &run_options, env)?;
    let loaded = load(&cps, &plan)?;

    let existing: HashSet<String> = loaded
        .summaries
        .iter()
        .map(|s| s.conversation_id.clone())
        .collect();
    // This add's rejects wait beside the project until the commit appends
    // them to `rejected.jsonl`; a failed add leaves that file as it was.
    let staged_rejects = StagedRejects(layout.root().join(STAGED_REJECTS));
    let new = input::read(
        &options.input,
        &options.import,
        Some(&staged_rejects.0),
        &existing,
        options.skip_duplicates,
    )?;

    let (events, receiver) = crate::pipeline::events::channel();
    drop(receiver);
    let cancel = crate::pipeline::Cancel::new();
    let hooks = models::hooks(events.clone(), cancel.clone(), &config);
    let (built, _notices) = models::build(&config, &layout, offline, &hooks, env)?;
    for (what, got, want) in [
        (
            "summariser",
            built.summariser.identity(),
            &settings.identities.summariser,
        ),
        (
            "embedder",
            built.embedder.identity(),
            &settings.identities.embedder,
        ),
    ] {
        if &got != want {
            return Err(Error::Model(format!(
                "the {what} available now ({got}) is not the one the project was analysed with \
                 ({want}); adding would mix two spaces"
            )));
        }
    }
    let ctx = StageCtx {
        cps: Arc::new(checkpoint::MemoryCheckpoints::new()),
        events,
        cancel,
        concurrency: if offline {
            64
        } else {
            config.llm.max_concurrency
        },
        knn: crate::cluster::KnnMemo::new(),
    };
    let new_summaries = summarise(&ctx, &built, &new.conversations).await?;

    let fitted_on = loaded
        .headers
        .get(&Stage::Embeddings)
        .and_then(|h| h.built_with.get("fitted_on"))
        .and_then(serde_json::Value::as_u64)
        .map_or(loaded.summaries.len(), |n| n as usize);
    let (vectors, method) = embed::embed_new(
        &config,
        built.embedder.clone(),
        &loaded.summaries,
        loaded.embeddings.view(),
        fitted_on,
        &new_summaries,
    )
    .await?;

    let rows: HashMap<&str, usize> = loaded
        .summaries
        .iter()
        .enumerate()
        .map(|(i, s)| (s.conversation_id.as_str(), i))
        .collect();
    // Where the clusters stage centred languages, place new conversations
    // in that space too, with the shifts of the same languages.
    let shift = centred_languages(&loaded)?;
    let base_space = shift.as_ref().map(|s| {
        let langs: Vec<Option<&str>> =
            crate::offline::coverage::main_languages(&loaded.summaries).collect();
        s.apply(loaded.embeddings.view(), &langs)
    });
    let new_space = shift.as_ref().map(|s| {
        let langs: Vec<Option<&str>> =
            crate::offline::coverage::main_languages(&new_summaries).collect();
        s.apply(vectors.view(), &langs)
    });
    let centroids = assign::centroids(
        base_space
            .as_ref()
            .map_or(loaded.embeddings.view(), |m| m.view()),
        &loaded.names,
        &rows,
        options.threshold,
    );
    if centroids.ids.is_empty() {
        return Err(Error::NotRun {
            what: "base clusters with members",
        });
    }
    let assignments = assign::assign(
        new_space.as_ref().map_or(vectors.view(), |m| m.view()),
        &centroids,
    );
    let hierarchy_digest = plan
        .stage(Stage::Hierarchy)
        .and_then(|p| p.header.as_ref())
        .map(|h| h.digest.clone())
        .unwrap_or_default();
    let mut log = AddLog::load(&record::path(&layout))?
        .filter(|l| l.describes(Some(&hierarchy_digest)))
        .unwrap_or_else(|| AddLog::new(hierarchy_digest.clone()));
    let unassigned_id = log
        .unassigned_cluster
        .clone()
        .unwrap_or_else(|| apply::next_base_id(&loaded.hierarchy));
    let mut growth = apply::Growth::default();
    let mut point_cluster = Vec::with_capacity(assignments.len());
    for (s, a) in new_summaries.iter().zip(&assignments) {
        let id = s.conversation_id.clone();
        match a.cluster {
            Some(c) => {
                let cid = centroids.ids[c].clone();
                growth.members.entry(cid.clone()).or_default().push(id);
                point_cluster.push(cid);
            }
            None => {
                growth.unassigned.push(id);
                point_cluster.push(unassigned_id.clone());
            }
        }
    }

    let positions = new_positions(&loaded, &rows, &vectors);
    let new_points: Vec<Point2D> = new_summaries
        .iter()
        .zip(positions)
        .zip(point_cluster)
        .map(|((s, (x, y)), cluster)| Point2D {
            conversation_id: s.conversation_id.clone(),
            x,
            y,
            cluster,
        })
        .collect();

    let grew: BTreeMap<String, usize> = growth
        .members
        .iter()
        .map(|(k, v)| (k.clone(), v.len()))
        .collect();
    let assigned: usize = grew.values().sum();
    let unassigned = growth.unassigned.len();
    if unassigned > 0 {
        log.unassigned_cluster = Some(unassigned_id.clone());
    }
    log.batches.push(record::Batch {
        added_at: chrono::Utc::now().to_rfc3339(),
        input: options.input.display().to_string(),
        ids: new_summaries
            .iter()
            .map(|s| s.conversation_id.clone())
            .collect(),
        skipped_duplicates: new.skipped_duplicates.len(),
        assigned,
        unassigned,
        threshold: options.threshold.describe(),
        grew: grew.clone(),
    });
    let embedding = match &method {
        embed::Method::PerText => format!("{} (per text)", settings.identities.embedder),
        embed::Method::LexicalRefit {
            fitted_on,
            agreement,
        } => format!(
            "{} refitted on the first {fitted_on} summaries, new texts projected \
             (stored rows reproduced to cosine {agreement:.4})",
            settings.identities.embedder
        ),
    };
    let conversations = loaded.summaries.len() + new_summaries.len();
    let unassigned_cluster = (unassigned > 0).then(|| unassigned_id.clone());
    let skipped_duplicates = new.skipped_duplicates.len();
    let mut import = new.import.clone();
    if import.rejected_file.is_some() {
        import.rejected_file = Some(layout.rejected());
    }
    commit::write(
        &layout,
        &store,
        &settings,
        loaded,
        commit::Additions {
            conversations: new.conversations,
            summaries: new_summaries,
            vectors,
            points: new_points,
            growth,
            unassigned_id,
            fitted_on,
            rejects: new.import.rejected_file.clone(),
        },
        log,
    )?;
    drop(staged_rejects);
    Ok(AddReport {
        added: assigned + unassigned,
        assigned,
        unassigned,
        skipped_duplicates,
        unassigned_cluster,
        grew,
        threshold: options.threshold.describe(),
        offline,
        embedding,
        conversations,
        import,
    })
}

/// Where an add's rejected records wait for the commit, beside the project's
/// files.
const STAGED_REJECTS: &str = ".rejected.jsonl.add";

/// Removes the staged rejects when the add ends, whether it committed
/// (they were copied into `rejected.jsonl`) or failed.
struct StagedRejects(PathBuf);

impl Drop for StagedRejects {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.0)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::debug!(path = %self.0.display(), "staged rejects not removed: {e}");
        }
    }
}

/// The `--k` and `--seed` the clusters were built with, so the plan is
/// computed as the last run computed it.
fn run_options(cps: &dyn checkpoint::CheckpointStore) -> Result<RunOptions> {
    let mut options = RunOptions::default();
    if let Ok(h) = checkpoint::verify(cps, Stage::Clusters.name())? {
        options.k = h
            .inputs
            .get("cluster.k")
            .and_then(serde_json::Value::as_u64)
            .map(|k| k as usize)
            .filter(|k| *k > 0);
        options.seed = h
            .inputs
            .get("cluster.seed")
            .and_then(serde_json::Value::as_u64);
    }
    Ok(options)
}

/// The plan under which every stage is done: with an LLM, or offline
/// (asked for, configured, or the mode the results were made in).
fn current_plan(
    project: &Project,
    store: &crate::project::store::Store,
    offline: bool,
    options: &RunOptions,
    env: &dyn EnvSource,
) -> Result<(bool, Plan, Settings)> {
    let compute = |offline: bool| {
        plan::for_store(
            &project.layout,
            store,
            &project.config,
            offline,
            options,
            env,
        )
    };
    let offline = offline || project.config.is_offline();
    let (plan, settings) = compute(offline)?;
    let (offline, plan, settings) = if plan.is_done() || offline {
        (offline, plan, settings)
    } else {
        match compute(true)? {
            (p, s) if p.is_done() => (true, p, s),
            _ => (offline, plan, settings),
        }
    };
    if !plan.is_done() {
        let mut why = plan.warnings();
        for p in &plan.stages {
            if p.status == plan::Status::Missing {
                why.push(format!("{} is missing", p.stage.name()));
            }
        }
        return Err(Error::Other(format!(
            "conversations can only be added to a project whose analysis is complete and \
             current ({}); {}",
            why.join("; "),
            plan::run_hint(project.layout.root())
        )));
    }
    if settings.conversations != store.len() {
        return Err(Error::Other(format!(
            "the project was analysed with --max-conversations ({} of {}); {} without it first",
            settings.conversations,
            store.len(),
            plan::run_hint(project.layout.root())
        )));
    }
    Ok((offline, plan, settings))
}

/// Reads every stage's checkpoint, checking each is the one the plan judged.
fn load(cps: &dyn checkpoint::CheckpointStore, plan: &Plan) -> Result<Loaded> {
    let mut headers = BTreeMap::new();
    let changed = |stage: Stage| {
        Error::Other(format!(
            "the {} checkpoint changed while it was being read; try again",
            stage.name()
        ))
    };
    let mut check = |stage: Stage, h: Header| -> Result<()> {
        let expected = plan.stage(stage).and_then(|p| p.header.as_ref());
        if expected.is_none_or(|e| e.digest != h.digest) {
            return Err(changed(stage));
        }
        headers.insert(stage, h);
        Ok(())
    };
    macro_rules! records {
        ($stage:expr, $t:ty) => {{
            match checkpoint::read::<$t>(cps, $stage.name())? {
                Ok((h, r)) => {
                    check($stage, h)?;
                    r
                }
                Err(_) => return Err(changed($stage)),
            }
        }};
    }
    let summaries = records!(Stage::Summaries, Summary);
    let embeddings = match checkpoint::read_matrix(cps, Stage::Embeddings.name())? {
        Ok((h, m)) => {
            check(Stage::Embeddings, h)?;
            m
        }
        Err(_) => return Err(changed(Stage::Embeddings)),
    };
    let clusters = records!(Stage::Clusters, Cluster);
    let names = records!(Stage::Names, Cluster);
    let hierarchy = records!(Stage::Hierarchy, Cluster);
    let points = records!(Stage::Projection, Point2D);
    if embeddings.nrows() != summaries.len() {
        return Err(Error::Internal(format!(
            "{} embeddings for {} summaries",
            embeddings.nrows(),
            summaries.len()
        )));
    }
    Ok(Loaded {
        headers,
        summaries,
        embeddings,
        clusters,
        names,
        hierarchy,
        points,
    })
}

/// Summarises the new conversations with the project's summariser (LLM
/// answers are cached per conversation, so a rerun after a kill resumes).
async fn summarise(
    ctx: &StageCtx,
    built: &crate::pipeline::Models,
    conversations: &[crate::model::Conversation],
) -> Result<Vec<Summary>> {
    let mut out: Vec<Option<Summary>> = vec![None; conversations.len()];
    let mut failed: Vec<String> = Vec::new();
    let items = conversations
        .iter()
        .cloned()
        .enumerate()
        .map(Ok::<_, Error>);
    concurrent::for_each(
        ctx,
        items,
        |(i, conv)| {
            let s = built.summariser.clone();
            async move {
                let r = s.summarise(&conv).await;
                (i, conv.id, r)
            }
        },
        |(i, id, r)| {
            match r {
                Ok(mut summary) => {
                    summary.conversation_id = id;
                    out[i] = Some(summary);
                }
                Err(Error::Cancelled) => return Err(Error::Cancelled),
                Err(e) => failed.push(format!("{id}: {e}")),
            }
            Ok(())
        },
    )
    .await?;
    if !failed.is_empty() {
        return Err(Error::Llm(format!(
            "{} of {} new conversations could not be summarised (first: {}); nothing was \
             added; run `add` again (the summaries made are cached)",
            failed.len(),
            conversations.len(),
            failed[0]
        )));
    }
    out.into_iter()
        .enumerate()
        .map(|(i, s)| s.ok_or_else(|| Error::Internal(format!("summary {i} is missing"))))
        .collect()
}

/// Map positions of the new vectors among the placed points.
fn new_positions(
    loaded: &Loaded,
    rows: &HashMap<&str, usize>,
    vectors: &Array2<f32>,
) -> Vec<(f32, f32)> {
    let placed: Vec<(usize, (f32, f32))> = loaded
        .points
        .iter()
        .filter_map(|p| {
            rows.get(p.conversation_id.as_str())
                .map(|r| (*r, (p.x, p.y)))
        })
        .collect();
    let idx: Vec<usize> = placed.iter().map(|(r, _)| *r).collect();
    let matrix = loaded.embeddings.select(Axis(0), &idx);
    let xy: Vec<(f32, f32)> = placed.into_iter().map(|(_, p)| p).collect();
    place::place(vectors.view(), matrix.view(), &xy)
}

/// The language shifts the clusters stage applied before clustering (its
/// header's `built_with.languages_centred`), fitted again on the project's
/// embeddings; `None` when it centred none. A record that cannot be fitted
/// again is refused rather than placing conversations in another space.
fn centred_languages(loaded: &Loaded) -> Result<Option<crate::cluster::LanguageShift>> {
    let Some(list) = loaded
        .headers
        .get(&Stage::Clusters)
        .and_then(|h| h.built_with.get("languages_centred"))
        .and_then(serde_json::Value::as_array)
    else {
        return Ok(None);
    };
    let only: Vec<String> = list
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let langs: Vec<Option<&str>> =
        crate::offline::coverage::main_languages(&loaded.summaries).collect();
    match crate::cluster::LanguageShift::fit(loaded.embeddings.view(), &langs, Some(&only))? {
        Some(shift) if only.len() == list.len() && shift.centred().len() == only.len() => {
            Ok(Some(shift))
        }
        _ => Err(Error::Other(format!(
            "the clusters checkpoint records languages centred before clustering ({}) that \
             the project's summaries do not all hold; run `kura-tui run` to recluster",
            serde_json::Value::Array(list.clone())
        ))),
    }
}
