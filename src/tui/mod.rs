//! The terminal explorer and run screen.
//!
//! The pieces follow one loop: the [`runtime`] turns keys (through the
//! [`keymap`], into [`Command`]s), mouse, resizes, pipeline events and
//! workers' results into [`Msg`]s; [`update`] applies them to the
//! [`State`] and returns [`Effect`]s, each carrying its data, for the
//! runtime to carry out (slow ones on [`worker`] threads); [`draw`] renders
//! the state, one widget per pane, and only reads it. `update` and `draw`
//! do no I/O and read no clock, so they are tested headless against
//! `TestBackend`.

pub mod classify;
pub mod command;
pub mod editor;
pub mod effect;
pub mod explorer;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod msg;
pub mod runtime;
pub mod sort_menu;
pub mod state;
pub mod theme;
pub mod ui;
mod update;
pub mod worker;

use std::sync::Arc;

pub use command::Command;
pub use effect::{Effect, ExportJob, StorePaths};
pub use explorer::{Explorer, MetaStatus, Pane};
pub use keymap::{Context, Keymap};
pub use msg::Msg;
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
    let mut state = State::for_project(Screen::Explorer(Box::new(ex)), project)?;
    let store = StorePaths::of(&project.layout);
    runtime::run(
        &mut state,
        &mut Runtime::new(),
        vec![Effect::LoadMetadata { store }],
    )
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
    let mut rt = Runtime::new();
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
    let mut state = State::for_project(screen, project)?;
    rt.events = Some(events);
    rt.cancel = Some(cancel);
    rt.load = Some(load);
    runtime::run(&mut state, &mut rt, Vec::new())
}
