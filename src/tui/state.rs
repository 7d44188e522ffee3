//! The whole UI state: which screen is up, the theme and keymap, the clock
//! (passed in, so frames are reproducible), and transient messages.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::explorer::{Explorer, Pane};
use super::keymap::{Context, Keymap};
use super::theme::Theme;
use crate::config::Config;
use crate::pipeline::RunProgress;
use crate::project::Layout;

/// How long a toast stays up.
pub const TOAST_TIME: Duration = Duration::from_secs(6);

/// The screen on show.
#[derive(Debug)]
pub enum Screen {
    /// A question before the run starts (the cost estimate).
    Confirm(ConfirmState),
    /// The pipeline's live progress.
    Run(RunState),
    Explorer(Box<Explorer>),
}

/// The cost confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmState {
    pub title: String,
    pub text: String,
    /// The project, for the run screen that follows.
    pub project: String,
}

/// What to do when the run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRun {
    Explore,
    Quit,
}

/// The run screen.
#[derive(Debug, Clone, PartialEq)]
pub struct RunState {
    pub title: String,
    pub progress: RunProgress,
    /// Lines scrolled back from the newest log line.
    pub log_scroll: usize,
    /// Set once the user cancelled: where to go when the pipeline stops.
    pub after: Option<AfterRun>,
    /// The results are being loaded.
    pub loading: bool,
    /// The run (or loading its results) failed.
    pub error: Option<String>,
}

impl RunState {
    pub fn new(title: impl Into<String>) -> RunState {
        RunState {
            title: title.into(),
            progress: RunProgress::new(),
            log_scroll: 0,
            after: None,
            loading: false,
            error: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Error,
}

/// A short message over the bottom of the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub kind: ToastKind,
    pub text: String,
    pub until: Duration,
}

/// Everything `draw` reads and `update` changes.
#[derive(Debug)]
pub struct State {
    pub screen: Screen,
    pub theme: Theme,
    pub keymap: Keymap,
    /// The project on show (where labels, exports and the store live);
    /// without one nothing is read or written.
    pub project: Option<Layout>,
    /// Wall-clock time when the UI started (names export files).
    pub started_at: DateTime<Utc>,
    /// Time since the UI started.
    pub now: Duration,
    /// Terminal size, from the last resize.
    pub size: (u16, u16),
    /// Help overlay open, with its scroll.
    pub help: Option<usize>,
    pub toast: Option<Toast>,
    pub mouse: bool,
    pub quit: bool,
}

impl State {
    pub fn new(screen: Screen, theme: Theme, keymap: Keymap) -> State {
        State {
            screen,
            theme,
            keymap,
            project: None,
            started_at: DateTime::UNIX_EPOCH,
            now: Duration::ZERO,
            size: (80, 24),
            help: None,
            toast: None,
            mouse: true,
            quit: false,
        }
    }

    /// Theme, keymap and mouse from the configuration.
    pub fn from_config(screen: Screen, config: &Config) -> crate::Result<State> {
        let keymap = Keymap::with_overrides(&config.keymap)?;
        let mut state = State::new(screen, Theme::named(&config.ui.theme), keymap);
        state.mouse = config.ui.mouse;
        Ok(state)
    }

    /// [`State::from_config`] with a project's configuration and paths.
    pub fn for_project(screen: Screen, project: &crate::project::Project) -> crate::Result<State> {
        let mut state = State::from_config(screen, &project.config)?;
        state.project = Some(project.layout.clone());
        Ok(state)
    }

    /// An explorer on a loaded analysis.
    pub fn explorer(explorer: Explorer) -> State {
        State::new(
            Screen::Explorer(Box::new(explorer)),
            Theme::default(),
            Keymap::default(),
        )
    }

    pub fn explorer_ref(&self) -> Option<&Explorer> {
        match &self.screen {
            Screen::Explorer(e) => Some(e),
            _ => None,
        }
    }

    pub fn explorer_mut(&mut self) -> Option<&mut Explorer> {
        match &mut self.screen {
            Screen::Explorer(e) => Some(e),
            _ => None,
        }
    }

    /// Which bindings apply now.
    pub fn context(&self) -> Context {
        if self.help.is_some() {
            return Context::Help;
        }
        match &self.screen {
            Screen::Confirm(_) => Context::Confirm,
            Screen::Run(_) => Context::Run,
            Screen::Explorer(e) => {
                if let Some(ctx) = e.classify.context() {
                    ctx
                } else if e.prompt.is_some() {
                    Context::Prompt
                } else if e.viewer.is_some() {
                    Context::Viewer
                } else {
                    match e.focus {
                        Pane::Tree => Context::Tree,
                        Pane::Map => Context::Map,
                        Pane::Detail => Context::Detail,
                    }
                }
            }
        }
    }

    pub fn toast(&mut self, kind: ToastKind, text: impl Into<String>) {
        self.toast = Some(Toast {
            kind,
            text: text.into(),
            until: self.now + TOAST_TIME,
        });
    }
}
