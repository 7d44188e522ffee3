//! Where an export's bytes go, decided by what is at the path.
//!
//! - `-` is standard output.
//! - A regular file, or a path where nothing exists yet, is written
//!   atomically: a temporary file beside it, renamed over it at the end, so
//!   a reader sees the old or the new file, never a torn one. A symbolic
//!   link to a regular file stays a link: the file it points to is the one
//!   replaced.
//! - Anything else that exists (a FIFO, a character device such as
//!   `/dev/null`, `/dev/fd/N` from a shell's `>(…)`, a dangling symbolic
//!   link) is opened for writing and written through. It is never replaced:
//!   renaming a file over it would destroy the pipe or device node. So is
//!   any path under `/dev` or `/proc`: `/dev/stdout` or `/dev/fd/1` may
//!   lead to a regular file the shell opened (perhaps for appending), and
//!   only writing to it in place lands the bytes there.

use std::fs::{self, OpenOptions};
use std::io::{BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::project::atomic;

/// How standard output is named on the command line and in reports.
pub const STDOUT: &str = "-";

/// The path errors writing to standard output carry.
pub const STDOUT_NAME: &str = "standard output";

/// Whether `path` is, or may lead to, standard output (`-`, `/dev/stdout`,
/// `/dev/fd/1`, anything under `/dev` or `/proc`): messages about the
/// export then belong on stderr.
pub fn may_be_stdout(path: &Path) -> bool {
    path.as_os_str() == STDOUT || is_special(path)
}

/// Paths written in place whatever they lead to.
fn is_special(path: &Path) -> bool {
    path.starts_with("/dev") || path.starts_with("/proc")
}

/// How a destination is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output (`-`).
    Stdout,
    /// A regular file (existing or new), replaced atomically.
    Replace(PathBuf),
    /// A FIFO, device or other special file, opened and written in place.
    Through(PathBuf),
}

impl Destination {
    /// Looks at what is at `path` and decides how to write it. A directory
    /// is an error.
    pub fn resolve(path: &Path) -> Result<Destination> {
        if path.as_os_str() == STDOUT {
            return Ok(Destination::Stdout);
        }
        let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let special = is_special(path);
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(Error::Other(format!(
                "{}: is a directory; give a file name (for example {})",
                path.display(),
                path.join("export.jsonl").display()
            ))),
            Ok(meta) if meta.is_file() && !special => {
                if !is_link {
                    return Ok(Destination::Replace(path.to_path_buf()));
                }
                // Replace the file the link points to, keeping the link.
                match fs::canonicalize(path) {
                    Ok(real) if real.is_file() => Ok(Destination::Replace(real)),
                    _ => Ok(Destination::Through(path.to_path_buf())),
                }
            }
            Ok(_) => Ok(Destination::Through(path.to_path_buf())),
            // A link to nothing yet: opening it creates its target.
            Err(e) if e.kind() == ErrorKind::NotFound && is_link => {
                Ok(Destination::Through(path.to_path_buf()))
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {
                Ok(Destination::Replace(path.to_path_buf()))
            }
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// The path to report: `-` for standard output.
    pub fn path(&self) -> &Path {
        match self {
            Destination::Stdout => Path::new(STDOUT),
            Destination::Replace(p) | Destination::Through(p) => p,
        }
    }

    /// Writes whatever `fill` writes. Errors name the destination.
    pub fn write<F>(&self, fill: F) -> Result<()>
    where
        F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
    {
        match self {
            Destination::Replace(path) => atomic::write_with(path, fill),
            Destination::Stdout => {
                let stdout = std::io::stdout();
                let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
                fill(&mut w)
                    .and_then(|()| w.flush())
                    .map_err(|e| Error::io(STDOUT_NAME, e))
            }
            Destination::Through(path) => {
                // No truncate and no create for what exists: a FIFO or a
                // device takes the bytes as they come, and a file reached
                // through `/dev/stdout` gets them appended (as the shell's
                // `>` left it empty, and `>>` asks for). A dangling link is
                // followed and its target created.
                let exists = path.exists();
                let mut options = OpenOptions::new();
                if exists {
                    options.append(true);
                } else {
                    options.write(true).create(true).truncate(true);
                }
                let file = options.open(path).at(path)?;
                let mut w = BufWriter::with_capacity(1 << 16, file);
                fill(&mut w).and_then(|()| w.flush()).at(path)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_by_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.jsonl");
        assert_eq!(
            Destination::resolve(&new).unwrap(),
            Destination::Replace(new.clone())
        );
        assert_eq!(
            Destination::resolve(Path::new("-")).unwrap(),
            Destination::Stdout
        );
        let err = Destination::resolve(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is a directory"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn links_and_devices() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.jsonl");
        fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(
            Destination::resolve(&link).unwrap(),
            Destination::Replace(fs::canonicalize(&target).unwrap())
        );
        let dangling = dir.path().join("dangling.jsonl");
        std::os::unix::fs::symlink(dir.path().join("later.jsonl"), &dangling).unwrap();
        assert_eq!(
            Destination::resolve(&dangling).unwrap(),
            Destination::Through(dangling.clone())
        );
        Destination::resolve(&dangling)
            .unwrap()
            .write(|w| w.write_all(b"made"))
            .unwrap();
        assert!(fs::symlink_metadata(&dangling).unwrap().is_symlink());
        assert_eq!(
            fs::read_to_string(dir.path().join("later.jsonl")).unwrap(),
            "made"
        );
        let null = Path::new("/dev/null");
        if null.exists() {
            assert_eq!(
                Destination::resolve(null).unwrap(),
                Destination::Through(null.to_path_buf())
            );
        }
    }
}
