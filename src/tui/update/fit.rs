//! Fits the explorer to the layout after every message: the tree's and
//! the detail list's first rows in view (moving as little as needed to
//! show the cursor), the viewer's page size and scroll limit, and the
//! map's raster. Panes not on screen keep what they had, as they did when
//! the renderer kept these.

use ratatui::layout::Rect;

use crate::tui::explorer::{Explorer, FitKey, ViewerFit};
use crate::tui::layout;
use crate::tui::theme::Theme;
use crate::tui::ui;

pub(super) fn fit(ex: &mut Explorer, theme: &Theme, size: (u16, u16)) {
    let areas = layout::explorer(Rect::new(0, 0, size.0, size.1), ex);

    let tree = layout::inner(areas.tree);
    if !tree.is_empty() && !ex.tree.rows().is_empty() {
        ex.tree.scroll_into_view(usize::from(tree.height));
    }

    if !areas.detail.is_empty() && ex.selected_cluster().is_some() {
        let list = layout::detail(areas.detail, &ex.detail.distributions).list;
        if list.height > 0 {
            // The list's first line is its heading.
            let rows = usize::from(list.height - 1);
            let d = &mut ex.detail;
            d.offset = layout::list_offset(d.offset, d.cursor, d.conversations.len(), rows);
        }
    }

    if !areas.map.is_empty() && ex.points.bounds.is_some() {
        let (canvas, _) = layout::map_canvas(areas.map);
        ex.update_raster(ex.raster_key(canvas.width, canvas.height));
    }

    let inner = layout::inner(areas.viewer);
    if let Some(v) = &ex.viewer
        && !areas.viewer.is_empty()
        && !inner.is_empty()
    {
        let key = FitKey {
            width: inner.width,
            height: inner.height,
            loaded: v.conversation.is_some(),
            failed: v.error.is_some(),
        };
        if v.fit.key != Some(key) {
            let lines = ui::viewer::text(ex, v, theme, inner.width).len();
            let rows = usize::from(inner.height);
            let fit = ViewerFit {
                key: Some(key),
                max_scroll: lines.saturating_sub(rows),
                page: rows.saturating_sub(1).max(1),
            };
            if let Some(v) = ex.viewer.as_mut() {
                v.scroll = v.scroll.min(fit.max_scroll);
                v.fit = fit;
            }
        }
    }
}
