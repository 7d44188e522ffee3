//! Where checkpoints live: [`FileCheckpoints`] in the project's
//! `checkpoints/`, [`MemoryCheckpoints`] in memory for tests.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::partial::header_line;
use super::partial_file;
use crate::error::{Error, IoContext, Result};
use crate::project::atomic;

/// Raw storage for checkpoints.
pub trait CheckpointStore: Send + Sync {
    /// Reads a whole stage file, or `None` if it does not exist.
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>>;
    /// Replaces a stage file atomically with the concatenation of `parts`.
    fn write_parts(&self, name: &str, parts: &[&[u8]]) -> Result<()>;
    /// Replaces a stage file atomically.
    fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.write_parts(name, &[bytes])
    }
    /// Removes a stage file if present.
    fn remove(&self, name: &str) -> Result<()>;
    /// Appends one line to `<stage>.partial.jsonl` and flushes it; a new
    /// file starts with the partial header line.
    fn append_partial(&self, stage: &str, line: &[u8]) -> Result<()>;
    /// The complete lines of `<stage>.partial.jsonl` (a torn last line is
    /// left out). Never modifies the file.
    fn read_partial(&self, stage: &str) -> Result<Vec<Vec<u8>>>;
    /// Deletes `<stage>.partial.jsonl`.
    fn clear_partial(&self, stage: &str) -> Result<()>;
    /// Where the store lives, for messages.
    fn describe(&self, name: &str) -> PathBuf;
}

/// The complete lines of a partial file's bytes.
fn complete_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    let end = bytes.iter().rposition(|c| *c == b'\n').map_or(0, |p| p + 1);
    if end == 0 {
        return Vec::new();
    }
    bytes[..end - 1]
        .split(|c| *c == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// Checkpoints in a directory.
pub struct FileCheckpoints {
    dir: PathBuf,
    open: Mutex<HashMap<String, File>>,
}

impl FileCheckpoints {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileCheckpoints {
            dir: dir.into(),
            open: Mutex::new(HashMap::new()),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// Cuts a torn last line (one with no trailing newline) off a partial file
/// before appending to it; returns the file's length afterwards.
fn trim_torn_tail(path: &Path) -> Result<u64> {
    let mut bytes = Vec::new();
    match File::open(path) {
        Ok(mut f) => {
            f.read_to_end(&mut bytes).at(path)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(path, e)),
    }
    let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    if keep != bytes.len() {
        let f = OpenOptions::new().write(true).open(path).at(path)?;
        f.set_len(keep as u64).at(path)?;
        f.sync_all().at(path)?;
    }
    Ok(keep as u64)
}

fn with_newline(line: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(line.len() + 1);
    buf.extend_from_slice(line);
    buf.push(b'\n');
    buf
}

impl CheckpointStore for FileCheckpoints {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(name);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    fn write_parts(&self, name: &str, parts: &[&[u8]]) -> Result<()> {
        atomic::write_with(&self.path(name), |w| {
            for p in parts {
                w.write_all(p)?;
            }
            Ok(())
        })
    }

    fn remove(&self, name: &str) -> Result<()> {
        let path = self.path(name);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    fn append_partial(&self, stage: &str, line: &[u8]) -> Result<()> {
        let name = partial_file(stage);
        let path = self.path(&name);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if !open.contains_key(&name) {
            fs::create_dir_all(&self.dir).at(&self.dir)?;
            let len = trim_torn_tail(&path)?;
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .at(&path)?;
            if len == 0 {
                f.write_all(&with_newline(&header_line(stage))).at(&path)?;
            }
            open.insert(name.clone(), f);
        }
        let Some(file) = open.get_mut(&name) else {
            return Err(Error::Other("partial file vanished".into()));
        };
        // One write call per record: a crash leaves at most this line torn.
        file.write_all(&with_newline(line)).at(&path)?;
        file.flush().at(&path)
    }

    fn read_partial(&self, stage: &str) -> Result<Vec<Vec<u8>>> {
        let path = self.path(&partial_file(stage));
        match fs::read(&path) {
            Ok(bytes) => Ok(complete_lines(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    fn clear_partial(&self, stage: &str) -> Result<()> {
        let name = partial_file(stage);
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&name);
        self.remove(&name)
    }

    fn describe(&self, name: &str) -> PathBuf {
        self.path(name)
    }
}

/// Checkpoints held in memory, for tests.
#[derive(Default)]
pub struct MemoryCheckpoints {
    files: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemoryCheckpoints {
    pub fn new() -> Self {
        Self::default()
    }

    fn files(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CheckpointStore for MemoryCheckpoints {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.files().get(name).cloned())
    }

    fn write_parts(&self, name: &str, parts: &[&[u8]]) -> Result<()> {
        self.files().insert(name.to_string(), parts.concat());
        Ok(())
    }

    fn remove(&self, name: &str) -> Result<()> {
        self.files().remove(name);
        Ok(())
    }

    fn append_partial(&self, stage: &str, line: &[u8]) -> Result<()> {
        let mut files = self.files();
        let f = files.entry(partial_file(stage)).or_default();
        let keep = f.iter().rposition(|c| *c == b'\n').map_or(0, |p| p + 1);
        f.truncate(keep);
        if f.is_empty() {
            f.extend_from_slice(&with_newline(&header_line(stage)));
        }
        f.extend_from_slice(&with_newline(line));
        Ok(())
    }

    fn read_partial(&self, stage: &str) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .files()
            .get(&partial_file(stage))
            .map(|b| complete_lines(b))
            .unwrap_or_default())
    }

    fn clear_partial(&self, stage: &str) -> Result<()> {
        self.remove(&partial_file(stage))
    }

    fn describe(&self, name: &str) -> PathBuf {
        PathBuf::from(format!("memory:{name}"))
    }
}
