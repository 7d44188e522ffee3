//! Checkpoints: one file per finished stage, written atomically and carrying
//! a format version and the hash of the inputs that produced it; plus
//! append-only `<stage>.partial.jsonl` files for stages that run per record.
//!
//! [`CheckpointStore`] is the seam: [`FileCheckpoints`] keeps them in the
//! project's `checkpoints/`, [`MemoryCheckpoints`] in memory for tests.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::atomic;
use crate::error::{Error, IoContext, Result};

/// The checkpoint format this build reads and writes.
pub const CHECKPOINT_VERSION: u32 = 1;
const MAGIC: &str = "kura-tui-checkpoint";

/// First line of every stage checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub stage: String,
    /// Hash of the stage's inputs and the settings that matter.
    pub key: String,
    pub count: usize,
    /// Columns, for matrix checkpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dims: Option<usize>,
    #[serde(default)]
    pub created_at: String,
}

/// Raw storage for checkpoints.
pub trait CheckpointStore: Send + Sync {
    /// Reads a whole stage file, or `None` if it does not exist.
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>>;
    /// Replaces a stage file atomically.
    fn write(&self, name: &str, bytes: &[u8]) -> Result<()>;
    /// Removes a stage file if present.
    fn remove(&self, name: &str) -> Result<()>;
    /// Appends one line to `<stage>.partial.jsonl` and flushes it.
    fn append_partial(&self, stage: &str, line: &[u8]) -> Result<()>;
    /// Complete lines of `<stage>.partial.jsonl`; a torn last line is dropped
    /// (and cut from the file, so later appends start on a clean line).
    fn read_partial(&self, stage: &str) -> Result<Vec<Vec<u8>>>;
    /// Deletes `<stage>.partial.jsonl`.
    fn clear_partial(&self, stage: &str) -> Result<()>;
    /// Where the store lives, for messages.
    fn describe(&self, name: &str) -> PathBuf;
}

fn stage_file(stage: &str) -> String {
    format!("{stage}.jsonl")
}

fn matrix_file(stage: &str) -> String {
    format!("{stage}.bin")
}

fn partial_file(stage: &str) -> String {
    format!("{stage}.partial.jsonl")
}

/// Serialises `records` under a header and stores them as `stage`.
pub fn save<T: Serialize>(
    store: &dyn CheckpointStore,
    stage: &str,
    key: &str,
    records: &[T],
) -> Result<()> {
    let header = Header {
        format: MAGIC.into(),
        version: CHECKPOINT_VERSION,
        stage: stage.into(),
        key: key.into(),
        count: records.len(),
        dims: None,
        created_at: chrono::Utc::now().to_rfc3339(),
    };
    let mut bytes = serde_json::to_vec(&header).map_err(|e| Error::Other(e.to_string()))?;
    bytes.push(b'\n');
    for r in records {
        serde_json::to_writer(&mut bytes, r).map_err(|e| Error::Other(e.to_string()))?;
        bytes.push(b'\n');
    }
    store.write(&stage_file(stage), &bytes)
}

/// Reads only the header of a stage checkpoint (records or matrix).
pub fn header(store: &dyn CheckpointStore, stage: &str) -> Result<Option<Header>> {
    for name in [stage_file(stage), matrix_file(stage)] {
        if let Some(bytes) = store.read(&name)? {
            let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
            return parse_header(store, &name, first).map(Some);
        }
    }
    Ok(None)
}

/// Stores a matrix (rows × dims of f32) as a header line and raw
/// little-endian floats.
pub fn save_matrix(
    store: &dyn CheckpointStore,
    stage: &str,
    key: &str,
    matrix: ndarray::ArrayView2<f32>,
) -> Result<()> {
    let header = Header {
        format: MAGIC.into(),
        version: CHECKPOINT_VERSION,
        stage: stage.into(),
        key: key.into(),
        count: matrix.nrows(),
        dims: Some(matrix.ncols()),
        created_at: chrono::Utc::now().to_rfc3339(),
    };
    let mut bytes = serde_json::to_vec(&header).map_err(|e| Error::Other(e.to_string()))?;
    bytes.push(b'\n');
    bytes.reserve(matrix.len() * 4);
    for x in matrix.iter() {
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    store.write(&matrix_file(stage), &bytes)
}

/// Loads a matrix checkpoint made from the same inputs.
pub fn load_matrix(
    store: &dyn CheckpointStore,
    stage: &str,
    key: &str,
) -> Result<Option<ndarray::Array2<f32>>> {
    let name = matrix_file(stage);
    let Some(bytes) = store.read(&name)? else {
        return Ok(None);
    };
    let split = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    let header = parse_header(store, &name, &bytes[..split])?;
    if header.key != key {
        return Ok(None);
    }
    let dims = header.dims.unwrap_or(0);
    let body = bytes.get(split + 1..).unwrap_or_default();
    if body.len() != header.count * dims * 4 {
        return Err(Error::CorruptCheckpoint {
            path: store.describe(&name),
            message: format!(
                "expected {} × {dims} floats, found {} bytes",
                header.count,
                body.len()
            ),
        });
    }
    let data: Vec<f32> = body
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    ndarray::Array2::from_shape_vec((header.count, dims), data)
        .map(Some)
        .map_err(|e| Error::CorruptCheckpoint {
            path: store.describe(&name),
            message: e.to_string(),
        })
}

fn parse_header(store: &dyn CheckpointStore, name: &str, line: &[u8]) -> Result<Header> {
    let header: Header = serde_json::from_slice(line).map_err(|e| Error::CorruptCheckpoint {
        path: store.describe(name),
        message: format!("line 1: bad header: {e}"),
    })?;
    if header.format != MAGIC {
        return Err(Error::CorruptCheckpoint {
            path: store.describe(name),
            message: format!("line 1: field `format` is `{}`", header.format),
        });
    }
    if header.version != CHECKPOINT_VERSION {
        return Err(Error::CheckpointVersion {
            path: store.describe(name),
            found: header.version,
            expected: CHECKPOINT_VERSION,
        });
    }
    Ok(header)
}

/// Loads a stage checkpoint if it exists and was made from the same inputs
/// (`key`); `Ok(None)` means the stage must be (re)computed.
pub fn load<T: DeserializeOwned>(
    store: &dyn CheckpointStore,
    stage: &str,
    key: Option<&str>,
) -> Result<Option<Vec<T>>> {
    let name = stage_file(stage);
    let Some(bytes) = store.read(&name)? else {
        return Ok(None);
    };
    let mut lines = bytes.split(|b| *b == b'\n');
    let header = parse_header(store, &name, lines.next().unwrap_or_default())?;
    if key.is_some_and(|k| k != header.key) {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(header.count);
    for (i, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let record = serde_json::from_slice(line).map_err(|e| Error::CorruptCheckpoint {
            path: store.describe(&name),
            message: format!("line {}: {e}", i + 2),
        })?;
        out.push(record);
    }
    if out.len() != header.count {
        return Err(Error::CorruptCheckpoint {
            path: store.describe(&name),
            message: format!("header says {} records, found {}", header.count, out.len()),
        });
    }
    Ok(Some(out))
}

/// Appends one record to a stage's partial file.
pub fn append_partial<T: Serialize>(
    store: &dyn CheckpointStore,
    stage: &str,
    record: &T,
) -> Result<()> {
    let line = serde_json::to_vec(record).map_err(|e| Error::Other(e.to_string()))?;
    store.append_partial(stage, &line)
}

/// Reads a stage's partial records; lines that do not parse are skipped
/// (they can only come from a crash mid-write).
pub fn load_partial<T: DeserializeOwned>(
    store: &dyn CheckpointStore,
    stage: &str,
) -> Result<Vec<T>> {
    Ok(store
        .read_partial(stage)?
        .iter()
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect())
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

/// Cuts a torn last line (one with no trailing newline) off a partial file.
fn trim_torn_tail(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    match File::open(path) {
        Ok(mut f) => {
            f.read_to_end(&mut bytes).at(path)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(bytes),
        Err(e) => return Err(Error::io(path, e)),
    }
    let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    if keep != bytes.len() {
        bytes.truncate(keep);
        let f = OpenOptions::new().write(true).open(path).at(path)?;
        f.set_len(keep as u64).at(path)?;
        f.sync_all().at(path)?;
    }
    Ok(bytes)
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

    fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        atomic::write_bytes(&self.path(name), bytes)
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
            trim_torn_tail(&path)?;
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .at(&path)?;
            open.insert(name.clone(), f);
        }
        let Some(file) = open.get_mut(&name) else {
            return Err(Error::Other("partial file vanished".into()));
        };
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line);
        buf.push(b'\n');
        // One write call per record: a crash leaves at most this line torn.
        file.write_all(&buf).at(&path)?;
        file.flush().at(&path)
    }

    fn read_partial(&self, stage: &str) -> Result<Vec<Vec<u8>>> {
        let path = self.path(&partial_file(stage));
        let bytes = trim_torn_tail(&path)?;
        Ok(bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect())
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
}

impl CheckpointStore for MemoryCheckpoints {
    fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned())
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), bytes.to_vec());
        Ok(())
    }

    fn remove(&self, name: &str) -> Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
        Ok(())
    }

    fn append_partial(&self, stage: &str, line: &[u8]) -> Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        let f = files.entry(partial_file(stage)).or_default();
        f.extend_from_slice(line);
        f.push(b'\n');
        Ok(())
    }

    fn read_partial(&self, stage: &str) -> Result<Vec<Vec<u8>>> {
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        Ok(files
            .get(&partial_file(stage))
            .map(|b| {
                let end = b.iter().rposition(|c| *c == b'\n').map_or(0, |p| p + 1);
                b[..end]
                    .split(|c| *c == b'\n')
                    .filter(|l| !l.is_empty())
                    .map(<[u8]>::to_vec)
                    .collect()
            })
            .unwrap_or_default())
    }

    fn clear_partial(&self, stage: &str) -> Result<()> {
        self.remove(&partial_file(stage))
    }

    fn describe(&self, name: &str) -> PathBuf {
        PathBuf::from(format!("memory:{name}"))
    }
}

/// A stable hex hash of anything serialisable, for checkpoint keys.
pub fn hash_key<T: Serialize + ?Sized>(value: &T) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_round_trip_and_key_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileCheckpoints::new(dir.path());
        save(&store, "names", "k1", &["a".to_string(), "b".to_string()]).unwrap();
        let got: Vec<String> = load(&store, "names", Some("k1")).unwrap().unwrap();
        assert_eq!(got, ["a", "b"]);
        assert!(
            load::<String>(&store, "names", Some("k2"))
                .unwrap()
                .is_none()
        );
        assert!(load::<String>(&store, "missing", None).unwrap().is_none());
    }

    #[test]
    fn matrix_round_trip() {
        let store = MemoryCheckpoints::new();
        let m = ndarray::Array2::from_shape_fn((3, 4), |(i, j)| (i * 10 + j) as f32 * 0.5);
        save_matrix(&store, "embeddings", "k", m.view()).unwrap();
        assert_eq!(load_matrix(&store, "embeddings", "k").unwrap().unwrap(), m);
        assert!(
            load_matrix(&store, "embeddings", "other")
                .unwrap()
                .is_none()
        );
        assert_eq!(header(&store, "embeddings").unwrap().unwrap().dims, Some(4));
    }

    #[test]
    fn wrong_version_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileCheckpoints::new(dir.path());
        store
            .write(
                "s.jsonl",
                br#"{"format":"kura-tui-checkpoint","version":99,"stage":"s","key":"k","count":0}
"#,
            )
            .unwrap();
        let err = load::<String>(&store, "s", None).unwrap_err().to_string();
        assert!(err.contains("version 99"), "{err}");
        assert!(err.contains("s.jsonl"), "{err}");
    }

    #[test]
    fn torn_partial_line_is_ignored_and_cut() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileCheckpoints::new(dir.path());
        append_partial(&store, "summaries", &1u32).unwrap();
        append_partial(&store, "summaries", &2u32).unwrap();
        drop(store);
        let path = dir.path().join("summaries.partial.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"torn\":").unwrap();
        let store = FileCheckpoints::new(dir.path());
        let got: Vec<u32> = load_partial(&store, "summaries").unwrap();
        assert_eq!(got, [1, 2]);
        append_partial(&store, "summaries", &3u32).unwrap();
        let got: Vec<u32> = load_partial(&store, "summaries").unwrap();
        assert_eq!(got, [1, 2, 3]);
    }
}
