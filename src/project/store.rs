//! The project's normalised conversation store: `conversations.jsonl`, one
//! conversation per line, plus `conversations.idx`, the little-endian `u64`
//! byte offset of every line, for random access without a scan.
//!
//! The writer streams: memory stays bounded however many conversations pass
//! through it. Both files are written to temporaries and renamed into place
//! when the writer finishes, so an interrupted import leaves no half store.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Location, Result};
use crate::model::Conversation;

/// Streams conversations into a new store.
pub struct StoreWriter {
    data_path: PathBuf,
    index_path: PathBuf,
    data_tmp: PathBuf,
    index_tmp: PathBuf,
    data: BufWriter<File>,
    index: BufWriter<File>,
    offset: u64,
    count: u64,
}

impl StoreWriter {
    pub fn create(data_path: &Path, index_path: &Path) -> Result<StoreWriter> {
        let data_tmp = data_path.with_extension("jsonl.tmp");
        let index_tmp = index_path.with_extension("idx.tmp");
        let data = BufWriter::with_capacity(1 << 20, File::create(&data_tmp).at(&data_tmp)?);
        let index = BufWriter::with_capacity(1 << 16, File::create(&index_tmp).at(&index_tmp)?);
        Ok(StoreWriter {
            data_path: data_path.to_path_buf(),
            index_path: index_path.to_path_buf(),
            data_tmp,
            index_tmp,
            data,
            index,
            offset: 0,
            count: 0,
        })
    }

    /// Appends one conversation.
    pub fn push(&mut self, conversation: &Conversation) -> Result<()> {
        let line = serde_json::to_vec(conversation).map_err(|e| Error::Other(e.to_string()))?;
        self.index
            .write_all(&self.offset.to_le_bytes())
            .at(&self.index_tmp)?;
        self.data.write_all(&line).at(&self.data_tmp)?;
        self.data.write_all(b"\n").at(&self.data_tmp)?;
        self.offset += line.len() as u64 + 1;
        self.count += 1;
        Ok(())
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Flushes, syncs and renames both files into place.
    pub fn finish(self) -> Result<u64> {
        let StoreWriter {
            data_path,
            index_path,
            data_tmp,
            index_tmp,
            data,
            index,
            count,
            ..
        } = self;
        for (w, tmp) in [(data, &data_tmp), (index, &index_tmp)] {
            let file = w.into_inner().map_err(|e| Error::io(tmp, e.into_error()))?;
            file.sync_all().at(tmp)?;
        }
        fs::rename(&index_tmp, &index_path).at(&index_path)?;
        fs::rename(&data_tmp, &data_path).at(&data_path)?;
        Ok(count)
    }
}

/// Reads a store: streaming iteration, or random access by position or id.
#[derive(Debug)]
pub struct Store {
    data_path: PathBuf,
    offsets: Vec<u64>,
}

impl Store {
    pub fn open(data_path: &Path, index_path: &Path) -> Result<Store> {
        let mut bytes = Vec::new();
        File::open(index_path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .at(index_path)?;
        if bytes.len() % 8 != 0 {
            return Err(Error::CorruptCheckpoint {
                path: index_path.to_path_buf(),
                message: "index length is not a multiple of 8; re-import the project".into(),
            });
        }
        let offsets = bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
        Ok(Store {
            data_path: data_path.to_path_buf(),
            offsets,
        })
    }

    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    pub fn path(&self) -> &Path {
        &self.data_path
    }

    /// Reads the conversation at `position` (0-based).
    pub fn get(&self, position: usize) -> Result<Conversation> {
        let offset = *self.offsets.get(position).ok_or_else(|| {
            Error::Other(format!(
                "conversation {position} is out of range (store has {})",
                self.len()
            ))
        })?;
        let mut file = File::open(&self.data_path).at(&self.data_path)?;
        file.seek(SeekFrom::Start(offset)).at(&self.data_path)?;
        let mut line = Vec::new();
        BufReader::new(file)
            .read_until(b'\n', &mut line)
            .at(&self.data_path)?;
        parse_line(&self.data_path, position as u64 + 1, &line)
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
mod tests {
    use super::*;
    use crate::model::{Message, Role};

    #[test]
    fn writes_and_reads_back_by_position_and_stream() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("conversations.jsonl");
        let idx = dir.path().join("conversations.idx");
        let mut w = StoreWriter::create(&data, &idx).unwrap();
        for i in 0..50 {
            let mut c = Conversation::new(
                format!("c{i}"),
                vec![Message::new(Role::User, format!("héllo {i}\nline"))],
            );
            c.metadata.insert("i".into(), i.into());
            w.push(&c).unwrap();
        }
        assert_eq!(w.finish().unwrap(), 50);
        let store = Store::open(&data, &idx).unwrap();
        assert_eq!(store.len(), 50);
        let c = store.get(37).unwrap();
        assert_eq!(c.id, "c37");
        assert_eq!(c.messages[0].content, "héllo 37\nline");
        assert_eq!(c.metadata["i"], 37);
        let ids: Vec<String> = store.iter().unwrap().map(|c| c.unwrap().id).collect();
        assert_eq!(ids.len(), 50);
        assert_eq!(ids[49], "c49");
        assert_eq!(store.id_index().unwrap()["c12"], 12);
        assert!(store.get(50).is_err());
    }
}
