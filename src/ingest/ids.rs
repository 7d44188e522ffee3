//! Unique conversation ids with bounded memory: the set stores a 128-bit
//! hash of each id, never the id itself, so the index costs about 20–40
//! bytes per conversation however long the ids are.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use sha2::{Digest, Sha256};

/// The ids are already uniformly hashed; the table uses their low bits.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u128(&mut self, value: u128) {
        self.0 = value as u64;
    }
}

type Table<V> = HashMap<u128, V, BuildHasherDefault<PassThrough>>;

fn hash(id: &str) -> u128 {
    let digest = Sha256::digest(id.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.get(..16).unwrap_or(&[0u8; 16]));
    u128::from_le_bytes(bytes)
}

/// Hands out unique ids: the first `x` stays `x`, later ones become `x~2`,
/// `x~3`, ... (skipping suffixes that are themselves taken).
#[derive(Default)]
pub(crate) struct IdSet {
    seen: HashSet<u128, BuildHasherDefault<PassThrough>>,
    /// Next suffix to try, only for ids that were duplicated.
    next_suffix: Table<u32>,
}

impl IdSet {
    pub(crate) fn new() -> Self {
        IdSet::default()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }

    /// Returns `Some(new_id)` when `id` was already taken.
    pub(crate) fn claim(&mut self, id: &str) -> Option<String> {
        let h = hash(id);
        if self.seen.insert(h) {
            return None;
        }
        let mut n = self.next_suffix.get(&h).copied().unwrap_or(2);
        loop {
            let candidate = format!("{id}~{n}");
            n = n.saturating_add(1);
            if self.seen.insert(hash(&candidate)) {
                self.next_suffix.insert(h, n);
                return Some(candidate);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_get_increasing_suffixes() {
        let mut ids = IdSet::new();
        assert_eq!(ids.claim("a"), None);
        assert_eq!(ids.claim("a~2"), None);
        assert_eq!(ids.claim("a").as_deref(), Some("a~3"));
        assert_eq!(ids.claim("a").as_deref(), Some("a~4"));
        assert_eq!(ids.claim("b"), None);
        assert_eq!(ids.claim("b").as_deref(), Some("b~2"));
        assert_eq!(ids.len(), 6);
    }

    #[test]
    fn many_copies_of_one_id_stay_linear() {
        let mut ids = IdSet::new();
        for i in 0..20_000u32 {
            let got = ids.claim("same");
            if i == 0 {
                assert!(got.is_none());
            } else {
                assert_eq!(got.unwrap(), format!("same~{}", i + 1));
            }
        }
    }
}
