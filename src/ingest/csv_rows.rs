//! CSV (and TSV) files of single messages: each row becomes a conversation
//! with one user message.
//!
//! - The delimiter (`,` tab `;` `|`) is sniffed from the header line.
//! - The text column is `--text-column` (or `--text-field`); by default the
//!   first column named `text`, `query`, `message`, `content`, `utterance` or
//!   `prompt` (any case). Without one the import stops, listing the columns.
//! - The id column is `--id-column` (or `--id-field`), by default a column
//!   named `id`; rows without an id get `<file stem>:<row index>`.
//! - Every other column goes to metadata, keyed by its header. Cells that
//!   are canonical integers (`42`, `-7`, not `007`) or plain decimals
//!   (`0.5`) become JSON numbers; everything else stays a string (empty
//!   cells are empty strings).
//! - A `created_at` or `timestamp` column also sets the conversation's
//!   `created_at`.
//! - A row with an empty text cell is imported as a conversation with no
//!   messages (reported as empty).

use std::fs::File;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fields::Reason;
use super::rejects::MAX_RAW_BYTES;
use super::source::{Bad, Item, Parsed, Source, peek, stem};
use super::{ImportOptions, Rejected, text};
use crate::error::{Error, IoContext, Location, Result};
use crate::model::{Conversation, Message, Metadata, Role};

/// Column names taken as the message text, in order of preference.
pub const TEXT_COLUMNS: &[&str] = &["text", "query", "message", "content", "utterance", "prompt"];

pub(crate) struct CsvSource {
    reader: csv::Reader<File>,
    file: PathBuf,
    stem: String,
    delimiter: u8,
    headers: Vec<String>,
    text_col: usize,
    id_col: Option<usize>,
    time_col: Option<usize>,
    row: csv::ByteRecord,
    index: u64,
}

/// The most frequent candidate delimiter in the first line (quotes aside).
pub(crate) fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut counts = [(b',', 0usize), (b'\t', 0), (b';', 0), (b'|', 0)];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if *d == b {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

fn find_column(headers: &[String], name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
}

fn column_list(headers: &[String]) -> String {
    headers
        .iter()
        .map(|h| format!("`{h}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl CsvSource {
    pub(crate) fn open(path: &Path, options: &ImportOptions) -> Result<Self> {
        let delimiter = sniff_delimiter(text::strip_bom(&peek(path, 64 * 1024)?));
        let file = File::open(path).at(path)?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(file);
        let headers: Vec<String> = reader
            .byte_headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(|h| text::decode(h).0.trim().to_string())
            .collect();
        let header_error = |field: &str, message: String| {
            Error::input(Location::line(path, 1).with_field(field), message)
        };
        let text_name = options
            .text_column
            .as_deref()
            .or(options.text_field.as_deref());
        let text_col = match text_name {
            Some(name) => find_column(&headers, name).ok_or_else(|| {
                header_error(
                    name,
                    format!("no column `{name}` for the text; the columns are {}", column_list(&headers)),
                )
            })?,
            None => TEXT_COLUMNS
                .iter()
                .find_map(|name| find_column(&headers, name))
                .ok_or_else(|| {
                    header_error(
                        "text",
                        format!(
                            "no text column found (looked for {}); the columns are {}; pick one with --text-column",
                            TEXT_COLUMNS.join(", "),
                            column_list(&headers)
                        ),
                    )
                })?,
        };
        let id_name = options.id_column.as_deref().or(options.id_field.as_deref());
        let id_col = match id_name {
            Some(name) => Some(find_column(&headers, name).ok_or_else(|| {
                header_error(
                    name,
                    format!(
                        "no column `{name}` for the id; the columns are {}",
                        column_list(&headers)
                    ),
                )
            })?),
            None => find_column(&headers, "id").filter(|&c| c != text_col),
        };
        let time_col = ["created_at", "timestamp"]
            .iter()
            .find_map(|name| find_column(&headers, name))
            .filter(|&c| c != text_col);
        Ok(CsvSource {
            reader,
            file: path.to_path_buf(),
            stem: stem(path),
            delimiter,
            headers,
            text_col,
            id_col,
            time_col,
            row: csv::ByteRecord::new(),
            index: 0,
        })
    }

    fn convert(&self, index: u64, line: u64) -> Item {
        let location = Location::line(&self.file, line);
        if self.row.len() != self.headers.len() {
            let raw = self.raw();
            return Err(Box::new(Bad {
                rejected: Rejected {
                    location,
                    message: format!(
                        "the row has {} fields but the header has {} (an unquoted `{}` or quote in a cell?)",
                        self.row.len(),
                        self.headers.len(),
                        char::from(self.delimiter).escape_default()
                    ),
                    raw: Some(raw),
                },
                reason: Reason::BadRow,
                record: Some(index),
            }));
        }
        let mut lossy = false;
        let mut cell = |i: usize| -> String {
            let (t, bad) = text::decode(self.row.get(i).unwrap_or_default());
            lossy |= bad;
            t.into_owned()
        };
        let content = cell(self.text_col);
        let mut id = self
            .id_col
            .map(&mut cell)
            .unwrap_or_default()
            .trim()
            .to_string();
        if id.is_empty() {
            id = format!("{}:{index}", self.stem);
        }
        let created_at = self
            .time_col
            .map(&mut cell)
            .filter(|t| !t.trim().is_empty());
        let mut metadata = Metadata::new();
        for (i, name) in self.headers.iter().enumerate() {
            if i == self.text_col || Some(i) == self.id_col {
                continue;
            }
            metadata.insert(name.clone(), cell_value(cell(i)));
        }
        let messages = if content.is_empty() {
            Vec::new()
        } else {
            vec![Message::new(Role::User, content)]
        };
        Ok(Parsed {
            conversation: Conversation {
                id,
                created_at,
                messages,
                metadata,
            },
            lossy,
        })
    }

    fn raw(&self) -> String {
        let cells: Vec<String> = self
            .row
            .iter()
            .map(|c| text::decode(c).0.into_owned())
            .collect();
        let joined = cells.join(&char::from(self.delimiter).to_string());
        text::truncate(&joined, MAX_RAW_BYTES).into_owned()
    }
}

/// A cell as a JSON value: canonical integers and plain decimals become
/// numbers, the rest stays text.
pub(crate) fn cell_value(cell: String) -> Value {
    let digits = cell.strip_prefix('-').unwrap_or(&cell);
    let plain_int = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if plain_int && let Ok(n) = cell.parse::<i64>() {
        return Value::from(n);
    }
    if let Some((whole, frac)) = digits.split_once('.') {
        let plain = !whole.is_empty()
            && !frac.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && (whole == "0" || !whole.starts_with('0'));
        if plain
            && let Ok(x) = cell.parse::<f64>()
            && let Some(n) = serde_json::Number::from_f64(x)
        {
            return Value::Number(n);
        }
    }
    Value::String(cell)
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(1);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::input(
            Location::line(path, line),
            format!("invalid CSV: {other:?}"),
        ),
    }
}

impl Source for CsvSource {
    fn next_item(&mut self) -> Result<Option<Item>> {
        match self.reader.read_byte_record(&mut self.row) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.row.position().map(|p| p.line()).unwrap_or(0);
                let index = self.index;
                self.index += 1;
                Ok(Some(self.convert(index, line)))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                match e.into_kind() {
                    csv::ErrorKind::Io(io) => Err(Error::io(&self.file, io)),
                    other => {
                        let index = self.index;
                        self.index += 1;
                        Ok(Some(Err(Box::new(Bad {
                            rejected: Rejected {
                                location: Location::line(&self.file, line),
                                message: format!("invalid CSV row: {other:?}"),
                                raw: None,
                            },
                            reason: Reason::BadRow,
                            record: Some(index),
                        }))))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"x,y\";b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"text\nhello"), b',');
    }

    #[test]
    fn cells_become_numbers_only_when_lossless() {
        assert_eq!(cell_value("42".into()), Value::from(42));
        assert_eq!(cell_value("-7".into()), Value::from(-7));
        assert_eq!(cell_value("0.5".into()), serde_json::json!(0.5));
        assert_eq!(cell_value("007".into()), Value::from("007"));
        assert_eq!(cell_value("1e5".into()), Value::from("1e5"));
        assert_eq!(cell_value("".into()), Value::from(""));
        assert_eq!(
            cell_value("12345678901234567890".into()),
            Value::from("12345678901234567890")
        );
        assert_eq!(cell_value("abc".into()), Value::from("abc"));
    }
}
