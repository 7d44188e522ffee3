//! Input formats: detection and streaming loaders that turn real conversation
//! data of every common shape into [`Conversation`]s.
//!
//! - [`detect`] recognises a file's format from its content.
//! - [`import`] streams a file into the project's store: records are read
//!   one at a time (JSONL line by line, JSON arrays element by element, CSV
//!   row by row), so memory stays bounded apart from the id index (a 128-bit
//!   hash per conversation).
//! - [`read_all`] collects a (small) file's conversations.
//!
//! Each format's conventions are documented in its module (`formats::*`,
//! `csv_rows`). Common to all:
//! - A record without an id is named `<file stem>:<index>` (0-based record
//!   index, counting rejected records too). A repeated id gets `~2`, `~3`, …
//! - Conversations without messages are imported and counted as empty.
//! - Invalid UTF-8 is replaced with U+FFFD and the record counted as lossy.
//! - The first malformed record stops the import with an [`Error::Input`](crate::error::Error::Input)
//!   naming file, line (and record index for arrays) and field; with
//!   `skip_invalid` it goes to `rejected.jsonl` instead.

mod csv_rows;
mod detect;
mod fields;
mod formats;
#[doc(hidden)]
pub mod fuzzing;
mod ids;
mod importer;
mod json_stream;
mod rejects;
mod source;
mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Location, Result};
use crate::model::Conversation;
use crate::project::store::StoreWriter;

pub use csv_rows::TEXT_COLUMNS;
pub use detect::detect;
pub use rejects::MAX_RAW_BYTES;

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

impl Format {
    /// The lowercase name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Kura => "kura",
            Format::Openai => "openai",
            Format::Sharegpt => "sharegpt",
            Format::Claude => "claude",
            Format::Chatgpt => "chatgpt",
            Format::Csv => "csv",
            Format::Turns => "turns",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How to read an input.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Overrides detection.
    pub format: Option<Format>,
    /// Field holding the conversation id, when not the format's default
    /// (a dotted path such as `meta.conv_id` reaches into objects).
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
    /// Skipped records by reason: a short key such as `unknown_role`,
    /// followed by the field pattern when known (`… at messages[].role`).
    pub skip_reasons: BTreeMap<String, u64>,
    /// Conversations whose id was already taken and got a `~N` suffix.
    pub duplicate_ids: u64,
    /// Conversations with no messages (kept, but reported).
    pub empty: u64,
    /// Records that held invalid UTF-8, replaced with U+FFFD.
    pub lossy_utf8: u64,
    pub rejected_file: Option<PathBuf>,
    /// Size of the input file.
    pub bytes_read: u64,
}

/// Streams `input` into `writer`; rejected records go to `rejected` (a
/// JSONL file) when `options.skip_invalid` is set, otherwise the first bad
/// record stops the import with an error naming file, line and field.
/// After a successful import `rejected` holds exactly this import's rejects
/// (it is removed when there are none).
pub fn import(
    input: &Path,
    options: &ImportOptions,
    writer: &mut StoreWriter,
    rejected: &Path,
) -> Result<ImportReport> {
    import_with(input, options, Some(rejected), |c| writer.push(&c))
}

/// Streams `input` into `sink`, one conversation at a time. `rejected`
/// (optional) receives the records `skip_invalid` sets aside.
pub fn import_with<F>(
    input: &Path,
    options: &ImportOptions,
    rejected: Option<&Path>,
    sink: F,
) -> Result<ImportReport>
where
    F: FnMut(Conversation) -> Result<()>,
{
    importer::run(input, options, rejected, sink)
}

/// Reads every conversation of a file (for tests and small inputs).
pub fn read_all(input: &Path, options: &ImportOptions) -> Result<Vec<Conversation>> {
    let mut all = Vec::new();
    import_with(input, options, None, |c| {
        all.push(c);
        Ok(())
    })?;
    Ok(all)
}
