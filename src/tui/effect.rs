//! What `update` asks of the outside world. Every [`Effect`] carries the
//! data it needs (paths, positions, a snapshot of the analysis), so the
//! runtime carries it out without reading the UI state; results come back
//! as [`super::Msg`]s.

use std::path::PathBuf;
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::error::Result;
use crate::project::Layout;
use crate::project::labels::Labels;
use crate::project::store::Store;

/// Where a project's conversation store lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StorePaths {
    pub data: PathBuf,
    pub index: PathBuf,
}

impl StorePaths {
    pub fn of(layout: &Layout) -> StorePaths {
        StorePaths {
            data: layout.conversations(),
            index: layout.conversations_index(),
        }
    }

    pub fn open(&self) -> Result<Store> {
        Store::open(&self.data, &self.index)
    }
}

/// One cluster to export: the analysis as it was when the user asked
/// (shared, not copied: a rename made meanwhile copies the explorer's
/// analysis instead), the cluster, the output file and the project (whose
/// store holds the conversations).
#[derive(Debug, Clone)]
pub struct ExportJob {
    pub analysis: Arc<Analysis>,
    pub cluster_id: String,
    pub out: PathBuf,
    pub project: Layout,
}

impl ExportJob {
    pub fn store(&self) -> StorePaths {
        StorePaths::of(&self.project)
    }
}

impl PartialEq for ExportJob {
    /// The same snapshot (by identity), cluster and paths.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.analysis, &other.analysis)
            && self.cluster_id == other.cluster_id
            && self.out == other.out
            && self.project == other.project
    }
}

/// Work `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write the labels store now (atomically).
    SaveLabels {
        labels: Labels,
        path: PathBuf,
    },
    /// Export a cluster with its descendants, on a worker, reporting
    /// progress.
    Export(ExportJob),
    /// Read one conversation from the store.
    LoadConversation {
        position: usize,
        store: StorePaths,
    },
    /// Stream the store once on a worker for metadata.
    LoadMetadata {
        store: StorePaths,
    },
    /// Load the analysis from the checkpoints on a worker (after a run;
    /// the runtime was given the loader when it started).
    LoadAnalysis,
    /// Classifier file work, on a worker (see `tui::classify::work`).
    Classify(crate::tui::classify::ClassifyJob),
    /// Ask the pipeline to stop.
    CancelRun,
    /// The answer to the cost confirmation.
    Answer(bool),
    Quit,
}
