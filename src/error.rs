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

impl Error {
    /// A short reason for failure summaries and logs: `timeout`,
    /// `connection refused`, `HTTP 500`, `invalid JSON`... Counted per
    /// reason when many items fail.
    pub fn reason(&self) -> String {
        match self {
            Error::Io { source, .. } => source.kind().to_string(),
            Error::Input { .. } | Error::UnknownFormat { .. } => "invalid input".into(),
            Error::Config { .. } | Error::InvalidParam { .. } => "invalid setting".into(),
            Error::CorruptCheckpoint { .. } | Error::CheckpointVersion { .. } => {
                "corrupt checkpoint".into()
            }
            Error::Cancelled => "cancelled".into(),
            Error::Llm(m) | Error::Model(m) | Error::Other(m) => reason_of(m),
            other => reason_of(&other.to_string()),
        }
    }
}

/// Classifies an error message into a short reason.
fn reason_of(message: &str) -> String {
    let m = message.to_lowercase();
    if m.contains("connection refused") {
        return "connection refused".into();
    }
    if m.contains("timeout") || m.contains("timed out") {
        return "timeout".into();
    }
    if let Some(at) = m.find("http ") {
        let code: String = m[at + 5..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if code.len() == 3 {
            return format!("HTTP {code}");
        }
    }
    if m.contains("json") || m.contains("usable answer") {
        return "invalid JSON".into();
    }
    if m.contains("dns") || m.contains("lookup") {
        return "DNS failure".into();
    }
    if m.contains("connection") || m.contains("reset") || m.contains("closed") {
        return "connection lost".into();
    }
    "other error".into()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_short_and_stable() {
        let r = |m: &str| Error::Llm(m.into()).reason();
        assert_eq!(
            r(
                "summaries: gave up after 2 retries: error sending request: tcp connect error: Connection refused (os error 111)"
            ),
            "connection refused"
        );
        assert_eq!(r("summaries: no answer within 1.0s (timeout)"), "timeout");
        assert_eq!(
            r("names: gave up after 3 retries: HTTP 500: internal error"),
            "HTTP 500"
        );
        assert_eq!(r("names: HTTP 429: slow down"), "HTTP 429");
        assert_eq!(
            r("openai:m gave no usable answer for `names` after 3 attempt(s): not JSON"),
            "invalid JSON"
        );
        assert_eq!(
            r("truncated or invalid JSON in the response"),
            "invalid JSON"
        );
        assert_eq!(r("something odd"), "other error");
        assert_eq!(Error::Cancelled.reason(), "cancelled");
    }
}
