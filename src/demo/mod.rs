//! A deterministic generator of synthetic, multi-turn, multilingual
//! conversations for demos, tests and evaluation.
//!
//! Conversations fall into eight topics of four subtopics each (coding,
//! writing, data analysis, travel, personal finance, health, support for the
//! product itself, language learning). Every subtopic has its own vocabulary
//! in six languages, so clustering can recover it; the true topic and
//! subtopic are kept in metadata for evaluation. All text is written for this
//! project: phrase templates plus slot fillers and random details.
//!
//! Metadata keys, in order: `topic`, `subtopic` (`topic/slug`), `language`
//! (ISO 639-1), `satisfaction` (1–5), `true_frustration` (1–5),
//! `true_assistant_errors`, `plan`, `country`, `platform`, `app_version`.

mod catalogue;
mod dialogue;
mod generator;
mod lang;
mod meta;
mod template;
mod tool;
mod writer;

pub use catalogue::{Lang, Localised, Subtopic, TOPICS, ToolKind, Topic, Vocab};
pub use generator::conversation;

use crate::model::Conversation;

/// How many conversations `kura-tui demo` makes unless told otherwise.
pub const DEFAULT_CONVERSATIONS: usize = 800;

/// The metadata keys every generated conversation carries, in order.
pub const METADATA_KEYS: [&str; 10] = [
    "topic",
    "subtopic",
    "language",
    "satisfaction",
    "true_frustration",
    "true_assistant_errors",
    "plan",
    "country",
    "platform",
    "app_version",
];

/// Generates `n` conversations from `seed`, ids `demo-00000` onwards.
///
/// The same `(n, seed)` gives identical conversations; different seeds give
/// different ones. Each keeps its true `topic` and `subtopic` in metadata.
pub fn generate(n: usize, seed: u64) -> impl Iterator<Item = Conversation> {
    (0..n).map(move |i| conversation(i, seed))
}
