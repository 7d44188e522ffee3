//! Caches written before the log segments: one file per entry, fanned out
//! by the first two hex digits of the key (`cache/ab/abcdef….json`), each
//! written through a temporary file and a rename. They are still read,
//! counted and cleared, so a project cached by an older version keeps its
//! answers; nothing new is written this way.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, IoContext, Result};

/// Where the entry for `key` would be.
pub(super) fn path(root: &Path, key: &str) -> PathBuf {
    let fan = key.get(..2).unwrap_or("00");
    root.join(fan).join(format!("{key}.json"))
}

/// True when `root` has at least one fan-out directory.
pub(super) fn present(root: &Path) -> bool {
    fans(root).is_ok_and(|f| !f.is_empty())
}

/// The stored value, or `None` on a miss or an unreadable entry.
pub(super) fn get(root: &Path, key: &str) -> Option<Value> {
    let path = path(root, key);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::debug!(path = %path.display(), error = %e, "cache entry unreadable; treated as a miss");
            return None;
        }
    };
    let entry = super::valid_entry(&bytes, key);
    if entry.is_none() {
        tracing::debug!(path = %path.display(), "corrupt cache entry; treated as a miss");
    }
    entry
}

/// The fan-out directories under `root`, sorted.
fn fans(root: &Path) -> Result<Vec<PathBuf>> {
    let top = match fs::read_dir(root) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(root, e)),
    };
    let mut fans = Vec::new();
    for d in top {
        let d = d.at(root)?;
        let name = d.file_name().to_string_lossy().into_owned();
        let is_fan = name.len() == 2 && name.chars().all(|c| c.is_ascii_hexdigit());
        if is_fan && d.file_type().at(d.path())?.is_dir() {
            fans.push(d.path());
        }
    }
    fans.sort();
    Ok(fans)
}

/// Calls `f(path, is_entry, len)` for each entry and leftover temporary
/// file.
pub(super) fn walk(root: &Path, mut f: impl FnMut(&Path, bool, u64) -> Result<()>) -> Result<()> {
    for fan in fans(root)? {
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

/// Removes every entry and temporary file, then the fan-out directories
/// left empty; returns how many entries and bytes went.
pub(super) fn clear(root: &Path) -> Result<(u64, u64)> {
    let (mut entries, mut bytes) = (0, 0);
    let mut dirs: Vec<PathBuf> = Vec::new();
    walk(root, |path, is_entry, len| {
        if is_entry {
            entries += 1;
            bytes += len;
        }
        if let Some(d) = path.parent()
            && dirs.last().is_none_or(|last| last != d)
        {
            dirs.push(d.to_path_buf());
        }
        fs::remove_file(path).at(path)
    })?;
    for d in dirs {
        // Only empty fan-out directories go; anything else stays.
        let _ = fs::remove_dir(&d);
    }
    Ok((entries, bytes))
}

#[cfg(test)]
pub(super) fn write_for_test(root: &Path, key: &str, value: &Value) {
    use super::ENTRY_VERSION;
    let path = path(root, key);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let entry = serde_json::json!({
        "v": ENTRY_VERSION, "key": key, "provider": "openai", "model": "m", "value": value,
    });
    fs::write(path, serde_json::to_vec(&entry).unwrap()).unwrap();
}
