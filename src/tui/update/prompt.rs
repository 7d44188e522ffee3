//! The text prompts: the inline rename editor, the search box and the
//! filter picker. Editing keys go to the line editor; `Enter` applies and
//! `Esc` closes without changes.

use super::explorer::save_labels;
use super::viewer::{open_viewer, show};
use super::{Env, Out};
use crate::tui::command::Command;
use crate::tui::editor::LineEditor;
use crate::tui::effect::Effect;
use crate::tui::explorer::{
    Explorer, Filter, Hit, NONE, Pane, Prompt, UndoEntry, Viewer, matching_options,
};

/// A character typed into the open prompt.
pub(super) fn insert(ex: &mut Explorer, c: char) {
    if let Some(prompt) = ex.prompt.as_mut() {
        prompt.editor_mut().insert(c);
        refresh(ex);
    }
}

pub(super) fn command(ex: &mut Explorer, command: Command, env: &Env, out: &mut Out) {
    let Some(prompt) = ex.prompt.as_mut() else {
        return;
    };
    let editor = prompt.editor_mut();
    let mut edited = true;
    match command {
        Command::CursorLeft => editor.left(),
        Command::CursorRight => editor.right(),
        Command::CursorHome => editor.home(),
        Command::CursorEnd => editor.end(),
        Command::DeleteBack => editor.delete_back(),
        Command::DeleteForward => editor.delete_forward(),
        Command::DeleteWord => editor.delete_word(),
        Command::ClearLine => editor.clear(),
        _ => edited = false,
    }
    if edited {
        refresh(ex);
        return;
    }
    match command {
        Command::Back => ex.prompt = None,
        Command::Quit => out.effects.push(Effect::Quit),
        Command::Up | Command::Down => {
            let delta: isize = if command == Command::Up { -1 } else { 1 };
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
        Command::Submit => submit(ex, env, out),
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

fn submit(ex: &mut Explorer, env: &Env, out: &mut Out) {
    let Some(prompt) = ex.prompt.take() else {
        return;
    };
    match prompt {
        Prompt::Rename { cluster, editor } => rename(ex, cluster, editor, env, out),
        Prompt::Search {
            results, cursor, ..
        } => match results.hits.get(cursor) {
            Some(&Hit::Cluster(c)) => {
                ex.with_tree(|tree, order| tree.reveal(c, order));
                ex.focus = Pane::Tree;
            }
            Some(&Hit::Conversation(p)) => goto_conversation(ex, p, env, out),
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
            ex.reorder_tree();
            ex.refresh_detail();
        }
    }
}

/// Selects a conversation's base cluster and opens it in the viewer.
fn goto_conversation(ex: &mut Explorer, position: u32, env: &Env, out: &mut Out) {
    let base = ex.index.conv_base.get(position as usize).copied();
    if let Some(base) = base.filter(|&b| b != NONE) {
        if ex.filter.as_ref().is_some_and(|f| !f.accepts(position)) {
            ex.filter = None;
            ex.filter_generation += 1;
            ex.refresh_aggregates();
            ex.reorder_tree();
            out.info("Filter cleared to show the conversation");
        }
        ex.with_tree(|tree, order| tree.reveal(base, order));
        ex.refresh_detail();
    }
    let index = ex.detail.conversations.iter().position(|&p| p == position);
    ex.focus = Pane::Detail;
    match index {
        Some(i) => open_viewer(ex, i, env, out),
        // Not clustered (yet): show it on its own.
        None => show(ex, Viewer::new(None, 0, position), env, out),
    }
}

fn rename(ex: &mut Explorer, cluster: u32, editor: LineEditor, env: &Env, out: &mut Out) {
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
    let analysis = ex.analysis_mut();
    let previous_relabel = analysis.labels.set(&analysis.hierarchy, &id, name);
    analysis.hierarchy.rename(&id, name);
    ex.undo.push(UndoEntry {
        cluster_id: id,
        previous_name,
        previous_relabel,
    });
    ex.reorder_tree();
    save_labels(ex, env, out);
    out.info(format!("Renamed to “{name}” (u undoes)"));
}
