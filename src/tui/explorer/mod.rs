//! The explorer's state: the analysis, the indexes built over it when the
//! explorer opens, and everything the user has chosen (selection, sort,
//! filter, map view, open overlays, undo history).

mod columns;
mod index;
mod map;
mod order;
mod overlays;
mod search;
mod stats;
mod tree;
mod view;

use std::sync::Arc;

pub use columns::{Column, ColumnBuilder, MetaTable, MetadataBuilder, Source, facet_columns};
pub use index::{ClusterIndex, NONE};
pub use map::{Layer, MapPoints, MapView, Raster, RasterKey, Window};
pub use order::{RowOrder, SortKey};
pub use overlays::{Detail, FitKey, Prompt, Viewer, ViewerFit, matching_options};
pub use search::{Hit, MIN_SUMMARY_QUERY, SearchResults, SearchText};
pub use stats::{Distribution, Filter, FilterOption, distribution, filter_options, means};
pub use tree::{Row, TreeModel, tree_offset};

use crate::analysis::Analysis;
use crate::model::Cluster;
use crate::pipeline::Stage;
use crate::project::labels::Relabel;

/// The explorer's panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    Map,
    Detail,
}

impl Pane {
    pub fn next(self) -> Pane {
        match self {
            Pane::Tree => Pane::Map,
            Pane::Map => Pane::Detail,
            Pane::Detail => Pane::Tree,
        }
    }

    pub fn prev(self) -> Pane {
        self.next().next()
    }
}

/// One rename, remembered for undo.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoEntry {
    pub cluster_id: String,
    pub previous_name: String,
    pub previous_relabel: Option<Relabel>,
}

/// Where the conversations' metadata stands.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaStatus {
    NotLoaded,
    Loading,
    Loaded(usize),
    Failed(String),
}

/// How far a running export has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// Bars per distribution in the detail pane.
pub const MAX_BARS: usize = 6;

/// Everything the explorer screen shows and remembers.
#[derive(Debug)]
pub struct Explorer {
    /// Shared with a running export, which keeps the snapshot it started
    /// on (changes go through [`Explorer::analysis_mut`]).
    pub analysis: Arc<Analysis>,
    pub title: String,
    pub index: ClusterIndex,
    pub points: MapPoints,
    /// Facet columns, then metadata columns once loaded.
    pub columns: Vec<Column>,
    pub metadata: MetaStatus,
    /// Conversations per cluster as the hierarchy counts them.
    pub sizes: Vec<u32>,
    pub tree: TreeModel,
    pub focus: Pane,
    pub sort: SortKey,
    /// Per-cluster means for a `SortKey::Mean` sort.
    pub aggregates: Vec<Option<f64>>,
    pub filter: Option<Filter>,
    /// Bumped whenever the filter changes (invalidates the raster).
    pub filter_generation: u64,
    pub view: MapView,
    /// The map's dots for the current view, size, selection and filter
    /// (computed by `update`, read by `draw`).
    pub raster: Option<Raster>,
    pub detail: Detail,
    pub viewer: Option<Viewer>,
    pub prompt: Option<Prompt>,
    pub undo: Vec<UndoEntry>,
    /// The export under way, if any (one at a time).
    pub export: Option<Progress>,
    /// Shown above the panes (an incomplete analysis).
    pub banner: Option<String>,
    pub search_text: Option<SearchText>,
    /// The classifier tools and their overlays.
    pub classify: crate::tui::classify::ClassifyUi,
}

impl Explorer {
    /// Indexes `analysis` for exploring. `title` names the project.
    pub fn new(analysis: Analysis, title: impl Into<String>) -> Explorer {
        let index = ClusterIndex::build(&analysis);
        let points = MapPoints::build(&analysis, &index);
        let columns = facet_columns(&analysis.summaries);
        let sizes = analysis
            .hierarchy
            .clusters()
            .iter()
            .map(|c| c.count as u32)
            .collect();
        let banner = incomplete_banner(&analysis);
        let search_text = Some(SearchText::build(&analysis));
        let mut ex = Explorer {
            title: title.into(),
            index,
            points,
            columns,
            metadata: MetaStatus::NotLoaded,
            sizes,
            tree: TreeModel::default(),
            focus: Pane::Tree,
            sort: SortKey::Size,
            aggregates: Vec::new(),
            filter: None,
            filter_generation: 0,
            view: MapView::default(),
            raster: None,
            detail: Detail::default(),
            viewer: None,
            prompt: None,
            undo: Vec::new(),
            export: None,
            banner,
            search_text,
            classify: Default::default(),
            analysis: Arc::new(analysis),
        };
        ex.reorder_tree();
        ex
    }

    /// Conversations counted per cluster: matching ones under a filter.
    pub fn counts(&self) -> &[u32] {
        match &self.filter {
            Some(f) => &f.counts,
            None => &self.sizes,
        }
    }

    pub fn count(&self, c: u32) -> u32 {
        self.counts().get(c as usize).copied().unwrap_or(0)
    }

    pub fn cluster(&self, c: u32) -> Option<&Cluster> {
        self.analysis.hierarchy.clusters().get(c as usize)
    }

    pub fn selected(&self) -> Option<u32> {
        self.tree.selected()
    }

    /// The analysis, to change (copied first if an export still reads
    /// the current one).
    pub fn analysis_mut(&mut self) -> &mut Analysis {
        Arc::make_mut(&mut self.analysis)
    }

    pub fn selected_cluster(&self) -> Option<&Cluster> {
        self.selected().and_then(|c| self.cluster(c))
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The sorts `s` cycles through: size, name, then the mean of every
    /// numeric column.
    pub fn sort_keys(&self) -> Vec<SortKey> {
        let mut keys = vec![SortKey::Size, SortKey::Name];
        keys.extend(
            self.columns
                .iter()
                .filter(|c| c.is_numeric())
                .map(|c| SortKey::Mean(c.name.clone())),
        );
        keys
    }

    /// Adds the metadata columns the background loader built.
    pub fn add_metadata(&mut self, table: Arc<MetaTable>) {
        self.columns.retain(|c| c.source != Source::Metadata);
        self.columns.extend(table.columns.iter().cloned());
        self.metadata = MetaStatus::Loaded(table.rows);
        self.refresh_aggregates();
        self.reorder_tree();
        self.refresh_detail();
    }

    /// The store positions `n`/`p` walk for a viewer opened on `cluster`.
    pub fn list_of(&self, cluster: Option<u32>) -> Vec<u32> {
        let members = cluster.map(|c| self.index.members_of(c)).unwrap_or(&[]);
        match &self.filter {
            Some(f) => members.iter().copied().filter(|&p| f.accepts(p)).collect(),
            None => members.to_vec(),
        }
    }
}

fn incomplete_banner(analysis: &Analysis) -> Option<String> {
    if let Some(first) = analysis.warnings.first() {
        let more = analysis.warnings.len() - 1;
        let more = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        let hint = if analysis.needs_run {
            " Run again to bring the results up to date."
        } else {
            ""
        };
        return Some(format!("{first}{more}.{hint}"));
    }
    if analysis.is_complete() {
        return None;
    }
    let missing: Vec<&str> = Stage::ALL
        .iter()
        .filter(|s| !analysis.stages_done.contains(s))
        .map(|s| s.name())
        .collect();
    Some(format!(
        "Incomplete analysis: {} not finished. Showing what is done; run again to finish.",
        missing.join(", ")
    ))
}
