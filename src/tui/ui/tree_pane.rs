//! The cluster tree: one line per visible row from the tree model, in
//! view from the model's offset, each cluster with its conversation count
//! and share right-aligned, indented by depth under a `▸`/`▾` marker;
//! clusters marked for a new classifier carry a `●` before their name.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::text::{count, fit, percent, truncate, width};
use super::{empty_pane, pane_block};
use crate::tui::explorer::{Explorer, SortKey, tree_offset};
use crate::tui::layout;
use crate::tui::theme::Theme;

/// Before the name of a cluster marked with `m` (for a new classifier).
const MARKED: &str = "● ";

pub fn draw(ex: &Explorer, theme: &Theme, focused: bool, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let rows = ex.tree.rows();
    let mut title = format!(" Clusters ({}) ", count(ex.index.roots.len() as u64));
    if ex.sort != SortKey::Size {
        title = format!(" Clusters · by {} ", ex.sort.describe());
    }
    let block = pane_block(title, focused, theme);
    if ex.index.is_empty() || rows.is_empty() {
        let msg = if ex.index.is_empty() {
            "No clusters yet: the clustering stage has not run."
        } else {
            "No cluster matches the filter."
        };
        empty_pane(frame, area, block, msg, theme);
        return;
    }
    frame.render_widget(block, area);
    let inner = layout::inner(area);
    if inner.is_empty() {
        return;
    }
    let highlight = if focused {
        theme.selected
    } else {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    };
    let height = usize::from(inner.height);
    // `update` keeps the offset for the layout; this only matters for a
    // frame of a size it has not seen yet.
    let offset = tree_offset(ex.tree.offset(), ex.tree.selected_row(), rows.len(), height);
    let selected = ex.selected();
    let inner_w = usize::from(inner.width);
    for (i, row) in rows.iter().skip(offset).take(height).enumerate() {
        let Some(cluster) = ex.cluster(row.cluster) else {
            continue;
        };
        let y = inner.y + i as u16;
        let line_area = Rect::new(inner.x, y, inner.width, 1);
        let marker = if !row.has_children {
            "  "
        } else if ex.tree.is_open(row.cluster) {
            "▾ "
        } else {
            "▸ "
        };
        let indent = " ".repeat(usize::from(row.depth) * 2);
        let buf = frame.buffer_mut();
        let (x, _) = buf.set_stringn(inner.x, y, &indent, inner_w, Style::new());
        let room = usize::from(inner.right().saturating_sub(x));
        let (x, _) = buf.set_stringn(x, y, marker, room, Style::new());
        let avail = inner_w.saturating_sub(usize::from(row.depth) * 2 + 2);
        let mut name = ex.analysis.marks.decorate(&cluster.id, &cluster.name);
        if ex.classify.marked.contains(&row.cluster) {
            name = format!("{MARKED}{name}");
        }
        let line = label(ex, theme, row.cluster, &name, avail);
        let text_area = Rect::new(x, y, inner.right().saturating_sub(x), 1);
        frame.render_widget(line, text_area);
        if selected == Some(row.cluster) {
            frame.buffer_mut().set_style(line_area, highlight);
        }
    }
}

/// `name ……… 1,234  12%` fitted to `avail` columns.
fn label(ex: &Explorer, theme: &Theme, c: u32, name: &str, avail: usize) -> Line<'static> {
    let n = ex.count(c);
    let whole = match &ex.filter {
        Some(f) => f.matches as u64,
        None => ex.index.total as u64,
    };
    let cw = count(whole).len();
    let mut stats = format!(
        "{:>cw$} {:>4}",
        count(u64::from(n)),
        percent(u64::from(n), whole)
    );
    if let SortKey::Mean(_) = ex.sort {
        let agg = ex.aggregates.get(c as usize).copied().flatten();
        let agg = agg.map(|a| format!("{a:.2}")).unwrap_or_else(|| "–".into());
        stats = format!("{agg:>5} {stats}");
    }
    let noise = ex.cluster(c).is_some_and(|cl| cl.noise);
    let name_style = if noise { theme.dim } else { theme.text };
    if avail < 14 {
        return Line::from(Span::styled(truncate(name, avail), name_style));
    }
    let stats_w = width(&stats).min(avail / 2);
    let name_w = avail - stats_w - 1;
    Line::from(vec![
        Span::styled(fit(name, name_w), name_style),
        Span::raw(" "),
        Span::styled(
            format!("{:>stats_w$}", truncate(&stats, stats_w)),
            theme.dim,
        ),
    ])
}
