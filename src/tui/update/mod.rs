//! `update(&mut State, Msg) -> Vec<Effect>`: the only place state
//! changes. No I/O and no clock here: the runtime passes time in as
//! `Msg::Tick` and carries out the returned effects. After every message
//! the explorer's scroll offsets, page sizes and map raster are fitted to
//! the layout ([`fit`]), so `draw` only reads.

mod classify;
mod explorer;
mod fit;
mod labelling;
mod mouse;
mod prompt;
mod results;
mod run;
mod viewer;

use chrono::{DateTime, TimeDelta, Utc};
use ratatui::layout::Rect;

use super::command::Command;
use super::effect::Effect;
use super::explorer::Explorer;
use super::msg::Msg;
use super::state::{Screen, State, ToastKind};
use super::ui;
use crate::project::Layout;

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

/// What the explorer's handlers read from outside the explorer.
pub(crate) struct Env<'a> {
    pub size: (u16, u16),
    pub project: Option<&'a Layout>,
    pub wall_clock: DateTime<Utc>,
}

/// Applies one message (a [`Command`] converts into one).
pub fn update(state: &mut State, msg: impl Into<Msg>) -> Vec<Effect> {
    let msg = msg.into();
    if let Msg::Tick(now) = msg {
        tick(state, now);
        return Vec::new();
    }
    let effects = apply(state, msg);
    if let Screen::Explorer(ex) = &mut state.screen {
        fit::fit(ex, &state.theme, state.size);
    }
    effects
}

fn tick(state: &mut State, now: std::time::Duration) {
    state.now = state.now.max(now);
    if state.toast.as_ref().is_some_and(|t| t.until <= state.now) {
        state.toast = None;
    }
    if let Screen::Run(run) = &mut state.screen {
        run.progress.tick(state.now);
    }
}

fn apply(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Resize(w, h) => {
            state.size = (w, h);
            return Vec::new();
        }
        Msg::Command(Command::Noop) => return Vec::new(),
        _ => {}
    }
    if state.help.is_some() {
        return help(state, msg);
    }
    if matches!(msg, Msg::Command(Command::Help))
        && !matches!(&state.screen, Screen::Explorer(e) if e.prompt.is_some())
    {
        state.help = Some(0);
        return Vec::new();
    }
    let wall_clock = state.started_at + TimeDelta::from_std(state.now).unwrap_or_default();
    let State {
        screen,
        project,
        size,
        ..
    } = state;
    let env = Env {
        size: *size,
        project: project.as_ref(),
        wall_clock,
    };
    let mut out = Out::default();
    match screen {
        Screen::Confirm(_) => return run::confirm(state, msg),
        Screen::Run(_) => return run::update(state, msg),
        Screen::Explorer(ex) => explorer_update(ex, msg, &env, &mut out),
    }
    if out.effects.contains(&Effect::Quit) {
        state.quit = true;
    }
    if let Some((kind, text)) = out.toast {
        state.toast(kind, text);
    }
    out.effects
}

fn explorer_update(ex: &mut Explorer, msg: Msg, env: &Env, out: &mut Out) {
    let msg = match classify::route(ex, msg, env, out) {
        Some(msg) => msg,
        None => return,
    };
    match msg {
        Msg::Click { column, row } => mouse::click(ex, env, column, row, out),
        Msg::ScrollUp { column, row } => mouse::scroll(ex, env.size, column, row, -3),
        Msg::ScrollDown { column, row } => mouse::scroll(ex, env.size, column, row, 3),
        Msg::Command(c) if ex.prompt.is_some() => prompt::command(ex, c, env, out),
        Msg::Insert(c) if ex.prompt.is_some() => prompt::insert(ex, c),
        Msg::Command(c) => explorer::command(ex, c, env, out),
        other => results::apply(ex, other, out),
    }
}

fn help(state: &mut State, msg: Msg) -> Vec<Effect> {
    let scroll = state.help.unwrap_or(0);
    let Msg::Command(command) = msg else {
        // Results keep arriving while help is open.
        let keep = state.help.take();
        let effects = update(state, msg);
        state.help = keep;
        return effects;
    };
    match command {
        Command::Back | Command::Help => state.help = None,
        Command::Up => state.help = Some(scroll.saturating_sub(1)),
        Command::Down => {
            let area = Rect::new(0, 0, state.size.0, state.size.1);
            let max = ui::help::max_scroll(state, area);
            state.help = Some(scroll.saturating_add(1).min(max));
        }
        Command::Quit => {
            state.quit = true;
            let mut effects = Vec::new();
            if matches!(state.screen, Screen::Run(_)) {
                effects.push(Effect::CancelRun);
            }
            effects.push(Effect::Quit);
            return effects;
        }
        _ => {}
    }
    Vec::new()
}
