//! What every fuzz target checks besides "no panic, no hang":
//!
//! - an import with `skip_invalid` and one without agree: no skips means the
//!   same conversations; a skip means the strict import stops with an
//!   input error after a prefix of the same conversations;
//! - conversation ids are never empty and never repeated;
//! - `rejected.jsonl` holds one JSON object per skipped record;
//! - errors name the input file;
//! - the streaming JSON reader yields the same records whatever its read
//!   buffer's size, with indices counting up and lines never going back,
//!   and splits a well-formed array into exactly its elements.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::Error;
use crate::ingest::fuzzing::{self, Piece};
use crate::ingest::{self, Format, ImportOptions, ImportReport};
use crate::model::Conversation;

/// A directory of this process's own, in memory where possible.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("kura-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creating the scratch directory");
        dir
    })
}

fn write_input(name: &str, data: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, data).expect("writing the fuzz input");
    path
}

struct Run {
    result: Result<ImportReport, Error>,
    conversations: Vec<Conversation>,
}

fn import(path: &Path, options: &ImportOptions, rejected: Option<&Path>) -> Run {
    let mut conversations = Vec::new();
    let result = ingest::import_with(path, options, rejected, |c| {
        conversations.push(c);
        Ok(())
    });
    Run {
        result,
        conversations,
    }
}

fn check_ids(conversations: &[Conversation]) {
    let mut seen = HashSet::new();
    for c in conversations {
        assert!(!c.id.is_empty(), "empty id");
        assert!(seen.insert(c.id.as_str()), "repeated id {:?}", c.id);
    }
}

fn check_error(error: &Error, path: &Path) {
    let text = error.to_string();
    assert!(!text.is_empty());
    match error {
        Error::Input { location, .. } => assert_eq!(location.file, path, "{text}"),
        Error::UnknownFormat { path: p, .. } => assert_eq!(p, path, "{text}"),
        other => panic!("unexpected error kind: {other:?}"),
    }
}

fn check_rejects(report: &ImportReport, rejected: &Path) {
    if report.skipped == 0 {
        assert!(report.rejected_file.is_none());
        assert!(!rejected.exists(), "a rejects file without rejects");
        return;
    }
    let text = std::fs::read_to_string(rejected).expect("reading rejected.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len() as u64, report.skipped);
    for line in lines {
        let value: serde_json::Value = serde_json::from_str(line).expect("a rejects line");
        assert!(value["reason"].is_string(), "{line}");
    }
}

/// Imports `path` leniently and strictly and checks that they agree.
fn check_import(path: &Path, options: &ImportOptions) {
    let rejected = scratch().join("rejected.jsonl");
    let _ = std::fs::remove_file(&rejected);
    let lenient_options = ImportOptions {
        skip_invalid: true,
        ..options.clone()
    };
    let lenient = import(path, &lenient_options, Some(&rejected));
    check_ids(&lenient.conversations);
    let strict_options = ImportOptions {
        skip_invalid: false,
        ..options.clone()
    };
    let strict = import(path, &strict_options, None);
    check_ids(&strict.conversations);
    match &lenient.result {
        Ok(report) => {
            assert_eq!(report.imported as usize, lenient.conversations.len());
            check_rejects(report, &rejected);
            if report.skipped == 0 {
                if let Err(e) = &strict.result {
                    panic!("strict import failed where the lenient one skipped nothing: {e}");
                }
                assert_eq!(strict.conversations, lenient.conversations);
            } else {
                let Err(e) = &strict.result else {
                    panic!("strict import passed a record the lenient one skipped");
                };
                check_error(e, path);
                let n = strict.conversations.len();
                assert!(n <= lenient.conversations.len());
                assert_eq!(strict.conversations[..], lenient.conversations[..n]);
            }
        }
        Err(e) => {
            // The file could not be opened as this format at all.
            check_error(e, path);
            assert!(strict.result.is_err());
        }
    }
}

/// One format's loader on `data`, with its default fields and with
/// overridden ones.
pub fn check_format(format: Format, data: &[u8]) {
    let name = match format {
        Format::Csv => "input.csv",
        _ => "input.json",
    };
    let path = write_input(name, data);
    let options = ImportOptions {
        format: Some(format),
        ..ImportOptions::default()
    };
    check_import(&path, &options);
    let custom = match format {
        Format::Csv => ImportOptions {
            text_column: Some("text".into()),
            id_column: Some("id".into()),
            ..options
        },
        _ => ImportOptions {
            id_field: Some("meta.id".into()),
            text_field: Some("text".into()),
            ..options
        },
    };
    check_import(&path, &custom);
}

/// Detection under three names, then the import of what was detected.
pub fn check_detect(data: &[u8]) {
    for name in ["input.txt", "input.jsonl", "input.csv"] {
        let path = write_input(name, data);
        match ingest::detect(&path) {
            Ok(_) => check_import(&path, &ImportOptions::default()),
            Err(e) => check_error(&e, &path),
        }
    }
}

/// The streaming reader. The last byte picks the shape (lines, array,
/// objects or sniffed) and a read buffer of 1 to 64 bytes.
pub fn check_stream(data: &[u8]) {
    let Some((&control, body)) = data.split_last() else {
        return;
    };
    let shape = match control % 4 {
        3 => None,
        n => Some(n),
    };
    let small = 1 + usize::from(control >> 2);
    let reference = fuzzing::json_records(body, shape, 1 << 16);
    let chunked = fuzzing::json_records(body, shape, small);
    assert_eq!(reference, chunked, "records depend on the buffer size");
    let lines = 1 + memchr::memchr_iter(b'\n', body).count() as u64;
    let mut next_index = 0;
    let mut last_line = 1;
    for piece in &reference {
        let (line, index) = match piece {
            Piece::Record { bytes, line, index } => {
                assert!(!bytes.is_empty(), "an empty record");
                assert!(
                    memchr::memmem::find(body, bytes).is_some(),
                    "a record that is not part of the input"
                );
                (*line, Some(*index))
            }
            Piece::Skipped { line, index } => (*line, Some(*index)),
            Piece::Broken { line } => (*line, None),
            Piece::Stuck => panic!("the reader stopped moving forward"),
        };
        assert!(
            line >= last_line && line <= lines,
            "line {line} out of order"
        );
        last_line = line;
        if let Some(index) = index {
            assert_eq!(index, next_index);
            next_index += 1;
        }
    }
    if shape == Some(1)
        && let Ok(values) = serde_json::from_slice::<Vec<serde_json::Value>>(body)
    {
        let parsed: Vec<serde_json::Value> = reference
            .iter()
            .filter_map(|p| match p {
                Piece::Record { bytes, .. } => serde_json::from_slice(bytes).ok(),
                _ => None,
            })
            .collect();
        assert_eq!(parsed, values, "a well-formed array split wrongly");
    }
}
