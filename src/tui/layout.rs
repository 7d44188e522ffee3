//! Where each pane goes for a given terminal size, and the scroll offsets
//! that keep a cursor in view. Pure, so `draw` and `update` (which keeps
//! offsets, page sizes and the map raster in step with the layout) agree.

use ratatui::layout::{Constraint, Layout, Rect};

use super::explorer::{Distribution, Explorer, MAX_BARS, Pane};

/// Below this the explorer shows a "too small" notice instead of panes.
pub const MIN_WIDTH: u16 = 30;
pub const MIN_HEIGHT: u16 = 8;

/// The explorer's areas. Empty rectangles are not drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub banner: Rect,
    pub tree: Rect,
    pub map: Rect,
    pub detail: Rect,
    /// Where the conversation viewer goes when open.
    pub viewer: Rect,
    /// Where search and filter popups go.
    pub popup: Rect,
    pub bar: Rect,
    /// Everything above the bar.
    pub body: Rect,
}

/// Splits off the bottom key bar.
pub fn with_bar(area: Rect) -> (Rect, Rect) {
    if area.height < 2 {
        return (area, Rect::new(area.x, area.y, area.width, 0));
    }
    let [body, bar] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    (body, bar)
}

/// Lays out the explorer in `area`.
pub fn explorer(area: Rect, ex: &Explorer) -> Areas {
    let (mut body, bar) = with_bar(area);
    let mut out = Areas {
        bar,
        ..Default::default()
    };
    if ex.banner.is_some() && body.height >= 10 {
        let [b, rest] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
        out.banner = b;
        body = rest;
    }
    out.body = body;
    if body.width < MIN_WIDTH || body.height < MIN_HEIGHT {
        return out;
    }
    let narrow = body.width < 70;
    if narrow {
        // One pane at a time, the focused one.
        match ex.focus {
            Pane::Tree => out.tree = body,
            Pane::Map => out.map = body,
            Pane::Detail => out.detail = body,
        }
        out.viewer = body;
    } else {
        let tree_w = (body.width * 2 / 5).clamp(28, 60);
        let [tree, right] =
            Layout::horizontal([Constraint::Length(tree_w), Constraint::Fill(1)]).areas(body);
        out.tree = tree;
        if right.height < 16 {
            if ex.focus == Pane::Map {
                out.map = right;
            } else {
                out.detail = right;
            }
        } else {
            let map_h = (right.height * 9 / 20).max(8);
            let [map, detail] =
                Layout::vertical([Constraint::Length(map_h), Constraint::Fill(1)]).areas(right);
            out.map = map;
            out.detail = detail;
        }
        out.viewer = if body.width >= 100 { right } else { body };
    }
    out.popup = centered(
        body,
        body.width.saturating_sub(4).min(76),
        body.height.saturating_sub(2).min(22),
    );
    out
}

/// A `width`×`height` rectangle centred in `area` (clipped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The inside of a bordered block.
pub fn inner(area: Rect) -> Rect {
    Rect::new(
        area.x.saturating_add(1),
        area.y.saturating_add(1),
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}

/// How the detail pane splits: header lines, charts, conversation list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DetailAreas {
    pub header: Rect,
    pub charts: Rect,
    pub list: Rect,
    pub plan: ChartPlan,
}

/// Lines of header the detail pane uses (name, path/stats, description).
pub const DETAIL_HEADER: u16 = 3;
/// Width of one chart column.
pub const CHART_WIDTH: u16 = 30;

/// How the distributions are laid out: a grid of blocks, each a title line
/// and up to `bars` bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChartPlan {
    pub columns: u16,
    pub bars: usize,
    pub blocks: usize,
    pub height: u16,
}

/// Fits as many distributions, with as many bars, as `budget` lines allow.
pub fn chart_plan(dists: &[Distribution], width: u16, budget: u16) -> ChartPlan {
    if dists.is_empty() || budget < 2 || width < 10 {
        return ChartPlan::default();
    }
    let columns = (width / CHART_WIDTH).clamp(1, dists.len() as u16);
    let height = |blocks: usize, bars: usize| -> u16 {
        dists[..blocks]
            .chunks(usize::from(columns))
            .map(|row| {
                1 + row
                    .iter()
                    .map(|d| d.bars.len().min(bars))
                    .max()
                    .unwrap_or(0) as u16
            })
            .sum()
    };
    for bars in (1..=MAX_BARS).rev() {
        let h = height(dists.len(), bars);
        if h <= budget {
            return ChartPlan {
                columns,
                bars,
                blocks: dists.len(),
                height: h,
            };
        }
    }
    let mut blocks = 0;
    while blocks < dists.len() {
        let next = (blocks + usize::from(columns)).min(dists.len());
        if height(next, 1) > budget {
            break;
        }
        blocks = next;
    }
    ChartPlan {
        columns,
        bars: 1,
        blocks,
        height: height(blocks, 1),
    }
}

/// Splits the detail pane (including its border) for `dists`.
pub fn detail(area: Rect, dists: &[Distribution]) -> DetailAreas {
    let inside = inner(area);
    let header_h = DETAIL_HEADER.min(inside.height);
    let rest = inside.height - header_h;
    // The list keeps at least 30% of the rest (and 3 lines).
    let list_min = (rest * 3 / 10).max(3).min(rest);
    let plan = chart_plan(dists, inside.width, rest - list_min);
    let [header, charts, list] = Layout::vertical([
        Constraint::Length(header_h),
        Constraint::Length(plan.height),
        Constraint::Fill(1),
    ])
    .areas(inside);
    DetailAreas {
        header,
        charts,
        list,
        plan,
    }
}

/// The map pane's canvas and, when there is room, its legend line.
pub fn map_canvas(area: Rect) -> (Rect, Rect) {
    let inside = inner(area);
    let legend_h = u16::from(inside.height >= 6);
    let canvas = Rect::new(inside.x, inside.y, inside.width, inside.height - legend_h);
    let legend = Rect::new(inside.x, inside.bottom() - legend_h, inside.width, legend_h);
    (canvas, legend)
}

/// The first row of a `rows`-high list of `len` items that shows `cursor`,
/// moving as little as possible from `offset` and never leaving the last
/// page part empty.
pub fn list_offset(offset: usize, cursor: usize, len: usize, rows: usize) -> usize {
    let cursor = cursor.min(len.saturating_sub(1));
    let mut offset = offset;
    if cursor < offset {
        offset = cursor;
    } else if rows > 0 && cursor >= offset + rows {
        offset = cursor + 1 - rows;
    }
    offset.min(len.saturating_sub(rows.max(1)))
}
