//! Every run writes `logs/run-<timestamp>.log` at info level: stage starts
//! and ends (loaded from a checkpoint or computed, with tokens), each failed
//! item with its reason, each retry with its reason, warnings and how the
//! run ended. The event stream is teed into it; events carry no secrets (the
//! LLM clients redact keys from every message), so neither does the log.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::Stage;
use super::events::{Event, EventSender, LogLevel, Outcome, channel};
use crate::error::{IoContext, Result};
use crate::project::Layout;

/// A fresh log path: `logs/run-<UTC timestamp>.log`, with `-2`, `-3`... if
/// taken.
pub fn new_path(layout: &Layout) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let dir = layout.logs();
    let mut path = dir.join(format!("run-{stamp}.log"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("run-{stamp}-{n}.log"));
        n += 1;
    }
    path
}

#[derive(Default)]
struct StageTally {
    started: Option<Instant>,
    input_tokens: u64,
    output_tokens: u64,
    cached_calls: u64,
    calls: u64,
    retries: u64,
    timeouts: u64,
    failed: u64,
    /// The concurrency limit last written to the log.
    limit: Option<u32>,
    fixes: crate::llm::ParseFixes,
}

/// Folds events into log lines.
struct RunLog {
    file: File,
    path: PathBuf,
    stages: HashMap<Stage, StageTally>,
}

impl RunLog {
    fn write(&mut self, level: LogLevel, text: &str) {
        let word = match level {
            LogLevel::Info => "INFO ",
            LogLevel::Warn => "WARN ",
            LogLevel::Error => "ERROR",
        };
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        // One write per line; a failing disk must not stop the run.
        let line = format!("{now} {word} {}\n", text.replace('\n', " "));
        let _ = self.file.write_all(line.as_bytes());
    }

    fn apply(&mut self, event: &Event) {
        let (level, text) = match event {
            Event::Started {
                stage,
                total,
                resumed,
            } => {
                self.stages.entry(*stage).or_default().started = Some(Instant::now());
                let before = if *resumed > 0 {
                    format!(" ({resumed} done by an earlier run)")
                } else {
                    String::new()
                };
                (
                    LogLevel::Info,
                    format!("{}: started, {total} items{before}", stage.name()),
                )
            }
            Event::Usage {
                stage,
                input_tokens,
                output_tokens,
                cached,
                ..
            } => {
                let t = self.stages.entry(*stage).or_default();
                t.input_tokens += input_tokens;
                t.output_tokens += output_tokens;
                t.calls += 1;
                t.cached_calls += u64::from(*cached);
                return;
            }
            Event::Retry { stage, reason } => {
                self.stages.entry(*stage).or_default().retries += 1;
                (
                    LogLevel::Info,
                    format!("{}: retrying: {reason}", stage.name()),
                )
            }
            Event::ItemFailed { stage, error } => {
                self.stages.entry(*stage).or_default().failed += 1;
                (
                    LogLevel::Error,
                    format!("{}: failed: {error}", stage.name()),
                )
            }
            Event::Log { level, message } => (*level, message.clone()),
            Event::Finished { stage, cached } => (LogLevel::Info, self.finished(*stage, *cached)),
            Event::Done(outcome) => match outcome {
                Outcome::Completed => (LogLevel::Info, "run complete".to_string()),
                Outcome::Cancelled => (
                    LogLevel::Warn,
                    "run cancelled; finished work is saved".to_string(),
                ),
                Outcome::Failed(e) => (LogLevel::Error, format!("run failed: {e}")),
            },
            Event::Concurrency {
                stage,
                limit,
                in_flight,
            } => {
                let t = self.stages.entry(*stage).or_default();
                if t.limit == Some(*limit) {
                    return;
                }
                t.limit = Some(*limit);
                (
                    LogLevel::Info,
                    format!(
                        "{}: concurrency limit {limit} ({in_flight} in flight)",
                        stage.name()
                    ),
                )
            }
            Event::Timeout { stage } => {
                // The retry that follows is logged with its reason.
                self.stages.entry(*stage).or_default().timeouts += 1;
                return;
            }
            Event::Fixed { stage, fixes } => {
                self.stages.entry(*stage).or_default().fixes.add(fixes);
                return;
            }
            Event::Advanced { .. } | Event::Preview { .. } => return,
        };
        self.write(level, &text);
    }

    fn finished(&mut self, stage: Stage, cached: bool) -> String {
        let t = self.stages.remove(&stage).unwrap_or_default();
        if cached {
            return format!("{}: loaded from its checkpoint (cached)", stage.name());
        }
        let mut text = format!("{}: computed", stage.name());
        if let Some(s) = t.started {
            text.push_str(&format!(" in {:.1}s", s.elapsed().as_secs_f64()));
        }
        if t.calls > 0 {
            text.push_str(&format!(
                "; {} calls ({} cached), {} tokens in, {} out",
                t.calls, t.cached_calls, t.input_tokens, t.output_tokens
            ));
        }
        if t.retries + t.failed > 0 {
            text.push_str(&format!(
                "; {} retries, {} failed items",
                t.retries, t.failed
            ));
        }
        if t.timeouts > 0 {
            text.push_str(&format!("; {} timeouts", t.timeouts));
        }
        if !t.fixes.is_empty() {
            text.push_str(&format!("; answers fixed: {}", t.fixes.render()));
        }
        text
    }
}

/// Creates the log at `path` and returns a sender whose events are written
/// there and passed on to `out`, and the task doing it (it ends when every
/// sender is dropped).
pub fn tee(
    path: &Path,
    out: EventSender,
    header: &str,
) -> Result<(EventSender, tokio::task::JoinHandle<()>)> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).at(dir)?;
    }
    let file = File::create(path).at(path)?;
    let mut log = RunLog {
        file,
        path: path.to_path_buf(),
        stages: HashMap::new(),
    };
    log.write(LogLevel::Info, header);
    let (tx, mut rx) = channel();
    let task = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            log.apply(&event);
            let _ = out.send(event);
        }
        let _ = log.file.sync_all();
        tracing::debug!(log = %log.path.display(), "run log closed");
    });
    Ok((tx, task))
}
