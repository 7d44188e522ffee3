//! The conversation viewer: opening it on a detail-list entry, scrolling
//! (by the page size and limit `fit` measured) and walking the cluster's
//! conversations with `n`/`p`.

use super::{Env, Out};
use crate::tui::command::Command;
use crate::tui::effect::{Effect, StorePaths};
use crate::tui::explorer::{Explorer, Viewer};

/// Opens the viewer on entry `index` of the detail list.
pub(super) fn open_viewer(ex: &mut Explorer, index: usize, env: &Env, out: &mut Out) {
    let Some(&position) = ex.detail.conversations.get(index) else {
        out.error("No conversation to open");
        return;
    };
    ex.detail.cursor = index;
    show(
        ex,
        Viewer::new(ex.detail.cluster, index, position),
        env,
        out,
    );
}

/// Puts `viewer` up and asks for its conversation.
pub(super) fn show(ex: &mut Explorer, mut viewer: Viewer, env: &Env, out: &mut Out) {
    match env.project {
        Some(project) => out.effects.push(Effect::LoadConversation {
            position: viewer.position as usize,
            store: StorePaths::of(project),
        }),
        None => viewer.error = Some("no project is open".into()),
    }
    ex.viewer = Some(viewer);
}

/// Viewer keys; returns true when the command was the viewer's.
pub(super) fn command(ex: &mut Explorer, command: Command, env: &Env, out: &mut Out) -> bool {
    let Some(v) = ex.viewer.as_mut() else {
        return false;
    };
    let page = v.fit.page.max(1);
    let max = v.fit.max_scroll;
    match command {
        Command::Up => v.scroll = v.scroll.saturating_sub(1),
        Command::Down => v.scroll = (v.scroll + 1).min(max),
        Command::PageUp => v.scroll = v.scroll.saturating_sub(page),
        Command::PageDown => v.scroll = (v.scroll + page).min(max),
        Command::Top => v.scroll = 0,
        Command::Bottom => v.scroll = max,
        Command::NextConversation | Command::PrevConversation => {
            let (cluster, index) = (v.cluster, v.index);
            let next = if command == Command::NextConversation {
                index + 1
            } else {
                index.wrapping_sub(1)
            };
            let list = ex.list_of(cluster);
            match list.get(next) {
                Some(&p) => {
                    if ex.detail.cluster == cluster {
                        ex.detail.cursor = next;
                    }
                    show(ex, Viewer::new(cluster, next, p), env, out);
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
