//! Work done off the UI thread: exporting a cluster, streaming the store
//! for metadata, loading the analysis after a run. Each job reports back
//! through `send` with [`Msg`]s and checks `stop`, which the runtime sets
//! when the UI quits. Jobs read nothing but what their effect carries, so
//! tests run them directly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::effect::{ExportJob, StorePaths};
use super::explorer::{MetaTable, MetadataBuilder};
use super::msg::Msg;
use crate::export::export_cluster_with;

/// Progress messages an export sends at most (besides the first and the
/// last), so a 100,000-conversation export does not flood the UI.
pub const PROGRESS_STEPS: usize = 100;

/// Writes `job`'s cluster to its file: `Msg::ExportProgress` as it goes,
/// then `Msg::Exported`. A set `stop` abandons it, leaving no file.
pub fn export(job: &ExportJob, stop: &AtomicBool, send: &dyn Fn(Msg)) {
    let result = job
        .store()
        .open()
        .and_then(|store| {
            let mut progress = |done: usize, total: usize| {
                let step = (total / PROGRESS_STEPS).max(1);
                if done == total || done.is_multiple_of(step) {
                    send(Msg::ExportProgress { done, total });
                }
                !stop.load(Ordering::Relaxed)
            };
            export_cluster_with(
                &job.analysis,
                &store,
                &job.project,
                &job.cluster_id,
                Some(&job.out),
                &mut progress,
            )
        })
        .map_err(|e| e.to_string());
    send(Msg::Exported(result));
}

/// Streams the store once, building the metadata columns.
pub fn metadata(store: &StorePaths, stop: &AtomicBool) -> Result<MetaTable, String> {
    let store = store.open().map_err(|e| e.to_string())?;
    let mut builder = MetadataBuilder::default();
    for conv in store.iter().map_err(|e| e.to_string())? {
        if stop.load(Ordering::Relaxed) {
            return Err("stopped".into());
        }
        builder.push(&conv.map_err(|e| e.to_string())?.metadata);
    }
    Ok(builder.finish())
}

/// [`metadata`] as the message the explorer waits for.
pub fn load_metadata(store: &StorePaths, stop: &AtomicBool, send: &dyn Fn(Msg)) {
    send(Msg::MetadataLoaded(metadata(store, stop).map(Arc::new)));
}
