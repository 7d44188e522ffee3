//! The text prompts: the inline rename editor, the search box and the
//! filter picker. Editing keys go to the line editor; `Enter` applies and
//! `Esc` closes without changes.

use super::Out;
use super::explorer::open_viewer;
use crate::tui::action::{Action, Effect};
use crate::tui::editor::LineEditor;
use crate::tui::explorer::{Explorer, Filter, Hit, Pane, Prompt, UndoEntry, matching_options};

pub(super) fn update(ex: &mut Explorer, action: Action, out: &mut Out) {
    let Some(prompt) = ex.prompt.as_mut() else {
        return;
    };
    let editor = prompt.editor_mut();
    let mut edited = true;
    match action {
        Action::Insert(c) => editor.insert(c),
        Action::CursorLeft => editor.left(),
        Action::CursorRight => editor.right(),
        Action::CursorHome => editor.home(),
        Action::CursorEnd => editor.end(),
        Action::DeleteBack => editor.delete_back(),
        Action::DeleteForward => editor.delete_forward(),
        Action::DeleteWord => editor.delete_word(),
        Action::ClearLine => editor.clear(),
        _ => edited = false,
    }
    if edited {
        refresh(ex);
        return;
    }
    match action {
        Action::Back => ex.prompt = None,
        Action::Quit => out.effects.push(Effect::Quit),
        Action::Up | Action::Down => {
            let delta: isize = if action == Action::Up { -1 } else { 1 };
            match prompt {
                Prompt::Search {
                    results, cursor, ..
                } => {
                    *cursor = step(*cursor, delta, results.hits.len());
                }
                Prompt::Filter { shown, cursor, .. } => *cursor = step(*cursor, delta, shown.len()),
                Prompt::Rename { .. } => {}
            }
        }
        Action::Submit => submit(ex, out),
        _ => {}
    }
}

fn step(cur: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (cur as isize + delta).clamp(0, len as isize - 1) as usize
}

/// Re-runs the search or narrows the picker after an edit.
fn refresh(ex: &mut Explorer) {
    let Explorer {
        prompt,
        search_text,
        analysis,
        index,
        ..
    } = ex;
    match prompt {
        Some(Prompt::Search {
            editor,
            results,
            cursor,
        }) => {
            if let Some(text) = search_text {
                *results = text.search(analysis, index, editor.text());
            }
            *cursor = 0;
        }
        Some(Prompt::Filter {
            editor,
            options,
            shown,
            cursor,
        }) => {
            *shown = matching_options(options, editor.text());
            *cursor = 0;
        }
        _ => {}
    }
}

fn submit(ex: &mut Explorer, out: &mut Out) {
    let Some(prompt) = ex.prompt.take() else {
        return;
    };
    match prompt {
        Prompt::Rename { cluster, editor } => rename(ex, cluster, editor, out),
        Prompt::Search {
            results, cursor, ..
        } => match results.hits.get(cursor) {
            Some(Hit::Cluster(c)) => {
                ex.tree.reveal(&ex.index, *c);
                ex.focus = Pane::Tree;
                ex.refresh_tree();
            }
            Some(Hit::Conversation(p)) => goto_conversation(ex, *p, out),
            None => out.info("No match"),
        },
        Prompt::Filter {
            options,
            shown,
            cursor,
            ..
        } => {
            let Some(option) = shown.get(cursor).and_then(|&i| options.get(i)) else {
                return;
            };
            if option.column.is_empty() {
                ex.filter = None;
                out.info("Filter cleared");
            } else if let Some(col) = ex.column(&option.column) {
                let f = Filter::build(col, &option.label, &ex.index, ex.index.conv_base.len());
                out.info(format!(
                    "Filter {}: {} conversations",
                    f.describe(),
                    f.matches
                ));
                ex.filter = Some(f);
            }
            ex.filter_generation += 1;
            ex.refresh_aggregates();
            ex.refresh_tree();
            ex.refresh_detail();
        }
    }
}

/// Selects a conversation's base cluster and opens it in the viewer.
fn goto_conversation(ex: &mut Explorer, position: u32, out: &mut Out) {
    let base = ex.index.conv_base.get(position as usize).copied();
    if let Some(base) = base.filter(|&b| b != crate::tui::explorer::NONE) {
        if ex.filter.as_ref().is_some_and(|f| !f.accepts(position)) {
            ex.filter = None;
            ex.filter_generation += 1;
            ex.refresh_aggregates();
            out.info("Filter cleared to show the conversation");
        }
        ex.tree.reveal(&ex.index, base);
        ex.refresh_tree();
        ex.refresh_detail();
    }
    let index = ex.detail.conversations.iter().position(|&p| p == position);
    ex.focus = Pane::Detail;
    match index {
        Some(i) => open_viewer(ex, i, out),
        None => {
            // Not clustered (yet): show it on its own.
            ex.viewer = Some(crate::tui::explorer::Viewer::new(None, 0, position));
            out.effects
                .push(Effect::LoadConversation(position as usize));
        }
    }
}

fn rename(ex: &mut Explorer, cluster: u32, editor: LineEditor, out: &mut Out) {
    let text = editor.text().to_string();
    let name = text.trim();
    let Some(current) = ex.cluster(cluster) else {
        return;
    };
    if name.is_empty() {
        out.error("A cluster name cannot be empty");
        ex.prompt = Some(Prompt::Rename { cluster, editor });
        return;
    }
    if name == current.name {
        return;
    }
    let id = current.id.clone();
    let previous_name = current.name.clone();
    let previous_relabel = ex.analysis.labels.set(&ex.analysis.hierarchy, &id, name);
    ex.analysis.hierarchy.rename(&id, name);
    ex.undo.push(UndoEntry {
        cluster_id: id,
        previous_name,
        previous_relabel,
    });
    ex.refresh_tree();
    out.effects.push(Effect::SaveLabels);
    out.info(format!("Renamed to “{name}” (u undoes)"));
}
