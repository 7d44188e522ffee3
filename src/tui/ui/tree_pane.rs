//! The cluster tree (tui-tree-widget): each cluster with its conversation
//! count and share, right-aligned. Items are built for the visible rows
//! only; closed nodes get a hidden placeholder child so they show as
//! expandable.

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_tree_widget::{Tree, TreeItem};

use super::text::{count, fit, percent, truncate, width};
use super::{empty_pane, pane_block};
use crate::tui::explorer::{Explorer, Row, SortKey};
use crate::tui::layout;
use crate::tui::theme::Theme;

pub fn draw(ex: &Explorer, theme: &Theme, focused: bool, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let shown = ex.tree.rows.len();
    let mut title = format!(" Clusters ({}) ", count(ex.index.roots.len() as u64));
    if ex.sort != SortKey::Size {
        title = format!(" Clusters · by {} ", ex.sort.describe());
    }
    let block = pane_block(title, focused, theme);
    if ex.index.is_empty() || shown == 0 {
        let msg = if ex.index.is_empty() {
            "No clusters yet: the clustering stage has not run."
        } else {
            "No cluster matches the filter."
        };
        empty_pane(frame, area, block, msg, theme);
        return;
    }
    let inner_w = usize::from(layout::inner(area).width);
    let mut i = 0;
    let items = build(ex, theme, &ex.tree.rows, &mut i, 0, inner_w);
    sync_state(ex);
    let highlight = if focused {
        theme.selected
    } else {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    };
    match Tree::new(&items) {
        Ok(tree) => {
            let tree = tree
                .block(block)
                .highlight_style(highlight)
                .node_closed_symbol("▸ ")
                .node_open_symbol("▾ ")
                .node_no_children_symbol("  ");
            frame.render_stateful_widget(tree, area, &mut *ex.tree_view.borrow_mut());
        }
        Err(_) => frame.render_widget(
            Paragraph::new("Duplicate cluster ids: cannot draw the tree").block(block),
            area,
        ),
    }
}

/// Mirrors the model's open and selected clusters into the widget state
/// as id paths (so relabels and rebuilds never lose them).
fn sync_state(ex: &Explorer) {
    let path = |c: u32| -> Vec<String> {
        ex.index
            .path(c)
            .into_iter()
            .filter_map(|p| ex.cluster(p).map(|cl| cl.id.clone()))
            .collect()
    };
    let opened: HashSet<Vec<String>> = ex.tree.opened.iter().map(|&c| path(c)).collect();
    let mut state = ex.tree_view.borrow_mut();
    if *state.opened() != opened {
        state.close_all();
        for p in opened {
            state.open(p);
        }
    }
    let selected = ex.tree.selected.map(path).unwrap_or_default();
    if state.selected() != selected.as_slice() {
        state.select(selected);
    } else {
        state.scroll_selected_into_view();
    }
}

fn build(
    ex: &Explorer,
    theme: &Theme,
    rows: &[Row],
    i: &mut usize,
    depth: u16,
    inner_w: usize,
) -> Vec<TreeItem<'static, String>> {
    let mut items = Vec::new();
    while let Some(row) = rows.get(*i).copied() {
        if row.depth < depth {
            break;
        }
        *i += 1;
        let Some(cluster) = ex.cluster(row.cluster) else {
            continue;
        };
        let children = if rows.get(*i).is_some_and(|r| r.depth > row.depth) {
            build(ex, theme, rows, i, row.depth + 1, inner_w)
        } else if row.has_children {
            vec![TreeItem::new_leaf(format!("{}\u{1}", cluster.id), "")]
        } else {
            Vec::new()
        };
        let avail = inner_w.saturating_sub(usize::from(row.depth) * 2 + 2);
        let line = label(ex, theme, row.cluster, &cluster.name, avail);
        let id = cluster.id.clone();
        let item = match TreeItem::new(id.clone(), line.clone(), children) {
            Ok(item) => item,
            Err(_) => TreeItem::new_leaf(id, line),
        };
        items.push(item);
    }
    items
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
