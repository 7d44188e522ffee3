//! The library's error type. Every error that comes from user data names the
//! file, the line (or record index) and the field where that is known.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input something went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based line number, for line-oriented inputs.
    pub line: Option<u64>,
    /// 0-based record index, for inputs that are not line-oriented.
    pub record: Option<u64>,
    /// Field path inside the record, e.g. `messages[3].content`.
    pub field: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            ..Default::default()
        }
    }

    pub fn line(file: impl Into<PathBuf>, line: u64) -> Self {
        Location {
            file: file.into(),
            line: Some(line),
            ..Default::default()
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_record(mut self, record: u64) -> Self {
        self.record = Some(record);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(record) = self.record {
            write!(f, " (record {record})")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        Ok(())
    }
}

/// Errors from the kura-tui library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{location}: {message}")]
    Input { location: Location, message: String },

    #[error("unknown input format for {path}: {message}", path = .path.display())]
    UnknownFormat { path: PathBuf, message: String },

    #[error("{path}: invalid configuration: {message}", path = .path.display())]
    Config { path: PathBuf, message: String },

    #[error(
        "{path} is not a kura-tui project (no kura.toml). Create one with `kura-tui init {path} --input FILE` or try `kura-tui demo {path}`",
        path = .path.display()
    )]
    NotAProject { path: PathBuf },

    #[error("{path} already exists and is not empty; choose a new directory or pass --force", path = .path.display())]
    ProjectExists { path: PathBuf },

    #[error("project {path} is in use by another kura-tui process ({holder}); wait for it to finish", path = .path.display())]
    Locked { path: PathBuf, holder: String },

    #[error(
        "{path}: checkpoint format version {found} is not supported (this build reads version {expected}); rerun the stage with `kura-tui run --force`",
        path = .path.display()
    )]
    CheckpointVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },

    #[error("{path}: corrupt checkpoint: {message}", path = .path.display())]
    CorruptCheckpoint { path: PathBuf, message: String },

    #[error("invalid parameter `{name}`: {message}")]
    InvalidParam { name: String, message: String },

    #[error("{0}")]
    Llm(String),

    /// A local embedding model is missing, fails verification or fails to run.
    #[error("{0}")]
    Model(String),

    #[error("cancelled")]
    Cancelled,

    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Error::Input {
            location,
            message: message.into(),
        }
    }

    pub fn param(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidParam {
            name: name.into(),
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Adds a path to `std::io::Result`s.
pub trait IoContext<T> {
    fn at(self, path: impl AsRef<Path>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl AsRef<Path>) -> Result<T> {
        self.map_err(|e| Error::io(path, e))
    }
}
