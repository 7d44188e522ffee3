//! Malformed input: errors name file, line (or record) and field; with
//! `skip_invalid` the rest imports and the bad records land in
//! `rejected.jsonl`.

use std::path::{Path, PathBuf};

use kura_tui::error::Error;
use kura_tui::ingest::{self, Format, ImportOptions};
use kura_tui::project::store::{Store, StoreWriter};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

fn error_of(name: &str) -> Error {
    ingest::read_all(&fixture(name), &ImportOptions::default()).unwrap_err()
}

/// Checks the error is an input error at `line` (and `field`) of `name`.
fn assert_input_error(err: &Error, name: &str, line: u64, field: Option<&str>, words: &str) {
    let Error::Input { location, message } = err else {
        panic!("expected an input error, got {err:?}");
    };
    assert_eq!(location.file.file_name().unwrap(), name);
    assert_eq!(location.line, Some(line), "{err}");
    assert_eq!(location.field.as_deref(), field, "{err}");
    assert!(
        message.contains(words),
        "{message:?} should contain {words:?}"
    );
    let text = err.to_string();
    assert!(text.contains(&format!("{name}:{line}")), "{text}");
    if let Some(field) = field {
        assert!(text.contains(field), "{text}");
    }
}

#[test]
fn bad_json_names_the_line() {
    let err = error_of("bad_json.jsonl");
    assert_input_error(&err, "bad_json.jsonl", 3, None, "invalid JSON");
    assert!(err.to_string().contains("column"), "{err}");
}

#[test]
fn bad_json_inside_an_array_names_line_and_record() {
    let err = error_of("bad_array.json");
    // The element starts on line 4; the stray string is on line 5.
    assert_input_error(&err, "bad_array.json", 5, None, "invalid JSON");
    let Error::Input { location, .. } = &err else {
        unreachable!()
    };
    assert_eq!(location.record, Some(2));
    assert!(err.to_string().contains("(record 2)"), "{err}");
}

#[test]
fn unclosed_array_is_reported_after_the_good_records() {
    let err = error_of("unclosed_array.json");
    let text = err.to_string();
    assert!(text.contains("unclosed_array.json:4"), "{text}");
    assert!(text.contains("`]` is missing"), "{text}");
}

#[test]
fn missing_messages_field() {
    let err = error_of("missing_messages.jsonl");
    assert_input_error(
        &err,
        "missing_messages.jsonl",
        5,
        Some("messages"),
        "missing field `messages`",
    );
}

#[test]
fn unknown_role() {
    let err = error_of("bad_role.jsonl");
    assert_input_error(
        &err,
        "bad_role.jsonl",
        2,
        Some("messages[2].role"),
        "unknown role `robot`",
    );
}

#[test]
fn wrong_types_each_named() {
    let options = ImportOptions {
        skip_invalid: true,
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let rejected = dir.path().join("rejected.jsonl");
    let mut kept = Vec::new();
    let report = ingest::import_with(
        &fixture("wrong_types.jsonl"),
        &options,
        Some(&rejected),
        |c| {
            kept.push(c);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, "f");
    assert_eq!(report.skipped, 5);
    let lines = read_jsonl(&rejected);
    let got: Vec<(u64, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["line"].as_u64().unwrap(),
                l["field"].as_str().unwrap_or("-"),
                l["error"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got[0].0, 1);
    assert_eq!(got[0].1, "messages[0].content");
    assert!(got[0].2.contains("found a number"), "{}", got[0].2);
    assert_eq!((got[1].0, got[1].1), (2, "messages"));
    assert!(got[1].2.contains("should be an array, found a string"));
    assert_eq!((got[2].0, got[2].1), (3, "metadata"));
    assert_eq!((got[3].0, got[3].1), (4, "id"));
    assert_eq!((got[4].0, got[4].1), (5, "-"));
    assert!(got[4].2.contains("expected a JSON object, found an array"));
}

#[test]
fn claude_bad_sender_in_array() {
    let err = error_of("bad_sender.json");
    assert_input_error(
        &err,
        "bad_sender.json",
        3,
        Some("chat_messages[1].sender"),
        "unknown role `narrator`",
    );
}

#[test]
fn turns_missing_text() {
    let err = error_of("bad_turns.jsonl");
    assert_input_error(
        &err,
        "bad_turns.jsonl",
        2,
        Some("turns[0].text"),
        "missing field",
    );
}

#[test]
fn csv_without_text_column_lists_columns() {
    let err = error_of("no_text_column.csv");
    let text = err.to_string();
    assert!(text.contains("no_text_column.csv:1"), "{text}");
    assert!(text.contains("`ident`, `body`, `label`"), "{text}");
    assert!(text.contains("--text-column"), "{text}");

    let options = ImportOptions {
        text_column: Some("nope".into()),
        ..Default::default()
    };
    let text = ingest::read_all(&fixture("queries.csv"), &options)
        .unwrap_err()
        .to_string();
    assert!(text.contains("no column `nope`"), "{text}");
}

#[test]
fn csv_row_with_wrong_field_count() {
    let err = error_of("bad_row.csv");
    assert_input_error(
        &err,
        "bad_row.csv",
        3,
        None,
        "the row has 4 fields but the header has 2",
    );
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn skip_invalid_writes_rejected_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("conversations.jsonl");
    let idx = dir.path().join("conversations.idx");
    let rejected = dir.path().join("rejected.jsonl");
    let mut writer = StoreWriter::create(&data, &idx).unwrap();
    let options = ImportOptions {
        skip_invalid: true,
        ..Default::default()
    };
    let report =
        ingest::import(&fixture("bad_json.jsonl"), &options, &mut writer, &rejected).unwrap();
    writer.finish().unwrap();
    assert_eq!(report.format, Some(Format::Openai));
    assert_eq!(report.imported, 3);
    assert_eq!(report.skipped, 1);
    assert_eq!(report.skip_reasons.get("invalid_json"), Some(&1));
    assert_eq!(report.rejected_file.as_deref(), Some(rejected.as_path()));

    let lines = read_jsonl(&rejected);
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert!(line["file"].as_str().unwrap().ends_with("bad_json.jsonl"));
    assert_eq!(line["line"], 3);
    assert_eq!(line["record"], 2);
    assert_eq!(line["field"], Value::Null);
    assert_eq!(line["reason"], "invalid_json");
    assert!(line["error"].as_str().unwrap().starts_with("invalid JSON"));
    assert!(line["raw"].as_str().unwrap().contains("\"three\""));

    let store = Store::open(&data, &idx).unwrap();
    let ids: Vec<String> = store.iter().unwrap().map(|c| c.unwrap().id).collect();
    assert_eq!(ids, ["a", "b", "d"]);
}

#[test]
fn skip_invalid_counts_reasons_across_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.jsonl");
    let mut text = String::new();
    for i in 0..10 {
        match i % 5 {
            0 => text.push_str(&format!(
                "{{\"id\": \"{i}\", \"messages\": [{{\"role\": \"alien\", \"content\": \"x\"}}]}}\n"
            )),
            1 => text.push_str("{\"id\": \"broken\n"),
            _ => text.push_str(&format!(
                "{{\"id\": \"{i}\", \"messages\": [{{\"role\": \"user\", \"content\": \"ok\"}}]}}\n"
            )),
        }
    }
    std::fs::write(&path, text).unwrap();
    let rejected = dir.path().join("rejected.jsonl");
    let options = ImportOptions {
        skip_invalid: true,
        format: Some(Format::Openai),
        ..Default::default()
    };
    let mut n = 0;
    let report = ingest::import_with(&path, &options, Some(&rejected), |_| {
        n += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(n, 6);
    assert_eq!(report.imported, 6);
    assert_eq!(report.skipped, 4);
    assert_eq!(
        report.skip_reasons.get("unknown_role at messages[].role"),
        Some(&2)
    );
    assert_eq!(report.skip_reasons.get("invalid_json"), Some(&2));
    assert_eq!(read_jsonl(&rejected).len(), 4);
}

#[test]
fn a_clean_import_removes_a_stale_rejected_file() {
    let dir = tempfile::tempdir().unwrap();
    let rejected = dir.path().join("rejected.jsonl");
    std::fs::write(&rejected, "{\"old\": true}\n").unwrap();
    let report = ingest::import_with(
        &fixture("kura.jsonl"),
        &ImportOptions::default(),
        Some(&rejected),
        |_| Ok(()),
    )
    .unwrap();
    assert_eq!(report.imported, 2);
    assert_eq!(report.rejected_file, None);
    assert!(!rejected.exists());
}

#[test]
fn skip_invalid_stops_cleanly_at_a_broken_array() {
    let options = ImportOptions {
        skip_invalid: true,
        ..Default::default()
    };
    let mut ids = Vec::new();
    let report = ingest::import_with(&fixture("unclosed_array.json"), &options, None, |c| {
        ids.push(c.id);
        Ok(())
    })
    .unwrap();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(report.skipped, 1);
    assert_eq!(report.skip_reasons.get("broken_structure"), Some(&1));
}
