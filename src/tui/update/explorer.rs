//! Explorer actions outside the text prompts: moving in the panes, the map
//! view, opening overlays, rename undo, export, and results coming back.

use super::Out;
use crate::tui::action::{Action, Effect};
use crate::tui::editor::LineEditor;
use crate::tui::explorer::{
    Explorer, FilterOption, Pane, Prompt, SearchResults, SearchText, Viewer,
};
use crate::tui::explorer::{MetaStatus, NONE, SortKey, filter_options, matching_options};
use crate::tui::layout;

/// Per-column values offered in the filter picker.
const PICKER_VALUES: usize = 30;

pub(super) fn update(ex: &mut Explorer, action: Action, size: (u16, u16), out: &mut Out) {
    if ex.viewer.is_some() && viewer(ex, &action, out) {
        return;
    }
    match action {
        Action::Quit => out.effects.push(Effect::Quit),
        Action::Back => {
            ex.viewer = None;
        }
        Action::NextPane => ex.focus = ex.focus.next(),
        Action::PrevPane => ex.focus = ex.focus.prev(),
        Action::ZoomIn => {
            // Zoom towards the selection while it is in view; around the
            // view's centre after the user panned away from it.
            let towards = ex
                .selected()
                .and_then(|c| ex.points.centre_of(&ex.index, c))
                .is_some_and(|(fx, fy)| ex.view.shows(fx, fy));
            ex.view.zoom_by(1.5);
            if towards {
                ex.centre_map_on_selection();
            }
        }
        Action::ZoomOut => {
            ex.view.zoom_by(1.0 / 1.5);
        }
        Action::PanLeft => {
            ex.view.pan(-0.125, 0.0);
        }
        Action::PanRight => {
            ex.view.pan(0.125, 0.0);
        }
        Action::PanUp => {
            ex.view.pan(0.0, 0.125);
        }
        Action::PanDown => {
            ex.view.pan(0.0, -0.125);
        }
        Action::ResetView => ex.view = Default::default(),
        Action::Search => open_search(ex),
        Action::Filter => open_filter(ex),
        Action::Sort => cycle_sort(ex, out),
        Action::Rename => match (ex.tree.selected, ex.selected_cluster()) {
            (Some(c), Some(cluster)) => {
                let editor = LineEditor::new(&cluster.name);
                ex.focus = Pane::Tree;
                ex.prompt = Some(Prompt::Rename { cluster: c, editor });
            }
            _ => out.error("Nothing to rename: no cluster is selected"),
        },
        Action::Undo => undo(ex, out),
        Action::Export => match ex.selected_cluster() {
            Some(c) => out.effects.push(Effect::Export(c.id.clone())),
            None => out.error("Nothing to export: no cluster is selected"),
        },
        Action::MetadataLoaded(result) => match result {
            Ok(table) => ex.add_metadata(table),
            Err(e) => {
                ex.metadata = MetaStatus::Failed(e.clone());
                out.error(format!("Could not read metadata: {e}"));
            }
        },
        Action::ConversationLoaded { position, result } => {
            if let Some(v) = ex
                .viewer
                .as_mut()
                .filter(|v| v.position as usize == position)
            {
                match result {
                    Ok(c) => v.conversation = Some(c),
                    Err(e) => v.error = Some(e),
                }
            }
        }
        Action::Exported(result) => match result {
            Ok(r) => {
                let root = ex.title.as_str();
                let shown = r.path.display().to_string();
                let shown = shown
                    .strip_prefix(root)
                    .map(|s| s.trim_start_matches('/').to_string())
                    .unwrap_or(shown);
                out.info(format!(
                    "Exported {} conversations to {shown}",
                    r.conversations
                ));
            }
            Err(e) => out.error(format!("Export failed: {e}")),
        },
        Action::LabelsSaved(Err(e)) => out.error(format!("Could not save labels: {e}")),
        other => match ex.focus {
            Pane::Tree => tree(ex, other, size, out),
            Pane::Map => {}
            Pane::Detail => detail(ex, other, size, out),
        },
    }
}

fn tree_page(ex: &Explorer, size: (u16, u16)) -> isize {
    let areas = layout::explorer(ratatui::layout::Rect::new(0, 0, size.0, size.1), ex);
    layout::inner(areas.tree).height.max(1) as isize
}

fn tree(ex: &mut Explorer, action: Action, size: (u16, u16), _out: &mut Out) {
    let moved = match action {
        Action::Up => ex.tree.step(-1),
        Action::Down => ex.tree.step(1),
        Action::PageUp => ex.tree.step(-tree_page(ex, size)),
        Action::PageDown => ex.tree.step(tree_page(ex, size)),
        Action::Top => ex.tree.select_row(0),
        Action::Bottom => ex.tree.select_row(ex.tree.rows.len().saturating_sub(1)),
        Action::Toggle => {
            let Some(row) = ex.tree.selected_row_data() else {
                return;
            };
            if row.has_children {
                if !ex.tree.opened.remove(&row.cluster) {
                    ex.tree.opened.insert(row.cluster);
                }
                ex.refresh_tree();
            } else {
                ex.focus = Pane::Detail;
            }
            false
        }
        Action::Expand => {
            let Some(row) = ex.tree.selected_row_data() else {
                return;
            };
            if row.has_children && ex.tree.opened.insert(row.cluster) {
                ex.refresh_tree();
                false
            } else if row.has_children {
                ex.tree.step(1)
            } else {
                false
            }
        }
        Action::Collapse => {
            let Some(c) = ex.tree.selected else { return };
            if ex.tree.opened.remove(&c) {
                ex.refresh_tree();
                false
            } else {
                match ex.index.parent.get(c as usize).copied() {
                    Some(p) if p != NONE => {
                        ex.tree.selected = Some(p);
                        true
                    }
                    _ => false,
                }
            }
        }
        _ => false,
    };
    if moved {
        ex.refresh_detail();
    }
}

fn detail(ex: &mut Explorer, action: Action, size: (u16, u16), out: &mut Out) {
    let n = ex.detail.conversations.len();
    let page = (size.1 / 3).max(1) as usize;
    let cur = ex.detail.cursor;
    ex.detail.cursor = match action {
        Action::Up => cur.saturating_sub(1),
        Action::Down => (cur + 1).min(n.saturating_sub(1)),
        Action::PageUp => cur.saturating_sub(page),
        Action::PageDown => (cur + page).min(n.saturating_sub(1)),
        Action::Top => 0,
        Action::Bottom => n.saturating_sub(1),
        Action::Open => {
            open_viewer(ex, cur, out);
            cur
        }
        _ => cur,
    };
}

/// Opens the viewer on entry `index` of the detail list.
pub(super) fn open_viewer(ex: &mut Explorer, index: usize, out: &mut Out) {
    let Some(&position) = ex.detail.conversations.get(index) else {
        out.error("No conversation to open");
        return;
    };
    ex.detail.cursor = index;
    ex.viewer = Some(Viewer::new(ex.detail.cluster, index, position));
    out.effects
        .push(Effect::LoadConversation(position as usize));
}

/// Viewer keys; returns true when the action was the viewer's.
fn viewer(ex: &mut Explorer, action: &Action, out: &mut Out) -> bool {
    let list = ex
        .viewer
        .as_ref()
        .map(|v| ex.list_of(v.cluster))
        .unwrap_or_default();
    let Some(v) = ex.viewer.as_mut() else {
        return false;
    };
    let page = v.page.get().max(1);
    let max = v.max_scroll.get();
    match action {
        Action::Up => v.scroll = v.scroll.saturating_sub(1),
        Action::Down => v.scroll = (v.scroll + 1).min(max),
        Action::PageUp => v.scroll = v.scroll.saturating_sub(page),
        Action::PageDown => v.scroll = (v.scroll + page).min(max),
        Action::Top => v.scroll = 0,
        Action::Bottom => v.scroll = max,
        Action::NextConversation | Action::PrevConversation => {
            let next = if *action == Action::NextConversation {
                v.index + 1
            } else {
                v.index.wrapping_sub(1)
            };
            match list.get(next) {
                Some(&p) => {
                    *v = Viewer::new(v.cluster, next, p);
                    if ex.detail.cluster == v.cluster {
                        ex.detail.cursor = next;
                    }
                    out.effects.push(Effect::LoadConversation(p as usize));
                }
                None => out.info(if next >= list.len() {
                    "Last conversation in this cluster"
                } else {
                    "First conversation in this cluster"
                }),
            }
        }
        _ => return false,
    }
    true
}

fn open_search(ex: &mut Explorer) {
    if ex.search_text.is_none() {
        ex.search_text = Some(SearchText::build(&ex.analysis));
    }
    ex.prompt = Some(Prompt::Search {
        editor: LineEditor::default(),
        results: SearchResults::default(),
        cursor: 0,
    });
}

fn open_filter(ex: &mut Explorer) {
    let mut options = Vec::new();
    if let Some(f) = &ex.filter {
        options.push(FilterOption {
            column: String::new(),
            label: format!("(clear filter {})", f.describe()),
            count: ex.index.conv_base.len() as u32,
        });
    }
    options.extend(filter_options(&ex.columns, PICKER_VALUES));
    let shown = matching_options(&options, "");
    ex.prompt = Some(Prompt::Filter {
        editor: LineEditor::default(),
        options,
        shown,
        cursor: 0,
    });
}

fn cycle_sort(ex: &mut Explorer, out: &mut Out) {
    let keys = ex.sort_keys();
    let i = keys
        .iter()
        .position(|k| *k == ex.sort)
        .map(|i| i + 1)
        .unwrap_or(0);
    ex.sort = keys
        .get(i % keys.len().max(1))
        .cloned()
        .unwrap_or(SortKey::Size);
    ex.refresh_aggregates();
    ex.refresh_tree();
    out.info(format!("Sorted by {}", ex.sort.describe()));
}

fn undo(ex: &mut Explorer, out: &mut Out) {
    let Some(entry) = ex.undo.pop() else {
        out.info("Nothing to undo");
        return;
    };
    let labels = &mut ex.analysis.labels;
    labels.remove(&entry.cluster_id);
    if let Some(previous) = entry.previous_relabel {
        labels.restore(previous);
    }
    ex.analysis
        .hierarchy
        .rename(&entry.cluster_id, &entry.previous_name);
    ex.refresh_tree();
    out.effects.push(Effect::SaveLabels);
    out.info(format!("Undid rename: back to “{}”", entry.previous_name));
}
