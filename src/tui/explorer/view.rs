//! What the explorer derives from its choices: the tree's rows (through
//! [`Explorer::with_tree`]), the detail pane, the sort's aggregates and
//! the map's view and raster.

use super::{
    Detail, Explorer, MAX_BARS, NONE, Raster, RasterKey, RowOrder, SortKey, TreeModel,
    distribution, means,
};

impl Explorer {
    /// Runs `f` on the tree model with the current row order, then
    /// brings the detail pane in line with the selection.
    pub fn with_tree<R>(&mut self, f: impl FnOnce(&mut TreeModel, &RowOrder<'_>) -> R) -> R {
        let order = RowOrder {
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
        let out = f(&mut self.tree, &order);
        if self.detail.cluster != self.tree.selected() {
            self.refresh_detail();
        }
        out
    }

    /// Rebuilds the tree's rows after the order changed (sort, filter,
    /// names, aggregates).
    pub fn reorder_tree(&mut self) {
        self.with_tree(|tree, order| tree.rebuild(order));
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

    /// What the map's dots depend on, for a `width`×`height` canvas.
    pub fn raster_key(&self, width: u16, height: u16) -> RasterKey {
        RasterKey {
            width,
            height,
            view: (
                self.view.zoom.to_bits(),
                self.view.cx.to_bits(),
                self.view.cy.to_bits(),
            ),
            selected: self.tree.selected().unwrap_or(NONE),
            filter_generation: self.filter_generation,
            colours: self.classify.colour_generation(),
        }
    }

    /// The map's dots for `key` (`None` without a projection).
    pub fn rasterise(&self, key: RasterKey) -> Option<Raster> {
        let bounds = self.points.bounds?;
        let window = self.view.window(bounds);
        Some(Raster::compute(
            key,
            &self.points,
            &self.index,
            window,
            self.filter.as_ref(),
            self.classify.colour_groups(),
        ))
    }

    /// Recomputes the map's dots if `key` differs from the cached ones.
    pub fn update_raster(&mut self, key: RasterKey) {
        if self.raster.as_ref().is_none_or(|r| r.key != key) {
            self.raster = self.rasterise(key);
        }
    }

    /// Recomputes the detail pane for the selected cluster; a zoomed map
    /// follows a new selection.
    pub fn refresh_detail(&mut self) {
        let cluster = self.tree.selected();
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
            offset: if same { self.detail.offset } else { 0 },
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
            SortKey::Fields(keys) => crate::tui::sort_menu::ranks(self, keys),
            _ => Vec::new(),
        };
    }
}
