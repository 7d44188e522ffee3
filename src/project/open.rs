//! Opening and creating project directories.

use std::fs;
use std::path::Path;

use super::checkpoint::FileCheckpoints;
use super::store::Store;
use super::{Layout, ProjectLock};
use crate::config::{Config, EnvSource, TEMPLATE};
use crate::error::{Error, IoContext, Result};

/// An open project: its layout and layered configuration, and the lock when
/// opened for writing.
#[derive(Debug)]
pub struct Project {
    pub layout: Layout,
    pub config: Config,
    lock: Option<ProjectLock>,
}

impl Project {
    /// Opens an existing project for reading (no lock).
    pub fn open(root: &Path, env: &dyn EnvSource) -> Result<Project> {
        let layout = Layout::new(root);
        if !layout.is_project() {
            return Err(Error::NotAProject {
                path: root.to_path_buf(),
            });
        }
        let config = Config::load(Some(&layout.config()), env)?;
        Ok(Project {
            layout,
            config,
            lock: None,
        })
    }

    /// Opens an existing project and takes its lock.
    pub fn open_locked(root: &Path, env: &dyn EnvSource) -> Result<Project> {
        let mut project = Project::open(root, env)?;
        project.lock()?;
        Ok(project)
    }

    /// Takes the project's lock if not already held.
    pub fn lock(&mut self) -> Result<()> {
        if self.lock.is_none() {
            for dir in self.layout.directories() {
                fs::create_dir_all(&dir).at(&dir)?;
            }
            self.lock = Some(ProjectLock::acquire(
                &self.layout.lock(),
                self.layout.root(),
            )?);
            super::journal::recover(&self.layout)?;
        }
        Ok(())
    }

    pub fn is_locked(&self) -> bool {
        self.lock.is_some()
    }

    /// Creates the directory skeleton and the commented `kura.toml`, and
    /// returns the lock. Fails if `root` holds anything but an empty directory,
    /// unless `force` is set, in which case an existing project's store is
    /// replaced (the caller clears its checkpoints once the new store is in) but its `kura.toml` and labels are kept.
    pub fn create(root: &Path, force: bool) -> Result<(Layout, ProjectLock)> {
        let layout = Layout::new(root);
        if root.exists() {
            let non_empty = fs::read_dir(root).at(root)?.next().is_some();
            if non_empty && !force {
                return Err(Error::ProjectExists {
                    path: root.to_path_buf(),
                });
            }
        }
        fs::create_dir_all(root).at(root)?;
        for dir in layout.directories() {
            fs::create_dir_all(&dir).at(&dir)?;
        }
        let lock = ProjectLock::acquire(&layout.lock(), root)?;
        if !layout.config().exists() {
            super::atomic::write_bytes(&layout.config(), TEMPLATE.as_bytes())?;
        }
        Ok((layout, lock))
    }

    /// Drops every checkpoint (after the store was replaced).
    pub fn clear_checkpoints(layout: &Layout) -> Result<()> {
        let cp = layout.checkpoints();
        fs::remove_dir_all(&cp).at(&cp)?;
        fs::create_dir_all(&cp).at(&cp)
    }

    /// Opens the conversation store.
    pub fn store(&self) -> Result<Store> {
        Store::open(
            &self.layout.conversations(),
            &self.layout.conversations_index(),
        )
    }

    /// The project's checkpoint store.
    pub fn checkpoints(&self) -> FileCheckpoints {
        FileCheckpoints::new(self.layout.checkpoints())
    }
}
