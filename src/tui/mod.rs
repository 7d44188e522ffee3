//! The terminal explorer and run screen.
//!
//! The pieces follow one loop: the [`runtime`] turns keys (through the
//! [`keymap`]), mouse, resizes and pipeline events into [`Action`]s;
//! [`update`] applies them to the [`State`] and returns [`Effect`]s for the
//! runtime to carry out; [`draw`] renders the state, one widget per pane.
//! `update` and `draw` do no I/O and read no clock, so they are tested
//! headless against `TestBackend`.

pub mod action;
pub mod editor;
pub mod explorer;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod runtime;
pub mod state;
pub mod theme;
pub mod ui;
mod update;

use std::sync::Arc;

pub use action::{Action, Effect};
pub use explorer::{Explorer, MetaStatus, Pane};
pub use keymap::{Context, Keymap};
pub use state::{ConfirmState, RunState, Screen, State};
pub use theme::Theme;
pub use ui::draw;
pub use update::update;

use crate::analysis::Analysis;
use crate::error::Result;
use crate::pipeline::EventReceiver;
use crate::project::Project;
use runtime::{Loader, Runtime};

/// A question to ask before the run starts (the cost estimate). `answer`
/// is called once with the user's choice; on "no" the UI exits.
pub struct ConfirmPrompt {
    pub title: String,
    pub text: String,
    pub answer: Box<dyn FnOnce(bool) + Send>,
}

fn title(project: &Project) -> String {
    project.layout.root().display().to_string()
}

/// Opens the explorer on a loaded analysis and returns when the user quits.
pub fn explore(project: &Project, analysis: Analysis) -> Result<()> {
    let mut ex = Explorer::new(analysis, title(project));
    ex.metadata = MetaStatus::Loading;
    if ex.banner.is_none() {
        ex.banner = crate::offline::coverage::explorer_banner(project, &ex.analysis.summaries);
    }
    let mut state = State::from_config(Screen::Explorer(Box::new(ex)), &project.config)?;
    let mut rt = Runtime::new(project);
    runtime::run(&mut state, &mut rt, vec![Effect::LoadMetadata])
}

/// Shows the run screen fed by `events`; `c` calls `cancel` and explores
/// the finished stages, `q` calls `cancel` and exits, and when the run ends
/// the explorer opens on what `load` returns.
pub fn run_and_explore(
    project: &Project,
    events: EventReceiver,
    cancel: Arc<dyn Fn() + Send + Sync>,
    load: Loader,
) -> Result<()> {
    run_and_explore_with(project, events, cancel, load, None)
}

/// [`run_and_explore`], first asking `confirm` (if given) on a confirmation
/// screen.
pub fn run_and_explore_with(
    project: &Project,
    events: EventReceiver,
    cancel: Arc<dyn Fn() + Send + Sync>,
    load: Loader,
    confirm: Option<ConfirmPrompt>,
) -> Result<()> {
    let mut rt = Runtime::new(project);
    let screen = match confirm {
        Some(c) => {
            rt.answer = Some(c.answer);
            Screen::Confirm(ConfirmState {
                title: c.title,
                text: c.text,
                project: title(project),
            })
        }
        None => Screen::Run(RunState::new(title(project))),
    };
    let mut state = State::from_config(screen, &project.config)?;
    rt.events = Some(events);
    rt.cancel = Some(cancel);
    rt.load = Some(load);
    runtime::run(&mut state, &mut rt, Vec::new())
}
