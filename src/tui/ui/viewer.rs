//! The conversation viewer: summary and facets on top, then every message
//! with its role styled, wrapped to the width and scrollable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::pane_block;
use super::text::{clean, count, truncate, wrap};
use crate::model::{Conversation, Summary};
use crate::tui::explorer::{Explorer, Viewer};
use crate::tui::layout;
use crate::tui::theme::Theme;

pub fn draw(ex: &Explorer, v: &Viewer, theme: &Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    let total = ex.list_of(v.cluster).len();
    let id = v
        .conversation
        .as_ref()
        .map(|c| c.id.clone())
        .or_else(|| {
            ex.analysis
                .summaries
                .get(v.position as usize)
                .map(|s| s.conversation_id.clone())
        })
        .unwrap_or_else(|| format!("#{}", v.position));
    let mut title = format!(" Conversation {} ", truncate(&clean(&id), 40));
    if ex.analysis.marks.is_new(&id) {
        title.push_str("· new ");
    }
    if total > 0 && v.cluster.is_some() {
        title.push_str(&format!(
            "· {}/{} ",
            count(v.index as u64 + 1),
            count(total as u64)
        ));
    }
    frame.render_widget(pane_block(title, true, theme), area);
    let inner = layout::inner(area);
    if inner.is_empty() {
        return;
    }
    let lines = text(ex, v, theme, inner.width);
    let rows = usize::from(inner.height);
    let scroll = v.scroll.min(lines.len().saturating_sub(rows));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// The viewer's text wrapped to `width`: the summary and facets, then the
/// conversation (or where loading it stands).
pub(crate) fn text(ex: &Explorer, v: &Viewer, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let summary = ex.analysis.summaries.get(v.position as usize);
    body(summary, v, theme, usize::from(width))
}

fn body(summary: Option<&Summary>, v: &Viewer, theme: &Theme, w: usize) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let push_wrapped = |lines: &mut Vec<Line<'static>>, text: &str, style: Style, indent: &str| {
        for l in wrap(text, w.saturating_sub(indent.len()).max(1)) {
            lines.push(Line::styled(format!("{indent}{l}"), style));
        }
    };
    if let Some(s) = summary {
        push_wrapped(&mut lines, &s.summary, theme.title, "");
        for line in crate::offline::facet_lines(s) {
            push_wrapped(&mut lines, &line, theme.text, "");
        }
        push_wrapped(&mut lines, &facets(s), theme.dim, "");
        if !s.assistant_errors.is_empty() {
            let errs = format!("Assistant errors: {}", s.assistant_errors.join("; "));
            push_wrapped(&mut lines, &errs, theme.warn, "");
        }
    }
    match (&v.conversation, &v.error) {
        (_, Some(e)) => push_wrapped(
            &mut lines,
            &format!("Could not read it: {e}"),
            theme.error,
            "",
        ),
        (None, None) => lines.push(Line::styled("Loading…", theme.dim)),
        (Some(c), None) => conversation(c, theme, w, &mut lines),
    }
    lines
}

/// `language: English · frustration 2/5 · concern 1/5 · topic: billing`.
fn facets(s: &Summary) -> String {
    let mut parts = Vec::new();
    if !s.languages.is_empty() {
        parts.push(format!("language: {}", s.languages.join(", ")));
    }
    if let Some(f) = s.user_frustration {
        parts.push(format!("frustration {f}/5"));
    }
    if let Some(c) = s.concerning_score {
        parts.push(format!("concern {c}/5"));
    }
    for (k, val) in &s.custom {
        let shown = match val {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        parts.push(format!("{k}: {shown}"));
    }
    parts.join(" · ")
}

fn conversation(c: &Conversation, theme: &Theme, w: usize, lines: &mut Vec<Line<'static>>) {
    let mut meta: Vec<String> = Vec::new();
    if let Some(at) = &c.created_at {
        meta.push(format!("created {at}"));
    }
    for (k, val) in c.metadata.iter().take(8) {
        let shown = match val {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        meta.push(format!("{k}={}", truncate(&shown, 30)));
    }
    if !meta.is_empty() {
        for l in wrap(&meta.join(" · "), w) {
            lines.push(Line::styled(l, theme.dim));
        }
    }
    lines.push(Line::styled("─".repeat(w), theme.border));
    if c.messages.is_empty() {
        lines.push(Line::styled("(no messages)", theme.dim));
    }
    for m in &c.messages {
        let role = theme.role(m.role);
        lines.push(Line::from(vec![
            Span::styled("▍", role),
            Span::styled(m.role.as_str().to_string(), role),
        ]));
        for l in wrap(&m.content, w.saturating_sub(2).max(1)) {
            lines.push(Line::from(vec![
                Span::styled("▍ ", role.remove_modifier(ratatui::style::Modifier::BOLD)),
                Span::styled(l, theme.text),
            ]));
        }
        lines.push(Line::raw(""));
    }
}
