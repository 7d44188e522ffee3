//! The explorer's classifier tools (issue 13): start a classifier from
//! clusters (`C`), label conversations one at a time, colour the map and
//! filter the tree by a classifier's applied labels, and show its eval
//! history. The state lives here; `update` changes it
//! (`tui::update::classify`), [`work`] does the file work on a worker and
//! `tui::ui::classify` draws it.

pub mod work;

use std::collections::HashMap;
use std::path::PathBuf;

use super::editor::LineEditor;
use super::explorer::{NONE, Viewer};
use super::keymap::Context;
use super::sort_menu::SortMenu;
use crate::classify::LabelMode;
use crate::classify::evaluation::EvalRecord;

/// What a chosen classifier is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Label,
    Colour,
    History,
}

impl Purpose {
    pub fn describe(self) -> &'static str {
        match self {
            Purpose::Label => "label conversations",
            Purpose::Colour => "colour the map",
            Purpose::History => "show the eval history",
        }
    }
}

/// Labels `classify apply` stored, by store position.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedView {
    pub version: String,
    pub at: String,
    /// Category names (the definition's, then any others the file holds).
    pub classes: Vec<String>,
    /// Class indices of each store position (empty when not labelled).
    pub by_position: Vec<Vec<u32>>,
}

/// A classifier as the explorer needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassifierData {
    pub name: String,
    pub version: String,
    pub mode: LabelMode,
    /// Category names in class order (`other` last when implicit).
    pub classes: Vec<String>,
    /// Whether the last class is the implicit `other`.
    pub has_other: bool,
    /// Stored labels by conversation id.
    pub labels: HashMap<String, Vec<String>>,
    /// (store position, conversation id) in labelling order.
    pub queue: Vec<(u32, String)>,
    pub applied: Option<AppliedView>,
    pub history: Vec<EvalRecord>,
}

/// Work for the runtime (carried out by [`work::run`] on a worker).
#[derive(Debug, Clone, PartialEq)]
pub enum ClassifyJob {
    /// List `classifiers/*.toml` of the project at `root`.
    List { root: PathBuf, purpose: Purpose },
    /// Read a classifier for `purpose`.
    Load {
        root: PathBuf,
        name: String,
        purpose: Purpose,
    },
    /// `classify new NAME --from-cluster …` through the same library call.
    Create {
        root: PathBuf,
        name: String,
        clusters: Vec<String>,
    },
    /// Store (or with `None` remove) one conversation's label.
    SetLabel {
        root: PathBuf,
        name: String,
        id: String,
        labels: Option<Vec<String>>,
    },
}

/// What comes back.
#[derive(Debug, Clone)]
pub enum ClassifyReply {
    Listed {
        purpose: Purpose,
        result: Result<Vec<String>, String>,
    },
    Loaded {
        purpose: Purpose,
        result: Result<Box<ClassifierData>, String>,
    },
    Created(Result<Created, String>),
    LabelSaved(Result<(), String>),
}

/// A definition `C` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub path: PathBuf,
    pub categories: usize,
    pub other: bool,
}

/// The name prompt of `C`.
#[derive(Debug, Clone, PartialEq)]
pub struct Naming {
    /// Cluster ids, one category each.
    pub clusters: Vec<String>,
    /// Their names, for the prompt.
    pub names: Vec<String>,
    pub editor: LineEditor,
}

/// The classifier picker.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub purpose: Purpose,
    pub names: Vec<String>,
    pub cursor: usize,
}

/// One label given in this session, for undo.
#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    /// Index in the queue.
    pub at: usize,
    pub id: String,
    pub previous: Option<Vec<String>>,
}

/// The labelling screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelling {
    pub data: ClassifierData,
    /// Index in `data.queue` on show.
    pub at: usize,
    /// Multi-label: the classes toggled on so far.
    pub chosen: Vec<usize>,
    pub undo: Vec<Given>,
    /// The conversation on show (the viewer's state, drawn beside the
    /// categories).
    pub view: Viewer,
    /// Labels given in this session.
    pub given: usize,
}

impl Labelling {
    pub fn new(data: ClassifierData) -> Labelling {
        let position = data.queue.first().map_or(NONE, |q| q.0);
        Labelling {
            data,
            at: 0,
            chosen: Vec::new(),
            undo: Vec::new(),
            view: Viewer::new(None, 0, position),
            given: 0,
        }
    }

    /// The conversation on show: (position, id).
    pub fn current(&self) -> Option<&(u32, String)> {
        self.data.queue.get(self.at)
    }

    /// The class a number key picks: 1..9 the first nine categories, 0
    /// the implicit `other`.
    pub fn class_of_key(&self, key: u8) -> Option<usize> {
        let named = self.data.classes.len() - usize::from(self.data.has_other);
        match key {
            0 if self.data.has_other => Some(self.data.classes.len() - 1),
            1..=9 if usize::from(key) <= named => Some(usize::from(key) - 1),
            _ => None,
        }
    }

    /// The key shown for a class.
    pub fn key_of_class(&self, class: usize) -> Option<char> {
        let named = self.data.classes.len() - usize::from(self.data.has_other);
        if self.data.has_other && class == self.data.classes.len() - 1 {
            Some('0')
        } else if class < named.min(9) {
            char::from_digit(class as u32 + 1, 10)
        } else {
            None
        }
    }

    /// How many conversations of the queue are labelled.
    pub fn labelled(&self) -> usize {
        self.data
            .queue
            .iter()
            .filter(|(_, id)| self.data.labels.contains_key(id))
            .count()
    }
}

/// The map coloured by a classifier's applied labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Colouring {
    pub name: String,
    pub version: String,
    pub classes: Vec<String>,
    /// First class of each store position, or [`NONE`].
    pub first: Vec<u32>,
    /// Conversations per class.
    pub counts: Vec<u32>,
    /// Bumped on every change (part of the raster key).
    pub generation: u64,
}

/// A classifier's stored evaluations.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub name: String,
    pub records: Vec<EvalRecord>,
    pub scroll: usize,
}

/// Everything the classifier tools add to the explorer.
#[derive(Debug, Default)]
pub struct ClassifyUi {
    /// Clusters marked with `m`, in marking order.
    pub marked: Vec<u32>,
    pub naming: Option<Naming>,
    pub picker: Option<Picker>,
    pub sort_menu: Option<SortMenu>,
    pub labelling: Option<Labelling>,
    pub colours: Option<Colouring>,
    pub history: Option<History>,
    /// A list or load is under way.
    pub waiting: Option<Purpose>,
    /// Colourings made so far (generations stay distinct).
    pub generations: u64,
}

impl ClassifyUi {
    /// The key context while one of the tools is open.
    pub fn context(&self) -> Option<Context> {
        if self.naming.is_some() {
            Some(Context::Prompt)
        } else if self.picker.is_some() || self.sort_menu.is_some() || self.history.is_some() {
            Some(Context::Menu)
        } else if self.labelling.is_some() {
            Some(Context::Label)
        } else {
            None
        }
    }

    /// True when the tools take the keys.
    pub fn captures(&self) -> bool {
        self.context().is_some()
    }

    /// The colour group of each store position, when colouring.
    pub fn colour_groups(&self) -> Option<&[u32]> {
        self.colours.as_ref().map(|c| c.first.as_slice())
    }

    pub fn colour_generation(&self) -> u64 {
        self.colours.as_ref().map_or(0, |c| c.generation)
    }
}

/// The column name the filter picker and detail pane use for a
/// classifier's applied labels.
pub fn column_name(classifier: &str) -> String {
    format!("classifier {classifier}")
}
