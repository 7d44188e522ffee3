//! What clients learn about servers, kept between runs in
//! `capabilities.json` in the project's cache folder, per (provider,
//! endpoint, model):
//!
//! - the structured-output mode that worked (see [`super::capability`]);
//! - the concurrency limit a run settled at and the round trip without a
//!   queue (see [`super::gradient`]), so the next run starts there instead
//!   of finding out again.
//!
//! The file holds no keys, and endpoints are stored without user info,
//! query or fragment. Writes replace the file atomically (temp file and
//! rename). `cache clear` forgets it all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::gradient::Settled;
use crate::config::StructuredOutput;
use crate::error::{Error, IoContext, Result};

/// The file, in a project's cache folder.
pub const CAPABILITIES_FILE: &str = "capabilities.json";
const VERSION: u32 = 1;

/// The structured-output mode learned for one endpoint and model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnedMode {
    pub provider: String,
    /// The endpoint, without user info, query or fragment.
    pub endpoint: String,
    pub model: String,
    pub structured_output: StructuredOutput,
    /// RFC 3339, UTC.
    pub learned_at: String,
}

/// The concurrency a run settled at against one endpoint and model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnedLimit {
    pub provider: String,
    /// The endpoint, without user info, query or fragment.
    pub endpoint: String,
    pub model: String,
    /// Requests in flight the run settled at; the next run starts here.
    pub limit: usize,
    /// The `max_concurrency` setting of that run.
    pub max_concurrency: usize,
    /// A round trip without a queue, in milliseconds.
    pub baseline_ms: u64,
    /// RFC 3339, UTC.
    pub learned_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    #[serde(default)]
    servers: BTreeMap<String, LearnedMode>,
    #[serde(default)]
    limits: BTreeMap<String, LearnedLimit>,
}

/// The endpoint as stored: no user info, query or fragment.
fn clean_endpoint(url: &Url) -> String {
    let mut u = url.clone();
    // These fail only for URLs that cannot carry user info (no host), which
    // then hold no credentials to strip: nothing to report.
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

fn key(provider: &str, endpoint: &str, model: &str) -> String {
    format!("{provider} {endpoint} {model}")
}

fn read(path: &Path) -> File {
    match std::fs::read(path) {
        Ok(bytes) => match serde_json::from_slice::<File>(&bytes) {
            Ok(f) if f.version == VERSION => f,
            _ => {
                tracing::debug!(path = %path.display(), "unreadable capabilities file; ignored");
                File::default()
            }
        },
        Err(_) => File::default(),
    }
}

/// Every mode learned in a project's cache folder (for `kura-tui info`).
pub fn learned_modes(cache_dir: &Path) -> Vec<LearnedMode> {
    read(&cache_dir.join(CAPABILITIES_FILE))
        .servers
        .into_values()
        .collect()
}

/// Every concurrency limit learned in a project's cache folder.
pub fn learned_limits(cache_dir: &Path) -> Vec<LearnedLimit> {
    read(&cache_dir.join(CAPABILITIES_FILE))
        .limits
        .into_values()
        .collect()
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Where a client keeps what it learns: one endpoint and model in one
/// cache folder.
#[derive(Debug, Clone)]
pub(crate) struct Memory {
    pub(crate) cache_dir: PathBuf,
    pub(crate) provider: &'static str,
    pub(crate) url: Url,
    pub(crate) model: String,
}

impl Memory {
    fn key(&self) -> String {
        key(self.provider, &clean_endpoint(&self.url), &self.model)
    }

    /// The structured-output mode learned earlier, if any.
    pub(crate) fn mode(&self) -> Option<StructuredOutput> {
        let file = read(&self.cache_dir.join(CAPABILITIES_FILE));
        file.servers.get(&self.key()).map(|m| m.structured_output)
    }

    /// The concurrency learned earlier, if any.
    pub(crate) fn limit(&self) -> Option<LearnedLimit> {
        let file = read(&self.cache_dir.join(CAPABILITIES_FILE));
        file.limits.get(&self.key()).cloned()
    }

    /// Records the structured-output mode.
    pub(crate) fn remember_mode(&self, mode: StructuredOutput) -> Result<()> {
        self.update(|file, endpoint, key| {
            file.servers.insert(
                key,
                LearnedMode {
                    provider: self.provider.to_string(),
                    endpoint,
                    model: self.model.clone(),
                    structured_output: mode,
                    learned_at: now_rfc3339(),
                },
            );
        })
    }

    /// Records the concurrency a run settled at.
    pub(crate) fn remember_limit(&self, settled: Settled, max_concurrency: usize) -> Result<()> {
        let baseline_ms = u64::try_from(settled.baseline.as_millis()).unwrap_or(u64::MAX);
        self.update(|file, endpoint, key| {
            file.limits.insert(
                key,
                LearnedLimit {
                    provider: self.provider.to_string(),
                    endpoint,
                    model: self.model.clone(),
                    limit: settled.limit,
                    max_concurrency,
                    baseline_ms,
                    learned_at: now_rfc3339(),
                },
            );
        })
    }

    /// Reads the file, applies `change` (given the clean endpoint and the
    /// key) and replaces the file atomically.
    fn update(&self, change: impl FnOnce(&mut File, String, String)) -> Result<()> {
        // One writer at a time in this process; another process racing us
        // loses only what it learned, which it learns again next run.
        static WRITE: Mutex<()> = Mutex::new(());
        let _guard = WRITE.lock().unwrap_or_else(|p| p.into_inner());
        let dir = &self.cache_dir;
        std::fs::create_dir_all(dir).at(dir)?;
        let path = dir.join(CAPABILITIES_FILE);
        let mut file = read(&path);
        file.version = VERSION;
        change(&mut file, clean_endpoint(&self.url), self.key());
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(Error::encode("the learned server capabilities"))?;
        let tmp = dir.join(format!(".{CAPABILITIES_FILE}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, &bytes).at(&tmp)?;
        std::fs::rename(&tmp, &path).at(&path)
    }
}

/// How often a client writes down what its limit has learned while it
/// runs (and once more when it goes), so an interrupted run keeps it too.
const SAVE_EVERY: Duration = Duration::from_secs(10);

/// Keeps one client's learned limit up to date in the file.
#[derive(Debug)]
pub(crate) struct LimitKeeper {
    memory: Memory,
    max_concurrency: usize,
    /// When the next save is due, and what was saved last.
    state: Mutex<(Instant, Option<Settled>)>,
}

impl LimitKeeper {
    pub(crate) fn new(memory: Memory, max_concurrency: usize) -> Self {
        LimitKeeper {
            memory,
            max_concurrency,
            state: Mutex::new((Instant::now() + SAVE_EVERY, None)),
        }
    }

    /// The limit learned by an earlier run, if any.
    pub(crate) fn learned(&self) -> Option<LearnedLimit> {
        self.memory.limit()
    }

    /// Saves `settled` when a save is due (or `now_anyway`) and it differs
    /// from what was saved last.
    pub(crate) fn note(&self, settled: Option<Settled>, now_anyway: bool) {
        let Some(settled) = settled else { return };
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if (!now_anyway && now < state.0) || state.1 == Some(settled) {
            return;
        }
        *state = (now + SAVE_EVERY, Some(settled));
        drop(state);
        if let Err(e) = self.memory.remember_limit(settled, self.max_concurrency) {
            tracing::warn!(error = %e, "could not remember the concurrency limit");
        }
    }
}

impl LearnedLimit {
    /// The baseline round trip.
    pub fn baseline(&self) -> Duration {
        Duration::from_millis(self.baseline_ms)
    }
}

/// A memory in `dir` for a server whose URL carries credentials (which
/// must never reach the file), shared by the tests of this file and
/// `capability.rs`.
#[cfg(test)]
pub(crate) fn test_memory(dir: &Path) -> Memory {
    Memory {
        cache_dir: dir.to_path_buf(),
        provider: "openai",
        url: Url::parse("http://user:pw@127.0.0.1:8080/v1/chat/completions?key=s3cret").unwrap(),
        model: "m".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_modes_live_side_by_side_without_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let m = test_memory(dir.path());
        assert_eq!(m.limit(), None);
        m.remember_mode(StructuredOutput::JsonObject).unwrap();
        let settled = Settled {
            limit: 2,
            baseline: Duration::from_millis(25_400),
        };
        m.remember_limit(settled, 32).unwrap();
        assert_eq!(m.mode(), Some(StructuredOutput::JsonObject));
        let got = m.limit().unwrap();
        assert_eq!(
            (got.limit, got.max_concurrency, got.baseline_ms),
            (2, 32, 25_400)
        );
        assert_eq!(got.endpoint, "http://127.0.0.1:8080/v1/chat/completions");
        let text = std::fs::read_to_string(dir.path().join(CAPABILITIES_FILE)).unwrap();
        assert!(!text.contains("s3cret") && !text.contains("pw@"), "{text}");
        assert_eq!(learned_limits(dir.path()), vec![got]);
        assert_eq!(learned_modes(dir.path()).len(), 1);
        // Another model at the same endpoint is another server.
        let other = Memory {
            model: "n".into(),
            ..test_memory(dir.path())
        };
        assert_eq!(other.limit(), None);
    }

    #[test]
    fn a_file_from_before_limits_were_kept_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let old = r#"{"version":1,"servers":{"openai http://127.0.0.1:8080/v1/chat/completions m":
            {"provider":"openai","endpoint":"http://127.0.0.1:8080/v1/chat/completions","model":"m",
             "structured_output":"json_object","learned_at":"2026-01-01T00:00:00Z"}}}"#;
        std::fs::write(dir.path().join(CAPABILITIES_FILE), old).unwrap();
        let m = test_memory(dir.path());
        assert_eq!(m.mode(), Some(StructuredOutput::JsonObject));
        assert_eq!(m.limit(), None);
    }
}
