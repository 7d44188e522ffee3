//! The results of a run, loaded from a project's checkpoints for the
//! explorer, `tree` and `export`: summaries, the named hierarchy (with the
//! user's relabels applied) and the 2D map.
//!
//! Loading goes through the [plan](crate::pipeline::plan): only stages built
//! from the current settings are loaded (and an incomplete hierarchy, with a
//! warning), so outdated results are never shown as current. A partial run
//! still shows what it finished: partial summaries made under the current
//! settings, and base clusters with the names found so far.

use std::collections::HashMap;
use std::path::Path;

use crate::config::{Config, EnvSource, ProcessEnv};
use crate::error::Result;
use crate::model::{Cluster, Hierarchy, Point2D, Summary};
use crate::pipeline::plan::{self, Plan, Settings};
use crate::pipeline::{RunOptions, Stage, naming, summarise};
use crate::project::checkpoint::{self, CheckpointStore, FileCheckpoints};
use crate::project::labels::Labels;
use crate::project::{Layout, Project};

/// Everything the explorer shows.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// In store order: `summaries[i]` describes the conversation at store
    /// position `i`. After a partial run, positions not summarised yet hold
    /// an empty summary (with an empty id).
    pub summaries: Vec<Summary>,
    pub hierarchy: Hierarchy,
    pub points: Vec<Point2D>,
    /// Stages whose results are loaded (done, or incomplete).
    pub stages_done: Vec<Stage>,
    pub labels: Labels,
    /// What is outdated, corrupt or degraded, one line each, for the
    /// explorer's banner and the tree print.
    pub warnings: Vec<String>,
    /// True when a run would change something (a stage is not done).
    pub needs_run: bool,
    /// Added conversations, grown clusters and volumes over time.
    pub marks: crate::grow::marks::Marks,
    summary_index: HashMap<String, usize>,
}

impl Analysis {
    /// Builds an analysis from parts (tests, the pipeline's in-memory result).
    pub fn new(summaries: Vec<Summary>, clusters: Vec<Cluster>, points: Vec<Point2D>) -> Self {
        let summary_index = summaries
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.conversation_id.is_empty())
            .map(|(i, s)| (s.conversation_id.clone(), i))
            .collect();
        Analysis {
            summaries,
            hierarchy: Hierarchy::new(clusters),
            points,
            stages_done: Vec::new(),
            labels: Labels::default(),
            warnings: Vec::new(),
            needs_run: false,
            marks: Default::default(),
            summary_index,
        }
    }

    /// Loads what is current under the project's settings (`kura.toml`,
    /// the environment) and applies its relabels.
    pub fn load(project: &Project) -> Result<Analysis> {
        Self::load_for_run(
            &project.layout,
            &project.config,
            false,
            &RunOptions::default(),
            &ProcessEnv,
        )
    }

    /// Loads what is current for a run with these settings and options.
    pub fn load_for_run(
        layout: &Layout,
        config: &Config,
        offline: bool,
        options: &RunOptions,
        env: &dyn EnvSource,
    ) -> Result<Analysis> {
        let (plan, settings) = plan::for_project(layout, config, offline, options, env)?;
        let cps = FileCheckpoints::new(layout.checkpoints());
        let mut analysis = Self::load_planned(&cps, &plan, &settings, &layout.labels())?;
        analysis.load_marks(layout, &plan);
        Ok(analysis)
    }

    /// Reads what `kura-tui add` appended and the conversations' dates; a
    /// problem is a warning, never a failure.
    fn load_marks(&mut self, layout: &Layout, plan: &Plan) {
        let digest = plan
            .stage(Stage::Hierarchy)
            .filter(|p| p.status.usable())
            .and_then(|p| p.header.as_ref())
            .map(|h| h.digest.as_str());
        let marks = crate::project::store::Store::open(
            &layout.conversations(),
            &layout.conversations_index(),
        )
        .and_then(|store| {
            crate::grow::marks::Marks::load(layout.root(), &store, digest, &self.hierarchy)
        });
        match marks {
            Ok(m) => self.marks = m,
            Err(e) => self
                .warnings
                .push(format!("added conversations not marked: {e}")),
        }
    }

    /// Loads the stages `plan` finds usable from `cps`.
    pub fn load_planned(
        cps: &dyn CheckpointStore,
        plan: &Plan,
        settings: &Settings,
        labels_path: &Path,
    ) -> Result<Analysis> {
        let mut warnings = plan.warnings();
        let mut done: Vec<Stage> = plan
            .stages
            .iter()
            .filter(|p| p.status.usable())
            .map(|p| p.stage)
            .collect();
        let mut clusters = Vec::new();
        for stage in [Stage::Hierarchy, Stage::Names, Stage::Clusters] {
            if let Some(c) = records(cps, plan, stage, &mut done, &mut warnings)? {
                clusters = c;
                break;
            }
        }
        let points: Vec<Point2D> =
            records(cps, plan, Stage::Projection, &mut done, &mut warnings)?.unwrap_or_default();
        let summaries = match records(cps, plan, Stage::Summaries, &mut done, &mut warnings)? {
            Some(s) => s,
            None => partial_summaries(cps, plan, settings, &mut warnings)?,
        };
        if done.contains(&Stage::Clusters) && !done.contains(&Stage::Names) {
            name_from_partial(cps, plan, &mut clusters, &mut warnings)?;
        }
        let mut analysis = Analysis::new(summaries, clusters, points);
        analysis.stages_done = done;
        analysis.warnings = warnings;
        analysis.needs_run = !plan.is_done();
        analysis.labels = Labels::load(labels_path)?;
        analysis.labels.apply(&mut analysis.hierarchy);
        Ok(analysis)
    }

    pub fn summary(&self, conversation_id: &str) -> Option<&Summary> {
        self.summary_index
            .get(conversation_id)
            .map(|i| &self.summaries[*i])
    }

    /// Store position of a conversation, when its summary is known.
    pub fn position(&self, conversation_id: &str) -> Option<usize> {
        self.summary_index.get(conversation_id).copied()
    }

    /// The error for a project with nothing to show at `root`: clusters
    /// that exist but no longer fit the current settings (the plan's
    /// warnings say why) are not called missing.
    pub fn no_clusters_message(layout: &Layout) -> String {
        let root = layout.root().display();
        let built = [Stage::Clusters, Stage::Names, Stage::Hierarchy]
            .iter()
            .any(|s| {
                layout
                    .checkpoints()
                    .join(format!("{}.jsonl", s.name()))
                    .exists()
            });
        if built {
            format!(
                "{root} has clusters, but they are out of date for its current settings (see the warning above); run `kura-tui run {root}` to rebuild them"
            )
        } else {
            format!("{root} has no clusters yet; run `kura-tui run {root}` first")
        }
    }

    /// True when every stage's results are loaded.
    pub fn is_complete(&self) -> bool {
        Stage::ALL.iter().all(|s| self.stages_done.contains(s))
    }
}

/// The records of a usable stage. A checkpoint that turns unusable between
/// the plan and the read (another process rewrote it) is reported, skipped
/// and taken off `done`.
fn records<T: serde::de::DeserializeOwned>(
    cps: &dyn CheckpointStore,
    plan: &Plan,
    stage: Stage,
    done: &mut Vec<Stage>,
    warnings: &mut Vec<String>,
) -> Result<Option<Vec<T>>> {
    let Some(p) = plan.stage(stage).filter(|p| p.status.usable()) else {
        return Ok(None);
    };
    match checkpoint::read::<T>(cps, stage.name())? {
        Ok((h, records)) if p.header.as_ref().is_some_and(|ph| ph.digest == h.digest) => {
            Ok(Some(records))
        }
        _ => {
            done.retain(|s| *s != stage);
            warnings.push(format!(
                "{} changed while it was being read; not shown",
                p.path.display()
            ));
            Ok(None)
        }
    }
}

/// The partial summaries made under the current settings, placed at their
/// store positions.
fn partial_summaries(
    cps: &dyn CheckpointStore,
    plan: &Plan,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Result<Vec<Summary>> {
    let Some(key) = plan
        .stage(Stage::Summaries)
        .and_then(|p| p.expected.as_ref())
        .map(|e| e.key())
    else {
        return Ok(Vec::new());
    };
    let found = summarise::load_partial(cps, &key, settings.conversations, warnings)?;
    let len = found.keys().next_back().map_or(0, |last| last + 1);
    let mut out = vec![Summary::default(); len];
    for (i, s) in found {
        out[i] = s;
    }
    Ok(out)
}

/// Applies the names saved so far to unnamed base clusters.
fn name_from_partial(
    cps: &dyn CheckpointStore,
    plan: &Plan,
    clusters: &mut [Cluster],
    warnings: &mut Vec<String>,
) -> Result<()> {
    let Some(key) = plan
        .stage(Stage::Names)
        .and_then(|p| p.expected.as_ref())
        .map(|e| e.key())
    else {
        return Ok(());
    };
    let found = naming::load_partial(cps, &key, warnings)?;
    if found.is_empty() {
        return Ok(());
    }
    let names: Vec<naming::GeneratedName> = clusters
        .iter()
        .map(|c| {
            found.get(&c.id).cloned().unwrap_or(naming::GeneratedName {
                name: c.name.clone(),
                description: c.description.clone(),
                slug: c.slug.clone(),
            })
        })
        .collect();
    naming::apply(clusters, &names);
    Ok(())
}
