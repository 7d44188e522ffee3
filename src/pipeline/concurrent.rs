//! Bounded concurrency for the stages' independent LLM calls: summaries,
//! cluster names and the hierarchy's proposals, assignments and renames
//! all run through [`for_each`] (or [`map_ordered`]).
//!
//! At most `StageCtx::concurrency` items are in flight at once; the LLM
//! client's adaptive limiter then decides how many requests actually go
//! out, so this bound only has to be high enough never to serialise work
//! the client could run. Once the run is cancelled no new item starts, the
//! items in flight are dropped and the call returns [`Error::Cancelled`].
//! Each item runs as its own task, so the CPU work around a request
//! (rendering prompts, parsing answers) spreads over the runtime's threads.

use std::future::Future;

use tokio::task::JoinSet;

use super::StageCtx;
use crate::error::{Error, Result};

/// Runs `work` on every item, at most `ctx.concurrency` at once, and hands
/// each output to `done` in completion order. An item of `Err` (e.g. an
/// unreadable record), an error from `done` or a cancelled run stops the
/// whole call: nothing new starts and the work in flight is dropped.
pub async fn for_each<T, O, W, F, D>(
    ctx: &StageCtx,
    items: impl IntoIterator<Item = Result<T>>,
    mut work: W,
    mut done: D,
) -> Result<()>
where
    W: FnMut(T) -> F,
    F: Future<Output = O> + Send + 'static,
    O: Send + 'static,
    D: FnMut(O) -> Result<()>,
{
    let limit = ctx.concurrency.max(1);
    let mut items = items.into_iter();
    let mut in_flight: JoinSet<O> = JoinSet::new();
    let mut exhausted = false;
    loop {
        while !exhausted && in_flight.len() < limit && !ctx.cancel.is_cancelled() {
            match items.next() {
                Some(item) => {
                    in_flight.spawn(work(item?));
                }
                None => exhausted = true,
            }
        }
        let next = tokio::select! {
            biased;
            _ = ctx.cancel.cancelled() => None,
            r = in_flight.join_next() => r,
        };
        let Some(joined) = next else {
            break;
        };
        let output = joined.map_err(|e| Error::task("a stage task", e))?;
        done(output)?;
    }
    // Dropping the set aborts whatever is still running.
    if ctx.cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }
    Ok(())
}

/// Runs `work` on every item, at most `ctx.concurrency` at once, and
/// returns the outputs in the order of `items`, whatever order they
/// finished in. `each` sees every output as it arrives (for progress).
pub async fn map_ordered<T, O, W, F>(
    ctx: &StageCtx,
    items: Vec<T>,
    mut work: W,
    mut each: impl FnMut(&O),
) -> Result<Vec<O>>
where
    W: FnMut(T) -> F,
    F: Future<Output = O> + Send + 'static,
    O: Send + 'static,
{
    let mut out: Vec<Option<O>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for_each(
        ctx,
        items.into_iter().enumerate().map(Ok),
        |(i, item)| {
            let f = work(item);
            async move { (i, f.await) }
        },
        |(i, o)| {
            each(&o);
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(o);
            }
            Ok(())
        },
    )
    .await?;
    out.into_iter()
        .enumerate()
        .map(|(i, o)| {
            o.ok_or_else(|| Error::Internal(format!("stage item {i} produced no result")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::Semaphore;

    use super::*;
    use crate::pipeline::{Cancel, events};
    use crate::project::checkpoint::MemoryCheckpoints;

    fn ctx(concurrency: usize) -> StageCtx {
        StageCtx {
            cps: Arc::new(MemoryCheckpoints::default()),
            events: events::channel().0,
            cancel: Cancel::new(),
            concurrency,
            knn: crate::cluster::KnnMemo::new(),
        }
    }

    #[tokio::test]
    async fn outputs_keep_input_order_whatever_finishes_first() {
        let ctx = ctx(8);
        // Item i waits for item i + 1 to finish, so they finish in reverse.
        let (mut txs, mut rxs): (Vec<_>, Vec<_>) = (0..6)
            .map(|_| {
                let (tx, rx) = tokio::sync::oneshot::channel::<()>();
                (Some(tx), Some(rx))
            })
            .unzip();
        let mut finished = Vec::new();
        let out = map_ordered(
            &ctx,
            (0..6).collect::<Vec<usize>>(),
            |i| {
                let wait = if i < 5 { rxs[i].take() } else { None };
                let wake = if i > 0 { txs[i - 1].take() } else { None };
                async move {
                    if let Some(rx) = wait {
                        let _ = rx.await;
                    }
                    if let Some(tx) = wake {
                        let _ = tx.send(());
                    }
                    i * 10
                }
            },
            |o: &usize| finished.push(*o),
        )
        .await
        .unwrap();
        assert_eq!(out, vec![0, 10, 20, 30, 40, 50]);
        assert_eq!(finished, vec![50, 40, 30, 20, 10, 0]);
    }

    #[tokio::test]
    async fn never_more_than_the_bound_in_flight_and_the_bound_is_reached() {
        let ctx = ctx(3);
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        // Items hold a permit until all three slots are taken at once.
        let all_in = Arc::new(Semaphore::new(0));
        let out = map_ordered(
            &ctx,
            (0..9).collect::<Vec<u32>>(),
            |i| {
                let (now, most, all_in) = (now.clone(), most.clone(), all_in.clone());
                async move {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    if n == 3 {
                        all_in.add_permits(3);
                    }
                    if i < 3 {
                        let _ = all_in.acquire().await.map(|p| p.forget());
                    }
                    now.fetch_sub(1, Ordering::SeqCst);
                    i * 2
                }
            },
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(out, (0..9).map(|i| i * 2).collect::<Vec<u32>>());
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn cancelling_stops_new_work_and_reports_cancelled() {
        let ctx = ctx(2);
        let started = Arc::new(AtomicUsize::new(0));
        let cancel = ctx.cancel.clone();
        let r = for_each(
            &ctx,
            (0..100).map(Ok),
            |_: u32| {
                let (started, cancel) = (started.clone(), cancel.clone());
                async move {
                    if started.fetch_add(1, Ordering::SeqCst) == 3 {
                        cancel.cancel();
                    }
                }
            },
            |()| Ok(()),
        )
        .await;
        assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
        assert!(started.load(Ordering::SeqCst) < 10);
    }

    #[tokio::test]
    async fn a_bad_item_or_a_failing_consumer_stops_the_call() {
        let ctx = ctx(4);
        let items = vec![Ok(1), Ok(2), Err(Error::Llm("record 3 unreadable".into()))];
        let r = for_each(&ctx, items, |i: u32| async move { i }, |_| Ok(())).await;
        assert!(r.unwrap_err().to_string().contains("record 3 unreadable"));
        let r = for_each(
            &ctx,
            (0..5).map(Ok),
            |i: u32| async move { i },
            |i| {
                if i == 2 {
                    Err(Error::Llm("stop".into()))
                } else {
                    Ok(())
                }
            },
        )
        .await;
        assert!(r.unwrap_err().to_string().contains("stop"));
    }
}
