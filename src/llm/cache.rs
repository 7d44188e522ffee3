//! The on-disk response cache, inside a project's `cache/` directory.
//!
//! One file per entry, fanned out by the first two hex digits of the key:
//! `cache/ab/abcdef….json`. The key is the SHA-256 of (provider, model, the
//! provider-independent request body); API keys are never part of the key
//! or the entry.
//!
//! Crash safety: an entry is written to a temporary file in the same
//! directory and renamed into place, so a reader sees a whole entry or none.
//! Entries are not fsynced (that would cost milliseconds per call); after a
//! power cut an entry may be empty or torn, and a torn entry fails to parse
//! or carries the wrong key, which counts as a miss and is overwritten by
//! the next answer. The cache is never the only copy of finished work: the
//! pipeline's checkpoints are written durably.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::{Error, IoContext, Result};

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
    root: PathBuf,
}

impl Cache {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Cache { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The key of a request: SHA-256 hex of (provider, model, body).
    pub fn key(provider: &str, model: &str, body: &Value) -> String {
        let material = json!({ "provider": provider, "model": model, "body": body });
        let bytes = serde_json::to_vec(&material).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }

    fn path(&self, key: &str) -> PathBuf {
        let fan = key.get(..2).unwrap_or("00");
        self.root.join(fan).join(format!("{key}.json"))
    }

    /// The stored value, or `None` on a miss or an unreadable entry.
    pub fn get(&self, key: &str) -> Option<Value> {
        let path = self.path(key);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::debug!(path = %path.display(), error = %e, "cache entry unreadable; treated as a miss");
                return None;
            }
        };
        let entry: Option<Value> = serde_json::from_slice(&bytes).ok();
        let valid = entry.as_ref().is_some_and(|e| {
            e.get("v").and_then(Value::as_u64) == Some(ENTRY_VERSION)
                && e.get("key").and_then(Value::as_str) == Some(key)
        });
        if !valid {
            tracing::debug!(path = %path.display(), "corrupt cache entry; treated as a miss");
            return None;
        }
        entry.and_then(|mut e| e.get_mut("value").map(Value::take))
    }

    /// Stores `value` under `key`, replacing any old (or corrupt) entry.
    pub fn put(&self, key: &str, provider: &str, model: &str, value: &Value) -> Result<()> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = self.path(key);
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        fs::create_dir_all(&dir).at(&dir)?;
        let entry = json!({
            "v": ENTRY_VERSION,
            "key": key,
            "provider": provider,
            "model": model,
            "value": value,
        });
        let bytes = serde_json::to_vec(&entry).map_err(Error::encode("a cache entry"))?;
        let tmp = dir.join(format!(
            ".{key}.{}.{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        if let Err(e) = fs::write(&tmp, &bytes).and_then(|()| fs::rename(&tmp, &path)) {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io(&path, e));
        }
        Ok(())
    }

    /// [`get`](Self::get) on the blocking thread pool.
    pub async fn load(&self, key: String) -> Option<Value> {
        let cache = self.clone();
        tokio::task::spawn_blocking(move || cache.get(&key))
            .await
            .ok()
            .flatten()
    }

    /// Looks up many keys in one blocking task.
    pub async fn load_many(&self, keys: Vec<String>) -> Vec<Option<Value>> {
        let cache = self.clone();
        let n = keys.len();
        tokio::task::spawn_blocking(move || keys.iter().map(|k| cache.get(k)).collect())
            .await
            .unwrap_or_else(|_| vec![None; n])
    }

    /// [`put`](Self::put) on the blocking thread pool. A failed write is
    /// logged, not returned: the answer itself is still good.
    pub async fn store(&self, entries: Vec<(String, Value)>, provider: &str, model: &str) {
        let cache = self.clone();
        let (provider, model) = (provider.to_string(), model.to_string());
        let done = tokio::task::spawn_blocking(move || {
            for (key, value) in &entries {
                if let Err(e) = cache.put(key, &provider, &model, value) {
                    tracing::warn!("could not write to the response cache: {e}");
                    break;
                }
            }
        })
        .await;
        if let Err(e) = done {
            tracing::warn!("response cache writer failed: {e}");
        }
    }

    /// Counts entries and their bytes.
    pub fn stats(&self) -> Result<CacheStats> {
        let mut stats = CacheStats::default();
        self.walk(|path, is_entry, len| {
            if is_entry {
                stats.entries += 1;
                stats.bytes += len;
            }
            let _ = path;
            Ok(())
        })?;
        Ok(stats)
    }

    /// Removes every entry (and leftover temporary files) and what was
    /// learned about servers (`capabilities.json`), and returns what the
    /// entries held.
    pub fn clear(&self) -> Result<CacheStats> {
        let mut stats = CacheStats::default();
        let mut dirs = Vec::new();
        self.walk(|path, is_entry, len| {
            if is_entry {
                stats.entries += 1;
                stats.bytes += len;
            }
            if let Some(d) = path.parent()
                && dirs.last().is_none_or(|last: &PathBuf| last != d)
            {
                dirs.push(d.to_path_buf());
            }
            fs::remove_file(path).at(path)
        })?;
        for d in dirs {
            // Only empty fan-out directories go; anything else stays.
            let _ = fs::remove_dir(&d);
        }
        // What was learned about servers goes too: the next run asks again.
        let learned = self.root.join(super::learned::CAPABILITIES_FILE);
        match fs::remove_file(&learned) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(&learned, e));
            }
            _ => {}
        }
        Ok(stats)
    }

    /// Calls `f(path, is_entry, len)` for each entry and temporary file.
    fn walk(&self, mut f: impl FnMut(&Path, bool, u64) -> Result<()>) -> Result<()> {
        let top = match fs::read_dir(&self.root) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(&self.root, e)),
        };
        let mut fans: Vec<PathBuf> = Vec::new();
        for d in top {
            let d = d.at(&self.root)?;
            let name = d.file_name().to_string_lossy().into_owned();
            let is_fan = name.len() == 2 && name.chars().all(|c| c.is_ascii_hexdigit());
            if is_fan && d.file_type().at(d.path())?.is_dir() {
                fans.push(d.path());
            }
        }
        fans.sort();
        for fan in fans {
            for e in fs::read_dir(&fan).at(&fan)? {
                let e = e.at(&fan)?;
                let name = e.file_name().to_string_lossy().into_owned();
                let is_tmp = name.starts_with('.') && name.ends_with(".tmp");
                let is_entry = !name.starts_with('.') && name.ends_with(".json");
                if is_tmp || is_entry {
                    let len = e.metadata().at(e.path())?.len();
                    f(&e.path(), is_entry, len)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_stats_and_clear() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("cache"));
        assert_eq!(cache.stats().unwrap(), CacheStats::default());
        let k1 = Cache::key("openai", "m", &json!({"messages": ["a"]}));
        let k2 = Cache::key("openai", "m", &json!({"messages": ["b"]}));
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
        assert!(
            dir.path()
                .join("cache")
                .join(&k1[..2])
                .join(format!("{k1}.json"))
                .is_file()
        );
        let stats = cache.stats().unwrap();
        assert_eq!(stats.entries, 2);
        assert!(stats.bytes > 0);
        // A stray file in the cache root is neither counted nor removed.
        fs::write(dir.path().join("cache").join("README"), "keep").unwrap();
        assert_eq!(cache.clear().unwrap(), stats);
        assert_eq!(cache.stats().unwrap().entries, 0);
        assert!(cache.get(&k1).is_none());
        assert!(dir.path().join("cache").join("README").is_file());
    }

    #[test]
    fn corrupt_entries_are_misses_and_get_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let key = Cache::key("openai", "m", &json!(1));
        cache.put(&key, "openai", "m", &json!("good")).unwrap();
        let path = cache.path(&key);
        let full = fs::read(&path).unwrap();
        for bad in [&full[..full.len() / 2], b"" as &[u8], b"\x00\xff garbage"] {
            fs::write(&path, bad).unwrap();
            assert!(cache.get(&key).is_none());
        }
        // An entry moved under another key is not trusted either.
        let other = Cache::key("openai", "m", &json!(2));
        fs::create_dir_all(cache.path(&other).parent().unwrap()).unwrap();
        fs::write(cache.path(&other), &full).unwrap();
        assert!(cache.get(&other).is_none());
        cache.put(&key, "openai", "m", &json!("again")).unwrap();
        assert_eq!(cache.get(&key).unwrap(), json!("again"));
    }
}
