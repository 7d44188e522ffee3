//! Entry points for the fuzz targets in `fuzz/` and the property tests:
//! the streaming JSON reader on bytes in memory, with a chosen read-buffer
//! size. Not part of the library's API.

use std::io::{BufReader, Cursor};

use super::json_stream::{JsonRecords, Shape, StreamError, sniff_shape};

/// One thing the reader yielded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A record's bytes, its 1-based first line and 0-based index.
    Record {
        bytes: Vec<u8>,
        line: u64,
        index: u64,
    },
    /// A record that could not be read (too large); the stream goes on.
    Skipped { line: u64, index: u64 },
    /// The structure is broken at this line.
    Broken { line: u64 },
    /// The reader kept yielding past one piece per input byte: it is not
    /// moving forward (a bug the fuzzers look for).
    Stuck,
}

/// Splits `data` into records as the importer does. `shape` forces lines
/// (0), an array (1) or pretty-printed objects (2); `None` sniffs it from
/// the bytes. `buffer` is the read buffer's capacity: record boundaries
/// must not depend on it.
pub fn json_records(data: &[u8], shape: Option<u8>, buffer: usize) -> Vec<Piece> {
    let shape = match shape {
        Some(0) => Shape::Lines,
        Some(1) => Shape::Array,
        Some(_) => Shape::Objects,
        None => sniff_shape(data, false),
    };
    let reader = BufReader::with_capacity(buffer.max(1), Cursor::new(data));
    let Ok(mut records) = JsonRecords::new(reader, shape) else {
        return Vec::new();
    };
    let mut pieces = Vec::new();
    let mut buf = Vec::new();
    // The importer keeps reading after every error, so this does too; every
    // piece consumes input, so there are at most a few more than bytes.
    loop {
        if pieces.len() > data.len() + 2 {
            pieces.push(Piece::Stuck);
            break;
        }
        match records.next_record(&mut buf) {
            Ok(None) => break,
            Ok(Some(pos)) => pieces.push(Piece::Record {
                bytes: buf.clone(),
                line: pos.line,
                index: pos.index,
            }),
            Err(StreamError::Record { pos, .. }) => pieces.push(Piece::Skipped {
                line: pos.line,
                index: pos.index,
            }),
            Err(StreamError::Structure { line, .. }) => pieces.push(Piece::Broken { line }),
            // Reading from memory cannot fail.
            Err(StreamError::Io(_)) => break,
        }
    }
    pieces
}
