//! The braille map: a ratatui `Canvas` with `Marker::Braille`, painted
//! from the explorer's [`Raster`] (which `update` recomputes only when the
//! view, size, selection or filter change). The selected cluster is highlighted and
//! labelled; the rest are coloured by top-level cluster, and a legend names
//! the top-level clusters.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::widgets::canvas::{Canvas, Painter, Shape};

use super::text::{count, truncate, width};
use super::{empty_pane, pane_block};
use crate::tui::explorer::{Explorer, Layer, Raster};
use crate::tui::layout;
use crate::tui::theme::Theme;

/// Dots already on the braille grid.
struct Dots<'a> {
    dots: &'a [(u16, u16)],
    color: Color,
}

impl Shape for Dots<'_> {
    fn draw(&self, painter: &mut Painter) {
        for &(x, y) in self.dots {
            painter.paint(usize::from(x), usize::from(y), self.color);
        }
    }
}

pub fn draw(ex: &Explorer, theme: &Theme, focused: bool, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    if ex.points.bounds.is_none() {
        let block = pane_block(" Map ", focused, theme);
        let message = "No map yet: the projection stage has not run.";
        empty_pane(frame, area, block, message, theme);
        return;
    }
    let (canvas_area, legend_area) = layout::map_canvas(area);
    // `update` keeps the raster for the layout; a frame of another size
    // (a resize not yet seen) rasterises for itself.
    let key = ex.raster_key(canvas_area.width, canvas_area.height);
    let own;
    let raster = match &ex.raster {
        Some(r) if r.key == key => r,
        _ => {
            own = ex.rasterise(key);
            match &own {
                Some(r) => r,
                None => return,
            }
        }
    };
    let zoom = if ex.view.zoom > 1.0 {
        format!(" · zoom {:.1}×", ex.view.zoom)
    } else {
        String::new()
    };
    let title = format!(
        " Map · {} points{zoom} ",
        count(raster.visible_points as u64)
    );
    let block = pane_block(title, focused, theme);
    frame.render_widget(block, area);
    if canvas_area.is_empty() {
        return;
    }
    let rx = f64::from(canvas_area.width) * 2.0 - 1.0;
    let ry = f64::from(canvas_area.height) * 4.0 - 1.0;
    let color_of = |layer: Layer| match layer {
        Layer::Selected => theme.map_highlight,
        Layer::Root(r) if theme.has_palette() => theme.root_color(r as usize),
        Layer::Root(_) => theme.map_dim,
    };
    let canvas = Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([0.0, rx.max(1.0)])
        .y_bounds([0.0, ry.max(1.0)])
        .paint(|ctx| {
            for (layer, dots) in &raster.layers {
                ctx.draw(&Dots {
                    dots,
                    color: color_of(*layer),
                });
            }
        });
    frame.render_widget(canvas, canvas_area);
    if !theme.has_palette() {
        emphasise_selection(raster, frame, canvas_area);
    }
    if let (Some((cx, cy)), Some(c)) = (raster.selected_centre, ex.selected_cluster()) {
        let room = usize::from(canvas_area.width).min(28);
        let text = truncate(&format!("◆ {}", c.name), room);
        let w = width(&text) as u16;
        let x = (canvas_area.x + cx).min(canvas_area.right().saturating_sub(w));
        let y = canvas_area.y + cy.min(canvas_area.height.saturating_sub(1));
        frame.buffer_mut().set_stringn(
            x,
            y,
            &text,
            usize::from(w),
            Style::new().fg(theme.map_highlight).patch(theme.title),
        );
    }
    if !legend_area.is_empty() {
        frame.render_widget(
            Paragraph::new(legend(ex, theme, legend_area.width)),
            legend_area,
        );
    }
}

/// Without colours (the mono theme) the selected cluster's cells are bold
/// and every other dotted cell is dim, so the selection stands out by
/// emphasis alone.
fn emphasise_selection(raster: &Raster, frame: &mut Frame, area: Rect) {
    let selected: std::collections::HashSet<(u16, u16)> = raster
        .layers
        .iter()
        .filter(|(l, _)| *l == Layer::Selected)
        .flat_map(|(_, dots)| dots.iter().map(|&(x, y)| (x / 2, y / 4)))
        .collect();
    let buf = frame.buffer_mut();
    for y in 0..area.height {
        for x in 0..area.width {
            let Some(cell) = buf.cell_mut((area.x + x, area.y + y)) else {
                continue;
            };
            if matches!(cell.symbol(), " " | "\u{2800}") {
                continue;
            }
            let emphasis = if selected.contains(&(x, y)) {
                Modifier::BOLD
            } else {
                Modifier::DIM
            };
            cell.set_style(Style::new().add_modifier(emphasis));
        }
    }
}

/// `■ Billing ■ Coding …`, one swatch per top-level cluster that fits
/// (or per class when colouring by a classifier).
fn legend(ex: &Explorer, theme: &Theme, max: u16) -> Line<'static> {
    if let Some(c) = &ex.classify.colours {
        return super::classify::legend(c, theme, max);
    }
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (rank, &root) in ex.index.roots.iter().enumerate() {
        let Some(c) = ex.cluster(root) else { continue };
        let name = truncate(&c.name, 18);
        let w = width(&name) + 3;
        if used + w > usize::from(max) {
            break;
        }
        let swatch = if theme.has_palette() {
            Style::new().fg(theme.root_color(rank))
        } else {
            theme.dim
        };
        spans.push(Span::styled("■ ", swatch));
        spans.push(Span::styled(name, theme.dim));
        spans.push(Span::raw(" "));
        used += w;
    }
    Line::from(spans)
}
