//! The import loop: opens the right source, hands each conversation to the
//! sink with a unique id, and counts or rejects what it cannot take.

use std::path::Path;

use super::csv_rows::CsvSource;
use super::ids::IdSet;
use super::rejects::RejectWriter;
use super::source::{Bad, JsonSource, Source};
use super::{Format, ImportOptions, ImportReport, detect};
use crate::error::{Error, IoContext, Result};
use crate::model::Conversation;

pub(crate) fn run<F>(
    input: &Path,
    options: &ImportOptions,
    rejected: Option<&Path>,
    mut sink: F,
) -> Result<ImportReport>
where
    F: FnMut(Conversation) -> Result<()>,
{
    let format = match options.format {
        Some(format) => format,
        None => detect(input)?,
    };
    let mut source: Box<dyn Source> = match format {
        Format::Csv => Box::new(CsvSource::open(input, options)?),
        json => Box::new(JsonSource::open(input, json, options)?),
    };
    let mut report = ImportReport {
        format: Some(format),
        bytes_read: std::fs::metadata(input).at(input)?.len(),
        ..ImportReport::default()
    };
    let mut rejects = rejected.map(RejectWriter::new);
    let outcome = pump(
        source.as_mut(),
        options,
        &mut report,
        rejects.as_mut(),
        &mut sink,
    );
    match (outcome, rejects) {
        (Ok(()), Some(rejects)) => {
            report.rejected_file = rejects.finish()?;
            Ok(report)
        }
        (Ok(()), None) => Ok(report),
        (Err(e), rejects) => {
            if let Some(rejects) = rejects {
                rejects.abandon();
            }
            Err(e)
        }
    }
}

fn pump<F>(
    source: &mut dyn Source,
    options: &ImportOptions,
    report: &mut ImportReport,
    mut rejects: Option<&mut RejectWriter>,
    sink: &mut F,
) -> Result<()>
where
    F: FnMut(Conversation) -> Result<()>,
{
    let mut ids = IdSet::new();
    while let Some(item) = source.next_item()? {
        match item {
            Ok(parsed) => {
                let mut conversation = parsed.conversation;
                if let Some(unique) = ids.claim(&conversation.id) {
                    conversation.id = unique;
                    report.duplicate_ids += 1;
                }
                if conversation.messages.is_empty() {
                    report.empty += 1;
                }
                if parsed.lossy {
                    report.lossy_utf8 += 1;
                }
                sink(conversation)?;
                report.imported += 1;
            }
            Err(bad) if options.skip_invalid => {
                report.skipped += 1;
                *report.skip_reasons.entry(reason_key(&bad)).or_default() += 1;
                if let Some(rejects) = rejects.as_deref_mut() {
                    rejects.write(&bad.rejected, bad.reason, bad.record)?;
                }
            }
            Err(bad) => {
                return Err(Error::Input {
                    location: bad.rejected.location,
                    message: bad.rejected.message,
                });
            }
        }
    }
    Ok(())
}

/// `unknown_role at messages[].role`: the reason plus the field with its
/// indices and keys blanked, so that the counts stay few and readable.
fn reason_key(bad: &Bad) -> String {
    let Some(field) = bad.rejected.location.field.as_deref() else {
        return bad.reason.key().to_string();
    };
    let mut pattern = String::with_capacity(field.len());
    let mut depth = 0usize;
    for c in field.chars() {
        match c {
            '[' => {
                if depth == 0 {
                    pattern.push('[');
                }
                depth += 1;
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    pattern.push(']');
                }
            }
            _ if depth > 0 => {}
            c => pattern.push(c),
        }
    }
    format!("{} at {pattern}", bad.reason.key())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use crate::ingest::Rejected;
    use crate::ingest::fields::Reason;

    #[test]
    fn reason_keys_blank_indices() {
        let bad = |field: Option<&str>| Bad {
            rejected: Rejected {
                location: Location {
                    field: field.map(str::to_string),
                    ..Location::default()
                },
                message: String::new(),
                raw: None,
            },
            reason: Reason::UnknownRole,
            record: None,
        };
        assert_eq!(reason_key(&bad(None)), "unknown_role");
        assert_eq!(
            reason_key(&bad(Some("messages[12].role"))),
            "unknown_role at messages[].role"
        );
        assert_eq!(
            reason_key(&bad(Some("mapping[\"a[1]\"].message.author.role"))),
            "unknown_role at mapping[].message.author.role"
        );
    }
}
