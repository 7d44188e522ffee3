//! The detail pane: the selected cluster's name, description and size,
//! small bar charts of its facet and metadata distributions, and its
//! conversations listed by summary.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{clean, count, fit, percent, truncate};
use super::{empty_pane, pane_block};
use crate::tui::explorer::{Distribution, Explorer, MetaStatus};
use crate::tui::layout::{self, CHART_WIDTH, ChartPlan};
use crate::tui::theme::Theme;

pub fn draw(ex: &Explorer, theme: &Theme, focused: bool, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let block = pane_block(" Detail ", focused, theme);
    let Some(cluster) = ex.selected_cluster() else {
        let msg = if ex.analysis.summaries.is_empty() {
            "Nothing to show: this project has no summarised conversations yet."
        } else {
            "Select a cluster to see its details."
        };
        empty_pane(frame, area, block, msg, theme);
        return;
    };
    frame.render_widget(block, area);
    let d = layout::detail(area, &ex.detail.distributions);
    let w = usize::from(d.header.width);

    // Header: name, numbers, description.
    let c = ex.selected().unwrap_or(0);
    let size = ex.sizes.get(c as usize).copied().unwrap_or(0);
    let mut facts = format!(
        "{} conversations · {} of all",
        count(u64::from(size)),
        percent(u64::from(size), ex.index.total as u64)
    );
    if let Some(f) = &ex.filter {
        facts.push_str(&format!(
            " · {} match {}",
            count(u64::from(ex.count(c))),
            f.describe()
        ));
    }
    let new = ex.analysis.marks.new_in(&cluster.id);
    if new > 0 {
        facts.push_str(&format!(" · +{} new", count(new as u64)));
    }
    let subs = ex.index.children.get(c as usize).map_or(0, Vec::len);
    if subs > 0 {
        facts.push_str(&format!(" · {subs} sub-clusters"));
    }
    let mut header = vec![
        Line::from(vec![
            Span::styled(
                truncate(&clean(&cluster.name), w.saturating_sub(12)),
                theme.title,
            ),
            Span::styled(format!("  {}", cluster.id), theme.dim),
        ]),
        Line::styled(truncate(&facts, w), theme.text),
    ];
    let desc = if cluster.description.trim().is_empty() {
        match &cluster.original_name {
            Some(orig) => format!("(renamed from “{orig}”)"),
            None => String::new(),
        }
    } else {
        clean(&cluster.description)
    };
    header.push(Line::styled(truncate(&desc, w), theme.dim));
    frame.render_widget(Paragraph::new(header), d.header);

    charts(&ex.detail.distributions, d.plan, theme, frame, d.charts);
    let rest = super::volume::draw(ex, theme, frame, d.list);
    list(ex, theme, focused, frame, rest);
}

fn charts(dists: &[Distribution], plan: ChartPlan, theme: &Theme, frame: &mut Frame, area: Rect) {
    if plan.blocks == 0 || area.is_empty() {
        return;
    }
    let cols = plan.columns.max(1);
    let col_w = (area.width / cols).min(CHART_WIDTH + 8);
    let mut y = area.y;
    for row in dists[..plan.blocks.min(dists.len())].chunks(usize::from(cols)) {
        let row_h = 1 + row
            .iter()
            .map(|d| d.bars.len().min(plan.bars))
            .max()
            .unwrap_or(0) as u16;
        for (i, dist) in row.iter().enumerate() {
            let x = area.x + i as u16 * col_w;
            let h = row_h.min(area.bottom().saturating_sub(y));
            let cell = Rect::new(x, y, col_w.saturating_sub(1), h);
            frame.render_widget(
                Paragraph::new(chart(dist, plan.bars, theme, cell.width)),
                cell,
            );
        }
        y += row_h;
        if y >= area.bottom() {
            break;
        }
    }
}

/// A title line and horizontal bars: `English  ██████▍  62%`.
fn chart(d: &Distribution, bars: usize, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width);
    let mut title = d.column.clone();
    if let Some(mean) = d.mean {
        title.push_str(&format!(" · mean {mean:.2}"));
    }
    let mut lines = vec![Line::styled(truncate(&title, width), theme.accent)];
    let label_w = (width / 3).clamp(4, 14);
    let bar_w = width.saturating_sub(label_w + 6);
    let max = d.bars.iter().map(|(_, c)| *c).max().unwrap_or(0).max(1);
    for (label, n) in d.bars.iter().take(bars) {
        let eighths = (*n as usize * bar_w * 8).div_ceil(max as usize);
        lines.push(Line::from(vec![
            Span::styled(fit(&clean(label), label_w), theme.text),
            Span::raw(" "),
            Span::styled(fit(&bar(eighths), bar_w), theme.bar),
            Span::styled(
                format!("{:>5}", percent(u64::from(*n), u64::from(d.total))),
                theme.dim,
            ),
        ]));
    }
    lines
}

/// A bar `eighths`/8 cells long.
fn bar(eighths: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let mut s = "█".repeat(eighths / 8);
    s.push_str(PARTS[eighths % 8]);
    s
}

fn list(ex: &Explorer, theme: &Theme, focused: bool, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let convs = &ex.detail.conversations;
    let mut heading = format!("Conversations ({})", count(convs.len() as u64));
    if matches!(ex.metadata, MetaStatus::Loading) {
        heading.push_str(" · reading metadata…");
    }
    let mut lines = vec![Line::styled(heading, theme.accent)];
    let rows = usize::from(area.height - 1);
    let cursor = ex.detail.cursor.min(convs.len().saturating_sub(1));
    // `update` keeps the offset for the layout; this only matters for a
    // frame of a size it has not seen yet.
    let offset = layout::list_offset(ex.detail.offset, cursor, convs.len(), rows);
    let w = usize::from(area.width);
    for (i, &p) in convs.iter().enumerate().skip(offset).take(rows) {
        let summary = ex
            .analysis
            .summaries
            .get(p as usize)
            .map(|s| clean(&s.summary))
            .unwrap_or_else(|| format!("conversation #{p}"));
        let style = if i == cursor && focused {
            theme.selected
        } else if i == cursor {
            theme.title
        } else {
            theme.text
        };
        let new = ex
            .analysis
            .summaries
            .get(p as usize)
            .is_some_and(|s| ex.analysis.marks.is_new(&s.conversation_id));
        let marker = match (i == cursor, new) {
            (true, _) => "› ",
            (false, true) => "+ ",
            (false, false) => "  ",
        };
        lines.push(Line::styled(fit(&format!("{marker}{summary}"), w), style));
    }
    if convs.is_empty() {
        lines.push(Line::styled("  (none)", theme.dim));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
