//! Everything [`super::update`] reacts to: bound [`Command`]s, typed text,
//! the clock, the terminal (resizes, mouse), and results coming back from
//! the runtime and its workers (pipeline events, loaded data, export
//! progress). Results are never bound to keys.

use std::sync::Arc;
use std::time::Duration;

use super::command::Command;
use super::explorer::MetaTable;
use crate::analysis::Analysis;
use crate::export::ExportReport;
use crate::model::Conversation;
use crate::pipeline::Event;

/// One input of `update`.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key bound to a command.
    Command(Command),
    /// A character typed into a text prompt.
    Insert(char),
    /// Time since the UI started.
    Tick(Duration),
    Resize(u16, u16),
    Click {
        column: u16,
        row: u16,
    },
    ScrollUp {
        column: u16,
        row: u16,
    },
    ScrollDown {
        column: u16,
        row: u16,
    },
    Pipeline(Event),
    AnalysisLoaded(Result<Box<Analysis>, String>),
    MetadataLoaded(Result<Arc<MetaTable>, String>),
    ConversationLoaded {
        position: usize,
        result: Result<Box<Conversation>, String>,
    },
    /// An export has written `done` of `total` conversations.
    ExportProgress {
        done: usize,
        total: usize,
    },
    Exported(Result<ExportReport, String>),
    LabelsSaved(Result<(), String>),
    /// A classifier job's outcome.
    Classify(crate::tui::classify::ClassifyReply),
}

impl From<Command> for Msg {
    fn from(command: Command) -> Msg {
        Msg::Command(command)
    }
}
