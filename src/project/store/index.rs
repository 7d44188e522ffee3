//! `conversations.idx`: a 96-byte header, then one 16-byte entry per
//! conversation (byte offset of its line, hash of its id), little-endian.
//!
//! | bytes  | field |
//! |--------|-------|
//! | 0..8   | magic `KURAIDX\n` |
//! | 8..12  | version (2) |
//! | 12..16 | reserved, 0 |
//! | 16..24 | conversations |
//! | 24..32 | length of `conversations.jsonl` in bytes |
//! | 32..64 | SHA-256 of `conversations.jsonl` (the store's fingerprint) |
//! | 64..96 | SHA-256 of the entries |
//!
//! Version 1 was the bare offsets with no header; such files read as "from
//! an older version" and are rebuilt.

use sha2::{Digest, Sha256};

pub const INDEX_VERSION: u32 = 2;
pub(super) const MAGIC: &[u8; 8] = b"KURAIDX\n";
pub(super) const HEADER_LEN: usize = 96;
pub(super) const ENTRY_LEN: usize = 16;

/// A parsed index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub offsets: Vec<u64>,
    pub id_hashes: Vec<u64>,
    pub data_len: u64,
    pub data_digest: [u8; 32],
}

/// A short, stable hash of a conversation id (FNV-1a), to check that the
/// record read at a position is the one indexed there.
pub fn id_hash(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The header bytes for an index.
pub(super) fn header(
    count: u64,
    data_len: u64,
    data_digest: &[u8; 32],
    entries: &[u8; 32],
) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[0..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&INDEX_VERSION.to_le_bytes());
    h[16..24].copy_from_slice(&count.to_le_bytes());
    h[24..32].copy_from_slice(&data_len.to_le_bytes());
    h[32..64].copy_from_slice(data_digest);
    h[64..96].copy_from_slice(entries);
    h
}

pub(super) fn entry(offset: u64, id_hash: u64) -> [u8; ENTRY_LEN] {
    let mut e = [0u8; ENTRY_LEN];
    e[0..8].copy_from_slice(&offset.to_le_bytes());
    e[8..16].copy_from_slice(&id_hash.to_le_bytes());
    e
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

impl Index {
    /// Serialises the whole index.
    pub fn encode(&self) -> Vec<u8> {
        let mut entries = Vec::with_capacity(self.offsets.len() * ENTRY_LEN);
        for (o, h) in self.offsets.iter().zip(&self.id_hashes) {
            entries.extend_from_slice(&entry(*o, *h));
        }
        let digest: [u8; 32] = Sha256::digest(&entries).into();
        let mut out = header(
            self.offsets.len() as u64,
            self.data_len,
            &self.data_digest,
            &digest,
        )
        .to_vec();
        out.extend_from_slice(&entries);
        out
    }

    /// Parses and checks an index file on its own: why it cannot be used,
    /// as the end of a sentence ("is truncated").
    pub fn parse(bytes: &[u8]) -> Result<Index, String> {
        if bytes.is_empty() {
            return Err("is empty".into());
        }
        if bytes.len() < HEADER_LEN || &bytes[0..8] != MAGIC {
            return Err("is from an older version or not an index".into());
        }
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if version != INDEX_VERSION {
            return Err(format!("has version {version}, not {INDEX_VERSION}"));
        }
        let count = u64_at(bytes, 16);
        let data_len = u64_at(bytes, 24);
        let entries = &bytes[HEADER_LEN..];
        let expected = usize::try_from(count)
            .ok()
            .and_then(|c| c.checked_mul(ENTRY_LEN));
        if expected != Some(entries.len()) {
            return Err(format!(
                "is truncated or padded ({} bytes of entries for {count} conversations)",
                entries.len()
            ));
        }
        let digest: [u8; 32] = Sha256::digest(entries).into();
        if digest[..] != bytes[64..96] {
            return Err("is damaged (its entries do not match their checksum)".into());
        }
        let mut offsets = Vec::with_capacity(entries.len() / ENTRY_LEN);
        let mut id_hashes = Vec::with_capacity(entries.len() / ENTRY_LEN);
        for e in entries.chunks_exact(ENTRY_LEN) {
            let offset = u64_at(e, 0);
            let ok = match offsets.last() {
                None => offset == 0,
                Some(prev) => offset > *prev,
            };
            if !ok || offset >= data_len {
                return Err(format!(
                    "is inconsistent (entry {} points at byte {offset})",
                    offsets.len()
                ));
            }
            offsets.push(offset);
            id_hashes.push(u64_at(e, 8));
        }
        let mut data_digest = [0u8; 32];
        data_digest.copy_from_slice(&bytes[32..64]);
        Ok(Index {
            offsets,
            id_hashes,
            data_len,
            data_digest,
        })
    }

    /// Bytes of the line at `position`, newline included.
    pub fn span(&self, position: usize) -> Option<(u64, u64)> {
        let start = *self.offsets.get(position)?;
        let end = self
            .offsets
            .get(position + 1)
            .copied()
            .unwrap_or(self.data_len);
        Some((start, end - start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Index {
        Index {
            offsets: vec![0, 10, 25],
            id_hashes: vec![id_hash("a"), id_hash("b"), id_hash("c")],
            data_len: 40,
            data_digest: [7; 32],
        }
    }

    #[test]
    fn round_trip_and_every_damage_is_named() {
        let bytes = sample().encode();
        assert_eq!(Index::parse(&bytes).unwrap(), sample());
        assert_eq!(sample().span(2), Some((25, 15)));
        assert!(Index::parse(&[]).unwrap_err().contains("empty"));
        assert!(
            Index::parse(&bytes[..100])
                .unwrap_err()
                .contains("truncated")
        );
        assert!(
            Index::parse(&0u64.to_le_bytes())
                .unwrap_err()
                .contains("older")
        );
        let mut swapped = bytes.clone();
        let (a, b) = (HEADER_LEN, HEADER_LEN + ENTRY_LEN);
        let first: Vec<u8> = swapped[a..b].to_vec();
        swapped.copy_within(b..b + ENTRY_LEN, a);
        swapped[b..b + ENTRY_LEN].copy_from_slice(&first);
        assert!(Index::parse(&swapped).unwrap_err().contains("checksum"));
        let mut unordered = sample();
        unordered.offsets.swap(1, 2);
        let err = Index::parse(&unordered.encode()).unwrap_err();
        assert!(err.contains("inconsistent"), "{err}");
    }
}
