//! Replacing several project files as one step. Each new file is written
//! (and synced) under `.staging/` first; then a journal naming every move
//! is written atomically, the files are renamed into place and the journal
//! is removed. A process killed before the journal exists leaves the
//! project as it was (the staging directory is cleared on the next try); one
//! killed after it is rolled forward by [`recover`], which runs whenever the
//! project's lock is taken.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Layout, atomic};
use crate::error::{Error, IoContext, Result};

const STAGING_DIR: &str = ".staging";
const JOURNAL_FILE: &str = ".commit.journal.json";
const JOURNAL_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    version: u32,
    /// Paths relative to the project root, in the order they are moved.
    moves: Vec<String>,
}

/// New versions of project files, written aside until [`Staging::commit`].
#[derive(Debug)]
pub struct Staging {
    root: PathBuf,
    dir: PathBuf,
    moves: Vec<String>,
}

impl Staging {
    /// Starts a staging area, clearing what an uncommitted attempt left.
    /// Call with the project's lock held (after [`recover`]).
    pub fn start(layout: &Layout) -> Result<Staging> {
        let root = layout.root().to_path_buf();
        let dir = root.join(STAGING_DIR);
        if dir.exists() {
            fs::remove_dir_all(&dir).at(&dir)?;
        }
        fs::create_dir_all(&dir).at(&dir)?;
        Ok(Staging {
            root,
            dir,
            moves: Vec::new(),
        })
    }

    /// The staged path for `relative` (e.g. `checkpoints/clusters.jsonl`),
    /// recorded to be moved into place at commit. Its directory exists.
    pub fn file(&mut self, relative: &str) -> Result<PathBuf> {
        let path = self.dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).at(parent)?;
        }
        if !self.moves.iter().any(|m| m == relative) {
            self.moves.push(relative.to_string());
        }
        Ok(path)
    }

    /// A staged directory for files whose names a writer picks (every file
    /// written there must then be registered with [`Staging::file`]).
    pub fn dir(&self, relative: &str) -> Result<PathBuf> {
        let path = self.dir.join(relative);
        fs::create_dir_all(&path).at(&path)?;
        Ok(path)
    }

    /// Moves every staged file into place.
    pub fn commit(self) -> Result<()> {
        for m in &self.moves {
            let staged = self.dir.join(m);
            let file = fs::File::open(&staged).at(&staged)?;
            file.sync_all().at(&staged)?;
        }
        let journal = Journal {
            version: JOURNAL_VERSION,
            moves: self.moves,
        };
        atomic::write_json(&self.root.join(JOURNAL_FILE), &journal)?;
        roll_forward(&self.root, &journal)
    }

    /// Drops everything staged.
    pub fn abandon(self) {
        // A staging folder left behind is cleared by the next `begin`.
        if let Err(e) = fs::remove_dir_all(&self.dir) {
            tracing::debug!(dir = %self.dir.display(), "staging folder not removed: {e}");
        }
    }
}

/// Finishes a commit a killed process left half done. Returns how many
/// files it moved (`None` when there was nothing to finish).
pub fn recover(layout: &Layout) -> Result<Option<usize>> {
    let root = layout.root();
    let path = root.join(JOURNAL_FILE);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let journal: Journal =
        serde_json::from_slice(&bytes).map_err(|e| Error::CorruptCheckpoint {
            path: path.clone(),
            message: format!("line {}: {e}", e.line()),
        })?;
    let pending = journal
        .moves
        .iter()
        .filter(|m| root.join(STAGING_DIR).join(m).exists())
        .count();
    roll_forward(root, &journal)?;
    tracing::info!("finished an interrupted commit in {}", root.display());
    Ok(Some(pending))
}

fn roll_forward(root: &Path, journal: &Journal) -> Result<()> {
    let dir = root.join(STAGING_DIR);
    for m in &journal.moves {
        let from = dir.join(m);
        let to = root.join(m);
        if from.exists() {
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).at(parent)?;
            }
            fs::rename(&from, &to).at(&to)?;
        }
    }
    let journal_path = root.join(JOURNAL_FILE);
    fs::remove_file(&journal_path).at(&journal_path)?;
    // Everything is in place; a staging folder left behind is cleared by
    // the next `begin`.
    if let Err(e) = fs::remove_dir_all(&dir) {
        tracing::debug!(dir = %dir.display(), "staging folder not removed: {e}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_moves_files_and_recover_finishes_a_torn_one() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        fs::write(dir.path().join("a.txt"), "old a").unwrap();
        let mut s = Staging::start(&layout).unwrap();
        fs::write(s.file("a.txt").unwrap(), "new a").unwrap();
        fs::write(s.file("sub/b.txt").unwrap(), "new b").unwrap();
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        s.commit().unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("a.txt")).unwrap(),
            "new a"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("sub/b.txt")).unwrap(),
            "new b"
        );
        assert!(!dir.path().join(STAGING_DIR).exists());
        assert_eq!(recover(&layout).unwrap(), None);

        // A commit killed after its journal and one move.
        let mut s = Staging::start(&layout).unwrap();
        fs::write(s.file("a.txt").unwrap(), "a3").unwrap();
        fs::write(s.file("sub/b.txt").unwrap(), "b3").unwrap();
        let journal = Journal {
            version: JOURNAL_VERSION,
            moves: s.moves.clone(),
        };
        atomic::write_json(&dir.path().join(JOURNAL_FILE), &journal).unwrap();
        fs::rename(
            dir.path().join(STAGING_DIR).join("a.txt"),
            dir.path().join("a.txt"),
        )
        .unwrap();
        assert_eq!(recover(&layout).unwrap(), Some(1));
        assert_eq!(fs::read_to_string(dir.path().join("a.txt")).unwrap(), "a3");
        assert_eq!(
            fs::read_to_string(dir.path().join("sub/b.txt")).unwrap(),
            "b3"
        );
        assert!(!dir.path().join(JOURNAL_FILE).exists());
    }
}
