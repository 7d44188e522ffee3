//! The runtime: owns the terminal, turns terminal input, pipeline events
//! and workers' results into messages, runs `update`, carries out the
//! effects it returns, and redraws when something changed, at most every
//! 16 ms. Effects carry their data, so carrying them out reads no UI
//! state; exporting and loading run on worker threads ([`super::worker`])
//! and report back through a channel while the UI keeps taking keys.
//!
//! The terminal is restored on every way out: normal exit, error, panic.

use std::collections::VecDeque;
use std::io::stdout;
use std::panic;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent, MouseButton, MouseEventKind,
};
use crossterm::execute;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc::error::TryRecvError;

use super::effect::{Effect, StorePaths};
use super::keys::Key;
use super::msg::Msg;
use super::state::{Screen, State};
use super::{ui, update, worker};
use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::pipeline::{Event, EventReceiver, Outcome};
use crate::project::store::Store;

const FRAME: Duration = Duration::from_millis(16);
const RUN_TICK: Duration = Duration::from_millis(250);
const IDLE_TICK: Duration = Duration::from_millis(500);

/// Loads the analysis once a run has ended.
pub type Loader = Box<dyn FnOnce() -> Result<Analysis> + Send>;

/// The outside world the UI talks to.
pub struct Runtime {
    pub events: Option<EventReceiver>,
    pub cancel: Option<Arc<dyn Fn() + Send + Sync>>,
    pub load: Option<Loader>,
    pub answer: Option<Box<dyn FnOnce(bool) + Send>>,
    /// The store last read from, kept open.
    store: Option<(StorePaths, Store)>,
    /// Workers' results.
    results: mpsc::Receiver<Msg>,
    sender: mpsc::Sender<Msg>,
    /// Set on the way out: workers stop early.
    stop: Arc<AtomicBool>,
    /// Workers still running.
    busy: Arc<AtomicUsize>,
    /// Export threads, joined on the way out so none leaves a temporary
    /// file behind.
    exports: Vec<JoinHandle<()>>,
}

impl Default for Runtime {
    fn default() -> Self {
        Runtime::new()
    }
}

/// Counts a worker as running until dropped (even if it panics).
struct Busy(Arc<AtomicUsize>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Runtime {
    pub fn new() -> Runtime {
        let (sender, results) = mpsc::channel();
        Runtime {
            events: None,
            cancel: None,
            load: None,
            answer: None,
            store: None,
            results,
            sender,
            stop: Arc::new(AtomicBool::new(false)),
            busy: Arc::new(AtomicUsize::new(0)),
            exports: Vec::new(),
        }
    }

    fn store(&mut self, paths: StorePaths) -> std::result::Result<&Store, String> {
        if self.store.as_ref().is_none_or(|(p, _)| *p != paths) {
            let store = paths.open().map_err(|e| e.to_string())?;
            self.store = Some((paths, store));
        }
        self.store
            .as_ref()
            .map(|(_, s)| s)
            .ok_or_else(|| "no store".to_string())
    }

    /// Runs `job` on a worker thread; what it sends arrives as messages.
    fn spawn<F>(&mut self, job: F) -> JoinHandle<()>
    where
        F: FnOnce(&AtomicBool, &dyn Fn(Msg)) + Send + 'static,
    {
        let sender = self.sender.clone();
        let stop = self.stop.clone();
        self.busy.fetch_add(1, Ordering::Relaxed);
        let busy = Busy(self.busy.clone());
        std::thread::spawn(move || {
            let _busy = busy;
            job(&stop, &|msg| {
                // The UI may be gone; nothing is waiting then.
                let _ = sender.send(msg);
            });
        })
    }

    /// Carries out one effect; quick results come back through `queue`,
    /// workers' through the channel.
    fn execute(&mut self, effect: Effect, queue: &mut VecDeque<Msg>) {
        match effect {
            Effect::SaveLabels { labels, path } => {
                let result = labels.save(&path).map_err(|e| e.to_string());
                queue.push_back(Msg::LabelsSaved(result));
            }
            Effect::Export(job) => {
                let handle = self.spawn(move |stop, send| worker::export(&job, stop, send));
                self.exports.push(handle);
            }
            Effect::LoadConversation { position, store } => {
                let result = self
                    .store(store)
                    .and_then(|s| s.get(position).map_err(|e| e.to_string()))
                    .map(Box::new);
                queue.push_back(Msg::ConversationLoaded { position, result });
            }
            Effect::LoadMetadata { store } => {
                self.spawn(move |stop, send| worker::load_metadata(&store, stop, send));
            }
            Effect::LoadAnalysis => {
                if let Some(load) = self.load.take() {
                    self.spawn(move |_, send| {
                        let result = load().map(Box::new).map_err(|e| e.to_string());
                        send(Msg::AnalysisLoaded(result));
                    });
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

    /// Stops the workers and waits for the exports to give up.
    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for handle in self.exports.drain(..) {
            let _ = handle.join();
        }
    }
}

/// Runs the UI until the user quits. `initial` effects run first.
pub fn run(state: &mut State, rt: &mut Runtime, initial: Vec<Effect>) -> Result<()> {
    state.started_at = chrono::Utc::now();
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
    restore_terminal();
    rt.shut_down();
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
    rt: &mut Runtime,
    initial: Vec<Effect>,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Other(format!("terminal: {e}"));
    let started = Instant::now();
    let mut queue: VecDeque<Msg> = VecDeque::new();
    let size = terminal.size().map_err(io)?;
    queue.push_back(Msg::Resize(size.width, size.height));
    for effect in initial {
        rt.execute(effect, &mut queue);
    }
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let mut last_tick = Duration::ZERO;
    loop {
        // Pipeline events and background results.
        if let Some(rx) = rt.events.as_mut() {
            loop {
                match rx.try_recv() {
                    Ok(ev) => queue.push_back(Msg::Pipeline(ev)),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        rt.events = None;
                        let running =
                            matches!(&state.screen, Screen::Run(r) if r.progress.outcome.is_none());
                        if running {
                            let why =
                                "the pipeline stopped without reporting an outcome".to_string();
                            queue.push_back(Msg::Pipeline(Event::Done(Outcome::Failed(why))));
                        }
                        break;
                    }
                }
            }
        }
        queue.extend(rt.results.try_iter());
        let elapsed = started.elapsed();
        let tick_every = if matches!(state.screen, Screen::Run(_)) {
            RUN_TICK
        } else {
            IDLE_TICK
        };
        if elapsed >= last_tick + tick_every {
            last_tick = elapsed;
            let had_toast = state.toast.is_some();
            queue.push_back(Msg::Tick(elapsed));
            dirty |= matches!(state.screen, Screen::Run(_)) || had_toast;
        }
        while let Some(msg) = queue.pop_front() {
            dirty |= !matches!(msg, Msg::Tick(_));
            for effect in update(state, msg) {
                rt.execute(effect, &mut queue);
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
        } else if matches!(state.screen, Screen::Run(_)) || rt.busy.load(Ordering::Relaxed) > 0 {
            Duration::from_millis(50)
        } else {
            Duration::from_millis(250)
        };
        if event::poll(wait).map_err(io)? {
            // Take everything already waiting, so a burst draws once.
            loop {
                if let Some(msg) = translate(state, event::read().map_err(io)?) {
                    queue.push_back(msg);
                }
                if !event::poll(Duration::ZERO).map_err(io)? {
                    break;
                }
            }
        }
    }
}

/// A terminal event as a message, if it means anything here.
fn translate(state: &State, event: TermEvent) -> Option<Msg> {
    match event {
        TermEvent::Key(key) => {
            let key = Key::from_event(&key)?;
            state.keymap.msg(state.context(), key)
        }
        TermEvent::Resize(w, h) => Some(Msg::Resize(w, h)),
        TermEvent::Mouse(m) if state.mouse => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click {
                column: m.column,
                row: m.row,
            }),
            MouseEventKind::ScrollUp => Some(Msg::ScrollUp {
                column: m.column,
                row: m.row,
            }),
            MouseEventKind::ScrollDown => Some(Msg::ScrollDown {
                column: m.column,
                row: m.row,
            }),
            _ => None,
        },
        _ => None,
    }
}
