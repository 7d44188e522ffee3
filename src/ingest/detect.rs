//! Format detection from the content: the first bytes tell JSON from CSV,
//! and the first readable JSON record's fields tell the JSON formats apart.
//! The extension only breaks ties (`.csv`/`.tsv`, `.jsonl`).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde_json::Value;

use super::Format;
use super::csv_rows::{TEXT_COLUMNS, sniff_delimiter};
use super::fields;
use super::formats;
use super::json_stream::{JsonRecords, StreamError, sniff_shape};
use super::source::{is_jsonl_name, peek};
use super::text;
use crate::error::{Error, IoContext, Result};

/// Bytes looked at to tell JSON from CSV.
const HEAD_BYTES: usize = 64 * 1024;
/// JSON records tried before giving up (skipping unparseable ones).
const RECORDS_TRIED: usize = 16;

fn unknown(path: &Path, message: impl Into<String>) -> Error {
    Error::UnknownFormat {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

const PASS_FORMAT: &str = "pass --format (kura, openai, sharegpt, claude, chatgpt, csv or turns)";

/// Detects the format of `path`.
pub fn detect(path: &Path) -> Result<Format> {
    let head = peek(path, HEAD_BYTES)?;
    let body = text::strip_bom(&head);
    let Some(first) = body.iter().copied().find(|b| !b.is_ascii_whitespace()) else {
        return Err(unknown(path, "the file is empty"));
    };
    if first == b'[' || first == b'{' {
        return detect_json(path, &head);
    }
    if looks_like_csv(path, body) {
        return Ok(Format::Csv);
    }
    Err(unknown(
        path,
        format!(
            "it is neither JSON (which starts with `[` or `{{`) nor CSV with a header row; it starts with \"{}\"",
            text::preview(body, 60)
        ),
    ))
}

fn has_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| exts.contains(&e.as_str()))
}

/// A CSV extension, or a header line that is delimited text or names a
/// known text column.
fn looks_like_csv(path: &Path, body: &[u8]) -> bool {
    if has_ext(path, &["csv", "tsv"]) {
        return true;
    }
    let line = body.split(|&b| b == b'\n').next().unwrap_or_default();
    if line.contains(&0) || std::str::from_utf8(line).is_err() {
        return false;
    }
    let delimiter = sniff_delimiter(line);
    if line.contains(&delimiter) {
        return true;
    }
    let name = String::from_utf8_lossy(line);
    let name = name.trim().trim_matches('"');
    TEXT_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(name))
}

/// A top-level string field with a usual text name (`query`, `text`, ...).
fn flat_text_field(map: &serde_json::Map<String, Value>) -> Option<&str> {
    TEXT_COLUMNS.iter().find_map(|name| {
        map.iter()
            .find(|(k, v)| k.eq_ignore_ascii_case(name) && v.is_string())
            .map(|(k, _)| k.as_str())
    })
}

fn detect_json(path: &Path, head: &[u8]) -> Result<Format> {
    let shape = sniff_shape(head, is_jsonl_name(path));
    let file = File::open(path).at(path)?;
    let mut records = JsonRecords::new(BufReader::new(file), shape).at(path)?;
    let mut buf = Vec::new();
    let mut first_error: Option<String> = None;
    for _ in 0..RECORDS_TRIED {
        let pos = match records.next_record(&mut buf) {
            Ok(Some(pos)) => pos,
            Ok(None) => break,
            Err(StreamError::Io(e)) => return Err(Error::io(path, e)),
            Err(StreamError::Record { pos, message }) => {
                first_error.get_or_insert(format!("line {}: {message}", pos.line));
                continue;
            }
            Err(StreamError::Structure { line, message }) => {
                first_error.get_or_insert(format!("line {line}: {message}"));
                break;
            }
        };
        let (record_text, _) = text::decode(&buf);
        let value: Value = match serde_json::from_str(&record_text) {
            Ok(v) => v,
            Err(e) => {
                first_error.get_or_insert(format!("line {}: invalid JSON: {e}", pos.line));
                continue;
            }
        };
        let Value::Object(map) = value else {
            return Err(unknown(
                path,
                format!(
                    "the records are not JSON objects (record {} is {})",
                    pos.index,
                    fields::kind(&value)
                ),
            ));
        };
        return formats::recognise(&map).ok_or_else(|| {
            let keys: Vec<&str> = map.keys().map(String::as_str).take(20).collect();
            let hint = match flat_text_field(&map) {
                Some(field) => format!(
                    "for one message per record, pass --format openai --text-field {field} (and --id-field for the id)"
                ),
                None => PASS_FORMAT.to_string(),
            };
            unknown(
                path,
                format!(
                    "the first record has fields [{}], but no `messages`, `conversations`, `chat_messages`, `mapping` or `turns` list; {hint}",
                    keys.join(", ")
                ),
            )
        });
    }
    Err(unknown(
        path,
        match first_error {
            Some(e) => {
                format!("no readable JSON record in the first {RECORDS_TRIED} ({e}); {PASS_FORMAT}")
            }
            None => format!("it holds no records; {PASS_FORMAT}"),
        },
    ))
}
