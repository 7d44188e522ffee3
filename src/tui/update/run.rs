//! The cost confirmation and the run screen: pipeline events fold into the
//! progress; `c` cancels and explores what finished; `q` cancels and quits;
//! the explorer opens when the run ends.

use crate::pipeline::{Event, Outcome};
use crate::tui::command::Command;
use crate::tui::effect::{Effect, StorePaths};
use crate::tui::explorer::{Explorer, MetaStatus};
use crate::tui::msg::Msg;
use crate::tui::state::{AfterRun, RunState, Screen, State, ToastKind};

pub(super) fn confirm(state: &mut State, msg: Msg) -> Vec<Effect> {
    let Screen::Confirm(c) = &state.screen else {
        return Vec::new();
    };
    let Msg::Command(command) = msg else {
        return Vec::new();
    };
    match command {
        Command::Yes => {
            let title = c.project.clone();
            state.screen = Screen::Run(RunState::new(title));
            vec![Effect::Answer(true)]
        }
        Command::No | Command::Quit | Command::Back => {
            state.quit = true;
            vec![Effect::Answer(false), Effect::Quit]
        }
        _ => Vec::new(),
    }
}

pub(super) fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let now = state.now;
    let Screen::Run(run) = &mut state.screen else {
        return Vec::new();
    };
    match msg {
        Msg::Pipeline(event) => {
            run.progress.apply(&event, now);
            if let Event::Done(outcome) = &event {
                return run_ended(run, outcome, &mut state.quit);
            }
            Vec::new()
        }
        Msg::Command(Command::CancelRun) => {
            if run.loading {
                return Vec::new();
            }
            if run.progress.outcome.is_some() {
                // Already over (it failed): explore what finished.
                run.loading = true;
                run.error = None;
                return vec![Effect::LoadAnalysis];
            }
            if run.after.is_none() {
                run.after = Some(AfterRun::Explore);
                return vec![Effect::CancelRun];
            }
            Vec::new()
        }
        Msg::Command(Command::Quit) => {
            run.after = Some(AfterRun::Quit);
            state.quit = true;
            vec![Effect::CancelRun, Effect::Quit]
        }
        Msg::Command(Command::Up) => {
            let max = run.progress.log.len().saturating_sub(1);
            run.log_scroll = (run.log_scroll + 1).min(max);
            Vec::new()
        }
        Msg::Command(Command::Down) => {
            run.log_scroll = run.log_scroll.saturating_sub(1);
            Vec::new()
        }
        Msg::AnalysisLoaded(Ok(analysis)) => {
            let title = run.title.clone();
            let mut ex = Explorer::new(*analysis, title);
            let effects = match &state.project {
                Some(project) => {
                    ex.metadata = MetaStatus::Loading;
                    let store = StorePaths::of(project);
                    vec![Effect::LoadMetadata { store }]
                }
                None => Vec::new(),
            };
            state.screen = Screen::Explorer(Box::new(ex));
            effects
        }
        Msg::AnalysisLoaded(Err(e)) => {
            run.loading = false;
            run.error = Some(format!("Could not load the results: {e}"));
            Vec::new()
        }
        Msg::LabelsSaved(Err(e)) => {
            state.toast(ToastKind::Error, format!("Could not save labels: {e}"));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn run_ended(run: &mut RunState, outcome: &Outcome, quit: &mut bool) -> Vec<Effect> {
    if run.after == Some(AfterRun::Quit) {
        *quit = true;
        return vec![Effect::Quit];
    }
    match outcome {
        Outcome::Failed(e) if run.after.is_none() => {
            run.error = Some(format!(
                "The run failed: {e}. Press c to explore what finished, q to quit."
            ));
            Vec::new()
        }
        _ => {
            run.loading = true;
            vec![Effect::LoadAnalysis]
        }
    }
}
