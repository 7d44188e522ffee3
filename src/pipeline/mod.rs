//! The analysis pipeline: summaries → embeddings → clusters → names →
//! hierarchy → 2D map. Stages report through [`events`]; nothing here knows
//! about the terminal.

mod cached;
mod cancel;
pub mod clusters;
pub mod concurrent;
pub mod embeddings;
pub mod estimate;
pub mod events;
mod failures;
pub mod hierarchy;
mod hierarchy_chains;
mod hierarchy_dominance;
pub mod hierarchy_llm;
mod hierarchy_repeats;
pub mod llm_models;
pub mod models;
pub mod naming;
pub mod plan;
mod progress;
pub mod projection;
pub mod prompts;
pub mod run_log;
pub mod runner;
mod session;
mod stage;
pub mod summarise;
pub mod truncate;

pub use cancel::Cancel;
pub use events::{Event, EventReceiver, EventSender, LogLevel, Outcome};
pub use failures::Failures;
pub use progress::{RunProgress, StageProgress};
pub use runner::{Models, RunOptions, RunOutput, run};
pub use session::run_project;
pub use stage::Stage;

use std::sync::Arc;

use crate::project::checkpoint::CheckpointStore;

/// What the naming and hierarchy stages read of the run besides their
/// own inputs: the summaries, their embeddings (a row per summary) and the
/// run's seed.
#[derive(Clone, Copy)]
pub struct Corpus<'a> {
    pub summaries: &'a [crate::model::Summary],
    pub embeddings: &'a ndarray::Array2<f32>,
    pub seed: u64,
}

/// What every stage needs besides its inputs.
#[derive(Clone)]
pub struct StageCtx {
    pub cps: Arc<dyn CheckpointStore>,
    pub events: EventSender,
    pub cancel: Cancel,
    /// Work items in flight at once.
    pub concurrency: usize,
    /// Neighbour searches over the run's embeddings, shared by the stages
    /// that need them (HDBSCAN's 5-d UMAP and the 2-d map). One per run.
    pub knn: crate::cluster::KnnMemo,
}
