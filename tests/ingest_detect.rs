//! Format detection looks at the content, not the extension.

use std::path::PathBuf;

use kura_tui::error::Error;
use kura_tui::ingest::{self, Format, ImportOptions};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

#[test]
fn detects_every_fixture_format() {
    let cases = [
        ("kura.json", Format::Kura),
        ("kura.jsonl", Format::Kura),
        ("openai.jsonl", Format::Openai),
        ("kura_tui_export.jsonl", Format::Openai),
        ("conversations_pretty.json", Format::Openai),
        ("sharegpt.json", Format::Sharegpt),
        ("sharegpt.jsonl", Format::Sharegpt),
        ("claude_conversations.json", Format::Claude),
        ("chatgpt_conversations.json", Format::Chatgpt),
        ("queries.csv", Format::Csv),
        ("commands.tsv", Format::Csv),
        ("turns.jsonl", Format::Turns),
    ];
    for (name, expected) in cases {
        assert_eq!(ingest::detect(&fixture(name)).unwrap(), expected, "{name}");
    }
}

fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn content_wins_over_extension() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl_as_txt = write(
        &dir,
        "export.txt",
        b"{\"id\": \"1\", \"turns\": [{\"speaker\": \"user\", \"text\": \"hi\"}]}\n",
    );
    assert_eq!(ingest::detect(&jsonl_as_txt).unwrap(), Format::Turns);
    let json_as_csv = write(
        &dir,
        "data.csv",
        b"[{\"uuid\": \"u\", \"chat_messages\": []}]",
    );
    assert_eq!(ingest::detect(&json_as_csv).unwrap(), Format::Claude);
    let csv_as_json = write(&dir, "data.json", b"prompt;label\nhello;x\n");
    assert_eq!(ingest::detect(&csv_as_json).unwrap(), Format::Csv);
    let single_column = write(&dir, "queries", b"\xEF\xBB\xBFquery\nhello\n");
    assert_eq!(ingest::detect(&single_column).unwrap(), Format::Csv);
    let convs = ingest::read_all(&single_column, &ImportOptions::default()).unwrap();
    assert_eq!(convs[0].messages[0].content, "hello");
}

#[test]
fn skips_an_unreadable_first_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "chats.jsonl",
        b"{\"broken\": \n{\"id\": \"s\", \"conversations\": [{\"from\": \"human\", \"value\": \"hi\"}]}\n",
    );
    assert_eq!(ingest::detect(&path).unwrap(), Format::Sharegpt);
}

fn unknown_message(err: Error) -> (PathBuf, String) {
    match err {
        Error::UnknownFormat { path, message } => (path, message),
        other => panic!("expected UnknownFormat, got {other:?}"),
    }
}

#[test]
fn unknown_json_fields_are_listed() {
    let err = ingest::detect(&fixture("unknown_fields.jsonl")).unwrap_err();
    let text = err.to_string();
    let (path, message) = unknown_message(err);
    assert!(path.ends_with("unknown_fields.jsonl"));
    assert!(
        message.contains("[query_id, question, answer]"),
        "{message}"
    );
    assert!(message.contains("--format"), "{message}");
    assert!(text.contains("unknown_fields.jsonl"), "{text}");
}

#[test]
fn plain_text_is_unknown_with_a_preview() {
    let (path, message) = unknown_message(ingest::detect(&fixture("notes.txt")).unwrap_err());
    assert!(path.ends_with("notes.txt"));
    assert!(message.contains("neither JSON"), "{message}");
    assert!(
        message.contains("This is just some notes\\nwithout"),
        "{message}"
    );
}

#[test]
fn empty_and_recordless_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(&dir, "empty.jsonl", b"\n  \n");
    let (_, message) = unknown_message(ingest::detect(&empty).unwrap_err());
    assert!(message.contains("empty"), "{message}");
    let no_records = write(&dir, "none.json", b"[ ]");
    let (_, message) = unknown_message(ingest::detect(&no_records).unwrap_err());
    assert!(message.contains("no records"), "{message}");
    let scalars = write(&dir, "nums.json", b"[1, 2]");
    let (_, message) = unknown_message(ingest::detect(&scalars).unwrap_err());
    assert!(message.contains("not JSON objects"), "{message}");

    // With the format given, an empty file is simply an empty import.
    let options = ImportOptions {
        format: Some(Format::Openai),
        ..Default::default()
    };
    assert!(ingest::read_all(&empty, &options).unwrap().is_empty());
    assert!(ingest::read_all(&no_records, &options).unwrap().is_empty());
}
