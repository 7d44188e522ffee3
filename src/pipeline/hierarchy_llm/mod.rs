//! The hierarchy stage, and Clio's LLM algorithm for one level:
//! 1. group the current clusters into neighbourhoods (k-means on their
//!    centroids);
//! 2. propose parent names per neighbourhood, with a target count that
//!    shrinks geometrically towards `max_top_level`, showing the nearest
//!    clusters outside it for contrast (`propose.rs`);
//! 3. deduplicate the proposals across neighbourhoods;
//! 4. assign each child to exactly one parent, from a shuffled list; an
//!    answer that is not one of the parents is retried once, then replaced
//!    by the parent whose name shares most words with the child (`assign.rs`);
//! 5. a level that collapsed below a third of its target is split back to
//!    its target (`shape.rs`);
//! 6. rename each parent from its actual children (`rename.rs`).
//!
//! With `[hierarchy] grouping = "embeddings"` steps 1–5 are replaced by
//! the offline grouping ([`crate::offline::hierarchy`]) and only step 6
//! asks the model: one round of calls per level instead of four.
//!
//! The independent calls of a step (proposals, assignments, renames) run
//! at once under the stage's bound ([`super::concurrent`]) and are merged
//! in input order, so a seed and a cache give the same tree whatever
//! order the answers arrive in.
//!
//! Termination is guaranteed: the loop runs over a fixed list of level
//! targets, and a level that fails to shrink (or whose LLM answers are
//! unusable) is grouped deterministically instead.

mod assign;
mod names;
mod propose;
mod rename;
mod shape;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use ndarray::Array2;

use super::failures::Failures;
use super::hierarchy::LevelPlan;
use super::naming::GeneratedName;
use super::{Event, Stage, StageCtx};
use crate::config::HierarchyConfig;
use crate::embed::BoxFuture;
use crate::error::{Error, Result};
use crate::model::Cluster;

pub use names::{clean_names, closest_parent, match_parent};
pub use propose::{NEARBY, nearest_outside};
pub use shape::collapsed;

/// The LLM calls the hierarchy needs (the seam).
pub trait HierarchyLlm: Send + Sync {
    fn identity(&self) -> String;
    /// Up to `max` (about `target`) parent names for `clusters`
    /// ("name: description" lines); `nearby` are clusters outside the
    /// neighbourhood, for context.
    fn propose<'a>(
        &'a self,
        clusters: Vec<String>,
        nearby: Vec<String>,
        target: usize,
        max: usize,
    ) -> BoxFuture<'a, Result<Vec<String>>>;
    /// Merges overlapping proposals into about `target` names.
    fn dedupe<'a>(
        &'a self,
        names: Vec<String>,
        target: usize,
        max: usize,
    ) -> BoxFuture<'a, Result<Vec<String>>>;
    /// Picks one of `parents` for `cluster`; the answer is checked by the caller.
    fn assign<'a>(&'a self, cluster: String, parents: Vec<String>)
    -> BoxFuture<'a, Result<String>>;
    /// Names a parent from its children's "name: description" lines.
    fn rename<'a>(&'a self, children: Vec<String>) -> BoxFuture<'a, Result<GeneratedName>>;
}

/// The hierarchy's LLM work that failed and fell back to a substitute,
/// over all levels. Any of it makes the stage incomplete.
#[derive(Debug, Default)]
pub(super) struct Gaps {
    proposals: (usize, Failures),
    dedupe: Failures,
    assignments: (usize, Failures),
    renames: (usize, Failures),
    levels: Vec<u32>,
}

impl Gaps {
    pub(super) fn items(&self) -> Vec<String> {
        let mut out = Vec::new();
        let counted = |out: &mut Vec<String>, (total, f): &(usize, Failures), what: &str| {
            if !f.is_empty() {
                out.push(format!("{} of {total} {what} ({})", f.total(), f.summary()));
            }
        };
        counted(&mut out, &self.proposals, "parent proposals failed");
        if !self.dedupe.is_empty() {
            out.push(format!(
                "merging proposals failed {} times ({}); the proposals were used as they were",
                self.dedupe.total(),
                self.dedupe.summary()
            ));
        }
        counted(
            &mut out,
            &self.assignments,
            "assignments failed and used word overlap instead",
        );
        counted(
            &mut out,
            &self.renames,
            "parent renames failed and kept their fallback name (the proposal, or the offline name)",
        );
        for l in &self.levels {
            out.push(format!(
                "level {l} fell back to agglomeration (every proposal failed)"
            ));
        }
        out
    }
}

/// One level to plan: what every step reads.
pub(super) struct Level<'a> {
    pub llm: &'a Arc<dyn HierarchyLlm>,
    pub ctx: &'a StageCtx,
    /// The clusters to group (no noise).
    pub current: &'a [Cluster],
    /// Their unit-length centroids, row per cluster.
    pub centroids: &'a Array2<f32>,
    /// How many parents this level should have.
    pub target: usize,
    pub config: &'a HierarchyConfig,
    pub seed: u64,
    /// The level being built (1 for the parents of the base clusters).
    pub level: u32,
}

fn item_failed(job: &Level, what: &str, e: &Error) {
    let _ = job.ctx.events.send(Event::ItemFailed {
        stage: Stage::Hierarchy,
        error: format!("level {}: {what}: {e}", job.level),
    });
}

/// Plans one level with the LLM; `None` means "use the fallback". Failed
/// calls are reported and recorded in `gaps`.
pub(super) async fn plan_llm(job: &Level<'_>, gaps: &mut Gaps) -> Result<Option<LevelPlan>> {
    let m = job.current.len();
    let lines: Vec<String> = job.current.iter().map(names::describe).collect();
    let hoods = propose::neighbourhoods(job)?;
    let (proposals, failed) = propose::propose(job, &lines, &hoods, gaps).await?;
    if proposals.is_empty() {
        if failed > 0 {
            gaps.levels.push(job.level);
        }
        return Ok(None);
    }
    let parents = propose::merge(job, proposals, gaps).await?;
    let mut grouping = assign::assign(job, &lines, &parents, gaps).await?;
    if shape::collapsed(grouping.labels.len(), job.target) {
        let answered = grouping.labels.len();
        let counts: Vec<usize> = job.current.iter().map(|c| c.count).collect();
        shape::split_largest(
            &mut grouping,
            job.centroids.view(),
            &counts,
            job.target,
            job.seed,
        )?;
        let _ = job.ctx.events.send(Event::Log {
            level: super::LogLevel::Info,
            message: format!(
                "hierarchy level {}: the model grouped {m} clusters into {answered} \
                 (target {}); split the largest into {}",
                job.level,
                job.target,
                grouping.labels.len()
            ),
        });
    }
    if grouping.labels.len() >= m {
        return Ok(None); // no shrink: fall back
    }
    rename::rename(job, &lines, grouping, gaps).await.map(Some)
}

/// Names the parents of a level the embeddings grouped
/// (`[hierarchy] grouping = "embeddings"`): one rename per parent, all at
/// once; `fallback` makes the offline names, kept for any rename that
/// fails (and only called then).
pub(super) async fn name_llm(
    job: &Level<'_>,
    groups: Vec<usize>,
    fallback: impl FnOnce(&[usize]) -> Vec<GeneratedName>,
    gaps: &mut Gaps,
) -> Result<LevelPlan> {
    let parents = groups.iter().max().map_or(0, |m| m + 1);
    rename::name_groups(job, groups, parents, fallback, gaps).await
}
