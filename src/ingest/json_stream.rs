//! Streams the JSON records of a file without holding the file in memory.
//!
//! Three shapes are read:
//! - **lines** (JSONL / NDJSON): one record per line, read line by line;
//! - **array**: a top-level `[ … ]`, split element by element by a small
//!   byte-level scanner that tracks strings, escapes and nesting depth, so
//!   only the current element is ever buffered;
//! - **objects**: pretty-printed objects one after another (or a single
//!   pretty-printed object), split the same way.
//!
//! The scanner only finds record boundaries; each record is then parsed by
//! serde_json, which reports syntax errors precisely. Records are capped at
//! [`MAX_RECORD_BYTES`] so that a missing bracket cannot make memory grow
//! with the file.

use std::io::{self, BufRead};

/// Largest record (line or array element) we buffer.
pub(crate) const MAX_RECORD_BYTES: usize = 256 << 20;

/// How the records of a JSON file are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Lines,
    Array,
    Objects,
}

/// Where a record starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordPos {
    /// 1-based line of the record's first byte.
    pub line: u64,
    /// 0-based index among the file's records.
    pub index: u64,
}

/// Something that stops or interrupts the stream.
#[derive(Debug)]
pub(crate) enum StreamError {
    Io(io::Error),
    /// One record could not be read, but the stream can go on after it.
    Record {
        pos: RecordPos,
        message: String,
    },
    /// The file's structure is broken at `line`; nothing more can be read.
    Structure {
        line: u64,
        message: String,
    },
}

impl From<io::Error> for StreamError {
    fn from(e: io::Error) -> Self {
        StreamError::Io(e)
    }
}

/// Reads the records of one JSON file.
pub(crate) struct JsonRecords<R> {
    reader: R,
    shape: Shape,
    /// Line of the next unread byte.
    line: u64,
    index: u64,
    opened: bool,
    done: bool,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Guesses the shape from the start of the file: `[` means an array; a first
/// line that is a whole object means lines; an object spread over several
/// lines means pretty-printed objects. `jsonl_hint` (from the extension)
/// forces lines for anything that is not an array.
pub(crate) fn sniff_shape(start: &[u8], jsonl_hint: bool) -> Shape {
    let start = crate::ingest::text::strip_bom(start);
    let Some(first) = start.iter().position(|&b| !is_ws(b)) else {
        return Shape::Lines;
    };
    let rest = start.get(first..).unwrap_or_default();
    match rest.first() {
        Some(b'[') => Shape::Array,
        Some(b'{') if !jsonl_hint => {
            let line = match memchr::memchr(b'\n', rest) {
                Some(end) => rest.get(..end).unwrap_or_default(),
                // The first line is longer than what we peeked at: one long
                // line, which reads fine as lines.
                None => return Shape::Lines,
            };
            let trimmed = line.trim_ascii_end();
            if trimmed.ends_with(b"}") {
                Shape::Lines
            } else {
                Shape::Objects
            }
        }
        _ => Shape::Lines,
    }
}

enum Scan {
    /// The value ended.
    Complete,
    /// The file ended inside the record.
    Eof,
}

impl<R: BufRead> JsonRecords<R> {
    pub(crate) fn new(mut reader: R, shape: Shape) -> io::Result<Self> {
        let has_bom = reader.fill_buf()?.starts_with(crate::ingest::text::BOM);
        if has_bom {
            reader.consume(crate::ingest::text::BOM.len());
        }
        Ok(JsonRecords {
            reader,
            shape,
            line: 1,
            index: 0,
            opened: false,
            done: false,
        })
    }

    pub(crate) fn shape(&self) -> Shape {
        self.shape
    }

    /// Reads the next record into `out` (cleared first).
    pub(crate) fn next_record(
        &mut self,
        out: &mut Vec<u8>,
    ) -> Result<Option<RecordPos>, StreamError> {
        out.clear();
        if self.done {
            return Ok(None);
        }
        match self.shape {
            Shape::Lines => self.next_line(out),
            Shape::Array => self.next_element(out),
            Shape::Objects => self.next_object(out),
        }
    }

    fn take_pos(&mut self, line: u64) -> RecordPos {
        let pos = RecordPos {
            line,
            index: self.index,
        };
        self.index += 1;
        pos
    }

    fn next_line(&mut self, out: &mut Vec<u8>) -> Result<Option<RecordPos>, StreamError> {
        loop {
            out.clear();
            let line = self.line;
            let (read, too_long) = self.read_line_capped(out)?;
            if read == 0 {
                self.done = true;
                return Ok(None);
            }
            self.line += 1;
            if too_long {
                let pos = self.take_pos(line);
                return Err(StreamError::Record {
                    pos,
                    message: format!(
                        "line is longer than {} MiB; is this really JSONL?",
                        MAX_RECORD_BYTES >> 20
                    ),
                });
            }
            if out.iter().all(|&b| is_ws(b)) {
                continue;
            }
            return Ok(Some(self.take_pos(line)));
        }
    }

    /// Reads up to and including the next `\n`, keeping at most
    /// `MAX_RECORD_BYTES`. Returns the bytes consumed and whether the line
    /// was too long (then `out` is left empty).
    fn read_line_capped(&mut self, out: &mut Vec<u8>) -> io::Result<(usize, bool)> {
        let mut total = 0;
        let mut too_long = false;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            let (found, n) = match memchr::memchr(b'\n', buf) {
                Some(p) => (true, p + 1),
                None => (false, buf.len()),
            };
            if !too_long {
                if out.len() + n > MAX_RECORD_BYTES {
                    too_long = true;
                    out.clear();
                    out.shrink_to_fit();
                } else {
                    out.extend_from_slice(buf.get(..n).unwrap_or_default());
                }
            }
            self.reader.consume(n);
            total += n;
            if found {
                break;
            }
        }
        Ok((total, too_long))
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.reader.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn skip_ws(&mut self) -> io::Result<()> {
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(());
            }
            let n = buf.iter().position(|&b| !is_ws(b)).unwrap_or(buf.len());
            let lines = newlines(buf.get(..n).unwrap_or_default());
            let all = n == buf.len();
            self.reader.consume(n);
            self.line += lines;
            if !all {
                return Ok(());
            }
        }
    }

    fn next_element(&mut self, out: &mut Vec<u8>) -> Result<Option<RecordPos>, StreamError> {
        if !self.opened {
            self.skip_ws()?;
            if self.peek()? != Some(b'[') {
                self.done = true;
                return Err(StreamError::Structure {
                    line: self.line,
                    message: "expected a JSON array starting with `[`".into(),
                });
            }
            self.reader.consume(1);
            self.opened = true;
        }
        loop {
            self.skip_ws()?;
            match self.peek()? {
                None => {
                    self.done = true;
                    return Err(StreamError::Structure {
                        line: self.line,
                        message:
                            "the JSON array is not closed: `]` is missing at the end of the file"
                                .into(),
                    });
                }
                Some(b']') => {
                    self.reader.consume(1);
                    self.done = true;
                    self.skip_ws()?;
                    if let Some(b) = self.peek()? {
                        return Err(StreamError::Structure {
                            line: self.line,
                            message: format!(
                                "unexpected `{}` after the closing `]` of the JSON array",
                                char::from(b).escape_default()
                            ),
                        });
                    }
                    return Ok(None);
                }
                // An empty element (`[a,,b]`): nothing to read.
                Some(b',') => self.reader.consume(1),
                Some(_) => break,
            }
        }
        let line = self.line;
        // Ending at EOF at depth 0 is fine here: the element may be whole,
        // and the missing `]` is reported by the next call.
        self.scan(out, Shape::Array)?;
        Ok(Some(self.take_pos(line)))
    }

    fn next_object(&mut self, out: &mut Vec<u8>) -> Result<Option<RecordPos>, StreamError> {
        self.skip_ws()?;
        match self.peek()? {
            None => {
                self.done = true;
                Ok(None)
            }
            Some(b'{') | Some(b'[') => {
                let line = self.line;
                match self.scan(out, Shape::Objects)? {
                    Scan::Complete => Ok(Some(self.take_pos(line))),
                    Scan::Eof => {
                        self.done = true;
                        Err(StreamError::Structure {
                            line,
                            message: "the JSON object starting here is not closed before the end of the file".into(),
                        })
                    }
                }
            }
            Some(b) => {
                self.done = true;
                Err(StreamError::Structure {
                    line: self.line,
                    message: format!(
                        "expected `{{` to start a JSON object, found `{}`",
                        char::from(b).escape_default()
                    ),
                })
            }
        }
    }

    /// Copies one value into `out`: for arrays up to the `,` or `]` that
    /// ends the element at depth 0 (a `,` is consumed, a `]` is left); for
    /// objects up to and including the bracket that closes the value.
    fn scan(&mut self, out: &mut Vec<u8>, shape: Shape) -> Result<Scan, StreamError> {
        let start_line = self.line;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            if buf.is_empty() {
                if in_string || depth > 0 {
                    self.done = true;
                    return Err(StreamError::Structure {
                        line: start_line,
                        message: "the record starting here is not closed (a `}`, `]` or `\"` is missing) before the end of the file".into(),
                    });
                }
                return Ok(Scan::Eof);
            }
            let mut i = 0;
            // (bytes to keep, bytes to consume) when the value ends here.
            let mut end: Option<(usize, usize)> = None;
            while i < buf.len() {
                if escaped {
                    escaped = false;
                    i += 1;
                    continue;
                }
                if in_string {
                    let rest = buf.get(i..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        None => i = buf.len(),
                        Some(p) => {
                            if rest.get(p) == Some(&b'\\') {
                                escaped = true;
                            } else {
                                in_string = false;
                            }
                            i += p + 1;
                        }
                    }
                    continue;
                }
                match buf.get(i).copied().unwrap_or(b' ') {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    // Only a `]` ends an array element at depth 0. A stray
                    // `}` there is part of the (invalid) element: ending the
                    // element before it would yield empty elements forever.
                    b']' if depth == 0 && shape == Shape::Array => {
                        end = Some((i, i));
                        break;
                    }
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 && shape == Shape::Objects {
                            end = Some((i + 1, i + 1));
                            break;
                        }
                    }
                    b',' if depth == 0 && shape == Shape::Array => {
                        end = Some((i, i + 1));
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
            let (keep, consume) = end.unwrap_or((buf.len(), buf.len()));
            out.extend_from_slice(buf.get(..keep).unwrap_or_default());
            let lines = newlines(buf.get(..consume).unwrap_or_default());
            self.reader.consume(consume);
            self.line += lines;
            if out.len() > MAX_RECORD_BYTES {
                self.done = true;
                out.clear();
                out.shrink_to_fit();
                return Err(too_large(start_line));
            }
            if end.is_some() {
                return Ok(Scan::Complete);
            }
        }
    }
}

fn too_large(line: u64) -> StreamError {
    StreamError::Structure {
        line,
        message: format!(
            "the record starting here is larger than {} MiB; is a closing bracket missing?",
            MAX_RECORD_BYTES >> 20
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &str, shape: Shape) -> Vec<Result<(RecordPos, String), String>> {
        // A tiny buffer exercises records split across refills.
        let reader = io::BufReader::with_capacity(3, input.as_bytes());
        let mut stream = JsonRecords::new(reader, shape).unwrap();
        let mut out = Vec::new();
        let mut got = Vec::new();
        loop {
            match stream.next_record(&mut out) {
                Ok(Some(pos)) => got.push(Ok((pos, String::from_utf8(out.clone()).unwrap()))),
                Ok(None) => break,
                Err(StreamError::Record { pos, message }) => {
                    got.push(Err(format!("record {}: {message}", pos.line)))
                }
                Err(StreamError::Structure { line, message }) => {
                    got.push(Err(format!("line {line}: {message}")));
                    break;
                }
                Err(StreamError::Io(e)) => panic!("{e}"),
            }
        }
        got
    }

    fn ok(line: u64, index: u64, text: &str) -> Result<(RecordPos, String), String> {
        Ok((RecordPos { line, index }, text.to_string()))
    }

    #[test]
    fn sniffs_shapes() {
        assert_eq!(sniff_shape(b"  \n[{\"a\":1}]", false), Shape::Array);
        assert_eq!(sniff_shape(b"{\"a\":1}\n{\"a\":2}\n", false), Shape::Lines);
        assert_eq!(sniff_shape(b"{\n  \"a\": 1\n}\n", false), Shape::Objects);
        assert_eq!(sniff_shape(b"{\n  \"a\": 1\n}\n", true), Shape::Lines);
        assert_eq!(sniff_shape(b"\xEF\xBB\xBF[1]", false), Shape::Array);
        assert_eq!(sniff_shape(b"{\"a\":1", false), Shape::Lines);
        assert_eq!(sniff_shape(b"", false), Shape::Lines);
    }

    #[test]
    fn splits_array_elements_with_tricky_strings() {
        let input = "[\n {\"a\": \"x,]}\\\"\"},\n {\"b\": [1, {\"c\": \"\\\\\"}]}\n, 7 ]\n";
        assert_eq!(
            records(input, Shape::Array),
            vec![
                ok(2, 0, "{\"a\": \"x,]}\\\"\"}"),
                ok(3, 1, "{\"b\": [1, {\"c\": \"\\\\\"}]}\n"),
                ok(4, 2, "7 "),
            ]
        );
    }

    #[test]
    fn empty_array_and_trailing_comma() {
        assert!(records("[]", Shape::Array).is_empty());
        assert_eq!(records("[{},]", Shape::Array), vec![ok(1, 0, "{}")]);
    }

    #[test]
    fn unclosed_array_is_a_structure_error() {
        let got = records("[{\"a\":1},\n{\"b\":2}\n", Shape::Array);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1], ok(2, 1, "{\"b\":2}\n"));
        assert!(got[2].as_ref().unwrap_err().contains("`]` is missing"));
        let got = records("[{\"a\": \"never closed}]", Shape::Array);
        assert!(
            got[0]
                .as_ref()
                .unwrap_err()
                .starts_with("line 1: the record")
        );
    }

    #[test]
    fn content_after_array_is_reported() {
        let got = records("[{}]\nxyz", Shape::Array);
        assert_eq!(got[0], ok(1, 0, "{}"));
        assert!(
            got[1]
                .as_ref()
                .unwrap_err()
                .starts_with("line 2: unexpected `x`")
        );
    }

    #[test]
    fn lines_skip_blanks_and_count_lines() {
        let got = records("{\"a\":1}\n\n  \r\n{\"b\":2}\r\n{\"c\":3}", Shape::Lines);
        assert_eq!(
            got,
            vec![
                ok(1, 0, "{\"a\":1}\n"),
                ok(4, 1, "{\"b\":2}\r\n"),
                ok(5, 2, "{\"c\":3}")
            ]
        );
    }

    #[test]
    fn pretty_printed_objects() {
        let input = "{\n  \"a\": \"}\"\n}\n{\n  \"b\": [\n1]\n}\n";
        assert_eq!(
            records(input, Shape::Objects),
            vec![
                ok(1, 0, "{\n  \"a\": \"}\"\n}"),
                ok(4, 1, "{\n  \"b\": [\n1]\n}")
            ]
        );
        let got = records("{\"a\": 1\n", Shape::Objects);
        assert!(got[0].as_ref().unwrap_err().contains("not closed"));
    }
}
