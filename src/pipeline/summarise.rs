//! Stage 1: a summary with facets for every conversation, saved per record so
//! a killed run resumes where it stopped.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::failures::Failures;
use super::plan::StageInputs;
use super::{Event, LogLevel, Stage, StageCtx, cached, concurrent};
use crate::embed::BoxFuture;
use crate::error::{Error, Result};
use crate::model::{Conversation, Summary};
use crate::project::checkpoint;
use crate::project::store::Store;
use serde::{Deserialize, Serialize};

/// Turns one conversation into a [`Summary`]. The seam between the stage and
/// the LLM (or the offline extractive summariser).
pub trait Summariser: Send + Sync {
    /// Everything that changes the output (model, prompt, facets), for the
    /// checkpoint key.
    fn identity(&self) -> String;
    fn summarise<'a>(&'a self, conversation: &'a Conversation) -> BoxFuture<'a, Result<Summary>>;
}

/// One line of `summaries.partial.jsonl`. Version 1 files used the short
/// names `k`, `i` and `s`; they still read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialSummary {
    /// The key of the stage inputs the record was made under.
    #[serde(alias = "k")]
    pub key: String,
    /// Store position.
    #[serde(alias = "i")]
    pub index: usize,
    #[serde(alias = "s")]
    pub summary: Summary,
}

/// The partial summaries made under `key` for the first `n` conversations,
/// by store position (the first of duplicates wins). Unreadable lines are
/// reported as a warning.
pub fn load_partial(
    cps: &dyn checkpoint::CheckpointStore,
    key: &str,
    n: usize,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<usize, Summary>> {
    let stage = Stage::Summaries.name();
    let read = checkpoint::read_partial::<PartialSummary>(cps, stage)?;
    warnings.extend(read.problem(&cps.describe(&format!("{stage}.partial.jsonl"))));
    let mut done = BTreeMap::new();
    for p in read.records {
        if p.key == key && p.index < n {
            done.entry(p.index).or_insert(p.summary);
        }
    }
    Ok(done)
}

/// Runs (or resumes, or loads) the summaries of the first `n`
/// conversations; returns them with the checkpoint's digest.
pub async fn run(
    ctx: &StageCtx,
    store: &Store,
    n: usize,
    summariser: Arc<dyn Summariser>,
    inputs: &StageInputs,
) -> Result<(Vec<Summary>, String)> {
    let StageCtx { cps, events, .. } = ctx;
    let stage = Stage::Summaries;
    if let Some(done) = cached::records::<Summary>(ctx, inputs)? {
        return Ok(done);
    }
    let key = inputs.key();
    let mut warnings = Vec::new();
    let mut done = load_partial(cps.as_ref(), &key, n, &mut warnings)?;
    for message in warnings {
        let _ = events.send(Event::Log {
            level: LogLevel::Warn,
            message,
        });
    }
    let _ = events.send(Event::Started {
        stage,
        total: n as u64,
        resumed: done.len() as u64,
    });
    let mut failures = Failures::default();
    let mut fresh = BTreeMap::new();
    let todo = store
        .iter()?
        .enumerate()
        .take(n)
        .filter(|(i, _)| !done.contains_key(i))
        .map(|(i, conv)| conv.map(|c| (i, c)));
    concurrent::for_each(
        ctx,
        todo,
        |(i, conv)| {
            let s = summariser.clone();
            async move {
                let r = s.summarise(&conv).await;
                (i, conv.id, r)
            }
        },
        |(i, conv_id, result)| {
            match result {
                Ok(mut summary) => {
                    summary.conversation_id = conv_id;
                    checkpoint::append_partial(
                        cps.as_ref(),
                        stage.name(),
                        &PartialSummary {
                            key: key.clone(),
                            index: i,
                            summary: summary.clone(),
                        },
                    )?;
                    let _ = events.send(Event::Advanced { stage, n: 1 });
                    let _ = events.send(Event::Preview {
                        stage,
                        text: summary.summary.clone(),
                    });
                    fresh.insert(i, summary);
                }
                Err(Error::Cancelled) => return Err(Error::Cancelled),
                Err(e) => {
                    failures.add(&e);
                    let _ = events.send(Event::ItemFailed {
                        stage,
                        error: format!("conversation {} ({conv_id}): {e}", i + 1),
                    });
                }
            }
            Ok(())
        },
    )
    .await?;
    done.extend(fresh);
    if !failures.is_empty() {
        return Err(Error::Llm(format!(
            "{} of {n} conversations could not be summarised ({}); the other summaries are saved, rerun to retry the rest",
            failures.total(),
            failures.summary()
        )));
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        match done.remove(&i) {
            Some(s) => out.push(s),
            None => {
                return Err(Error::Internal(format!(
                    "summary {i} is missing after the stage"
                )));
            }
        }
    }
    let mut built_with = serde_json::Map::new();
    built_with.insert("summariser".into(), summariser.identity().into());
    built_with.insert("conversations".into(), n.into());
    let digest = checkpoint::save(
        cps.as_ref(),
        stage.name(),
        &inputs.meta(built_with, Vec::new()),
        &out,
    )?;
    cps.clear_partial(stage.name())?;
    let _ = events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok((out, digest))
}
