//! The bottom bar (the keys that work in the current context, from the
//! keymap's inverse, and the status on the right), the banner line and
//! toasts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::text::{count, truncate, width};
use crate::tui::explorer::MetaStatus;
use crate::tui::keymap::hint_groups;
use crate::tui::state::{Screen, State, ToastKind};
use crate::tui::theme::Theme;

/// `↑↓ move  Enter expand  / search …` for the current context.
pub fn hint_spans(state: &State, max: usize) -> Vec<Span<'static>> {
    let ctx = state.context();
    let mut spans = Vec::new();
    let mut used = 0;
    for group in hint_groups(ctx) {
        let keys: Vec<String> = group
            .iter()
            .filter_map(|c| {
                state
                    .keymap
                    .keys_for(ctx, *c)
                    .first()
                    .map(|k| k.to_string())
            })
            .collect();
        let Some(first) = group.first() else { continue };
        if keys.is_empty() {
            continue;
        }
        // Arrows read well run together (↑↓); letters need a separator.
        let arrows = keys
            .iter()
            .all(|k| k.chars().all(|c| ('←'..='↓').contains(&c)));
        let keys = keys.join(if arrows { "" } else { "/" });
        let label = first.hint();
        let w = width(&keys) + width(label) + 3;
        if used + w > max {
            break;
        }
        spans.push(Span::styled(keys, state.theme.key));
        spans.push(Span::styled(format!(" {label}  "), state.theme.dim));
        used += w;
    }
    spans
}

fn status(state: &State) -> String {
    match &state.screen {
        Screen::Explorer(ex) => {
            let mut parts = Vec::new();
            if let Some(f) = &ex.filter {
                parts.push(format!("filter {}", f.describe()));
            }
            if let Some(p) = &ex.export {
                parts.push(format!(
                    "exporting {}/{}",
                    count(p.done as u64),
                    count(p.total as u64)
                ));
            }
            match &ex.metadata {
                MetaStatus::Loading => parts.push("metadata…".into()),
                MetaStatus::Failed(_) => parts.push("metadata failed".into()),
                _ => {}
            }
            parts.join(" · ")
        }
        _ => String::new(),
    }
}

pub fn hints(state: &State, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let status = status(state);
    let status_w = width(&status).min(usize::from(area.width) / 2);
    let hint_w = usize::from(area.width).saturating_sub(status_w + 1);
    let spans = hint_spans(state, hint_w);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if status_w > 0 {
        let x = area.right() - status_w as u16;
        let text = truncate(&status, status_w);
        frame
            .buffer_mut()
            .set_stringn(x, area.y, &text, status_w, state.theme.accent);
    }
}

pub fn banner(text: &str, theme: &Theme, frame: &mut Frame, area: Rect) {
    let line = Line::from(vec![
        Span::styled(
            " ! ",
            theme.warn.add_modifier(ratatui::style::Modifier::REVERSED),
        ),
        Span::styled(
            format!(
                " {}",
                truncate(text, usize::from(area.width).saturating_sub(4))
            ),
            theme.warn,
        ),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// The toast, bottom right, above the bar.
pub fn toast(state: &State, frame: &mut Frame, area: Rect) {
    let Some(t) = &state.toast else { return };
    if area.width < 12 || area.height < 5 {
        return;
    }
    let max_w = (area.width - 4).min(72);
    let text_w = (width(&t.text) as u16 + 4).min(max_w);
    let lines = (width(&t.text) as u16)
        .div_ceil(text_w.saturating_sub(4).max(1))
        .clamp(1, 3);
    let h = lines + 2;
    let x = area.right() - text_w - 1;
    let y = area.bottom().saturating_sub(h + 1);
    let rect = Rect::new(x, y, text_w, h);
    let style = match t.kind {
        ToastKind::Info => state.theme.ok,
        ToastKind::Error => state.theme.error,
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(t.text.clone())
            .style(style)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).border_style(style)),
        rect,
    );
}
