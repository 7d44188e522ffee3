//! An exclusive lock on a project, so two processes never write it at once.
//!
//! The lock is an OS advisory lock on `.lock` (released by the kernel if the
//! process dies, even by kill -9); the file also records the holder's pid for
//! the error message.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Error, IoContext, Result};

/// Held for as long as the value lives.
#[derive(Debug)]
pub struct ProjectLock {
    file: File,
}

impl ProjectLock {
    /// Takes the lock or fails at once with [`Error::Locked`].
    pub fn acquire(lock_path: &Path, project: &Path) -> Result<ProjectLock> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_path)
            .at(lock_path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(Error::Locked {
                    path: project.to_path_buf(),
                    holder: if holder.is_empty() {
                        "unknown process".into()
                    } else {
                        holder.to_string()
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(lock_path, e)),
        }
        file.set_len(0).at(lock_path)?;
        file.seek(SeekFrom::Start(0)).at(lock_path)?;
        write!(file, "pid {}", std::process::id()).at(lock_path)?;
        file.flush().at(lock_path)?;
        Ok(ProjectLock { file })
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_fails_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let first = ProjectLock::acquire(&path, dir.path()).unwrap();
        let err = ProjectLock::acquire(&path, dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("in use"), "{msg}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        ProjectLock::acquire(&path, dir.path()).unwrap();
    }
}
