//! The explorer's state: the analysis, the indexes built over it when the
//! explorer opens, and everything the user has chosen (selection, sort,
//! filter, map view, open overlays, undo history).

mod columns;
mod index;
mod map;
mod overlays;
mod search;
mod stats;
mod tree;

use std::cell::RefCell;
use std::sync::Arc;

use tui_tree_widget::TreeState;

pub use columns::{Column, ColumnBuilder, MetaTable, MetadataBuilder, Source, facet_columns};
pub use index::{ClusterIndex, NONE};
pub use map::{Layer, MapPoints, MapView, Raster, RasterKey, Window};
pub use overlays::{Detail, Prompt, Viewer, matching_options};
pub use search::{Hit, MIN_SUMMARY_QUERY, SearchResults, SearchText};
pub use stats::{Distribution, Filter, FilterOption, distribution, filter_options, means};
pub use tree::{Ordering, Row, SortKey, TreeModel};

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

/// Bars per distribution in the detail pane.
pub const MAX_BARS: usize = 6;

/// Everything the explorer screen shows and remembers.
#[derive(Debug)]
pub struct Explorer {
    pub analysis: Analysis,
    pub title: String,
    pub index: ClusterIndex,
    pub points: MapPoints,
    /// Facet columns, then metadata columns once loaded.
    pub columns: Vec<Column>,
    pub metadata: MetaStatus,
    /// Conversations per cluster as the hierarchy counts them.
    pub sizes: Vec<u32>,
    pub tree: TreeModel,
    /// The tree widget's scroll state (a render cache, kept in sync with
    /// `tree` by the renderer).
    pub tree_view: RefCell<TreeState<String>>,
    pub focus: Pane,
    pub sort: SortKey,
    /// Per-cluster means for a `SortKey::Mean` sort.
    pub aggregates: Vec<Option<f64>>,
    pub filter: Option<Filter>,
    /// Bumped whenever the filter changes (invalidates the raster).
    pub filter_generation: u64,
    pub view: MapView,
    pub raster: RefCell<Option<Raster>>,
    pub detail: Detail,
    pub viewer: Option<Viewer>,
    pub prompt: Option<Prompt>,
    pub undo: Vec<UndoEntry>,
    /// Shown above the panes (an incomplete analysis).
    pub banner: Option<String>,
    pub search_text: Option<SearchText>,
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
            tree_view: RefCell::new(TreeState::default()),
            focus: Pane::Tree,
            sort: SortKey::Size,
            aggregates: Vec::new(),
            filter: None,
            filter_generation: 0,
            view: MapView::default(),
            raster: RefCell::new(None),
            detail: Detail::default(),
            viewer: None,
            prompt: None,
            undo: Vec::new(),
            banner,
            search_text,
            analysis,
        };
        ex.refresh_tree();
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
        self.tree.selected
    }

    pub fn selected_cluster(&self) -> Option<&Cluster> {
        self.selected().and_then(|c| self.cluster(c))
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Recomputes the visible rows; refreshes the detail pane if the
    /// selection moved.
    pub fn refresh_tree(&mut self) {
        let ordering = Ordering {
            index: &self.index,
            hierarchy: &self.analysis.hierarchy,
            sort: &self.sort,
            counts: match &self.filter {
                Some(f) => &f.counts,
                None => &self.sizes,
            },
            hide_empty: self.filter.is_some(),
            aggregates: &self.aggregates,
        };
        self.tree.rebuild(&ordering);
        if self.detail.cluster != self.tree.selected {
            self.refresh_detail();
        }
    }

    /// Moves a zoomed map so the selected cluster's points are in the
    /// middle (the map follows the selection).
    pub fn centre_map_on_selection(&mut self) {
        if let Some((fx, fy)) = self
            .selected()
            .and_then(|c| self.points.centre_of(&self.index, c))
        {
            self.view.centre_on(fx, fy);
        }
    }

    /// Recomputes the detail pane for the selected cluster; a zoomed map
    /// follows a new selection.
    pub fn refresh_detail(&mut self) {
        let cluster = self.tree.selected;
        let members = cluster.map(|c| self.index.members_of(c)).unwrap_or(&[]);
        let conversations: Vec<u32> = match &self.filter {
            Some(f) => members.iter().copied().filter(|&p| f.accepts(p)).collect(),
            None => members.to_vec(),
        };
        let distributions = self
            .columns
            .iter()
            .filter_map(|col| distribution(col, &conversations, MAX_BARS))
            .collect();
        let same = self.detail.cluster == cluster;
        if !same && self.view.zoom > 1.0 {
            self.centre_map_on_selection();
        }
        let cursor = if same { self.detail.cursor } else { 0 };
        self.detail = Detail {
            cluster,
            cursor: cursor.min(conversations.len().saturating_sub(1)),
            conversations,
            distributions,
            offset: std::cell::Cell::new(if same { self.detail.offset.get() } else { 0 }),
        };
    }

    /// Recomputes the sort's aggregates (after the sort, filter or columns
    /// change).
    pub fn refresh_aggregates(&mut self) {
        self.aggregates = match &self.sort {
            SortKey::Mean(name) => match self.column(name) {
                Some(col) => means(
                    col,
                    &self.index,
                    self.filter.as_ref().map(|f| f.mask.as_slice()),
                ),
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
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
        self.refresh_tree();
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
