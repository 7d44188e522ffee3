//! Input formats: detection and streaming loaders that turn real conversation
//! data of every common shape into [`Conversation`]s.
//!
//! (Stub: the loaders are being written; see the issue.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Location, Result};
use crate::model::Conversation;
use crate::project::store::StoreWriter;

/// The input formats kura-tui reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Kura's own: `{chat_id, created_at, messages, metadata}`, JSON array or JSONL.
    Kura,
    /// `{id, messages:[{role, content}], metadata?}` JSONL (also reads kura-tui exports).
    Openai,
    /// `{id, conversations:[{from, value}]}`.
    Sharegpt,
    /// Claude.ai data export `conversations.json`.
    Claude,
    /// ChatGPT data export `conversations.json` (`mapping` trees).
    Chatgpt,
    /// CSV, one message per row.
    Csv,
    /// `{turns:[{speaker, text}]}`.
    Turns,
}

/// How to read an input.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Overrides detection.
    pub format: Option<Format>,
    /// Field holding the conversation id, when not the format's default.
    pub id_field: Option<String>,
    /// Field holding message text, when not the format's default.
    pub text_field: Option<String>,
    /// CSV: column with the message text.
    pub text_column: Option<String>,
    /// CSV: column with the id.
    pub id_column: Option<String>,
    /// Import the valid records and set the rest aside in `rejected.jsonl`.
    pub skip_invalid: bool,
}

/// A record that could not be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub location: Location,
    pub message: String,
    /// The raw record text, when available (truncated for huge records).
    pub raw: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub format: Option<Format>,
    pub imported: u64,
    pub skipped: u64,
    /// Skipped records by reason.
    pub skip_reasons: BTreeMap<String, u64>,
    /// Conversations whose id was already taken and got a `~N` suffix.
    pub duplicate_ids: u64,
    /// Conversations with no messages (kept, but reported).
    pub empty: u64,
    /// Messages that held invalid UTF-8, replaced with U+FFFD.
    pub lossy_utf8: u64,
    pub rejected_file: Option<PathBuf>,
    pub bytes_read: u64,
}

/// Detects the format of `path` from its content (and then its extension).
pub fn detect(path: &Path) -> Result<Format> {
    let _ = path;
    Err(crate::error::Error::Other(
        "format detection not implemented yet".into(),
    ))
}

/// Streams `input` into `writer`; rejected records go to `rejected` (a
/// JSONL file) when `options.skip_invalid` is set, otherwise the first bad
/// record stops the import with an error naming file, line and field.
pub fn import(
    input: &Path,
    options: &ImportOptions,
    writer: &mut StoreWriter,
    rejected: &Path,
) -> Result<ImportReport> {
    let _ = (input, options, writer, rejected);
    Err(crate::error::Error::Other(
        "import not implemented yet".into(),
    ))
}

/// Reads every conversation of a file (for tests and small inputs).
pub fn read_all(input: &Path, options: &ImportOptions) -> Result<Vec<Conversation>> {
    let _ = (input, options);
    Err(crate::error::Error::Other(
        "import not implemented yet".into(),
    ))
}
