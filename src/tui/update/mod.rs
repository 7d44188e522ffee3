//! `update(&mut State, Action) -> Vec<Effect>`: the only place state
//! changes. No I/O and no clock here: the runtime passes time in as
//! `Action::Tick` and carries out the returned effects.

mod explorer;
mod mouse;
mod prompt;
mod run;

use super::action::{Action, Effect};
use super::explorer::Explorer;
use super::state::{Screen, State, ToastKind};

/// What an explorer handler produced besides state changes.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub effects: Vec<Effect>,
    pub toast: Option<(ToastKind, String)>,
}

impl Out {
    pub fn info(&mut self, text: impl Into<String>) {
        self.toast = Some((ToastKind::Info, text.into()));
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.toast = Some((ToastKind::Error, text.into()));
    }
}

/// Applies one action.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Tick(now) => {
            state.now = state.now.max(now);
            if state.toast.as_ref().is_some_and(|t| t.until <= state.now) {
                state.toast = None;
            }
            if let Screen::Run(run) = &mut state.screen {
                run.progress.tick(state.now);
            }
            return Vec::new();
        }
        Action::Resize(w, h) => {
            state.size = (w, h);
            return Vec::new();
        }
        Action::Noop => return Vec::new(),
        _ => {}
    }
    if state.help.is_some() {
        return help(state, action);
    }
    if action == Action::Help && !matches!(&state.screen, Screen::Explorer(e) if e.prompt.is_some())
    {
        state.help = Some(0);
        return Vec::new();
    }
    let size = state.size;
    let mut out = Out::default();
    match &mut state.screen {
        Screen::Confirm(_) => return run::confirm(state, action),
        Screen::Run(_) => return run::update(state, action),
        Screen::Explorer(ex) => explorer_update(ex, action, size, &mut out),
    }
    if out.effects.contains(&Effect::Quit) {
        state.quit = true;
    }
    if let Some((kind, text)) = out.toast {
        state.toast(kind, text);
    }
    out.effects
}

fn explorer_update(ex: &mut Explorer, action: Action, size: (u16, u16), out: &mut Out) {
    match action {
        Action::Click { column, row } => mouse::click(ex, size, column, row, out),
        Action::ScrollUp { column, row } => mouse::scroll(ex, size, column, row, -3, out),
        Action::ScrollDown { column, row } => mouse::scroll(ex, size, column, row, 3, out),
        action
            if ex.prompt.is_some()
                && (action.is_bindable() || matches!(action, Action::Insert(_))) =>
        {
            prompt::update(ex, action, out)
        }
        action => explorer::update(ex, action, size, out),
    }
}

fn help(state: &mut State, action: Action) -> Vec<Effect> {
    let scroll = state.help.unwrap_or(0);
    match action {
        Action::Back | Action::Help => state.help = None,
        Action::Up => state.help = Some(scroll.saturating_sub(1)),
        Action::Down => state.help = Some(scroll.saturating_add(1).min(200)),
        Action::Quit => {
            state.quit = true;
            let mut effects = Vec::new();
            if matches!(state.screen, Screen::Run(_)) {
                effects.push(Effect::CancelRun);
            }
            effects.push(Effect::Quit);
            return effects;
        }
        // Results keep arriving while help is open.
        other if !other.is_bindable() => {
            let keep = state.help.take();
            let effects = update(state, other);
            state.help = keep;
            return effects;
        }
        _ => {}
    }
    Vec::new()
}
