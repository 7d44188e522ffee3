//! One run of the pipeline over a project: builds the models its config
//! asks for (offline or not), wires them to the event channel and the
//! cancel token, and runs every missing stage. The CLI, the TUI, tests and
//! benches all start runs through here.

use std::sync::Arc;

use super::events::{Event, EventSender, LogLevel};
use super::{Cancel, RunOptions, RunOutput, StageCtx, models};
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
/// [`Event::Done`], whatever happens.
pub async fn run_project(
    layout: &Layout,
    config: &Config,
    offline: bool,
    options: &RunOptions,
    events: EventSender,
    cancel: Cancel,
    env: &(dyn EnvSource + Sync),
) -> Result<RunOutput> {
    let hooks = models::hooks(events.clone(), cancel.clone(), config);
    let (models, notices) = models::build(config, layout, offline, &hooks, env)?;
    for message in notices {
        let _ = events.send(Event::Log {
            level: LogLevel::Info,
            message,
        });
    }
    let store = Store::open(&layout.conversations(), &layout.conversations_index())?;
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
