//! Drawing the classifier tools: the labelling screen (categories beside
//! the conversation), the `C` name prompt, the classifier picker, the sort
//! menu, the eval history and the map legend of a classifier's labels.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::text::{clean, count, fit, truncate, width};
use super::{dialog, pane_block};
use crate::classify::LabelMode;
use crate::classify::evaluation::EvalRecord;
use crate::tui::classify::{Colouring, History, Labelling, Naming, Picker};
use crate::tui::explorer::Explorer;
use crate::tui::layout;
use crate::tui::sort_menu::{SortMenu, describe};
use crate::tui::theme::Theme;

/// Whatever tool is open, over the explorer in `area` (the whole frame).
pub fn draw(ex: &Explorer, theme: &Theme, frame: &mut Frame, area: Rect) {
    let ui = &ex.classify;
    let body = layout::with_bar(area).0;
    if body.width < layout::MIN_WIDTH || body.height < layout::MIN_HEIGHT {
        return;
    }
    if let Some(l) = &ui.labelling {
        labelling(ex, l, theme, frame, body);
    }
    if let Some(p) = &ui.picker {
        picker(p, theme, frame, body);
    }
    if let Some(m) = &ui.sort_menu {
        sort_menu(ex, m, theme, frame, body);
    }
    if let Some(h) = &ui.history {
        history(h, theme, frame, body);
    }
    if let Some(n) = &ui.naming {
        naming(n, theme, frame, body);
    }
}

/// The categories panel and the conversation block of the labelling
/// screen in `body`.
fn split(body: Rect) -> (Rect, Rect) {
    if body.width >= 70 {
        let w = (body.width * 2 / 5).clamp(28, 48);
        let [a, b] = Layout::horizontal([Constraint::Length(w), Constraint::Fill(1)]).areas(body);
        (a, b)
    } else {
        let h = (body.height / 3).max(5);
        let [a, b] = Layout::vertical([Constraint::Length(h), Constraint::Fill(1)]).areas(body);
        (a, b)
    }
}

/// Inside the labelling screen's conversation block, for a terminal of
/// `area` (what `update` scrolls against).
pub(crate) fn conversation_area(area: Rect) -> Rect {
    layout::inner(split(layout::with_bar(area).0).1)
}

fn labelling(ex: &Explorer, l: &Labelling, theme: &Theme, frame: &mut Frame, body: Rect) {
    frame.render_widget(Clear, body);
    let (left, right) = split(body);
    let d = &l.data;
    let total = d.queue.len();
    let mode = match d.mode {
        LabelMode::Single => "single-label",
        LabelMode::Multi => "multi-label",
    };
    let block = pane_block(format!(" Label · {} ", d.name), true, theme);
    let inner = layout::inner(left);
    frame.render_widget(block, left);
    let w = usize::from(inner.width);
    let mut lines = vec![
        Line::styled(
            truncate(&format!("version {} · {mode}", d.version), w),
            theme.dim,
        ),
        Line::styled(
            truncate(
                &format!(
                    "{} of {} · {} labelled · {} this session",
                    count(l.at as u64 + 1),
                    count(total as u64),
                    count(l.labelled() as u64),
                    count(l.given as u64)
                ),
                w,
            ),
            theme.text,
        ),
    ];
    let stored = l.current().and_then(|(_, id)| d.labels.get(id));
    lines.push(Line::styled(
        truncate(
            &match stored {
                Some(s) => format!("stored: {}", s.join(", ")),
                None => "not labelled yet".to_string(),
            },
            w,
        ),
        theme.accent,
    ));
    lines.push(Line::raw(""));
    for (i, name) in d.classes.iter().enumerate() {
        let key = l
            .key_of_class(i)
            .map_or("  ".to_string(), |k| format!("{k} "));
        let on = l.chosen.contains(&i);
        let mark = match (d.mode, on) {
            (LabelMode::Multi, true) => "[x] ",
            (LabelMode::Multi, false) => "[ ] ",
            (LabelMode::Single, _) if stored.is_some_and(|s| s.contains(name)) => "● ",
            (LabelMode::Single, _) => "  ",
        };
        let style = if on { theme.selected } else { theme.text };
        lines.push(Line::from(vec![
            Span::styled(key, theme.key),
            Span::styled(
                fit(&format!("{mark}{}", clean(name)), w.saturating_sub(2)),
                style,
            ),
        ]));
    }
    lines.push(Line::raw(""));
    let hint = match d.mode {
        LabelMode::Single => "number: label · u undo · n/p skip · Esc leave",
        LabelMode::Multi => "numbers: toggle · Enter save · u undo · n/p skip · Esc leave",
    };
    for l in super::text::wrap(hint, w.max(1)) {
        lines.push(Line::styled(l, theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), inner);

    let id = l.current().map(|q| q.1.clone()).unwrap_or_default();
    let title = format!(" {} ", truncate(&clean(&id), 40));
    frame.render_widget(pane_block(title, false, theme), right);
    let inner = layout::inner(right);
    if inner.is_empty() {
        return;
    }
    let text = super::viewer::text(ex, &l.view, theme, inner.width);
    let rows = usize::from(inner.height);
    let scroll = l.view.scroll.min(text.len().saturating_sub(rows));
    let shown: Vec<Line> = text.into_iter().skip(scroll).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn naming(n: &Naming, theme: &Theme, frame: &mut Frame, body: Rect) {
    let area = layout::centered(body, body.width.saturating_sub(4).min(64), 6);
    let Some(inner) = dialog(frame, area, " New classifier ", theme) else {
        return;
    };
    let w = usize::from(inner.width);
    let from = format!("categories from: {}", n.names.join(", "));
    let label = "name: ";
    let field_w = w.saturating_sub(label.len());
    let (shown, col) = n.editor.visible(field_w);
    let lines = vec![
        Line::styled(truncate(&clean(&from), w), theme.dim),
        Line::from(vec![
            Span::styled(label, theme.key),
            Span::styled(fit(shown, field_w), theme.selected),
        ]),
        Line::raw(""),
        Line::styled(
            truncate("Enter writes classifiers/NAME.toml · Esc cancels", w),
            theme.dim,
        ),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
    if inner.height >= 2 {
        let x = inner.x + (label.len() + col) as u16;
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            inner.y + 1,
        ));
    }
}

fn list_window(cursor: usize, rows: usize) -> usize {
    (cursor + 1).saturating_sub(rows.max(1))
}

fn picker(p: &Picker, theme: &Theme, frame: &mut Frame, body: Rect) {
    let h = (p.names.len() as u16 + 2).clamp(3, body.height);
    let area = layout::centered(body, body.width.saturating_sub(4).min(50), h);
    let title = format!(" Classifier to {} ", p.purpose.describe());
    let Some(inner) = dialog(frame, area, title, theme) else {
        return;
    };
    let w = usize::from(inner.width);
    let rows = usize::from(inner.height);
    let start = list_window(p.cursor, rows);
    let lines: Vec<Line> = p
        .names
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, n)| {
            let text = if n.is_empty() {
                "(colour by top-level cluster)".to_string()
            } else {
                n.clone()
            };
            let style = if i == p.cursor {
                theme.selected
            } else {
                theme.text
            };
            Line::styled(fit(&text, w), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn sort_menu(ex: &Explorer, m: &SortMenu, theme: &Theme, frame: &mut Frame, body: Rect) {
    let h = (m.options.len() as u16 + 6).min(body.height);
    let area = layout::centered(body, body.width.saturating_sub(4).min(60), h);
    let Some(inner) = dialog(frame, area, " Sort the tree ", theme) else {
        return;
    };
    let w = usize::from(inner.width);
    let mut lines = vec![
        Line::styled(
            truncate(&format!("now: {}", ex.sort.describe()), w),
            theme.dim,
        ),
        Line::styled(
            truncate(
                &if m.chosen.is_empty() {
                    "Enter sorts by the highlighted field".to_string()
                } else {
                    format!(
                        "then: {} (Enter adds the highlighted one)",
                        describe(&m.chosen)
                    )
                },
                w,
            ),
            theme.accent,
        ),
    ];
    let rows = usize::from(inner.height.saturating_sub(3));
    let start = list_window(m.cursor, rows);
    for (i, o) in m.options.iter().enumerate().skip(start).take(rows) {
        let dir = if o.descending {
            "↓ highest first"
        } else {
            "↑ lowest first"
        };
        let order = m
            .chosen
            .iter()
            .position(|k| k.column == o.column)
            .map_or("  ".to_string(), |k| format!("{} ", k + 1));
        let left = fit(
            &format!("{order}{}", clean(&o.label)),
            w.saturating_sub(width(dir) + 1),
        );
        let style = if i == m.cursor {
            theme.selected
        } else {
            theme.text
        };
        lines.push(Line::styled(format!("{left} {dir}"), style));
    }
    let hint = "Space flips ↑/↓ · + then by · Enter sort · Esc";
    let mut shown = lines;
    while shown.len() + 1 < usize::from(inner.height) {
        shown.push(Line::raw(""));
    }
    shown.push(Line::styled(truncate(hint, w), theme.dim));
    frame.render_widget(Paragraph::new(shown), inner);
}

/// `2026-12-02T11:44:45Z` → `2026-12-02 11:44`.
fn when(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

fn history_rows(records: &[EvalRecord]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let before = records[..i].iter().rev().find(|p| p.split == r.split);
        let delta = before.map_or(String::new(), |p| {
            format!("{:+.3}", r.accuracy - p.accuracy)
        });
        out.push(format!(
            "{:>3} {:<16} {:<12} {:<10} {:>5} {:>8.3} {:>8.3} {:>7}",
            i + 1,
            when(&r.at),
            r.version,
            r.split,
            r.n,
            r.accuracy,
            r.macro_f1,
            delta
        ));
    }
    out
}

fn history(h: &History, theme: &Theme, frame: &mut Frame, body: Rect) {
    let rows_h = h.records.len() as u16 + 5;
    let area = layout::centered(body, body.width.saturating_sub(2).min(80), rows_h.max(6));
    let title = format!(" Eval history · {} ", h.name);
    let Some(inner) = dialog(frame, area, title, theme) else {
        return;
    };
    let w = usize::from(inner.width);
    let mut lines = Vec::new();
    if h.records.is_empty() {
        lines.push(Line::styled(
            truncate(
                &format!(
                    "No evaluations yet: run `kura-tui classify eval PATH {}`",
                    h.name
                ),
                w,
            ),
            theme.dim,
        ));
    } else {
        let head = format!(
            "{:>3} {:<16} {:<12} {:<10} {:>5} {:>8} {:>8} {:>7}",
            "#", "when", "version", "split", "n", "accuracy", "macro-F1", "Δacc"
        );
        lines.push(Line::styled(truncate(&head, w), theme.accent));
        let rows = usize::from(inner.height.saturating_sub(3));
        let all = history_rows(&h.records);
        let start = h.scroll.min(all.len().saturating_sub(rows));
        for row in all.into_iter().skip(start).take(rows) {
            lines.push(Line::styled(truncate(&row, w), theme.text));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            truncate("Δacc: change from the previous run on the same split", w),
            theme.dim,
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `intent: ■ billing 40 ■ refunds 12 …`, one swatch per class that fits.
pub fn legend(c: &Colouring, theme: &Theme, max: u16) -> Line<'static> {
    let head = format!("{}: ", truncate(&c.name, 16));
    let mut used = width(&head);
    let mut spans = vec![Span::styled(head, theme.accent)];
    for (i, name) in c.classes.iter().enumerate() {
        let n = c.counts.get(i).copied().unwrap_or(0);
        let text = format!("{} {}", truncate(name, 16), count(u64::from(n)));
        let w = width(&text) + 3;
        if used + w > usize::from(max) {
            break;
        }
        let swatch = if theme.has_palette() {
            Style::new().fg(theme.root_color(i))
        } else {
            theme.dim
        };
        spans.push(Span::styled("■ ", swatch));
        spans.push(Span::styled(text, theme.dim));
        spans.push(Span::raw(" "));
        used += w;
    }
    Line::from(spans)
}
