//! What the explorer reads and writes of a project's classifiers: the list
//! of definitions, one label at a time (the same file and atomic write as
//! `classify label`), the order to label conversations in, and the labels
//! `classify apply` stored.

use std::path::Path;

use super::corpus::Corpus;
use super::definition::Definition;
use super::files::{CLASSIFIERS_DIR, ClassifierFiles};
use super::labelled::{self, LabelledItem};
use super::ops::{self, AppliedHeader, AppliedLabel};
use crate::error::{Error, Location, Result};
use crate::model::Hierarchy;

/// The classifiers defined in the project at `root` (`classifiers/*.toml`),
/// sorted by name.
pub fn list(root: &Path) -> Result<Vec<String>> {
    let dir = root.join(CLASSIFIERS_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(&dir, e))?.path();
        if path.extension().is_some_and(|e| e == "toml")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            && super::definition::check_name(stem).is_ok()
        {
            out.push(stem.to_string());
        }
    }
    out.sort();
    Ok(out)
}

/// Sets (or with `None` removes) the label of conversation `id`, checked
/// against the definition, and rewrites the labels file atomically. Returns
/// the labels it had before, for undo.
pub fn set_label(
    files: &ClassifierFiles,
    id: &str,
    labels: Option<Vec<String>>,
) -> Result<Option<Vec<String>>> {
    files.require()?;
    let def = Definition::load(&files.definition())?;
    let names = def.class_names();
    let canonical = match labels {
        None => None,
        Some(labels) => {
            let mut out: Vec<String> = Vec::new();
            for l in &labels {
                let c = def.class_of(l).ok_or_else(|| {
                    Error::input(
                        Location::file(files.definition()).with_field("categories"),
                        format!(
                            "unknown category `{l}`; the classifier has: {}",
                            names.join(", ")
                        ),
                    )
                })?;
                if !out.contains(&names[c]) {
                    out.push(names[c].clone());
                }
            }
            if out.is_empty() {
                return Err(Error::Other("choose at least one category".into()));
            }
            if def.mode == super::LabelMode::Single && out.len() != 1 {
                return Err(Error::Other(format!(
                    "a single-label classifier takes exactly one category, got {}",
                    out.len()
                )));
            }
            Some(out)
        }
    };
    let mut all = labelled::load(&files.labels(), &def)?;
    let key = format!("id:{id}");
    let at = all.iter().position(|l| l.key() == key);
    let previous = at.map(|i| all[i].labels.clone());
    match (at, canonical) {
        (Some(i), Some(labels)) => all[i].labels = labels,
        (Some(i), None) => {
            all.remove(i);
        }
        (None, Some(labels)) => all.push(LabelledItem {
            id: Some(id.to_string()),
            text: None,
            labels,
        }),
        (None, None) => return Ok(None),
    }
    labelled::save(&files.labels(), &all)?;
    Ok(previous)
}

/// Store positions to label, in order: conversations of each category's
/// source cluster, most central first, taken in turn across categories;
/// then every other conversation in store order. Already labelled ones go
/// last (in the same order), so a session starts on new work.
pub fn labelling_queue(
    def: &Definition,
    hierarchy: &Hierarchy,
    corpus: &Corpus,
    labels: &[LabelledItem],
) -> Vec<usize> {
    let per_cluster: Vec<Vec<usize>> = def
        .categories
        .iter()
        .filter_map(|c| c.from_cluster.as_deref())
        .map(|id| {
            let members: Vec<usize> = hierarchy
                .members(id)
                .into_iter()
                .filter_map(|m| corpus.position(m))
                .collect();
            ops::central(corpus, &members, members.len())
        })
        .collect();
    let mut seen = vec![false; corpus.len()];
    let mut order = Vec::with_capacity(corpus.len());
    let longest = per_cluster.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        for list in &per_cluster {
            if let Some(&p) = list.get(i)
                && !std::mem::replace(&mut seen[p], true)
            {
                order.push(p);
            }
        }
    }
    order.extend((0..corpus.len()).filter(|&p| !seen[p]));
    let done: std::collections::HashSet<&str> =
        labels.iter().filter_map(|l| l.id.as_deref()).collect();
    let (todo, labelled): (Vec<usize>, Vec<usize>) = order
        .into_iter()
        .partition(|&p| !done.contains(corpus.ids[p].as_str()));
    todo.into_iter().chain(labelled).collect()
}

/// `classify apply`'s stored labels: the header and one row per
/// conversation. `None` when the classifier was never applied.
pub fn read_applied(files: &ClassifierFiles) -> Result<Option<(AppliedHeader, Vec<AppliedLabel>)>> {
    let path = files.applied();
    let source = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let mut lines = source
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, first)) = lines.next() else {
        return Err(Error::input(Location::file(&path), "empty file"));
    };
    let header: AppliedHeader = serde_json::from_str(first)
        .map_err(|e| Error::input(Location::line(&path, 1), format!("invalid header: {e}")))?;
    let rows = lines
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                Error::input(
                    Location::line(&path, i as u64 + 1),
                    format!("invalid label row: {e}"),
                )
            })
        })
        .collect::<Result<Vec<AppliedLabel>>>()?;
    Ok(Some((header, rows)))
}
