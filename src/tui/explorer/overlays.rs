//! State of what opens over the panes: the conversation viewer and the
//! text prompts (rename, search, filter), plus the detail pane's list.

use super::search::SearchResults;
use super::stats::{Distribution, FilterOption};
use crate::model::Conversation;
use crate::tui::editor::LineEditor;

/// The selected cluster's facts and conversations, computed when the
/// selection, the filter or the metadata change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detail {
    pub cluster: Option<u32>,
    /// Store positions, in store order (matching the filter, if any).
    pub conversations: Vec<u32>,
    pub cursor: usize,
    pub distributions: Vec<Distribution>,
    /// First list row in view (kept by `update` so scrolling is steady).
    pub offset: usize,
}

/// The conversation viewer.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewer {
    /// The cluster whose list `n`/`p` walk.
    pub cluster: Option<u32>,
    /// Index in that list.
    pub index: usize,
    pub position: u32,
    pub conversation: Option<Box<Conversation>>,
    pub error: Option<String>,
    pub scroll: usize,
    /// How the text fits the viewer's area (set by `update`).
    pub fit: ViewerFit,
}

/// The viewer's text measured against its area: the largest useful
/// scroll and the lines a page moves. `key` says what it was measured for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewerFit {
    pub key: Option<FitKey>,
    pub max_scroll: usize,
    pub page: usize,
}

/// What a [`ViewerFit`] depends on besides the conversation shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FitKey {
    pub width: u16,
    pub height: u16,
    pub loaded: bool,
    pub failed: bool,
}

impl Viewer {
    pub fn new(cluster: Option<u32>, index: usize, position: u32) -> Viewer {
        Viewer {
            cluster,
            index,
            position,
            conversation: None,
            error: None,
            scroll: 0,
            fit: ViewerFit::default(),
        }
    }
}

/// A text prompt and what it is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    Rename {
        cluster: u32,
        editor: LineEditor,
    },
    Search {
        editor: LineEditor,
        results: SearchResults,
        cursor: usize,
    },
    Filter {
        editor: LineEditor,
        options: Vec<FilterOption>,
        /// Indices into `options` that match the typed text.
        shown: Vec<usize>,
        cursor: usize,
    },
}

impl Prompt {
    pub fn editor(&self) -> &LineEditor {
        match self {
            Prompt::Rename { editor, .. }
            | Prompt::Search { editor, .. }
            | Prompt::Filter { editor, .. } => editor,
        }
    }

    pub fn editor_mut(&mut self) -> &mut LineEditor {
        match self {
            Prompt::Rename { editor, .. }
            | Prompt::Search { editor, .. }
            | Prompt::Filter { editor, .. } => editor,
        }
    }
}

/// Filters the picker's options by the typed text (every word must occur).
pub fn matching_options(options: &[FilterOption], text: &str) -> Vec<usize> {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    options
        .iter()
        .enumerate()
        .filter(|(i, o)| {
            // Index 0 is "no filter" when present; always keep it.
            *i == 0 && o.column.is_empty() || {
                let hay = o.text().to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            }
        })
        .map(|(i, _)| i)
        .collect()
}
