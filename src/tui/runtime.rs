//! The runtime: owns the terminal, turns terminal input and pipeline events
//! into actions, runs `update`, carries out the effects it returns (saving
//! labels, exporting, reading the store, loading the analysis, cancelling),
//! and redraws when something changed, at most every 16 ms.
//!
//! The terminal is restored on every way out: normal exit, error, panic.

use std::collections::VecDeque;
use std::io::stdout;
use std::panic;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent, MouseButton, MouseEventKind,
};
use crossterm::execute;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc::error::TryRecvError;

use super::action::{Action, Effect};
use super::explorer::{MetaTable, MetadataBuilder};
use super::keys::Key;
use super::state::{Screen, State};
use super::{ui, update};
use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::export::export_cluster;
use crate::pipeline::{Event, EventReceiver, Outcome};
use crate::project::Project;
use crate::project::store::Store;

const FRAME: Duration = Duration::from_millis(16);
const RUN_TICK: Duration = Duration::from_millis(250);
const IDLE_TICK: Duration = Duration::from_millis(500);

/// Loads the analysis once a run has ended.
pub type Loader = Box<dyn FnOnce() -> Result<Analysis> + Send>;

/// The outside world the UI talks to.
pub struct Runtime<'a> {
    pub project: &'a Project,
    pub events: Option<EventReceiver>,
    pub cancel: Option<Arc<dyn Fn() + Send + Sync>>,
    pub load: Option<Loader>,
    pub answer: Option<Box<dyn FnOnce(bool) + Send>>,
    store: Option<Store>,
    metadata: Option<mpsc::Receiver<Result<MetaTable, String>>>,
    stop_metadata: Arc<AtomicBool>,
}

impl<'a> Runtime<'a> {
    pub fn new(project: &'a Project) -> Runtime<'a> {
        Runtime {
            project,
            events: None,
            cancel: None,
            load: None,
            answer: None,
            store: None,
            metadata: None,
            stop_metadata: Arc::new(AtomicBool::new(false)),
        }
    }

    fn store(&mut self) -> std::result::Result<&Store, String> {
        if self.store.is_none() {
            self.store = Some(self.project.store().map_err(|e| e.to_string())?);
        }
        self.store.as_ref().ok_or_else(|| "no store".to_string())
    }

    /// Carries out one effect; results come back as actions.
    fn execute(&mut self, effect: Effect, state: &State, queue: &mut VecDeque<Action>) {
        match effect {
            Effect::SaveLabels => {
                if let Some(ex) = state.explorer_ref() {
                    let path = self.project.layout.labels();
                    let result = ex.analysis.labels.save(&path).map_err(|e| e.to_string());
                    queue.push_back(Action::LabelsSaved(result));
                }
            }
            Effect::Export(id) => {
                let Some(ex) = state.explorer_ref() else {
                    return;
                };
                let project = self.project;
                let result = match self.store() {
                    Ok(store) => export_cluster(&ex.analysis, store, &project.layout, &id, None)
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                };
                queue.push_back(Action::Exported(result));
            }
            Effect::LoadConversation(position) => {
                let result = self
                    .store()
                    .and_then(|s| s.get(position).map_err(|e| e.to_string()))
                    .map(Box::new);
                queue.push_back(Action::ConversationLoaded { position, result });
            }
            Effect::LoadMetadata => self.spawn_metadata(),
            Effect::LoadAnalysis => {
                if let Some(load) = self.load.take() {
                    let result = load().map(Box::new).map_err(|e| e.to_string());
                    queue.push_back(Action::AnalysisLoaded(result));
                }
            }
            Effect::CancelRun => {
                if let Some(cancel) = &self.cancel {
                    cancel();
                }
            }
            Effect::Answer(yes) => {
                if let Some(answer) = self.answer.take() {
                    answer(yes);
                }
            }
            Effect::Quit => {}
        }
    }

    /// Streams the store once on a thread, building the metadata columns.
    fn spawn_metadata(&mut self) {
        let (tx, rx) = mpsc::channel();
        self.metadata = Some(rx);
        let data = self.project.layout.conversations();
        let index = self.project.layout.conversations_index();
        let stop = self.stop_metadata.clone();
        std::thread::spawn(move || {
            let result = (|| -> std::result::Result<MetaTable, String> {
                let store = Store::open(&data, &index).map_err(|e| e.to_string())?;
                let mut builder = MetadataBuilder::default();
                for conv in store.iter().map_err(|e| e.to_string())? {
                    if stop.load(Ordering::Relaxed) {
                        return Err("stopped".into());
                    }
                    builder.push(&conv.map_err(|e| e.to_string())?.metadata);
                }
                Ok(builder.finish())
            })();
            let _ = tx.send(result);
        });
    }
}

/// Runs the UI until the user quits. `initial` effects run first.
pub fn run(state: &mut State, rt: &mut Runtime<'_>, initial: Vec<Effect>) -> Result<()> {
    let previous = Arc::new(panic::take_hook());
    let chained = previous.clone();
    panic::set_hook(Box::new(move |info| {
        restore_terminal();
        eprintln!(
            "\nkura-tui hit a bug and had to stop: {info}\nYour relabels were saved as you made them. Please report this with the steps that led to it."
        );
        chained(info);
    }));
    let result = ratatui::try_init()
        .map_err(|e| Error::Other(format!("cannot start the terminal UI: {e}")))
        .and_then(|mut terminal| {
            if state.mouse {
                let _ = execute!(stdout(), EnableMouseCapture);
            }
            event_loop(&mut terminal, state, rt, initial)
        });
    rt.stop_metadata.store(true, Ordering::Relaxed);
    restore_terminal();
    // Put back the hook that was there before.
    drop(panic::take_hook());
    panic::set_hook(Box::new(move |info| previous(info)));
    result
}

fn restore_terminal() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    state: &mut State,
    rt: &mut Runtime<'_>,
    initial: Vec<Effect>,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Other(format!("terminal: {e}"));
    let started = Instant::now();
    let mut queue: VecDeque<Action> = VecDeque::new();
    let size = terminal.size().map_err(io)?;
    queue.push_back(Action::Resize(size.width, size.height));
    for effect in initial {
        rt.execute(effect, state, &mut queue);
    }
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let mut last_tick = Duration::ZERO;
    loop {
        // Pipeline events and background results.
        if let Some(rx) = rt.events.as_mut() {
            loop {
                match rx.try_recv() {
                    Ok(ev) => queue.push_back(Action::Pipeline(ev)),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        rt.events = None;
                        let running =
                            matches!(&state.screen, Screen::Run(r) if r.progress.outcome.is_none());
                        if running {
                            let why =
                                "the pipeline stopped without reporting an outcome".to_string();
                            queue.push_back(Action::Pipeline(Event::Done(Outcome::Failed(why))));
                        }
                        break;
                    }
                }
            }
        }
        if let Some(rx) = &rt.metadata {
            match rx.try_recv() {
                Ok(result) => {
                    queue.push_back(Action::MetadataLoaded(result.map(Arc::new)));
                    rt.metadata = None;
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => rt.metadata = None,
            }
        }
        let elapsed = started.elapsed();
        let tick_every = if matches!(state.screen, Screen::Run(_)) {
            RUN_TICK
        } else {
            IDLE_TICK
        };
        if elapsed >= last_tick + tick_every {
            last_tick = elapsed;
            let had_toast = state.toast.is_some();
            queue.push_back(Action::Tick(elapsed));
            dirty |= matches!(state.screen, Screen::Run(_)) || had_toast;
        }
        while let Some(action) = queue.pop_front() {
            dirty |= !matches!(action, Action::Tick(_));
            // Show "loading" before a slow load starts.
            let effects = update(state, action);
            if effects.contains(&Effect::LoadAnalysis) {
                terminal.draw(|f| ui::draw(state, f)).map_err(io)?;
            }
            for effect in effects {
                rt.execute(effect, state, &mut queue);
            }
        }
        if state.quit {
            return Ok(());
        }
        let since = last_draw.map(|t| t.elapsed()).unwrap_or(FRAME);
        if dirty && since >= FRAME {
            terminal.draw(|f| ui::draw(state, f)).map_err(io)?;
            last_draw = Some(Instant::now());
            dirty = false;
        }
        let wait = if dirty {
            FRAME.saturating_sub(since)
        } else if matches!(state.screen, Screen::Run(_)) || rt.metadata.is_some() {
            Duration::from_millis(50)
        } else {
            Duration::from_millis(250)
        };
        if event::poll(wait).map_err(io)? {
            // Take everything already waiting, so a burst draws once.
            loop {
                if let Some(action) = translate(state, event::read().map_err(io)?) {
                    queue.push_back(action);
                }
                if !event::poll(Duration::ZERO).map_err(io)? {
                    break;
                }
            }
        }
    }
}

/// A terminal event as an action, if it means anything here.
fn translate(state: &State, event: TermEvent) -> Option<Action> {
    match event {
        TermEvent::Key(key) => {
            let key = Key::from_event(&key)?;
            state.keymap.action(state.context(), key)
        }
        TermEvent::Resize(w, h) => Some(Action::Resize(w, h)),
        TermEvent::Mouse(m) if state.mouse => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                column: m.column,
                row: m.row,
            }),
            MouseEventKind::ScrollUp => Some(Action::ScrollUp {
                column: m.column,
                row: m.row,
            }),
            MouseEventKind::ScrollDown => Some(Action::ScrollDown {
                column: m.column,
                row: m.row,
            }),
            _ => None,
        },
        _ => None,
    }
}
