//! The cache's log segments: `cache/log/<millis>-<pid>-<n>.jsonl`, one
//! entry per line, appended and never rewritten. Each process appends to a
//! segment of its own, so writers never share a file; a reader indexes
//! every segment once (key → segment, offset, length) and then reads an
//! entry with one positioned read.

use std::borrow::Cow;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::ENTRY_VERSION;
use crate::error::{Error, IoContext, Result};

/// The folder of the segments, inside the cache root.
pub(super) const LOG_DIR: &str = "log";

/// Where one entry's line is.
#[derive(Debug, Clone)]
pub(super) struct Loc {
    segment: Arc<PathBuf>,
    offset: u64,
    len: u32,
}

impl Loc {
    /// The entry's line as it is on disk now.
    pub(super) fn read(&self) -> Result<Vec<u8>> {
        let path = self.segment.as_path();
        let file = File::open(path).at(path)?;
        let mut buf = vec![0; self.len as usize];
        file.read_exact_at(&mut buf, self.offset).at(path)?;
        Ok(buf)
    }
}

/// Every entry of every segment, by key; a later line wins.
#[derive(Debug, Default)]
pub(super) struct Index {
    entries: FxHashMap<String, Loc>,
    /// Bytes in the segments, superseded and torn lines included.
    pub(super) bytes: u64,
}

/// The fields an index needs from a line.
#[derive(Deserialize)]
struct Head<'a> {
    v: u64,
    #[serde(borrow)]
    key: Cow<'a, str>,
}

impl Index {
    /// Reads every segment under `root`. A line that does not parse (a
    /// torn last line after a kill, garbage) is skipped.
    pub(super) fn build(root: &Path) -> Result<Index> {
        let mut index = Index::default();
        for path in segments(root)? {
            let file = File::open(&path).at(&path)?;
            let segment = Arc::new(path);
            let mut reader = BufReader::with_capacity(1 << 16, file);
            let mut line = Vec::new();
            let mut offset = 0u64;
            let mut skipped = 0usize;
            loop {
                line.clear();
                let n = reader.read_until(b'\n', &mut line).at(segment.as_path())?;
                if n == 0 {
                    break;
                }
                index.bytes += n as u64;
                let whole = line.last() == Some(&b'\n');
                let head = serde_json::from_slice::<Head>(&line).ok();
                if let Some(head) = head.filter(|h| whole && h.v == ENTRY_VERSION)
                    && let Ok(len) = u32::try_from(n)
                {
                    let loc = Loc {
                        segment: segment.clone(),
                        offset,
                        len,
                    };
                    index.entries.insert(head.key.into_owned(), loc);
                } else {
                    skipped += 1;
                }
                offset += n as u64;
            }
            if skipped > 0 {
                tracing::debug!(
                    segment = %segment.display(),
                    skipped,
                    "cache lines that are torn, damaged or of another version were skipped"
                );
            }
        }
        Ok(index)
    }

    pub(super) fn find(&self, key: &str) -> Option<&Loc> {
        self.entries.get(key)
    }

    pub(super) fn insert(&mut self, key: String, loc: Loc) {
        self.bytes += u64::from(loc.len);
        self.entries.insert(key, loc);
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The segment files under `root`, oldest first.
pub(super) fn segments(root: &Path) -> Result<Vec<PathBuf>> {
    let dir = root.join(LOG_DIR);
    let listing = match fs::read_dir(&dir) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut out = Vec::new();
    for e in listing {
        let e = e.at(&dir)?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && name.ends_with(".jsonl") {
            out.push(e.path());
        }
    }
    // Names start with the creation time in milliseconds.
    out.sort_by_key(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        let millis = name
            .as_deref()
            .and_then(|n| n.split('-').next())
            .and_then(|m| m.parse::<u128>().ok());
        (millis, p.clone())
    });
    Ok(out)
}

/// Removes every segment and then the log folder if it is empty.
pub(super) fn clear(root: &Path) -> Result<()> {
    for path in segments(root)? {
        fs::remove_file(&path).at(&path)?;
    }
    let _ = fs::remove_dir(root.join(LOG_DIR));
    Ok(())
}

/// This process's segment, opened on its first entry.
#[derive(Debug)]
pub(super) struct Writer {
    segment: Arc<PathBuf>,
    file: File,
    len: u64,
}

impl Writer {
    /// Creates a new segment under `root`.
    pub(super) fn open(root: &Path) -> Result<Writer> {
        let dir = root.join(LOG_DIR);
        fs::create_dir_all(&dir).at(&dir)?;
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let pid = std::process::id();
        for n in 0u32.. {
            let path = dir.join(format!("{millis}-{pid}-{n}.jsonl"));
            match OpenOptions::new().append(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(Writer {
                        segment: Arc::new(path),
                        file,
                        len: 0,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        Err(Error::Internal("no free cache segment name".into()))
    }

    /// Appends one line (`line` must end with a newline and hold no other)
    /// in a single write, so a kill leaves at most this line torn.
    pub(super) fn append(&mut self, line: &[u8]) -> Result<Loc> {
        let len = u32::try_from(line.len())
            .map_err(|_| Error::Internal("a cache entry over 4 GiB".into()))?;
        self.file.write_all(line).at(self.segment.as_path())?;
        let loc = Loc {
            segment: self.segment.clone(),
            offset: self.len,
            len,
        };
        self.len += u64::from(len);
        Ok(loc)
    }
}
