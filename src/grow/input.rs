//! Reading the conversations to add: the project's importers (every format
//! `init` reads), then the checks that keep the store consistent: an input
//! with no conversations is refused, and ids already in the project are
//! refused (or skipped and counted, with `skip_duplicates`).

use std::collections::HashSet;
use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::ingest::{self, ImportOptions, ImportReport};
use crate::model::Conversation;

/// Ids listed in an error before "and N more".
const SHOWN_IDS: usize = 5;

/// The conversations to add and what reading them found.
#[derive(Debug, Clone)]
pub struct NewConversations {
    pub conversations: Vec<Conversation>,
    pub import: ImportReport,
    /// Ids already in the project, skipped.
    pub skipped_duplicates: Vec<String>,
}

/// Reads `input` and checks its ids against `existing`. Records that
/// `options.skip_invalid` sets aside go to `rejected` (a JSONL file; see
/// [`ingest::import_with`]).
pub fn read(
    input: &Path,
    options: &ImportOptions,
    rejected: Option<&Path>,
    existing: &HashSet<String>,
    skip_duplicates: bool,
) -> Result<NewConversations> {
    let mut conversations = Vec::new();
    let import = ingest::import_with(input, options, rejected, |c| {
        conversations.push(c);
        Ok(())
    })?;
    let (dupes, fresh): (Vec<Conversation>, Vec<Conversation>) = conversations
        .into_iter()
        .partition(|c| existing.contains(&c.id));
    let skipped: Vec<String> = dupes.into_iter().map(|c| c.id).collect();
    if !skipped.is_empty() && !skip_duplicates {
        return Err(Error::input(
            Location::file(input),
            format!(
                "{} of its conversations are already in the project (ids {}); nothing was \
                 added. Pass --skip-duplicates to add only the others",
                skipped.len(),
                show_ids(&skipped)
            ),
        ));
    }
    if fresh.is_empty() {
        let why = if skipped.is_empty() {
            "holds no conversations".to_string()
        } else {
            format!(
                "holds only conversations already in the project ({} skipped)",
                skipped.len()
            )
        };
        return Err(Error::input(
            Location::file(input),
            format!("{why}; nothing was added"),
        ));
    }
    Ok(NewConversations {
        conversations: fresh,
        import,
        skipped_duplicates: skipped,
    })
}

fn show_ids(ids: &[String]) -> String {
    let mut out: Vec<String> = ids
        .iter()
        .take(SHOWN_IDS)
        .map(|i| format!("`{i}`"))
        .collect();
    if ids.len() > SHOWN_IDS {
        out.push(format!("and {} more", ids.len() - SHOWN_IDS));
    }
    out.join(", ")
}
