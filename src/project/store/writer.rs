//! Streams conversations into a new store. Memory stays bounded however
//! many conversations pass through it. Both files are written to
//! temporaries and renamed into place when the writer finishes, so an
//! interrupted import leaves no half store.

use std::fs::{self, File};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::index::{HEADER_LEN, entry, header, id_hash};
use crate::error::{Error, IoContext, Result};
use crate::model::Conversation;

/// Streams conversations into a new store.
pub struct StoreWriter {
    data_path: PathBuf,
    index_path: PathBuf,
    data_tmp: PathBuf,
    index_tmp: PathBuf,
    data: BufWriter<File>,
    index: BufWriter<File>,
    data_digest: Sha256,
    entries_digest: Sha256,
    offset: u64,
    count: u64,
}

impl StoreWriter {
    pub fn create(data_path: &Path, index_path: &Path) -> Result<StoreWriter> {
        let data_tmp = data_path.with_extension("jsonl.tmp");
        let index_tmp = index_path.with_extension("idx.tmp");
        let data = BufWriter::with_capacity(1 << 20, File::create(&data_tmp).at(&data_tmp)?);
        let mut index = BufWriter::with_capacity(1 << 16, File::create(&index_tmp).at(&index_tmp)?);
        // The header goes in last, once the counts and digests are known.
        index.write_all(&[0u8; HEADER_LEN]).at(&index_tmp)?;
        Ok(StoreWriter {
            data_path: data_path.to_path_buf(),
            index_path: index_path.to_path_buf(),
            data_tmp,
            index_tmp,
            data,
            index,
            data_digest: Sha256::new(),
            entries_digest: Sha256::new(),
            offset: 0,
            count: 0,
        })
    }

    /// Appends one conversation.
    pub fn push(&mut self, conversation: &Conversation) -> Result<()> {
        let mut line = serde_json::to_vec(conversation).map_err(|e| Error::Other(e.to_string()))?;
        line.push(b'\n');
        let e = entry(self.offset, id_hash(&conversation.id));
        self.entries_digest.update(e);
        self.index.write_all(&e).at(&self.index_tmp)?;
        self.data_digest.update(&line);
        self.data.write_all(&line).at(&self.data_tmp)?;
        self.offset += line.len() as u64;
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
            data_digest,
            entries_digest,
            offset,
            count,
        } = self;
        let data = data
            .into_inner()
            .map_err(|e| Error::io(&data_tmp, e.into_error()))?;
        data.sync_all().at(&data_tmp)?;
        let mut index = index
            .into_inner()
            .map_err(|e| Error::io(&index_tmp, e.into_error()))?;
        let head = header(
            count,
            offset,
            &data_digest.finalize().into(),
            &entries_digest.finalize().into(),
        );
        index.seek(SeekFrom::Start(0)).at(&index_tmp)?;
        index.write_all(&head).at(&index_tmp)?;
        index.sync_all().at(&index_tmp)?;
        fs::rename(&index_tmp, &index_path).at(&index_path)?;
        fs::rename(&data_tmp, &data_path).at(&data_path)?;
        Ok(count)
    }
}
