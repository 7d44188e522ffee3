//! One run of the pipeline over a project: builds the models its config
//! asks for (offline or not), wires them to the event channel and the
//! cancel token, and runs every missing stage. The CLI, the TUI, tests and
//! benches all start runs through here.

use std::sync::Arc;

use super::events::{Event, EventSender, LogLevel, Outcome};
use super::{Cancel, RunOptions, RunOutput, StageCtx, models, run_log};
use crate::config::{Config, EnvSource};
use crate::error::Result;
use crate::project::Layout;
use crate::project::checkpoint::FileCheckpoints;
use crate::project::store::Store;

/// Requests in flight at once offline (local work: no server to spare).
const OFFLINE_CONCURRENCY: usize = 64;

/// Runs the missing stages of the project at `layout` with `config`.
/// Notices about the models (which embedder, why offline) arrive as
/// [`Event::Log`] before the first stage; the run ends with
/// [`Event::Done`], whatever happens. Every event is also written to the
/// run's log (`options.log`, or a new `logs/run-<timestamp>.log`).
pub async fn run_project(
    layout: &Layout,
    config: &Config,
    offline: bool,
    options: &RunOptions,
    events: EventSender,
    cancel: Cancel,
    env: &(dyn EnvSource + Sync),
) -> Result<RunOutput> {
    let log_path = options
        .log
        .clone()
        .unwrap_or_else(|| run_log::new_path(layout));
    let mut how = vec![
        if offline {
            "offline"
        } else {
            "with the configured LLM"
        }
        .to_string(),
    ];
    let flags = [
        (
            "--max-conversations",
            options.max_conversations.map(|n| n as u64),
        ),
        ("--k", options.k.map(|n| n as u64)),
        ("--seed", options.seed),
    ];
    how.extend(
        flags
            .iter()
            .filter_map(|(flag, v)| v.map(|v| format!("{flag} {v}"))),
    );
    let header = format!(
        "kura-tui {} run of {} ({})",
        env!("CARGO_PKG_VERSION"),
        layout.root().display(),
        how.join(", ")
    );
    let (events, log_task) = match run_log::tee(&log_path, events.clone(), &header) {
        Ok((tx, task)) => (tx, Some(task)),
        Err(e) => {
            let _ = events.send(Event::Log {
                level: LogLevel::Warn,
                message: format!("no run log: {e}"),
            });
            (events, None)
        }
    };
    let out = run_logged(layout, config, offline, options, events, cancel, env).await;
    if let Some(task) = log_task {
        let _ = task.await;
    }
    out
}

async fn run_logged(
    layout: &Layout,
    config: &Config,
    offline: bool,
    options: &RunOptions,
    events: EventSender,
    cancel: Cancel,
    env: &(dyn EnvSource + Sync),
) -> Result<RunOutput> {
    let hooks = models::hooks(events.clone(), cancel.clone(), config);
    let built = models::build(config, layout, offline, &hooks, env);
    let (models, notices) = match built {
        Ok(b) => b,
        Err(e) => {
            let _ = events.send(Event::Done(Outcome::Failed(e.to_string())));
            return Err(e);
        }
    };
    for message in notices {
        let _ = events.send(Event::Log {
            level: LogLevel::Info,
            message,
        });
    }
    let store = match Store::open(&layout.conversations(), &layout.conversations_index()) {
        Ok(s) => s,
        Err(e) => {
            let _ = events.send(Event::Done(Outcome::Failed(e.to_string())));
            return Err(e);
        }
    };
    if let Some(message) = store.notice() {
        let _ = events.send(Event::Log {
            level: LogLevel::Warn,
            message: message.to_string(),
        });
    }
    let ctx = StageCtx {
        cps: Arc::new(FileCheckpoints::new(layout.checkpoints())),
        events,
        cancel,
        concurrency: if offline {
            OFFLINE_CONCURRENCY
        } else {
            config.llm.max_concurrency
        },
        knn: crate::cluster::KnnMemo::new(),
    };
    let out = super::run(&ctx, &store, config, options, &models).await;
    // The clients' hooks hold event senders: drop them so the channel
    // closes when the run is over.
    drop(ctx);
    drop(models);
    drop(hooks);
    out
}
