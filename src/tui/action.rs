//! What the user (or the outside world) asks of the UI, and what the UI asks
//! of the outside world in return.
//!
//! [`Action`]s are the only input of [`super::update`]. The unit variants are
//! the ones a key can be bound to; their snake_case names are what the
//! `[keymap]` table of the configuration uses (`"x" = "export"`). The other
//! variants carry results back from the runtime and are never bound.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::explorer::MetaTable;
use crate::analysis::Analysis;
use crate::export::ExportReport;
use crate::model::Conversation;
use crate::pipeline::Event;

/// Everything `update` reacts to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // --- bindable: anywhere ---
    Quit,
    Help,
    /// Closes the topmost overlay (help, viewer, prompt).
    Back,
    // --- bindable: explorer ---
    NextPane,
    PrevPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Expands or collapses the selected cluster.
    Toggle,
    Expand,
    /// Collapses the selected cluster, or moves to its parent.
    Collapse,
    /// Opens the selected item (a conversation in the detail pane).
    Open,
    Search,
    Filter,
    Sort,
    Rename,
    Undo,
    Export,
    ZoomIn,
    ZoomOut,
    PanLeft,
    PanRight,
    PanUp,
    PanDown,
    ResetView,
    NextConversation,
    PrevConversation,
    // --- bindable: run screen and confirmation ---
    CancelRun,
    Yes,
    No,
    // --- bindable: text prompts ---
    Submit,
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    DeleteBack,
    DeleteForward,
    DeleteWord,
    ClearLine,
    /// Does nothing; binding a key to it removes a default binding.
    #[serde(alias = "none")]
    Noop,
    // --- from the runtime, never bound ---
    #[serde(skip)]
    Insert(char),
    /// Time since the UI started.
    #[serde(skip)]
    Tick(Duration),
    #[serde(skip)]
    Resize(u16, u16),
    #[serde(skip)]
    Click {
        column: u16,
        row: u16,
    },
    #[serde(skip)]
    ScrollUp {
        column: u16,
        row: u16,
    },
    #[serde(skip)]
    ScrollDown {
        column: u16,
        row: u16,
    },
    #[serde(skip)]
    Pipeline(Event),
    #[serde(skip)]
    AnalysisLoaded(Result<Box<Analysis>, String>),
    #[serde(skip)]
    MetadataLoaded(Result<Arc<MetaTable>, String>),
    #[serde(skip)]
    ConversationLoaded {
        position: usize,
        result: Result<Box<Conversation>, String>,
    },
    #[serde(skip)]
    Exported(Result<ExportReport, String>),
    #[serde(skip)]
    LabelsSaved(Result<(), String>),
}

impl Action {
    /// Parses a configured action name (`"export"`, `"zoom_in"`).
    pub fn from_name(name: &str) -> Option<Action> {
        let value = serde_json::Value::String(name.trim().to_string());
        serde_json::from_value::<Action>(value).ok()
    }

    /// The configured name of a bindable action.
    pub fn name(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => String::new(),
        }
    }

    /// A few words for the key-hint bar.
    pub fn hint(&self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Back => "back",
            Action::NextPane => "pane",
            Action::PrevPane => "prev pane",
            Action::Up | Action::Down => "move",
            Action::PageUp | Action::PageDown => "page",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Toggle => "expand",
            Action::Expand => "open",
            Action::Collapse => "close",
            Action::Open => "view",
            Action::Search => "search",
            Action::Filter => "filter",
            Action::Sort => "sort",
            Action::Rename => "rename",
            Action::Undo => "undo",
            Action::Export => "export",
            Action::ZoomIn => "zoom",
            Action::ZoomOut => "zoom out",
            Action::PanLeft | Action::PanRight | Action::PanUp | Action::PanDown => "pan",
            Action::ResetView => "reset view",
            Action::NextConversation => "next",
            Action::PrevConversation => "prev",
            Action::CancelRun => "cancel & explore",
            Action::Yes => "yes",
            Action::No => "no",
            Action::Submit => "ok",
            Action::CursorLeft | Action::CursorRight => "cursor",
            Action::CursorHome => "start",
            Action::CursorEnd => "end",
            Action::DeleteBack | Action::DeleteForward => "delete",
            Action::DeleteWord => "delete word",
            Action::ClearLine => "clear",
            _ => "",
        }
    }

    /// A sentence for the help screen.
    pub fn describe(&self) -> &'static str {
        match self {
            Action::Quit => "Quit",
            Action::Help => "Show or hide this help",
            Action::Back => "Close the viewer, prompt or help",
            Action::NextPane => "Focus the next pane",
            Action::PrevPane => "Focus the previous pane",
            Action::Up => "Move up",
            Action::Down => "Move down",
            Action::PageUp => "Page up",
            Action::PageDown => "Page down",
            Action::Top => "Go to the top",
            Action::Bottom => "Go to the bottom",
            Action::Toggle => "Expand or collapse the cluster",
            Action::Expand => "Expand the cluster",
            Action::Collapse => "Collapse, or go to the parent",
            Action::Open => "Open the conversation",
            Action::Search => "Search cluster names and summaries",
            Action::Filter => "Filter by a facet or metadata value",
            Action::Sort => "Cycle the sort (size, name, aggregates)",
            Action::Rename => "Rename the selected cluster",
            Action::Undo => "Undo the last rename",
            Action::Export => "Export the cluster and its descendants",
            Action::ZoomIn => "Zoom the map in",
            Action::ZoomOut => "Zoom the map out",
            Action::PanLeft => "Pan the map left",
            Action::PanRight => "Pan the map right",
            Action::PanUp => "Pan the map up",
            Action::PanDown => "Pan the map down",
            Action::ResetView => "Reset the map view",
            Action::NextConversation => "Next conversation in the cluster",
            Action::PrevConversation => "Previous conversation in the cluster",
            Action::CancelRun => "Cancel the run and explore what finished",
            Action::Yes => "Yes",
            Action::No => "No",
            Action::Submit => "Accept",
            Action::CursorLeft => "Cursor left",
            Action::CursorRight => "Cursor right",
            Action::CursorHome => "Cursor to start",
            Action::CursorEnd => "Cursor to end",
            Action::DeleteBack => "Delete before the cursor",
            Action::DeleteForward => "Delete under the cursor",
            Action::DeleteWord => "Delete the word before the cursor",
            Action::ClearLine => "Clear the line",
            _ => "",
        }
    }
}

impl PartialEq for Action {
    /// Unit actions compare by kind; results from the runtime never match.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Action::Insert(a), Action::Insert(b)) => a == b,
            (Action::Tick(a), Action::Tick(b)) => a == b,
            (Action::Resize(a, b), Action::Resize(c, d)) => a == c && b == d,
            (Action::Click { column: a, row: b }, Action::Click { column: c, row: d }) => {
                a == c && b == d
            }
            _ => {
                self.is_bindable() && std::mem::discriminant(self) == std::mem::discriminant(other)
            }
        }
    }
}

impl Action {
    /// True for the unit actions a key can be bound to.
    pub fn is_bindable(&self) -> bool {
        !matches!(
            self,
            Action::Insert(_)
                | Action::Tick(_)
                | Action::Resize(..)
                | Action::Click { .. }
                | Action::ScrollUp { .. }
                | Action::ScrollDown { .. }
                | Action::Pipeline(_)
                | Action::AnalysisLoaded(_)
                | Action::MetadataLoaded(_)
                | Action::ConversationLoaded { .. }
                | Action::Exported(_)
                | Action::LabelsSaved(_)
        )
    }
}

/// Work `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Write the labels store now (atomically).
    SaveLabels,
    /// Export a cluster (by id) with its descendants.
    Export(String),
    /// Read one conversation from the store, by position.
    LoadConversation(usize),
    /// Stream the store once in the background for metadata.
    LoadMetadata,
    /// Load the analysis from the checkpoints (after a run).
    LoadAnalysis,
    /// Ask the pipeline to stop.
    CancelRun,
    /// The answer to the cost confirmation.
    Answer(bool),
    Quit,
}
