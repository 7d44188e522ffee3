//! Checks that turn empty or misdirected work into one clear error before
//! anything is written: an input that is a directory, an import that yields
//! no conversation, a project that holds none.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::ingest::ImportReport;
use crate::project::Layout;

/// `init --input PATH` must name a regular file (the importer reads it
/// twice: once to detect the format, once to import).
pub fn check_input(input: &Path) -> Result<()> {
    match fs::metadata(input) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(meta) if meta.is_dir() => bail!(
            "{}: is a directory; give the conversation file itself (a .jsonl, .json or .csv file)",
            input.display()
        ),
        Ok(_) => bail!(
            "{}: is not a regular file; save the conversations to a file first (the import reads it twice)",
            input.display()
        ),
        Err(e) if e.kind() == ErrorKind::NotFound => bail!("{}: no such file", input.display()),
        Err(e) => Err(crate::Error::io(input, e).into()),
    }
}

/// Fails with one line when the project at `root` holds no conversations
/// (an empty `conversations.jsonl`). Anything that is not a project, or
/// whose store cannot be read, is left for the command itself to report.
pub fn ensure_conversations(root: &Path) -> Result<()> {
    let layout = Layout::new(root);
    if !layout.is_project() {
        return Ok(());
    }
    match fs::metadata(layout.conversations()) {
        Ok(meta) if meta.len() == 0 => bail!(
            "{} holds no conversations; import some with `kura-tui init {} --input FILE --force`",
            root.display(),
            root.display()
        ),
        _ => Ok(()),
    }
}

/// The error of an import that yielded no conversation.
pub fn nothing_imported(input: &Path, report: &ImportReport, was_project: bool) -> String {
    let left = if was_project {
        "the project was left as it was"
    } else {
        "no project was created"
    };
    if report.skipped == 0 {
        return format!("{}: holds no conversations; {left}", input.display());
    }
    let mut reasons: Vec<(&String, &u64)> = report.skip_reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let reasons: Vec<String> = reasons
        .iter()
        .take(3)
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    format!(
        "{}: none of its {} records could be imported ({}); {left}. Run without --skip-invalid to see the first bad record with its line and field",
        input.display(),
        report.skipped,
        reasons.join(", ")
    )
}

/// Moves this import's staged rejects to `target`, or removes a stale
/// `target` when there were none. Returns the file left, if any.
pub fn place_rejects(staged: &Path, target: &Path) -> crate::Result<Option<PathBuf>> {
    use crate::error::IoContext;
    if staged.exists() {
        fs::rename(staged, target).at(target)?;
        return Ok(Some(target.to_path_buf()));
    }
    match fs::remove_file(target) {
        Ok(()) => Ok(None),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(crate::Error::io(target, e)),
    }
}

/// What of a project's skeleton existed before `init` created it, so that a
/// failed `init` removes exactly what it made (and no file of the user's).
pub struct Skeleton {
    root_existed: bool,
    existed: Vec<(PathBuf, bool)>,
}

impl Skeleton {
    pub fn before_create(root: &Path) -> Skeleton {
        let layout = Layout::new(root);
        let mut paths: Vec<PathBuf> = layout.directories().into();
        paths.push(layout.config());
        paths.push(layout.lock());
        Skeleton {
            root_existed: root.exists(),
            existed: paths
                .into_iter()
                .map(|p| {
                    let there = fs::symlink_metadata(&p).is_ok();
                    (p, there)
                })
                .collect(),
        }
    }

    /// Removes what `Project::create` made. A directory that did not exist
    /// goes entirely; in one that did, only the new (and still empty)
    /// skeleton entries go.
    pub fn undo(&self, layout: &Layout) {
        if !self.root_existed {
            let _ = fs::remove_dir_all(layout.root());
            return;
        }
        for (path, existed) in &self.existed {
            if *existed {
                continue;
            }
            if path.is_dir() {
                let _ = fs::remove_dir(path);
            } else {
                let _ = fs::remove_file(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_keeps_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        fs::create_dir(&root).unwrap();
        fs::write(root.join("mine.txt"), "keep").unwrap();
        let before = Skeleton::before_create(&root);
        let (layout, lock) = crate::project::Project::create(&root, true).unwrap();
        drop(lock);
        before.undo(&layout);
        let left: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left, ["mine.txt"]);
    }

    #[test]
    fn reasons_are_summed_up() {
        let mut report = ImportReport {
            skipped: 5,
            ..ImportReport::default()
        };
        report.skip_reasons.insert("invalid_json".into(), 4);
        report
            .skip_reasons
            .insert("unknown_role at messages[].role".into(), 1);
        let text = nothing_imported(Path::new("in.jsonl"), &report, false);
        assert!(
            text.starts_with(
                "in.jsonl: none of its 5 records could be imported (4 invalid_json, 1 unknown_role"
            ),
            "{text}"
        );
        assert!(text.contains("no project was created"), "{text}");
    }
}
