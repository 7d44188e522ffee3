//! The results of a run, loaded from a project's checkpoints for the
//! explorer, `tree` and `export`: summaries, the named hierarchy (with the
//! user's relabels applied) and the 2D map. Whatever stages are missing are
//! simply absent, so a partial run can still be explored.

use std::collections::HashMap;

use crate::error::Result;
use crate::model::{Cluster, Hierarchy, Point2D, Summary};
use crate::pipeline::Stage;
use crate::project::Project;
use crate::project::checkpoint::{self, CheckpointStore};
use crate::project::labels::Labels;

/// Everything the explorer shows.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// In store order: `summaries[i]` describes the conversation at store
    /// position `i` (when the stage finished).
    pub summaries: Vec<Summary>,
    pub hierarchy: Hierarchy,
    pub points: Vec<Point2D>,
    /// Stages whose checkpoint exists.
    pub stages_done: Vec<Stage>,
    pub labels: Labels,
    summary_index: HashMap<String, usize>,
}

impl Analysis {
    /// Builds an analysis from parts (tests, the pipeline's in-memory result).
    pub fn new(summaries: Vec<Summary>, clusters: Vec<Cluster>, points: Vec<Point2D>) -> Self {
        let summary_index = summaries
            .iter()
            .enumerate()
            .map(|(i, s)| (s.conversation_id.clone(), i))
            .collect();
        Analysis {
            summaries,
            hierarchy: Hierarchy::new(clusters),
            points,
            stages_done: Vec::new(),
            labels: Labels::default(),
            summary_index,
        }
    }

    /// Loads what a project's checkpoints hold, and applies its relabels.
    pub fn load(project: &Project) -> Result<Analysis> {
        let cps = project.checkpoints();
        Self::load_from(&cps, &project.layout.labels())
    }

    pub fn load_from(cps: &dyn CheckpointStore, labels_path: &std::path::Path) -> Result<Analysis> {
        let mut done = Vec::new();
        let summaries: Vec<Summary> = match checkpoint::load(cps, Stage::Summaries.name(), None)? {
            Some(s) => {
                done.push(Stage::Summaries);
                s
            }
            None => checkpoint::load_partial(cps, Stage::Summaries.name())?,
        };
        for stage in [Stage::Embeddings, Stage::Clusters, Stage::Names] {
            if checkpoint::header(cps, stage.name())?.is_some() {
                done.push(stage);
            }
        }
        let mut clusters: Vec<Cluster> = Vec::new();
        for stage in [Stage::Hierarchy, Stage::Names, Stage::Clusters] {
            if let Some(c) = checkpoint::load(cps, stage.name(), None)? {
                if stage == Stage::Hierarchy {
                    done.push(stage);
                }
                clusters = c;
                break;
            }
        }
        let points: Vec<Point2D> = match checkpoint::load(cps, Stage::Projection.name(), None)? {
            Some(p) => {
                done.push(Stage::Projection);
                p
            }
            None => Vec::new(),
        };
        let mut analysis = Analysis::new(summaries, clusters, points);
        analysis.stages_done = done;
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

    /// True when every stage has its checkpoint.
    pub fn is_complete(&self) -> bool {
        Stage::ALL.iter().all(|s| self.stages_done.contains(s))
    }
}
