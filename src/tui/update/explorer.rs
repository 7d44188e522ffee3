//! Explorer commands outside the text prompts: moving in the panes, the
//! map view, opening overlays, rename undo and export.

use super::viewer::{self, open_viewer};
use super::{Env, Out};
use crate::export::default_path;
use crate::tui::command::Command;
use crate::tui::editor::LineEditor;
use crate::tui::effect::{Effect, ExportJob};
use crate::tui::explorer::{
    Explorer, FilterOption, Pane, Progress, Prompt, SearchResults, SearchText,
};
use crate::tui::explorer::{SortKey, filter_options, matching_options};
use crate::tui::layout;

/// Per-column values offered in the filter picker.
const PICKER_VALUES: usize = 30;

pub(super) fn command(ex: &mut Explorer, command: Command, env: &Env, out: &mut Out) {
    if ex.viewer.is_some() && viewer::command(ex, command, env, out) {
        return;
    }
    match command {
        Command::Quit => out.effects.push(Effect::Quit),
        Command::Back => {
            ex.viewer = None;
        }
        Command::NextPane => ex.focus = ex.focus.next(),
        Command::PrevPane => ex.focus = ex.focus.prev(),
        Command::ZoomIn => {
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
        Command::ZoomOut => {
            ex.view.zoom_by(1.0 / 1.5);
        }
        Command::PanLeft => {
            ex.view.pan(-0.125, 0.0);
        }
        Command::PanRight => {
            ex.view.pan(0.125, 0.0);
        }
        Command::PanUp => {
            ex.view.pan(0.0, 0.125);
        }
        Command::PanDown => {
            ex.view.pan(0.0, -0.125);
        }
        Command::ResetView => ex.view = Default::default(),
        Command::Search => open_search(ex),
        Command::Filter => open_filter(ex),
        Command::Sort => cycle_sort(ex, out),
        Command::Rename => match (ex.selected(), ex.selected_cluster()) {
            (Some(c), Some(cluster)) => {
                let editor = LineEditor::new(&cluster.name);
                ex.focus = Pane::Tree;
                ex.prompt = Some(Prompt::Rename { cluster: c, editor });
            }
            _ => out.error("Nothing to rename: no cluster is selected"),
        },
        Command::Undo => undo(ex, env, out),
        Command::Export => export(ex, env, out),
        other => match ex.focus {
            Pane::Tree => tree(ex, other, env.size),
            Pane::Map => {}
            Pane::Detail => detail(ex, other, env, out),
        },
    }
}

fn tree_page(ex: &Explorer, size: (u16, u16)) -> isize {
    let areas = layout::explorer(ratatui::layout::Rect::new(0, 0, size.0, size.1), ex);
    layout::inner(areas.tree).height.max(1) as isize
}

fn tree(ex: &mut Explorer, command: Command, size: (u16, u16)) {
    let page = tree_page(ex, size);
    let Some(row) = ex.tree.selected_row_data() else {
        return;
    };
    let last = ex.tree.rows().len().saturating_sub(1);
    ex.with_tree(|tree, order| match command {
        Command::Up => tree.step(-1),
        Command::Down => tree.step(1),
        Command::PageUp => tree.step(-page),
        Command::PageDown => tree.step(page),
        Command::Top => tree.select_row(0),
        Command::Bottom => tree.select_row(last),
        Command::Toggle if row.has_children => tree.toggle(row.cluster, order),
        // Opening an open cluster steps into it.
        Command::Expand if row.has_children => tree.expand(row.cluster, order) || tree.step(1),
        // Closing a closed cluster (or a leaf) goes to its parent.
        Command::Collapse => tree.collapse(row.cluster) || tree.select_parent(order.index),
        _ => false,
    });
    if command == Command::Toggle && !row.has_children {
        ex.focus = Pane::Detail;
    }
}

fn detail(ex: &mut Explorer, command: Command, env: &Env, out: &mut Out) {
    let n = ex.detail.conversations.len();
    let page = (env.size.1 / 3).max(1) as usize;
    let cur = ex.detail.cursor;
    ex.detail.cursor = match command {
        Command::Up => cur.saturating_sub(1),
        Command::Down => (cur + 1).min(n.saturating_sub(1)),
        Command::PageUp => cur.saturating_sub(page),
        Command::PageDown => (cur + page).min(n.saturating_sub(1)),
        Command::Top => 0,
        Command::Bottom => n.saturating_sub(1),
        Command::Open => {
            open_viewer(ex, cur, env, out);
            cur
        }
        _ => cur,
    };
}

/// Starts exporting the selected cluster on a worker; one at a time.
fn export(ex: &mut Explorer, env: &Env, out: &mut Out) {
    let Some(cluster) = ex.selected_cluster() else {
        out.error("Nothing to export: no cluster is selected");
        return;
    };
    if let Some(p) = ex.export {
        out.info(format!(
            "An export is already running ({}/{}); wait for it to finish",
            p.done, p.total
        ));
        return;
    }
    let Some(project) = env.project else {
        out.error("Nothing to export to: no project is open");
        return;
    };
    let job = ExportJob {
        analysis: ex.analysis.clone(),
        cluster_id: cluster.id.clone(),
        out: default_path(project, &cluster.slug, env.wall_clock),
        project: project.clone(),
    };
    let total = ex.selected().map_or(0, |c| ex.index.members_of(c).len());
    ex.export = Some(Progress { done: 0, total });
    out.effects.push(Effect::Export(job));
}

/// Asks the runtime to write the labels (when a project is open).
pub(super) fn save_labels(ex: &Explorer, env: &Env, out: &mut Out) {
    if let Some(project) = env.project {
        out.effects.push(Effect::SaveLabels {
            labels: ex.analysis.labels.clone(),
            path: project.labels(),
        });
    }
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
    ex.reorder_tree();
    out.info(format!("Sorted by {}", ex.sort.describe()));
}

fn undo(ex: &mut Explorer, env: &Env, out: &mut Out) {
    let Some(entry) = ex.undo.pop() else {
        out.info("Nothing to undo");
        return;
    };
    let analysis = ex.analysis_mut();
    analysis.labels.remove(&entry.cluster_id);
    if let Some(previous) = entry.previous_relabel {
        analysis.labels.restore(previous);
    }
    analysis
        .hierarchy
        .rename(&entry.cluster_id, &entry.previous_name);
    ex.reorder_tree();
    save_labels(ex, env, out);
    out.info(format!("Undid rename: back to “{}”", entry.previous_name));
}
