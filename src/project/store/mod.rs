//! The project's normalised conversation store: `conversations.jsonl`, one
//! conversation per line, plus `conversations.idx` ([`index`]), the offset
//! and id hash of every line behind a header with counts and digests.
//!
//! The store checks itself: opening it validates the index against the data
//! (sizes, checksums, order, and a few sampled records), and a missing,
//! short, garbled or inconsistent index is rebuilt from the data with a
//! notice saying so. Reading a conversation by position checks that the
//! record there is the one indexed there, so a stale index can never hand
//! out the wrong conversation.

pub mod index;
mod writer;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, IoContext, Location, Result};
use crate::model::Conversation;
use index::{Index, id_hash};
pub use writer::StoreWriter;

/// Records read back at open to check the index against the data.
const SPOT_CHECKS: usize = 8;

/// What identifies a store's content: its size and the SHA-256 of
/// `conversations.jsonl` (computed at import or rebuild, kept in the index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreFingerprint {
    pub conversations: usize,
    pub digest: String,
}

/// Reads a store: streaming iteration, or random access by position or id.
#[derive(Debug)]
pub struct Store {
    data_path: PathBuf,
    index_path: PathBuf,
    index: Index,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

impl Store {
    /// Opens a store, rebuilding its index when it is missing or does not
    /// match the data ([`Store::notice`] then says so).
    pub fn open(data_path: &Path, index_path: &Path) -> Result<Store> {
        let data_len = std::fs::metadata(data_path).at(data_path)?.len();
        let problem = match std::fs::read(index_path) {
            Ok(bytes) => match Index::parse(&bytes) {
                Ok(index) => match spot_check(data_path, data_len, &index)? {
                    None => {
                        return Ok(Store {
                            data_path: data_path.to_path_buf(),
                            index_path: index_path.to_path_buf(),
                            index,
                            notice: None,
                        });
                    }
                    Some(p) => p,
                },
                Err(p) => p,
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "is missing".to_string(),
            Err(e) => format!("cannot be read ({e})"),
        };
        let index = rebuild(data_path)?;
        let saved = crate::project::atomic::write_bytes(index_path, &index.encode());
        let mut notice = format!(
            "{} {problem}; rebuilt it from {} ({} conversations)",
            index_path.display(),
            data_path.display(),
            index.offsets.len()
        );
        if let Err(e) = saved {
            notice.push_str(&format!(" but could not save it: {e}"));
        }
        tracing::info!("{notice}");
        Ok(Store {
            data_path: data_path.to_path_buf(),
            index_path: index_path.to_path_buf(),
            index,
            notice: Some(notice),
        })
    }

    /// Set when opening rebuilt the index: one line for the user.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    pub fn len(&self) -> usize {
        self.index.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.offsets.is_empty()
    }

    pub fn path(&self) -> &Path {
        &self.data_path
    }

    /// The store's content identity, for the summaries' checkpoint key.
    pub fn fingerprint(&self) -> StoreFingerprint {
        StoreFingerprint {
            conversations: self.len(),
            digest: hex::encode(self.index.data_digest),
        }
    }

    /// Reads the conversation at `position` (0-based), checking that it is
    /// the one the index holds there.
    pub fn get(&self, position: usize) -> Result<Conversation> {
        let Some((offset, len)) = self.index.span(position) else {
            return Err(Error::Other(format!(
                "conversation {position} is out of range (store has {})",
                self.len()
            )));
        };
        let mut file = File::open(&self.data_path).at(&self.data_path)?;
        let line = read_span(&mut file, offset, len).at(&self.data_path)?;
        match serde_json::from_slice::<Conversation>(&line) {
            Ok(c) if id_hash(&c.id) == self.index.id_hashes[position] => Ok(c),
            _ => Err(self.stale(position)),
        }
    }

    /// The error for a record that is not the one indexed: the index is
    /// removed so the next open rebuilds it.
    fn stale(&self, position: usize) -> Error {
        let _ = std::fs::remove_file(&self.index_path);
        Error::Other(format!(
            "{} no longer matches {} at conversation {} (the data changed after it was indexed); \
             the index was removed and is rebuilt the next time the project is opened",
            self.index_path.display(),
            self.data_path.display(),
            position + 1
        ))
    }

    /// Streams every conversation in store order.
    pub fn iter(&self) -> Result<StoreIter> {
        let file = File::open(&self.data_path).at(&self.data_path)?;
        Ok(StoreIter {
            path: self.data_path.clone(),
            reader: BufReader::with_capacity(1 << 20, file),
            line: 0,
            buf: Vec::new(),
        })
    }

    /// Builds an id → position map (one pass over the store).
    pub fn id_index(&self) -> Result<HashMap<String, usize>> {
        let mut map = HashMap::with_capacity(self.len());
        for (i, conv) in self.iter()?.enumerate() {
            map.insert(conv?.id, i);
        }
        Ok(map)
    }
}

fn read_span(file: &mut File, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(offset))?;
    let mut buf = Vec::new();
    file.take(len).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Checks an index that parsed against the data: its length, and a few
/// records spread over the store (each must be a whole line holding the
/// indexed id). Returns what is wrong, if anything.
fn spot_check(data_path: &Path, data_len: u64, index: &Index) -> Result<Option<String>> {
    if index.data_len != data_len {
        return Ok(Some(format!(
            "was made for {} bytes of conversations, but {} holds {data_len}",
            index.data_len,
            data_path.display()
        )));
    }
    let n = index.offsets.len();
    if n == 0 {
        return Ok(None);
    }
    let mut file = File::open(data_path).at(data_path)?;
    let picks = (0..SPOT_CHECKS.min(n)).map(|i| i * (n - 1) / (SPOT_CHECKS.min(n) - 1).max(1));
    for p in picks {
        let Some((offset, len)) = index.span(p) else {
            continue;
        };
        let line = read_span(&mut file, offset, len).at(data_path)?;
        let id = serde_json::from_slice::<IdOnly>(&line).ok();
        if id.is_none_or(|r| id_hash(&r.id) != index.id_hashes[p]) {
            return Ok(Some(format!(
                "does not match the conversations (record {} differs)",
                p + 1
            )));
        }
    }
    Ok(None)
}

/// Builds the index from the data in one pass.
pub fn rebuild(data_path: &Path) -> Result<Index> {
    let file = File::open(data_path).at(data_path)?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut digest = Sha256::new();
    let mut offsets = Vec::new();
    let mut id_hashes = Vec::new();
    let mut offset = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).at(data_path)?;
        if n == 0 {
            break;
        }
        digest.update(&line);
        let record: IdOnly = serde_json::from_slice(&line).map_err(|e| {
            Error::input(
                Location::line(data_path, offsets.len() as u64 + 1),
                format!("corrupt conversation store: {e}"),
            )
        })?;
        offsets.push(offset);
        id_hashes.push(id_hash(&record.id));
        offset += n as u64;
    }
    Ok(Index {
        offsets,
        id_hashes,
        data_len: offset,
        data_digest: digest.finalize().into(),
    })
}

fn parse_line(path: &Path, line_no: u64, line: &[u8]) -> Result<Conversation> {
    serde_json::from_slice(line).map_err(|e| {
        Error::input(
            Location::line(path, line_no),
            format!("corrupt conversation store: {e}"),
        )
    })
}

/// Iterator over a store's conversations.
pub struct StoreIter {
    path: PathBuf,
    reader: BufReader<File>,
    line: u64,
    buf: Vec<u8>,
}

impl Iterator for StoreIter {
    type Item = Result<Conversation>;

    fn next(&mut self) -> Option<Self::Item> {
        self.buf.clear();
        match self.reader.read_until(b'\n', &mut self.buf) {
            Ok(0) => None,
            Ok(_) => {
                self.line += 1;
                Some(parse_line(&self.path, self.line, &self.buf))
            }
            Err(e) => Some(Err(Error::io(&self.path, e))),
        }
    }
}

#[cfg(test)]
mod tests;
