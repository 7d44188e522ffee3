//! The prompts: the inline rename editor over the selected tree row, and
//! the search and filter popups.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::dialog;
use super::text::{clean, count, fit, truncate};
use crate::tui::editor::LineEditor;
use crate::tui::explorer::{Explorer, Hit, MIN_SUMMARY_QUERY, Prompt, tree_offset};
use crate::tui::layout;
use crate::tui::theme::Theme;

/// The rename field, drawn over the selected row of the tree.
pub fn rename(
    ex: &Explorer,
    cluster: u32,
    editor: &LineEditor,
    theme: &Theme,
    frame: &mut Frame,
    tree: Rect,
) {
    let inner = layout::inner(tree);
    if inner.is_empty() {
        return;
    }
    let rows = ex.tree.rows();
    let offset = tree_offset(
        ex.tree.offset(),
        ex.tree.selected_row(),
        rows.len(),
        usize::from(inner.height),
    );
    let row = ex.tree.row_of(cluster);
    let (y, depth) = match row {
        Some(r) if r >= offset && r - offset < usize::from(inner.height) => {
            let depth = rows.get(r).map_or(0, |row| row.depth);
            (inner.y + (r - offset) as u16, depth)
        }
        _ => (inner.bottom() - 1, 0),
    };
    let x = (inner.x + depth * 2).min(inner.right().saturating_sub(1));
    let area = Rect::new(x, y, inner.right() - x, 1);
    let label = "✎ ";
    let field_w = usize::from(area.width).saturating_sub(label.len());
    let (shown, col) = editor.visible(field_w);
    frame.render_widget(Clear, area);
    let line = Line::from(vec![
        Span::styled(label, theme.key),
        Span::styled(fit(shown, field_w), theme.selected),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    let cx = area.x + 2 + col as u16;
    frame.set_cursor_position(Position::new(cx.min(area.right().saturating_sub(1)), y));
    // A hint on the tree's bottom border.
    if tree.height > 2 {
        let hint = " Enter save · Esc cancel ";
        let hx = tree.x + 1;
        frame.buffer_mut().set_stringn(
            hx,
            tree.bottom() - 1,
            hint,
            usize::from(inner.width),
            theme.key,
        );
    }
}

/// The input line of a popup, with the cursor placed.
fn input(editor: &LineEditor, prompt: &str, theme: &Theme, frame: &mut Frame, area: Rect) {
    let field_w = usize::from(area.width).saturating_sub(prompt.len());
    let (shown, col) = editor.visible(field_w);
    let line = Line::from(vec![
        Span::styled(prompt.to_string(), theme.key),
        Span::styled(shown.to_string(), theme.title),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    let cx = area.x + (prompt.len() + col) as u16;
    frame.set_cursor_position(Position::new(
        cx.min(area.right().saturating_sub(1)),
        area.y,
    ));
}

/// Scroll offset that keeps `cursor` in a window of `rows`.
fn window_start(cursor: usize, rows: usize) -> usize {
    (cursor + 1).saturating_sub(rows.max(1))
}

pub fn search(ex: &Explorer, prompt: &Prompt, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Prompt::Search {
        editor,
        results,
        cursor,
    } = prompt
    else {
        return;
    };
    let Some(inner) = dialog(frame, area, " Search clusters and summaries ", theme) else {
        return;
    };
    let w = usize::from(inner.width);
    let mut lines = Vec::new();
    let summary = if editor.text().trim().is_empty() {
        "Type to search; ↑↓ choose, Enter go, Esc close".to_string()
    } else if editor.text().trim().chars().count() < MIN_SUMMARY_QUERY {
        format!(
            "{} clusters · type more to search summaries",
            count(results.cluster_matches as u64)
        )
    } else {
        format!(
            "{} clusters · {} summaries",
            count(results.cluster_matches as u64),
            count(results.conversation_matches as u64)
        )
    };
    lines.push(Line::styled(truncate(&summary, w), theme.dim));
    let rows = usize::from(inner.height.saturating_sub(2));
    let start = window_start(*cursor, rows);
    for (i, hit) in results.hits.iter().enumerate().skip(start).take(rows) {
        let text = match hit {
            Hit::Cluster(c) => {
                let name = ex.cluster(*c).map(|c| clean(&c.name)).unwrap_or_default();
                format!(
                    "◆ {name} ({})",
                    count(u64::from(ex.sizes.get(*c as usize).copied().unwrap_or(0)))
                )
            }
            Hit::Conversation(p) => {
                let s = ex
                    .analysis
                    .summaries
                    .get(*p as usize)
                    .map(|s| clean(&s.summary))
                    .unwrap_or_default();
                format!("  {s}")
            }
        };
        let style = if i == *cursor {
            theme.selected
        } else {
            theme.text
        };
        lines.push(Line::styled(fit(&text, w), style));
    }
    if inner.height >= 2 {
        let list_area = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
        frame.render_widget(Paragraph::new(lines), list_area);
    }
    input(
        editor,
        "/ ",
        theme,
        frame,
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
}

pub fn filter(prompt: &Prompt, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Prompt::Filter {
        editor,
        options,
        shown,
        cursor,
    } = prompt
    else {
        return;
    };
    let Some(inner) = dialog(frame, area, " Filter by a facet or metadata value ", theme) else {
        return;
    };
    let w = usize::from(inner.width);
    let mut lines = Vec::new();
    if options.is_empty() {
        lines.push(Line::styled(
            "No facet or metadata values to filter by yet.",
            theme.dim,
        ));
    }
    let rows = usize::from(inner.height.saturating_sub(1));
    let start = window_start(*cursor, rows);
    for (i, &oi) in shown.iter().enumerate().skip(start).take(rows) {
        let Some(o) = options.get(oi) else { continue };
        let n = count(u64::from(o.count));
        let text = if o.column.is_empty() {
            o.label.clone()
        } else {
            o.text()
        };
        let left = fit(&clean(&text), w.saturating_sub(n.len() + 1));
        let style = if i == *cursor {
            theme.selected
        } else {
            theme.text
        };
        lines.push(Line::styled(format!("{left} {n}"), style));
    }
    if inner.height >= 2 {
        let list_area = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
        frame.render_widget(Paragraph::new(lines), list_area);
    }
    input(
        editor,
        "filter: ",
        theme,
        frame,
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
}
