//! The labelling screen: one conversation at a time, a number key stores
//! its category (toggles it, for a multi-label classifier, until Enter),
//! `u` undoes the last label, `n`/`p` skip, Esc leaves. Every label is
//! written at once (one effect per key, the same file as `classify label`).

use ratatui::layout::Rect;

use super::{Env, Out};
use crate::classify::LabelMode;
use crate::model::Conversation;
use crate::tui::classify::{ClassifyJob, Given};
use crate::tui::command::Command;
use crate::tui::effect::{Effect, StorePaths};
use crate::tui::explorer::{Explorer, Viewer};
use crate::tui::theme::Theme;

fn number(command: Command) -> Option<u8> {
    use Command as C;
    Some(match command {
        C::CategoryOther => 0,
        C::Category1 => 1,
        C::Category2 => 2,
        C::Category3 => 3,
        C::Category4 => 4,
        C::Category5 => 5,
        C::Category6 => 6,
        C::Category7 => 7,
        C::Category8 => 8,
        C::Category9 => 9,
        _ => return None,
    })
}

pub(super) fn command(ex: &mut Explorer, command: Command, env: &Env, out: &mut Out) {
    let Some(l) = ex.classify.labelling.as_mut() else {
        return;
    };
    if let Some(k) = number(command) {
        let Some(class) = l.class_of_key(k) else {
            out.info(format!("No category on {k}"));
            return;
        };
        match l.data.mode {
            LabelMode::Single => give(ex, vec![class], env, out),
            LabelMode::Multi => match l.chosen.iter().position(|&c| c == class) {
                Some(i) => {
                    l.chosen.remove(i);
                }
                None => l.chosen.push(class),
            },
        }
        return;
    }
    let at = l.at;
    match command {
        Command::Submit if l.data.mode == LabelMode::Multi => {
            if l.chosen.is_empty() {
                out.info("Choose categories with the number keys, then Enter");
            } else {
                let mut chosen = l.chosen.clone();
                chosen.sort_unstable();
                give(ex, chosen, env, out);
            }
        }
        Command::Undo => undo(ex, env, out),
        Command::NextConversation => goto(ex, at + 1, env, out),
        Command::PrevConversation if at > 0 => goto(ex, at - 1, env, out),
        Command::PrevConversation => out.info("This is the first conversation"),
        Command::Up | Command::Down | Command::PageUp | Command::PageDown => {
            scroll(ex, command, env.size)
        }
        Command::Back => {
            if let Some(l) = ex.classify.labelling.take() {
                out.info(format!(
                    "Labelled {} conversations for `{}` ({} of {} in all)",
                    l.given,
                    l.data.name,
                    l.labelled(),
                    l.data.queue.len()
                ));
            }
        }
        _ => {}
    }
}

/// Stores `classes` as the label of the conversation on show, then moves
/// to the next one.
fn give(ex: &mut Explorer, classes: Vec<usize>, env: &Env, out: &mut Out) {
    let Some(project) = env.project else {
        out.error("No project is open: labels cannot be saved");
        return;
    };
    let Some(l) = ex.classify.labelling.as_mut() else {
        return;
    };
    let Some((_, id)) = l.current().cloned() else {
        return;
    };
    let names: Vec<String> = classes
        .iter()
        .filter_map(|&c| l.data.classes.get(c).cloned())
        .collect();
    let previous = l.data.labels.insert(id.clone(), names.clone());
    l.undo.push(Given {
        at: l.at,
        id: id.clone(),
        previous,
    });
    l.given += 1;
    out.effects.push(Effect::Classify(ClassifyJob::SetLabel {
        root: project.root().to_path_buf(),
        name: l.data.name.clone(),
        id,
        labels: Some(names),
    }));
    let next = l.at + 1;
    if next >= l.data.queue.len() {
        out.info("That was the last conversation (u undoes, Esc leaves)");
        l.chosen.clear();
        return;
    }
    goto(ex, next, env, out);
}

fn undo(ex: &mut Explorer, env: &Env, out: &mut Out) {
    let Some(project) = env.project else {
        return;
    };
    let Some(l) = ex.classify.labelling.as_mut() else {
        return;
    };
    let Some(g) = l.undo.pop() else {
        out.info("Nothing to undo");
        return;
    };
    match &g.previous {
        Some(p) => {
            l.data.labels.insert(g.id.clone(), p.clone());
        }
        None => {
            l.data.labels.remove(&g.id);
        }
    }
    l.given = l.given.saturating_sub(1);
    out.effects.push(Effect::Classify(ClassifyJob::SetLabel {
        root: project.root().to_path_buf(),
        name: l.data.name.clone(),
        id: g.id.clone(),
        labels: g.previous.clone(),
    }));
    out.info(format!("Undid the label of {}", g.id));
    goto(ex, g.at, env, out);
}

/// Shows queue entry `at`.
fn goto(ex: &mut Explorer, at: usize, env: &Env, out: &mut Out) {
    let Some(l) = ex.classify.labelling.as_mut() else {
        return;
    };
    if at >= l.data.queue.len() {
        out.info("That was the last conversation (Esc leaves)");
        return;
    }
    l.at = at;
    show_current(ex, env, out);
}

/// Puts the current conversation up and asks for it; a multi-label
/// classifier starts from its stored labels.
pub(super) fn show_current(ex: &mut Explorer, env: &Env, out: &mut Out) {
    let Some(l) = ex.classify.labelling.as_mut() else {
        return;
    };
    let Some((position, id)) = l.current().cloned() else {
        return;
    };
    l.chosen = l
        .data
        .labels
        .get(&id)
        .map(|names| {
            names
                .iter()
                .filter_map(|n| l.data.classes.iter().position(|c| c == n))
                .collect()
        })
        .unwrap_or_default();
    l.view = Viewer::new(None, l.at, position);
    match env.project {
        Some(project) => out.effects.push(Effect::LoadConversation {
            position: position as usize,
            store: StorePaths::of(project),
        }),
        None => l.view.error = Some("no project is open".into()),
    }
}

pub(super) fn loaded(ex: &mut Explorer, result: Result<Box<Conversation>, String>) {
    if let Some(l) = ex.classify.labelling.as_mut() {
        match result {
            Ok(c) => l.view.conversation = Some(c),
            Err(e) => l.view.error = Some(e),
        }
    }
}

fn scroll(ex: &mut Explorer, command: Command, size: (u16, u16)) {
    let Some(l) = ex.classify.labelling.as_ref() else {
        return;
    };
    let area = crate::tui::ui::classify::conversation_area(Rect::new(0, 0, size.0, size.1));
    let rows = usize::from(area.height).max(1);
    let lines = crate::tui::ui::viewer::text(ex, &l.view, &Theme::default(), area.width).len();
    let max = lines.saturating_sub(rows);
    let Some(l) = ex.classify.labelling.as_mut() else {
        return;
    };
    let s = l.view.scroll;
    l.view.scroll = match command {
        Command::Up => s.saturating_sub(1),
        Command::Down => s + 1,
        Command::PageUp => s.saturating_sub(rows),
        _ => s + rows,
    }
    .min(max);
}
