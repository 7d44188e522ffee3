//! A temporary directory beside a model's install target: files are
//! written and hashed there, checked, then moved into place in one rename.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{MODEL_FILES, ModelSpec, RECORD_FILE, check_sha256, sha256_file};
use crate::error::{Error, IoContext, Result};

/// A temporary directory beside the install target, removed unless
/// committed.
pub(super) struct Staging {
    dir: PathBuf,
    old: PathBuf,
    target: PathBuf,
    pub(super) weights_sha: Option<String>,
    committed: bool,
}

impl Staging {
    pub(super) fn new(models_dir: &Path, name: &str) -> Result<Staging> {
        fs::create_dir_all(models_dir).at(models_dir)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let unique = format!("{}-{nanos}", std::process::id());
        let dir = models_dir.join(format!(".{name}.staging-{unique}"));
        fs::create_dir(&dir).at(&dir)?;
        Ok(Staging {
            dir,
            old: models_dir.join(format!(".{name}.old-{unique}")),
            target: models_dir.join(name),
            weights_sha: None,
            committed: false,
        })
    }

    /// Copies `reader` to `name` in the staging directory, hashing the
    /// weights on the way. `origin` names the source in errors.
    pub(super) fn write(
        &mut self,
        name: &str,
        reader: &mut dyn Read,
        origin: &Path,
    ) -> Result<u64> {
        let (mut out, path) = self.create(name)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0u64;
        loop {
            let n = reader.read(&mut buf).at(origin)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).at(&path)?;
            total += n as u64;
        }
        out.sync_all().at(&path)?;
        if name == MODEL_FILES[0] {
            self.weights_sha = Some(hex::encode(hasher.finalize()));
        }
        Ok(total)
    }

    /// Creates `name` in the staging directory and lets `fill` write it
    /// (hashing the weights on the way); returns the bytes `fill` reports.
    pub(super) fn write_with(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write, &Path) -> Result<u64>,
    ) -> Result<u64> {
        let (file, path) = self.create(name)?;
        let mut out = Hashing {
            inner: std::io::BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
        };
        let total = fill(&mut out, &path)?;
        let file = out
            .inner
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))?;
        file.sync_all().at(&path)?;
        if name == MODEL_FILES[0] {
            self.weights_sha = Some(hex::encode(out.hasher.finalize()));
        }
        Ok(total)
    }

    /// Creates an empty file `name` in the staging directory.
    pub(super) fn create(&self, name: &str) -> Result<(File, PathBuf)> {
        let path = self.dir.join(name);
        let file = File::create(&path).at(&path)?;
        Ok((file, path))
    }

    /// Verifies the staged files and moves them into place.
    pub(super) fn commit(mut self, spec: &ModelSpec) -> Result<PathBuf> {
        let weights = self.dir.join(MODEL_FILES[0]);
        let sha = match &self.weights_sha {
            Some(s) => s.clone(),
            None => sha256_file(&weights)?,
        };
        check_sha256(&weights, &sha, spec)?;
        let config = self.dir.join(MODEL_FILES[2]);
        let text = fs::read(&config).at(&config)?;
        spec.check_config(&config, &text)?;
        if spec.safetensors_sha256.is_none() {
            let record = self.dir.join(RECORD_FILE);
            fs::write(&record, format!("{sha}\n")).at(&record)?;
        }
        let old = self.old.clone();
        if self.target.exists() {
            fs::rename(&self.target, &old).at(&self.target)?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            let _ = fs::rename(&old, &self.target);
            return Err(Error::io(&self.target, e));
        }
        self.committed = true;
        let _ = fs::remove_dir_all(&old);
        if let Some(Ok(d)) = self.target.parent().map(File::open) {
            let _ = d.sync_all();
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A writer that hashes what passes through it.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
