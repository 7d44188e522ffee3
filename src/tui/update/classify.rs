//! The classifier tools' keys and results: marking clusters, the `C` name
//! prompt, the classifier picker, the sort menu, the eval history and
//! colouring the map. The labelling screen's keys are in [`super::labelling`].

use super::labelling;
use super::{Env, Out};
use crate::classify::definition::check_name;
use crate::tui::classify::{
    ClassifierData, ClassifyJob, ClassifyReply, Colouring, History, Labelling, Naming, Picker,
    Purpose, column_name,
};
use crate::tui::command::Command;
use crate::tui::editor::LineEditor;
use crate::tui::effect::Effect;
use crate::tui::explorer::{ColumnBuilder, Explorer, NONE, SortKey, Source};
use crate::tui::msg::Msg;
use crate::tui::sort_menu::{SortMenu, describe};

/// Handles what belongs to the classifier tools; gives back anything else.
pub(super) fn route(ex: &mut Explorer, msg: Msg, env: &Env, out: &mut Out) -> Option<Msg> {
    match msg {
        Msg::Classify(reply) => reply_in(ex, reply, env, out),
        Msg::ConversationLoaded { position, result }
            if ex
                .classify
                .labelling
                .as_ref()
                .is_some_and(|l| l.view.position as usize == position) =>
        {
            labelling::loaded(ex, result)
        }
        Msg::Insert(c) if ex.classify.naming.is_some() => {
            if let Some(n) = ex.classify.naming.as_mut() {
                n.editor.insert(c);
            }
        }
        Msg::Command(c) if ex.classify.captures() => command(ex, c, env, out),
        Msg::Command(c) if ex.prompt.is_none() && start(ex, c, env, out) => {}
        other => return Some(other),
    }
    None
}

/// The commands that open a tool; false for any other.
fn start(ex: &mut Explorer, command: Command, env: &Env, out: &mut Out) -> bool {
    match command {
        Command::Mark => mark(ex, out),
        Command::NewClassifier => new_classifier(ex, out),
        Command::LabelMode => list(ex, Purpose::Label, env, out),
        Command::ColourBy => list(ex, Purpose::Colour, env, out),
        Command::EvalHistory => list(ex, Purpose::History, env, out),
        Command::SortMenu => ex.classify.sort_menu = Some(SortMenu::for_explorer(ex)),
        _ => return false,
    }
    true
}

fn mark(ex: &mut Explorer, out: &mut Out) {
    let Some(c) = ex.selected() else {
        out.error("Nothing to mark: no cluster is selected");
        return;
    };
    let marked = &mut ex.classify.marked;
    match marked.iter().position(|&m| m == c) {
        Some(i) => {
            marked.remove(i);
        }
        None => marked.push(c),
    }
    let names: Vec<String> = ex
        .classify
        .marked
        .iter()
        .filter_map(|&m| ex.cluster(m).map(|c| c.name.clone()))
        .collect();
    if names.is_empty() {
        out.info("No clusters marked");
    } else {
        out.info(format!(
            "Marked {}: {} (C starts a classifier from them)",
            names.len(),
            names.join(", ")
        ));
    }
}

fn new_classifier(ex: &mut Explorer, out: &mut Out) {
    let chosen: Vec<u32> = if ex.classify.marked.is_empty() {
        ex.selected().into_iter().collect()
    } else {
        ex.classify.marked.clone()
    };
    let clusters: Vec<_> = chosen.iter().filter_map(|&c| ex.cluster(c)).collect();
    let Some(first) = clusters.first() else {
        out.error("No cluster to start a classifier from: select one (or mark several with m)");
        return;
    };
    let suggestion: String = first
        .slug
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    ex.classify.naming = Some(Naming {
        clusters: clusters.iter().map(|c| c.id.clone()).collect(),
        names: clusters.iter().map(|c| c.name.clone()).collect(),
        editor: LineEditor::new(suggestion.trim_matches('-')),
    });
}

fn list(ex: &mut Explorer, purpose: Purpose, env: &Env, out: &mut Out) {
    let Some(project) = env.project else {
        out.error("No project is open");
        return;
    };
    ex.classify.waiting = Some(purpose);
    out.effects.push(Effect::Classify(ClassifyJob::List {
        root: project.root().to_path_buf(),
        purpose,
    }));
}

fn command(ex: &mut Explorer, command: Command, env: &Env, out: &mut Out) {
    if command == Command::Quit {
        out.effects.push(Effect::Quit);
        return;
    }
    let ui = &mut ex.classify;
    if let Some(n) = ui.naming.as_mut() {
        let e = &mut n.editor;
        match command {
            Command::CursorLeft => e.left(),
            Command::CursorRight => e.right(),
            Command::CursorHome => e.home(),
            Command::CursorEnd => e.end(),
            Command::DeleteBack => e.delete_back(),
            Command::DeleteForward => e.delete_forward(),
            Command::DeleteWord => e.delete_word(),
            Command::ClearLine => e.clear(),
            Command::Back => ui.naming = None,
            Command::Submit => submit_name(ex, env, out),
            _ => {}
        }
    } else if let Some(p) = ui.picker.as_mut() {
        match command {
            Command::Up => p.cursor = p.cursor.saturating_sub(1),
            Command::Down => p.cursor = (p.cursor + 1).min(p.names.len().saturating_sub(1)),
            Command::Back => ui.picker = None,
            Command::Submit => pick(ex, env, out),
            _ => {}
        }
    } else if let Some(m) = ui.sort_menu.as_mut() {
        match command {
            Command::Up => m.cursor = m.cursor.saturating_sub(1),
            Command::Down => m.cursor = (m.cursor + 1).min(m.options.len().saturating_sub(1)),
            Command::FlipDirection => m.flip(),
            Command::AddSortKey => m.add(),
            Command::Back => ui.sort_menu = None,
            Command::Submit => apply_sort(ex, out),
            _ => {}
        }
    } else if let Some(h) = ui.history.as_mut() {
        match command {
            Command::Up => h.scroll = h.scroll.saturating_sub(1),
            Command::Down => h.scroll = (h.scroll + 1).min(h.records.len().saturating_sub(1)),
            Command::Back | Command::Submit => ui.history = None,
            _ => {}
        }
    } else if ui.labelling.is_some() {
        labelling::command(ex, command, env, out);
    }
}

fn submit_name(ex: &mut Explorer, env: &Env, out: &mut Out) {
    let Some(n) = ex.classify.naming.as_ref() else {
        return;
    };
    let name = n.editor.text().trim().to_string();
    if let Err(e) = check_name(&name) {
        out.error(e.to_string());
        return;
    }
    let Some(project) = env.project else {
        out.error("No project is open");
        return;
    };
    let clusters = n.clusters.clone();
    ex.classify.naming = None;
    ex.classify.marked.clear();
    out.info(format!("Writing classifiers/{name}.toml…"));
    out.effects.push(Effect::Classify(ClassifyJob::Create {
        root: project.root().to_path_buf(),
        name,
        clusters,
    }));
}

fn pick(ex: &mut Explorer, env: &Env, out: &mut Out) {
    let Some(p) = ex.classify.picker.take() else {
        return;
    };
    let Some(name) = p.names.get(p.cursor).cloned() else {
        return;
    };
    if name.is_empty() {
        clear_colours(ex);
        out.info("Map coloured by top-level cluster again");
        return;
    }
    let Some(project) = env.project else {
        out.error("No project is open");
        return;
    };
    ex.classify.waiting = Some(p.purpose);
    out.effects.push(Effect::Classify(ClassifyJob::Load {
        root: project.root().to_path_buf(),
        name,
        purpose: p.purpose,
    }));
}

fn apply_sort(ex: &mut Explorer, out: &mut Out) {
    let Some(mut m) = ex.classify.sort_menu.take() else {
        return;
    };
    if m.highlighted()
        .is_some_and(|h| !m.chosen.iter().any(|k| k.column == h.column))
    {
        m.add();
    }
    if m.chosen.is_empty() {
        return;
    }
    out.info(format!("Sorted by {}", describe(&m.chosen)));
    ex.sort = SortKey::Fields(m.chosen);
    ex.refresh_aggregates();
    ex.reorder_tree();
}

fn reply_in(ex: &mut Explorer, reply: ClassifyReply, env: &Env, out: &mut Out) {
    match reply {
        ClassifyReply::Listed { purpose, result } => {
            ex.classify.waiting = None;
            match result {
                Ok(names) if names.is_empty() => out.info(
                    "No classifiers yet: mark clusters with m and press C, or write classifiers/NAME.toml",
                ),
                Ok(mut names) => {
                    if purpose == Purpose::Colour && ex.classify.colours.is_some() {
                        names.insert(0, String::new());
                    }
                    ex.classify.picker = Some(Picker {
                        purpose,
                        names,
                        cursor: 0,
                    });
                }
                Err(e) => out.error(format!("Could not list the classifiers: {e}")),
            }
        }
        ClassifyReply::Loaded { purpose, result } => {
            ex.classify.waiting = None;
            match result {
                Ok(data) => opened(ex, purpose, *data, env, out),
                Err(e) => out.error(e),
            }
        }
        ClassifyReply::Created(result) => match result {
            Ok(c) => {
                let shown = c.path.display().to_string();
                let shown = shown
                    .strip_prefix(ex.title.as_str())
                    .map(|s| s.trim_start_matches('/').to_string())
                    .unwrap_or(shown);
                out.info(format!(
                    "Wrote {shown}: {} categories{} (a labels conversations for it)",
                    c.categories,
                    if c.other { " + other" } else { "" }
                ));
            }
            Err(e) => out.error(format!("Could not create the classifier: {e}")),
        },
        ClassifyReply::LabelSaved(Err(e)) => out.error(format!("Could not save the label: {e}")),
        ClassifyReply::LabelSaved(Ok(())) => {}
    }
}

fn opened(ex: &mut Explorer, purpose: Purpose, data: ClassifierData, env: &Env, out: &mut Out) {
    match purpose {
        Purpose::Label if data.queue.is_empty() => {
            out.info(format!("`{}`: no conversations to label", data.name));
        }
        Purpose::Label => {
            ex.classify.labelling = Some(Labelling::new(data));
            labelling::show_current(ex, env, out);
        }
        Purpose::Colour => colour(ex, data, out),
        Purpose::History => {
            ex.classify.history = Some(History {
                name: data.name,
                records: data.history,
                scroll: 0,
            });
        }
    }
}

fn clear_colours(ex: &mut Explorer) {
    ex.classify.colours = None;
    ex.columns.retain(|c| c.source != Source::Classifier);
    if ex
        .filter
        .as_ref()
        .is_some_and(|f| ex.column(&f.column).is_none())
    {
        ex.filter = None;
        ex.filter_generation += 1;
    }
    ex.refresh_aggregates();
    ex.reorder_tree();
    ex.refresh_detail();
}

/// Colours the map by the applied labels and adds them as a column the
/// filter picker offers (so the tree can show one label's counts).
fn colour(ex: &mut Explorer, data: ClassifierData, out: &mut Out) {
    let Some(applied) = data.applied else {
        out.error(format!("`{}` has no applied labels", data.name));
        return;
    };
    clear_colours(ex);
    let rows = ex.analysis.summaries.len().max(applied.by_position.len());
    let mut counts = vec![0u32; applied.classes.len()];
    let mut builder = ColumnBuilder::new(column_name(&data.name), Source::Classifier);
    let mut first = Vec::with_capacity(rows);
    for p in 0..rows {
        let mine = applied.by_position.get(p).map_or(&[][..], Vec::as_slice);
        for &c in mine {
            if let Some(n) = counts.get_mut(c as usize) {
                *n += 1;
            }
        }
        first.push(mine.first().copied().unwrap_or(NONE));
        builder.push_row(
            mine.iter()
                .filter_map(|&c| applied.classes.get(c as usize))
                .map(String::as_str),
            None,
        );
    }
    let labelled = first.iter().filter(|&&f| f != NONE).count();
    ex.columns.push(builder.finish());
    ex.classify.generations += 1;
    ex.classify.colours = Some(Colouring {
        name: data.name.clone(),
        version: applied.version,
        classes: applied.classes,
        first,
        counts,
        generation: ex.classify.generations,
    });
    ex.refresh_detail();
    out.info(format!(
        "Map coloured by `{}` ({labelled} labelled); f filters the tree by a label",
        data.name
    ));
}
