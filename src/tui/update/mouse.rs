//! Mouse clicks and wheel: select in the tree, the map and the detail list;
//! scroll whatever is under the pointer (the wheel zooms the map).

use ratatui::layout::{Position, Rect};

use super::viewer::open_viewer;
use super::{Env, Out};
use crate::tui::explorer::{Explorer, NONE, Pane};
use crate::tui::layout;

pub(super) fn click(ex: &mut Explorer, env: &Env, column: u16, row: u16, out: &mut Out) {
    let at = Position::new(column, row);
    let size = env.size;
    let areas = layout::explorer(Rect::new(0, 0, size.0, size.1), ex);
    if ex.prompt.is_some() {
        return;
    }
    if ex.viewer.is_some() {
        if !areas.viewer.contains(at) {
            ex.viewer = None;
        }
        return;
    }
    if areas.tree.contains(at) {
        ex.focus = Pane::Tree;
        let inner = layout::inner(areas.tree);
        if !inner.contains(at) {
            return;
        }
        let r = ex.tree.offset() + usize::from(row - inner.y);
        let Some(target) = ex.tree.rows().get(r).copied() else {
            return;
        };
        // A click selects; a click on the selection opens or closes it.
        let again = ex.selected() == Some(target.cluster);
        ex.with_tree(|tree, order| {
            if !again {
                tree.select(target.cluster)
            } else {
                target.has_children && tree.toggle(target.cluster, order)
            }
        });
    } else if areas.map.contains(at) {
        ex.focus = Pane::Map;
        let inner = layout::inner(areas.map);
        if let Some(c) = map_cluster_at(ex, inner, at) {
            ex.with_tree(|tree, order| tree.reveal(c, order));
        }
    } else if areas.detail.contains(at) {
        ex.focus = Pane::Detail;
        let d = layout::detail(areas.detail, &ex.detail.distributions);
        if d.list.contains(at) {
            // The list's first line is its heading.
            let line = usize::from(row - d.list.y);
            if line == 0 {
                return;
            }
            let i = ex.detail.offset + line - 1;
            if i < ex.detail.conversations.len() {
                if ex.detail.cursor == i {
                    open_viewer(ex, i, env, out);
                } else {
                    ex.detail.cursor = i;
                }
            }
        }
    }
}

/// The base cluster of the point nearest the clicked cell.
fn map_cluster_at(ex: &Explorer, inner: Rect, at: Position) -> Option<u32> {
    let bounds = ex.points.bounds?;
    if !inner.contains(at) || inner.width == 0 || inner.height == 0 {
        return None;
    }
    let w = ex.view.window(bounds);
    let fx = (f64::from(at.x - inner.x) + 0.5) / f64::from(inner.width);
    let fy = (f64::from(at.y - inner.y) + 0.5) / f64::from(inner.height);
    let x = w.x0 + fx * w.width();
    let y = w.y1 - fy * w.height();
    let filter = ex.filter.as_ref();
    let i = ex.points.nearest(x, y, |i| {
        ex.points.base[i] != NONE && filter.is_none_or(|f| f.accepts(ex.points.pos[i]))
    })?;
    Some(ex.points.base[i])
}

pub(super) fn scroll(ex: &mut Explorer, size: (u16, u16), column: u16, row: u16, delta: isize) {
    let at = Position::new(column, row);
    let areas = layout::explorer(Rect::new(0, 0, size.0, size.1), ex);
    if let Some(v) = ex.viewer.as_mut() {
        if areas.viewer.contains(at) {
            let max = v.fit.max_scroll;
            v.scroll = (v.scroll as isize + delta).clamp(0, max.min(isize::MAX as usize) as isize)
                as usize;
        }
        return;
    }
    if ex.prompt.is_some() {
        return;
    }
    if areas.tree.contains(at) {
        ex.with_tree(|tree, _| tree.step(delta));
    } else if areas.map.contains(at) {
        ex.view.zoom_by(if delta < 0 { 1.25 } else { 0.8 });
    } else if areas.detail.contains(at) {
        let n = ex.detail.conversations.len();
        let cur = ex.detail.cursor as isize + delta;
        ex.detail.cursor = cur.clamp(0, n.saturating_sub(1) as isize) as usize;
    }
}
