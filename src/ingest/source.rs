//! Record sources: a file opened for one format, yielding converted
//! conversations or rejected records, one at a time.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fields::{FieldError, Reason};
use super::formats::{self, Ctx};
use super::json_stream::{JsonRecords, RecordPos, Shape, StreamError, sniff_shape};
use super::rejects::MAX_RAW_BYTES;
use super::{Format, ImportOptions, Rejected, text};
use crate::error::{Error, IoContext, Location, Result};
use crate::model::Conversation;

/// A converted record.
pub(crate) struct Parsed {
    pub conversation: Conversation,
    /// Some bytes were not UTF-8 and were replaced.
    pub lossy: bool,
}

/// A record that could not be imported.
pub(crate) struct Bad {
    pub rejected: Rejected,
    pub reason: Reason,
    /// 0-based record index, when known (also for line-oriented files,
    /// whose locations name only the line).
    pub record: Option<u64>,
}

pub(crate) type Item = std::result::Result<Parsed, Box<Bad>>;

/// Yields the records of one file.
pub(crate) trait Source {
    /// The next record, `Ok(None)` at the end. `Err` is fatal (I/O).
    fn next_item(&mut self) -> Result<Option<Item>>;
}

/// `<file stem>`, for ids of records without one.
pub(crate) fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "record".into())
}

const READ_BUFFER: usize = 1 << 20;

/// Reads the first bytes of a file, for sniffing.
pub(crate) fn peek(path: &Path, max: usize) -> Result<Vec<u8>> {
    let file = File::open(path).at(path)?;
    let mut head = Vec::with_capacity(max);
    file.take(max as u64).read_to_end(&mut head).at(path)?;
    Ok(head)
}

pub(crate) fn is_jsonl_name(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    matches!(ext.as_deref(), Some("jsonl" | "ndjson" | "jsonlines"))
}

/// The records of a JSON file in one of the JSON formats.
pub(crate) struct JsonSource {
    stream: JsonRecords<BufReader<File>>,
    format: Format,
    file: PathBuf,
    stem: String,
    id_field: Option<String>,
    text_field: Option<String>,
    buf: Vec<u8>,
}

impl JsonSource {
    pub(crate) fn open(path: &Path, format: Format, options: &ImportOptions) -> Result<Self> {
        let head = peek(path, 64 * 1024)?;
        let shape = sniff_shape(&head, is_jsonl_name(path));
        let file = File::open(path).at(path)?;
        let reader = BufReader::with_capacity(READ_BUFFER, file);
        let stream = JsonRecords::new(reader, shape).at(path)?;
        Ok(JsonSource {
            stream,
            format,
            file: path.to_path_buf(),
            stem: stem(path),
            id_field: options.id_field.clone(),
            text_field: options.text_field.clone(),
            buf: Vec::new(),
        })
    }

    fn location(&self, pos: RecordPos, line: u64) -> Location {
        let loc = Location::line(&self.file, line);
        match self.stream.shape() {
            Shape::Lines => loc,
            Shape::Array | Shape::Objects => loc.with_record(pos.index),
        }
    }

    fn bad(
        &self,
        location: Location,
        record: Option<u64>,
        error: FieldError,
        raw: Option<String>,
    ) -> Box<Bad> {
        let location = match error.field {
            Some(field) => location.with_field(field),
            None => location,
        };
        Box::new(Bad {
            rejected: Rejected {
                location,
                message: error.message,
                raw,
            },
            reason: error.reason,
            record,
        })
    }

    fn parse(&self, pos: RecordPos) -> Item {
        let (record_text, lossy) = text::decode(&self.buf);
        let raw = || Some(text::truncate(&record_text, MAX_RAW_BYTES).into_owned());
        // Trailing newlines would move an "ends early" error past the record.
        let value: Value = match serde_json::from_str(record_text.trim_end()) {
            Ok(v) => v,
            Err(e) => {
                let line = pos.line + (e.line() as u64).saturating_sub(1);
                let error =
                    FieldError::record(Reason::InvalidJson, json_error(&e, self.stream.shape()));
                return Err(self.bad(self.location(pos, line), Some(pos.index), error, raw()));
            }
        };
        let ctx = Ctx {
            id_field: self.id_field.as_deref(),
            text_field: self.text_field.as_deref(),
        };
        match formats::convert(self.format, value, &ctx) {
            Ok(mut conversation) => {
                if conversation.id.is_empty() {
                    conversation.id = format!("{}:{}", self.stem, pos.index);
                }
                Ok(Parsed {
                    conversation,
                    lossy,
                })
            }
            Err(error) => {
                Err(self.bad(self.location(pos, pos.line), Some(pos.index), error, raw()))
            }
        }
    }
}

/// serde_json's message without its record-relative position, plus the
/// column when it is meaningful for the file.
fn json_error(e: &serde_json::Error, shape: Shape) -> String {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(cut) => full.get(..cut).unwrap_or(&full),
        None => &full,
    };
    let hint = if e.is_eof() {
        " (the record ends early: a closing bracket or quote is missing)"
    } else {
        ""
    };
    // Array elements may start mid-line, so their first-line columns are
    // relative to the element; later lines start at column 1.
    if shape == Shape::Lines || e.line() > 1 {
        format!("invalid JSON: {message}{hint}, column {}", e.column())
    } else {
        format!("invalid JSON: {message}{hint}")
    }
}

impl Source for JsonSource {
    fn next_item(&mut self) -> Result<Option<Item>> {
        match self.stream.next_record(&mut self.buf) {
            Ok(None) => Ok(None),
            Ok(Some(pos)) => Ok(Some(self.parse(pos))),
            Err(StreamError::Io(e)) => Err(Error::io(&self.file, e)),
            Err(StreamError::Record { pos, message }) => {
                let error = FieldError::record(Reason::TooLarge, message);
                Ok(Some(Err(self.bad(
                    self.location(pos, pos.line),
                    Some(pos.index),
                    error,
                    None,
                ))))
            }
            Err(StreamError::Structure { line, message }) => {
                let error = FieldError::record(Reason::Structure, message);
                let location = Location::line(&self.file, line);
                Ok(Some(Err(self.bad(location, None, error, None))))
            }
        }
    }
}
