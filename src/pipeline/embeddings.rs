//! Stage 2: embed each summary's facet text (never ids or metadata).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::Array2;

use super::plan::StageInputs;
use super::{Event, Stage, StageCtx, cached};
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::model::Summary;
use crate::project::checkpoint;

/// Runs (or loads) the embeddings of `summaries`; returns them with the
/// checkpoint's digest.
pub async fn run(
    ctx: &StageCtx,
    summaries: &[Summary],
    embedder: Arc<dyn Embedder>,
    inputs: &StageInputs,
) -> Result<(Array2<f32>, String)> {
    let stage = Stage::Embeddings;
    if let Some((m, digest)) = cached::matrix(ctx, inputs)?
        && m.nrows() == summaries.len()
    {
        return Ok((m, digest));
    }
    let texts: Vec<String> = summaries.iter().map(Summary::embedding_text).collect();
    let _ = ctx.events.send(Event::Started {
        stage,
        total: texts.len() as u64,
        resumed: 0,
    });
    let reported = AtomicU64::new(0);
    let events = ctx.events.clone();
    let progress = move |done: usize| {
        let before = reported.swap(done as u64, Ordering::SeqCst);
        if done as u64 > before {
            let _ = events.send(Event::Advanced {
                stage,
                n: done as u64 - before,
            });
        }
    };
    let matrix = tokio::select! {
        biased;
        _ = ctx.cancel.cancelled() => return Err(Error::Cancelled),
        m = embedder.embed(&texts, &progress) => m?,
    };
    if matrix.nrows() != texts.len() {
        return Err(Error::Other(format!(
            "embedder {} returned {} vectors for {} texts",
            embedder.name(),
            matrix.nrows(),
            texts.len()
        )));
    }
    let mut built_with = serde_json::Map::new();
    built_with.insert("embedder".into(), embedder.name().into());
    built_with.insert("dims".into(), matrix.ncols().into());
    let digest = checkpoint::save_matrix(
        ctx.cps.as_ref(),
        stage.name(),
        &inputs.meta(built_with, Vec::new()),
        matrix.view(),
    )?;
    let _ = ctx.events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok((matrix, digest))
}
