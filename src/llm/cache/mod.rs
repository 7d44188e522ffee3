//! The on-disk response cache, inside a project's `cache/` directory.
//!
//! Entries are lines appended to log segments (`cache/log/*.jsonl`, see
//! [`segments`]), one segment per process. The key is the SHA-256 of
//! (provider, model, the provider-independent request body); API keys are
//! never part of the key or the entry. A process indexes the segments the
//! first time it looks something up, and every `Cache` on the same folder
//! in a process shares that index and one segment to append to, so an
//! answer stored by one client is found by the next.
//!
//! Why a log and not a file per answer: each new file costs the kernel an
//! inode, and on ext4 that was about half of the client's CPU time in a
//! 1,000-conversation run against a fast server (`perf`), besides a
//! million files for a million conversations.
//!
//! Crash safety: each entry is one write call, so a kill leaves at most the
//! last line of a segment torn, and reading skips a line that does not
//! parse. Entries are not fsynced (that would cost milliseconds per call):
//! the cache is never the only copy of finished work, because the
//! pipeline's checkpoints are written durably. Caches written by earlier
//! versions, one file per entry (see [`legacy`]), are still read, counted
//! and cleared.

mod legacy;
mod segments;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use segments::{Index, Writer};

const ENTRY_VERSION: u64 = 1;

/// How much the cache holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    pub entries: u64,
    pub bytes: u64,
}

/// A response cache rooted at a directory. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Cache {
    shared: Arc<Shared>,
}

/// What every `Cache` on one folder shares within a process.
#[derive(Debug)]
struct Shared {
    root: PathBuf,
    /// Built on the first lookup; `None` again after a clear.
    index: Mutex<Option<Loaded>>,
    writer: Mutex<Option<Writer>>,
}

#[derive(Debug)]
struct Loaded {
    index: Index,
    /// Whether entries of the old one-file layout may exist.
    legacy: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The shared state of `root`, made on first use.
fn shared(root: PathBuf) -> Arc<Shared> {
    static ALL: OnceLock<Mutex<HashMap<PathBuf, Weak<Shared>>>> = OnceLock::new();
    let mut all = lock(ALL.get_or_init(Default::default));
    if let Some(s) = all.get(&root).and_then(Weak::upgrade) {
        return s;
    }
    all.retain(|_, w| w.strong_count() > 0);
    let s = Arc::new(Shared {
        root: root.clone(),
        index: Mutex::new(None),
        writer: Mutex::new(None),
    });
    all.insert(root, Arc::downgrade(&s));
    s
}

/// The value of an entry's bytes, if they are a whole entry for `key`.
fn valid_entry(bytes: &[u8], key: &str) -> Option<Value> {
    let mut entry: Value = serde_json::from_slice(bytes).ok()?;
    let valid = entry.get("v").and_then(Value::as_u64) == Some(ENTRY_VERSION)
        && entry.get("key").and_then(Value::as_str) == Some(key);
    if !valid {
        return None;
    }
    entry.get_mut("value").map(Value::take)
}

impl Cache {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Cache {
            shared: shared(root.into()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.shared.root
    }

    /// The key of a request: SHA-256 hex of (provider, model, body).
    pub fn key(provider: &str, model: &str, body: &Value) -> String {
        let material = json!({ "provider": provider, "model": model, "body": body });
        let bytes = serde_json::to_vec(&material).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }

    /// The index, built from the segments if this is the first lookup. An
    /// unreadable cache folder counts as an empty cache.
    fn loaded(&self) -> MutexGuard<'_, Option<Loaded>> {
        let mut index = lock(&self.shared.index);
        if index.is_none() {
            let root = self.root();
            let built = Index::build(root).unwrap_or_else(|e| {
                tracing::warn!("response cache unreadable, treated as empty: {e}");
                Index::default()
            });
            *index = Some(Loaded {
                index: built,
                legacy: legacy::present(root),
            });
        }
        index
    }

    /// `Some(None)` when the index is built and says `key` is a miss, so
    /// the lookup needs no file access; `None` when it cannot tell cheaply.
    fn known_miss(&self, key: &str) -> Option<Option<Value>> {
        let index = self.shared.index.try_lock().ok()?;
        let loaded = index.as_ref()?;
        (!loaded.legacy && loaded.index.find(key).is_none()).then_some(None)
    }

    /// The stored value, or `None` on a miss or an unreadable entry.
    pub fn get(&self, key: &str) -> Option<Value> {
        let (loc, legacy) = {
            let index = self.loaded();
            let loaded = index.as_ref()?;
            (loaded.index.find(key).cloned(), loaded.legacy)
        };
        if let Some(loc) = loc {
            match loc.read().map(|bytes| valid_entry(&bytes, key)) {
                Ok(Some(v)) => return Some(v),
                Ok(None) => tracing::debug!(key, "corrupt cache entry; treated as a miss"),
                Err(e) => tracing::debug!(key, "cache entry unreadable ({e}); treated as a miss"),
            }
        }
        if legacy {
            legacy::get(self.root(), key)
        } else {
            None
        }
    }

    /// Stores `value` under `key`; a later entry replaces an earlier one.
    pub fn put(&self, key: &str, provider: &str, model: &str, value: &Value) -> Result<()> {
        let entry = json!({
            "v": ENTRY_VERSION,
            "key": key,
            "provider": provider,
            "model": model,
            "value": value,
        });
        let mut line = serde_json::to_vec(&entry).map_err(Error::encode("a cache entry"))?;
        line.push(b'\n');
        let loc = {
            let mut writer = lock(&self.shared.writer);
            if writer.is_none() {
                *writer = Some(Writer::open(self.root())?);
            }
            let Some(w) = writer.as_mut() else {
                return Err(Error::Internal("no cache segment".into()));
            };
            match w.append(&line) {
                Ok(loc) => loc,
                Err(e) => {
                    // The segment's end is unknown now: start a new one.
                    *writer = None;
                    return Err(e);
                }
            }
        };
        // Without an index yet, the first lookup will read this line.
        if let Some(loaded) = lock(&self.shared.index).as_mut() {
            loaded.index.insert(key.to_string(), loc);
        }
        Ok(())
    }

    /// [`get`](Self::get), on the blocking thread pool unless the index
    /// already knows it is a miss.
    pub async fn load(&self, key: String) -> Option<Value> {
        if let Some(miss) = self.known_miss(&key) {
            return miss;
        }
        let cache = self.clone();
        match tokio::task::spawn_blocking(move || cache.get(&key)).await {
            Ok(hit) => hit,
            Err(e) => {
                tracing::warn!("response cache lookup failed ({e}); treated as a miss");
                None
            }
        }
    }

    /// Looks up many keys in one blocking task.
    pub async fn load_many(&self, keys: Vec<String>) -> Vec<Option<Value>> {
        let cache = self.clone();
        let n = keys.len();
        tokio::task::spawn_blocking(move || keys.iter().map(|k| cache.get(k)).collect())
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("response cache lookup failed ({e}); treated as misses");
                vec![None; n]
            })
    }

    /// [`put`](Self::put) for each entry. A failed write is logged, not
    /// returned: the answer itself is still good. Each entry is one
    /// append of a few kilobytes, done in place.
    pub async fn store(&self, entries: Vec<(String, Value)>, provider: &str, model: &str) {
        for (key, value) in &entries {
            if let Err(e) = self.put(key, provider, model, value) {
                tracing::warn!("could not write to the response cache: {e}");
                break;
            }
        }
    }

    /// Counts entries (distinct keys) and the bytes on disk.
    pub fn stats(&self) -> Result<CacheStats> {
        let index = Index::build(self.root())?;
        let mut stats = CacheStats {
            entries: index.len() as u64,
            bytes: index.bytes,
        };
        legacy::walk(self.root(), |_, is_entry, len| {
            if is_entry {
                stats.entries += 1;
                stats.bytes += len;
            }
            Ok(())
        })?;
        Ok(stats)
    }

    /// Removes every entry and what was learned about servers
    /// (`capabilities.json`), and returns what the entries held.
    pub fn clear(&self) -> Result<CacheStats> {
        let mut writer = lock(&self.shared.writer);
        let mut index = lock(&self.shared.index);
        *writer = None;
        *index = None;
        let root = self.root();
        let logged = Index::build(root)?;
        segments::clear(root)?;
        let (entries, bytes) = legacy::clear(root)?;
        // What was learned about servers goes too: the next run asks again.
        let learned = root.join(super::learned::CAPABILITIES_FILE);
        match std::fs::remove_file(&learned) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(&learned, e));
            }
            _ => {}
        }
        Ok(CacheStats {
            entries: logged.len() as u64 + entries,
            bytes: logged.bytes + bytes,
        })
    }
}

#[cfg(test)]
impl Cache {
    /// A cache with state of its own, as a new process would see the folder.
    fn fresh(root: &Path) -> Cache {
        Cache {
            shared: Arc::new(Shared {
                root: root.to_path_buf(),
                index: Mutex::new(None),
                writer: Mutex::new(None),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::Write;

    use super::*;

    fn key(i: u32) -> String {
        Cache::key("openai", "m", &json!({ "messages": [i] }))
    }

    fn only_segment(root: &Path) -> PathBuf {
        let segs = segments::segments(root).unwrap();
        assert_eq!(segs.len(), 1, "{segs:?}");
        segs[0].clone()
    }

    #[test]
    fn round_trip_stats_and_clear() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("cache"));
        assert_eq!(cache.stats().unwrap(), CacheStats::default());
        let (k1, k2) = (key(1), key(2));
        assert_ne!(k1, k2);
        assert_eq!(k1.len(), 64);
        assert!(cache.get(&k1).is_none());
        cache
            .put(&k1, "openai", "m", &json!({"content": "one"}))
            .unwrap();
        cache
            .put(&k2, "openai", "m", &json!({"content": "two"}))
            .unwrap();
        assert_eq!(cache.get(&k1).unwrap()["content"], "one");
        assert_eq!(cache.get(&k2).unwrap()["content"], "two");
        // Both answers are lines of one segment, not files of their own.
        let seg = only_segment(cache.root());
        assert_eq!(fs::read_to_string(&seg).unwrap().lines().count(), 2);
        let stats = cache.stats().unwrap();
        assert_eq!(stats.entries, 2);
        assert_eq!(stats.bytes, fs::metadata(&seg).unwrap().len());
        // A stray file in the cache root is neither counted nor removed.
        fs::write(dir.path().join("cache").join("README"), "keep").unwrap();
        assert_eq!(cache.clear().unwrap(), stats);
        assert_eq!(cache.stats().unwrap().entries, 0);
        assert!(cache.get(&k1).is_none());
        assert!(Cache::fresh(cache.root()).get(&k1).is_none());
        assert!(dir.path().join("cache").join("README").is_file());
        // Storing after a clear starts a new segment that is found again.
        cache.put(&k1, "openai", "m", &json!("again")).unwrap();
        assert_eq!(Cache::fresh(cache.root()).get(&k1).unwrap(), json!("again"));
    }

    #[test]
    fn every_cache_on_a_folder_in_a_process_shares_the_index_and_segment() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (Cache::new(dir.path()), Cache::new(dir.path()));
        assert!(b.get(&key(1)).is_none()); // b builds the index first
        a.put(&key(1), "openai", "m", &json!("from a")).unwrap();
        assert_eq!(b.get(&key(1)).unwrap(), json!("from a"));
        b.put(&key(2), "openai", "m", &json!("from b")).unwrap();
        only_segment(dir.path());
        // The index knows a miss without touching the disk.
        assert_eq!(a.known_miss(&key(3)), Some(None));
        assert_eq!(a.known_miss(&key(1)), None);
    }

    #[test]
    fn a_new_process_reads_every_segment_and_the_latest_line_wins() {
        let dir = tempfile::tempdir().unwrap();
        let first = Cache::fresh(dir.path());
        first.put(&key(1), "openai", "m", &json!("old")).unwrap();
        first.put(&key(2), "openai", "m", &json!("two")).unwrap();
        let second = Cache::fresh(dir.path());
        assert_eq!(second.get(&key(1)).unwrap(), json!("old"));
        second.put(&key(1), "openai", "m", &json!("new")).unwrap();
        assert_eq!(second.get(&key(1)).unwrap(), json!("new"));
        assert_eq!(segments::segments(dir.path()).unwrap().len(), 2);
        let third = Cache::fresh(dir.path());
        assert_eq!(third.get(&key(1)).unwrap(), json!("new"));
        assert_eq!(third.get(&key(2)).unwrap(), json!("two"));
        assert_eq!(third.stats().unwrap().entries, 2);
    }

    #[test]
    fn torn_and_garbage_lines_are_misses_and_the_rest_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::fresh(dir.path());
        for i in 1..=3 {
            cache.put(&key(i), "openai", "m", &json!(i)).unwrap();
        }
        let seg = only_segment(dir.path());
        let text = fs::read_to_string(&seg).unwrap();
        // Damage the second line in place, add garbage, and leave a torn
        // line at the end, as a kill in the middle of a write would.
        let lines: Vec<&str> = text.lines().collect();
        let damaged = format!(
            "{}\n{}\n{}\n\u{0}\u{ff} garbage\n{}",
            lines[0],
            lines[1].replace("\"v\":1", "\"v\":9"),
            lines[2],
            &lines[0][..lines[0].len() / 2]
        );
        fs::write(&seg, damaged).unwrap();
        let reader = Cache::fresh(dir.path());
        assert_eq!(reader.get(&key(1)).unwrap(), json!(1));
        assert!(reader.get(&key(2)).is_none());
        assert_eq!(reader.get(&key(3)).unwrap(), json!(3));
        assert_eq!(reader.stats().unwrap().entries, 2);
        // A new answer for the damaged key is stored and found again.
        reader.put(&key(2), "openai", "m", &json!("again")).unwrap();
        assert_eq!(
            Cache::fresh(dir.path()).get(&key(2)).unwrap(),
            json!("again")
        );
    }

    #[test]
    fn an_entry_changed_on_disk_after_indexing_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::fresh(dir.path());
        assert!(cache.get(&key(1)).is_none()); // indexed from here on
        cache.put(&key(1), "openai", "m", &json!("good")).unwrap();
        cache.put(&key(2), "openai", "m", &json!("good")).unwrap();
        let seg = only_segment(dir.path());
        // Swap the two lines: the index's offsets now point at the other key.
        let text = fs::read_to_string(&seg).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let swapped = format!("{}\n{}\n", lines[1], lines[0]);
        fs::File::create(&seg)
            .unwrap()
            .write_all(swapped.as_bytes())
            .unwrap();
        assert!(cache.get(&key(1)).is_none());
        assert!(cache.get(&key(2)).is_none());
        // A new process indexes the file as it is now.
        assert_eq!(
            Cache::fresh(dir.path()).get(&key(1)).unwrap(),
            json!("good")
        );
    }

    #[test]
    fn entries_of_the_old_one_file_layout_are_read_counted_and_cleared() {
        let dir = tempfile::tempdir().unwrap();
        legacy::write_for_test(dir.path(), &key(1), &json!("legacy"));
        let cache = Cache::fresh(dir.path());
        assert_eq!(cache.get(&key(1)).unwrap(), json!("legacy"));
        assert_eq!(
            cache.known_miss(&key(9)),
            None,
            "old files must be looked at"
        );
        cache.put(&key(2), "openai", "m", &json!("log")).unwrap();
        assert_eq!(cache.stats().unwrap().entries, 2);
        // A corrupt old entry is a miss.
        fs::write(legacy::path(dir.path(), &key(1)), b"{\"v\":1").unwrap();
        assert!(Cache::fresh(dir.path()).get(&key(1)).is_none());
        assert_eq!(cache.clear().unwrap().entries, 2);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
