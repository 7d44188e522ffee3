//! The runtime: owns the terminal, turns terminal input, pipeline events
//! and workers' results into messages, runs `update`, has the [`Runtime`]
//! carry out the effects it returns, and redraws when something changed,
//! at most every 16 ms. Exporting and loading run on worker threads and
//! report back through a channel while the UI keeps taking keys.
//!
//! The terminal is restored on every way out: normal exit, error, panic.

mod executor;

use std::collections::VecDeque;
use std::io::stdout;
use std::panic;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent, MouseButton, MouseEventKind,
};
use crossterm::execute;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc::error::TryRecvError;

pub use executor::Runtime;

use super::effect::Effect;
use super::keys::Key;
use super::msg::Msg;
use super::state::{Screen, State};
use super::{ui, update};
use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::pipeline::{Event, Outcome};

const FRAME: Duration = Duration::from_millis(16);
const RUN_TICK: Duration = Duration::from_millis(250);
const IDLE_TICK: Duration = Duration::from_millis(500);

/// Loads the analysis once a run has ended.
pub type Loader = Box<dyn FnOnce() -> Result<Analysis> + Send>;

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
