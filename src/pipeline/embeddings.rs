//! Stage 2: embed each summary's facet text (never ids or metadata).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::Array2;

use super::{Event, Stage, StageCtx};
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::model::Summary;
use crate::project::checkpoint;

/// Runs (or loads) the embeddings of `summaries`.
pub async fn run(
    ctx: &StageCtx,
    summaries: &[Summary],
    embedder: Arc<dyn Embedder>,
    key: &str,
) -> Result<Array2<f32>> {
    let stage = Stage::Embeddings;
    if let Some(m) = checkpoint::load_matrix(ctx.cps.as_ref(), stage.name(), key)?
        && m.nrows() == summaries.len()
    {
        let _ = ctx.events.send(Event::Finished {
            stage,
            cached: true,
        });
        return Ok(m);
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
    checkpoint::save_matrix(ctx.cps.as_ref(), stage.name(), key, matrix.view())?;
    let _ = ctx.events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok(matrix)
}
