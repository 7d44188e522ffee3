//! The `?` help overlay: every binding of the screen's contexts, generated
//! from the keymap (so configured overrides show up here too).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::pane_block;
use super::text::{fit, truncate};
use crate::tui::keymap::Context;
use crate::tui::layout;
use crate::tui::state::{Screen, State};

/// Where the help box goes in `area`.
fn help_rect(area: Rect) -> Rect {
    let w = area.width.saturating_sub(4).min(78);
    let h = area.height.saturating_sub(2);
    layout::centered(area, w, h)
}

/// The largest useful scroll of the help in `area`.
pub(crate) fn max_scroll(state: &State, area: Rect) -> usize {
    let inner = layout::inner(help_rect(area));
    let lines = lines(state, usize::from(inner.width)).len();
    lines.saturating_sub(usize::from(inner.height))
}

pub fn draw(state: &State, scroll: usize, frame: &mut Frame, area: Rect) {
    let rect = help_rect(area);
    if rect.width < 10 || rect.height < 3 {
        return;
    }
    let theme = &state.theme;
    frame.render_widget(Clear, rect);
    let inner = layout::inner(rect);
    let lines = lines(state, usize::from(inner.width));
    let rows = usize::from(inner.height);
    let max = lines.len().saturating_sub(rows);
    let scroll = scroll.min(max);
    let title = if max > 0 {
        " Help · ↑↓ scroll · Esc close "
    } else {
        " Help · Esc close "
    };
    frame.render_widget(pane_block(title, true, theme), rect);
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// Every binding of the screen's contexts, `iw` columns wide.
fn lines(state: &State, iw: usize) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let contexts: &[(Context, &str)] = match state.screen {
        Screen::Explorer(_) => &[
            (Context::Global, "Everywhere in the explorer"),
            (Context::Tree, "Cluster tree"),
            (Context::Map, "Map"),
            (Context::Detail, "Detail pane"),
            (Context::Viewer, "Conversation viewer"),
            (Context::Prompt, "Rename, search and filter prompts"),
            (Context::Label, "Labelling a classifier's conversations"),
            (Context::Menu, "Classifier picker, sort menu, eval history"),
        ],
        Screen::Run(_) => &[(Context::Run, "Run screen")],
        Screen::Confirm(_) => &[(Context::Confirm, "Confirmation")],
    };
    let key_w = 16.min(iw / 3);
    let mut lines: Vec<Line> = Vec::new();
    for (ctx, heading) in contexts {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(heading.to_string(), theme.accent));
        for (keys, command) in state.keymap.bindings_of(*ctx) {
            let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            lines.push(Line::from(vec![
                Span::styled(fit(&format!("  {}", keys.join(" ")), key_w), theme.key),
                Span::raw(" "),
                Span::styled(
                    truncate(command.describe(), iw.saturating_sub(key_w + 1)),
                    theme.text,
                ),
            ]));
        }
        if *ctx == Context::Prompt {
            lines.push(Line::from(vec![
                Span::styled(fit("  (other keys)", key_w), theme.key),
                Span::raw(" "),
                Span::styled("Type text", theme.text),
            ]));
        }
    }
    lines
}
