//! Stage 1: a summary with facets for every conversation, saved per record so
//! a killed run resumes where it stopped.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use super::{Event, Stage, StageCtx};
use crate::embed::BoxFuture;
use crate::error::{Error, Result};
use crate::model::{Conversation, Summary};
use crate::project::checkpoint;
use crate::project::store::Store;

/// Turns one conversation into a [`Summary`]. The seam between the stage and
/// the LLM (or the offline extractive summariser).
pub trait Summariser: Send + Sync {
    /// Everything that changes the output (model, prompt, facets), for the
    /// checkpoint key.
    fn identity(&self) -> String;
    fn summarise<'a>(&'a self, conversation: &'a Conversation) -> BoxFuture<'a, Result<Summary>>;
}

/// One line of `summaries.partial.jsonl`.
#[derive(Debug, Serialize, Deserialize)]
struct Partial {
    /// The stage key the record was made under.
    k: String,
    /// Store position.
    i: usize,
    s: Summary,
}

/// Runs (or resumes, or loads) the summaries of the first `n` conversations.
pub async fn run(
    ctx: &StageCtx,
    store: &Store,
    n: usize,
    summariser: Arc<dyn Summariser>,
    key: &str,
) -> Result<Vec<Summary>> {
    let StageCtx {
        cps,
        events,
        cancel,
        concurrency,
        ..
    } = ctx;
    let stage = Stage::Summaries;
    if let Some(done) = checkpoint::load::<Summary>(cps.as_ref(), stage.name(), Some(key))? {
        let _ = events.send(Event::Finished {
            stage,
            cached: true,
        });
        return Ok(done);
    }
    let mut done: HashMap<usize, Summary> = HashMap::new();
    for p in checkpoint::load_partial::<Partial>(cps.as_ref(), stage.name())? {
        if p.k == key && p.i < n {
            done.entry(p.i).or_insert(p.s);
        }
    }
    let _ = events.send(Event::Started {
        stage,
        total: n as u64,
        resumed: done.len() as u64,
    });
    let mut failures = 0u64;
    let mut in_flight: JoinSet<(usize, String, Result<Summary>)> = JoinSet::new();
    let mut conversations = store.iter()?.enumerate().take(n);
    let limit = (*concurrency).max(1);
    loop {
        while in_flight.len() < limit && !cancel.is_cancelled() {
            let Some((i, conv)) = conversations.next() else {
                break;
            };
            if done.contains_key(&i) {
                continue;
            }
            let conv = conv?;
            let s = summariser.clone();
            in_flight.spawn(async move {
                let r = s.summarise(&conv).await;
                (i, conv.id, r)
            });
        }
        let next = tokio::select! {
            biased;
            _ = cancel.cancelled() => None,
            r = in_flight.join_next() => r,
        };
        let Some(joined) = next else {
            break;
        };
        let (i, conv_id, result) =
            joined.map_err(|e| Error::Other(format!("summary task failed: {e}")))?;
        match result {
            Ok(mut summary) => {
                summary.conversation_id = conv_id;
                checkpoint::append_partial(
                    cps.as_ref(),
                    stage.name(),
                    &Partial {
                        k: key.to_string(),
                        i,
                        s: summary.clone(),
                    },
                )?;
                let _ = events.send(Event::Advanced { stage, n: 1 });
                let _ = events.send(Event::Preview {
                    stage,
                    text: summary.summary.clone(),
                });
                done.insert(i, summary);
            }
            Err(Error::Cancelled) => break,
            Err(e) => {
                failures += 1;
                let _ = events.send(Event::ItemFailed {
                    stage,
                    error: format!("conversation {}: {e}", i + 1),
                });
            }
        }
    }
    if cancel.is_cancelled() {
        in_flight.abort_all();
        return Err(Error::Cancelled);
    }
    if failures > 0 {
        return Err(Error::Llm(format!(
            "{failures} of {n} conversations could not be summarised (see the log); the other summaries are saved, rerun to retry the rest"
        )));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        match done.remove(&i) {
            Some(s) => out.push(s),
            None => {
                return Err(Error::Other(format!(
                    "summary {i} is missing after the stage"
                )));
            }
        }
    }
    checkpoint::save(cps.as_ref(), stage.name(), key, &out)?;
    cps.clear_partial(stage.name())?;
    let _ = events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok(out)
}
