//! `draw(&State, &mut Frame)`: renders the state, one function per pane or
//! overlay. Drawing only reads: scroll offsets, page sizes and the map's
//! raster are kept in step with the layout by `update`.

mod bars;
pub(crate) mod classify;
mod detail_pane;
pub(crate) mod help;
mod map_pane;
mod popups;
mod run_screen;
pub mod text;
mod tree_pane;
pub(crate) mod viewer;
mod volume;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::explorer::{Explorer, Pane, Prompt};
use super::layout;
use super::state::{Screen, State};
use super::theme::Theme;

/// Draws the whole UI.
pub fn draw(state: &State, frame: &mut Frame) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    match &state.screen {
        Screen::Confirm(c) => run_screen::confirm(c, state, frame, area),
        Screen::Run(run) => run_screen::draw(run, state, frame, area),
        Screen::Explorer(ex) => explorer(ex, state, frame, area),
    }
    if let Some(scroll) = state.help {
        help::draw(state, scroll, frame, area);
    }
    bars::toast(state, frame, area);
}

fn explorer(ex: &Explorer, state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let areas = layout::explorer(area, ex);
    if let Some(banner) = &ex.banner
        && !areas.banner.is_empty()
    {
        bars::banner(banner, theme, frame, areas.banner);
    }
    if areas.tree.is_empty() && areas.map.is_empty() && areas.detail.is_empty() {
        too_small(theme, frame, areas.body);
    }
    let overlay = ex.viewer.is_some();
    tree_pane::draw(
        ex,
        theme,
        ex.focus == Pane::Tree && !overlay,
        frame,
        areas.tree,
    );
    map_pane::draw(
        ex,
        theme,
        ex.focus == Pane::Map && !overlay,
        frame,
        areas.map,
    );
    detail_pane::draw(
        ex,
        theme,
        ex.focus == Pane::Detail && !overlay,
        frame,
        areas.detail,
    );
    if let Some(v) = &ex.viewer
        && !areas.viewer.is_empty()
    {
        viewer::draw(ex, v, theme, frame, areas.viewer);
    }
    match &ex.prompt {
        Some(Prompt::Rename { cluster, editor }) => {
            popups::rename(ex, *cluster, editor, theme, frame, areas.tree)
        }
        Some(p @ Prompt::Search { .. }) => popups::search(ex, p, theme, frame, areas.popup),
        Some(p @ Prompt::Filter { .. }) => popups::filter(p, theme, frame, areas.popup),
        None => {}
    }
    classify::draw(ex, theme, frame, area);
    bars::hints(state, frame, areas.bar);
}

fn too_small(theme: &Theme, frame: &mut Frame, area: Rect) {
    let msg = format!(
        "Terminal too small: make it at least {}×{}",
        layout::MIN_WIDTH,
        layout::MIN_HEIGHT + 2
    );
    frame.render_widget(
        Paragraph::new(msg)
            .style(theme.warn)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// A bordered block with a title, highlighted when focused.
pub(crate) fn pane_block<'a>(
    title: impl Into<Line<'a>>,
    focused: bool,
    theme: &Theme,
) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .title(
            title
                .into()
                .style(if focused { theme.title } else { theme.text }),
        )
}

/// A pane with nothing to show: `block` around a dim, wrapped `message`.
pub(crate) fn empty_pane(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    message: &str,
    theme: &Theme,
) {
    frame.render_widget(
        Paragraph::new(message)
            .style(theme.dim)
            .wrap(Wrap { trim: true })
            .block(block),
        area,
    );
}

/// Clears `area` and draws a focused frame titled `title` for a dialog;
/// returns the area inside it, or `None` when `area` is too small to use.
pub(crate) fn dialog<'a>(
    frame: &mut Frame,
    area: Rect,
    title: impl Into<Line<'a>>,
    theme: &Theme,
) -> Option<Rect> {
    if area.height < 3 || area.width < 10 {
        return None;
    }
    frame.render_widget(Clear, area);
    frame.render_widget(pane_block(title, true, theme), area);
    Some(layout::inner(area))
}
