//! What a key can be bound to. Each [`Command`]'s snake_case name is what
//! the `[keymap]` table of the configuration uses (`"x" = "export"`); the
//! hint bar and the help screen describe commands in a few words.

use serde::Deserialize;

/// A bindable command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    // --- anywhere ---
    Quit,
    Help,
    /// Closes the topmost overlay (help, viewer, prompt).
    Back,
    // --- explorer ---
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
    // --- classifiers and the sort menu (tui::classify, tui::sort_menu) ---
    /// Starts a classifier from the marked (or selected) clusters.
    NewClassifier,
    /// Marks or unmarks the selected cluster.
    Mark,
    LabelMode,
    ColourBy,
    SortMenu,
    EvalHistory,
    /// Sort menu: flips the highlighted field's direction.
    FlipDirection,
    /// Sort menu: adds the highlighted field as the next key.
    AddSortKey,
    #[serde(rename = "category_1")]
    Category1,
    #[serde(rename = "category_2")]
    Category2,
    #[serde(rename = "category_3")]
    Category3,
    #[serde(rename = "category_4")]
    Category4,
    #[serde(rename = "category_5")]
    Category5,
    #[serde(rename = "category_6")]
    Category6,
    #[serde(rename = "category_7")]
    Category7,
    #[serde(rename = "category_8")]
    Category8,
    #[serde(rename = "category_9")]
    Category9,
    /// Labels the conversation `other`.
    CategoryOther,
    // --- run screen and confirmation ---
    CancelRun,
    Yes,
    No,
    // --- text prompts ---
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
}

impl Command {
    /// Parses a configured command name (`"export"`, `"zoom_in"`, `"none"`).
    pub fn from_name(name: &str) -> Option<Command> {
        let value = serde_json::Value::String(name.trim().to_string());
        serde_json::from_value::<Command>(value).ok()
    }

    /// A few words for the key-hint bar.
    pub fn hint(self) -> &'static str {
        use Command as C;
        match self {
            C::Quit => "quit",
            C::Help => "help",
            C::Back => "back",
            C::NextPane => "pane",
            C::PrevPane => "prev pane",
            C::Up | C::Down => "move",
            C::PageUp | C::PageDown => "page",
            C::Top => "top",
            C::Bottom => "bottom",
            C::Toggle => "expand",
            C::Expand => "open",
            C::Collapse => "close",
            C::Open => "view",
            C::Search => "search",
            C::Filter => "filter",
            C::Sort => "sort",
            C::Rename => "rename",
            C::Undo => "undo",
            C::Export => "export",
            C::ZoomIn => "zoom",
            C::ZoomOut => "zoom out",
            C::PanLeft | C::PanRight | C::PanUp | C::PanDown => "pan",
            C::ResetView => "reset view",
            C::NextConversation => "next",
            C::PrevConversation => "prev",
            C::NewClassifier => "new classifier",
            C::Mark => "mark",
            C::LabelMode => "label",
            C::ColourBy => "colour by",
            C::SortMenu => "sort menu",
            C::EvalHistory => "evals",
            C::FlipDirection => "↑/↓",
            C::AddSortKey => "then by",
            C::Category1
            | C::Category2
            | C::Category3
            | C::Category4
            | C::Category5
            | C::Category6
            | C::Category7
            | C::Category8
            | C::Category9 => "category",
            C::CategoryOther => "other",
            C::CancelRun => "cancel & explore",
            C::Yes => "yes",
            C::No => "no",
            C::Submit => "ok",
            C::CursorLeft | C::CursorRight => "cursor",
            C::CursorHome => "start",
            C::CursorEnd => "end",
            C::DeleteBack | C::DeleteForward => "delete",
            C::DeleteWord => "delete word",
            C::ClearLine => "clear",
            C::Noop => "",
        }
    }

    /// A sentence for the help screen.
    pub fn describe(self) -> &'static str {
        use Command as C;
        match self {
            C::Quit => "Quit",
            C::Help => "Show or hide this help",
            C::Back => "Close the viewer, prompt or help",
            C::NextPane => "Focus the next pane",
            C::PrevPane => "Focus the previous pane",
            C::Up => "Move up",
            C::Down => "Move down",
            C::PageUp => "Page up",
            C::PageDown => "Page down",
            C::Top => "Go to the top",
            C::Bottom => "Go to the bottom",
            C::Toggle => "Expand or collapse the cluster",
            C::Expand => "Expand the cluster",
            C::Collapse => "Collapse, or go to the parent",
            C::Open => "Open the conversation",
            C::Search => "Search cluster names and summaries",
            C::Filter => "Filter by a facet or metadata value",
            C::Sort => "Cycle the sort (size, name, aggregates)",
            C::Rename => "Rename the selected cluster",
            C::Undo => "Undo the last rename",
            C::Export => "Export the cluster and its descendants",
            C::ZoomIn => "Zoom the map in",
            C::ZoomOut => "Zoom the map out",
            C::PanLeft => "Pan the map left",
            C::PanRight => "Pan the map right",
            C::PanUp => "Pan the map up",
            C::PanDown => "Pan the map down",
            C::ResetView => "Reset the map view",
            C::NextConversation => "Next conversation in the cluster",
            C::PrevConversation => "Previous conversation in the cluster",
            C::NewClassifier => "New classifier from the marked (or selected) clusters",
            C::Mark => "Mark or unmark the cluster (for a new classifier)",
            C::LabelMode => "Label conversations for a classifier",
            C::ColourBy => "Colour the map by a classifier's labels",
            C::SortMenu => "Sort menu: report fields, ascending or descending",
            C::EvalHistory => "A classifier's eval history",
            C::FlipDirection => "Flip ascending/descending",
            C::AddSortKey => "Add as the next sort key",
            C::Category1 => "Category 1",
            C::Category2 => "Category 2",
            C::Category3 => "Category 3",
            C::Category4 => "Category 4",
            C::Category5 => "Category 5",
            C::Category6 => "Category 6",
            C::Category7 => "Category 7",
            C::Category8 => "Category 8",
            C::Category9 => "Category 9",
            C::CategoryOther => "Category other",
            C::CancelRun => "Cancel the run and explore what finished",
            C::Yes => "Yes",
            C::No => "No",
            C::Submit => "Accept",
            C::CursorLeft => "Cursor left",
            C::CursorRight => "Cursor right",
            C::CursorHome => "Cursor to start",
            C::CursorEnd => "Cursor to end",
            C::DeleteBack => "Delete before the cursor",
            C::DeleteForward => "Delete under the cursor",
            C::DeleteWord => "Delete the word before the cursor",
            C::ClearLine => "Clear the line",
            C::Noop => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_in_snake_case() {
        assert_eq!(Command::from_name("export"), Some(Command::Export));
        assert_eq!(Command::from_name(" zoom_in "), Some(Command::ZoomIn));
        assert_eq!(Command::from_name("none"), Some(Command::Noop));
        assert_eq!(Command::from_name("noop"), Some(Command::Noop));
        assert_eq!(Command::from_name("ZoomIn"), None);
        assert_eq!(Command::from_name("tick"), None);
        assert_eq!(Command::from_name("category_3"), Some(Command::Category3));
        assert_eq!(
            Command::from_name("new_classifier"),
            Some(Command::NewClassifier)
        );
    }
}
