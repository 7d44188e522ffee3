//! The hierarchy stage, and Clio's LLM algorithm for one level:
//! 1. group the current clusters into neighbourhoods (k-means on their
//!    centroids);
//! 2. propose parent names per neighbourhood, with a target count that
//!    shrinks geometrically towards `max_top_level`;
//! 3. deduplicate the proposals across neighbourhoods;
//! 4. assign each child to exactly one parent, from a shuffled list; an
//!    answer that is not one of the parents is retried once, then replaced
//!    by the parent whose name shares most words with the child;
//! 5. rename each parent from its actual children.
//!
//! Termination is guaranteed: the loop runs over a fixed list of level
//! targets, and a level that fails to shrink (or whose LLM answers are
//! unusable) is grouped deterministically instead.

use std::collections::HashSet;
use std::sync::Arc;

use ndarray::Array2;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use tokio::task::JoinSet;

use super::failures::Failures;
use super::hierarchy::LevelPlan;
use super::naming::GeneratedName;
use super::{Event, Stage, StageCtx};
use crate::cluster::{self, KMeansParams};
use crate::config::HierarchyConfig;
use crate::embed::BoxFuture;
use crate::error::{Error, Result};
use crate::model::{Cluster, slugify};

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

fn norm(s: &str) -> String {
    s.trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '`')
        .trim_end_matches('.')
        .trim()
        .to_lowercase()
}

fn words(s: &str) -> HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
        .collect()
}

/// Cleans a list of names: trimmed, non-empty, unique (case-insensitive).
pub fn clean_names(names: Vec<String>, max: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    names
        .into_iter()
        .map(|n| {
            n.trim()
                .trim_matches('"')
                .trim_end_matches('.')
                .trim()
                .to_string()
        })
        .filter(|n| !n.is_empty() && n.chars().count() <= 200)
        .filter(|n| seen.insert(n.to_lowercase()))
        .take(max.max(1))
        .collect()
}

/// The parent an answer names, if it names one.
pub fn match_parent(answer: &str, parents: &[String]) -> Option<usize> {
    let a = norm(answer);
    parents.iter().position(|p| norm(p) == a)
}

/// Deterministic fallback: the parent sharing most words with the child
/// (ties to the first).
pub fn closest_parent(child: &str, parents: &[String]) -> usize {
    let cw = words(child);
    let mut best = (0usize, 0usize);
    for (i, p) in parents.iter().enumerate() {
        let score = words(p).intersection(&cw).count();
        if score > best.1 {
            best = (i, score);
        }
    }
    best.0
}

fn describe(c: &Cluster) -> String {
    if c.description.is_empty() {
        c.name.clone()
    } else {
        format!("{}: {}", c.name, c.description)
    }
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
            "parent renames failed and kept the proposed name",
        );
        for l in &self.levels {
            out.push(format!(
                "level {l} fell back to agglomeration (every proposal failed)"
            ));
        }
        out
    }
}

fn item_failed(ctx: &StageCtx, what: &str, e: &Error) {
    let _ = ctx.events.send(Event::ItemFailed {
        stage: Stage::Hierarchy,
        error: format!("{what}: {e}"),
    });
}

/// Plans one level with the LLM; `None` means "use the fallback". Failed
/// calls are reported and recorded in `gaps`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn plan_llm(
    llm: &Arc<dyn HierarchyLlm>,
    ctx: &StageCtx,
    current: &[Cluster],
    centroids: &Array2<f32>,
    target: usize,
    config: &HierarchyConfig,
    seed: u64,
    level: u32,
    gaps: &mut Gaps,
) -> Result<Option<LevelPlan>> {
    let m = current.len();
    let hoods = m.div_ceil(config.neighbourhood_size.max(2)).clamp(1, m);
    let labels = if hoods > 1 {
        let mut p = KMeansParams::new(hoods);
        p.seed = seed;
        cluster::kmeans(centroids.view(), &p)?.labels
    } else {
        vec![0; m]
    };
    let lines: Vec<String> = current.iter().map(describe).collect();
    // 2. propose per neighbourhood.
    let mut proposals = Vec::new();
    let mut failed_proposals = 0;
    for h in 0..hoods {
        let members: Vec<usize> = (0..m).filter(|i| labels[*i] == h).collect();
        if members.is_empty() {
            continue;
        }
        let share = ((target * members.len()) as f64 / m as f64).round() as usize;
        let t = share.clamp(1, members.len());
        let nearby: Vec<String> = (0..m)
            .filter(|i| labels[*i] != h)
            .take(5)
            .map(|i| lines[i].clone())
            .collect();
        let texts: Vec<String> = members.iter().map(|i| lines[*i].clone()).collect();
        gaps.proposals.0 += 1;
        match llm
            .propose(texts, nearby, t, (t * 3).div_ceil(2).max(1))
            .await
        {
            Ok(names) => proposals.extend(names),
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => {
                failed_proposals += 1;
                gaps.proposals.1.add(&e);
                item_failed(ctx, &format!("level {level}: proposing parents"), &e);
            }
        }
    }
    let proposals = clean_names(proposals, usize::MAX);
    if proposals.is_empty() {
        if failed_proposals > 0 {
            gaps.levels.push(level);
        }
        return Ok(None);
    }
    // 3. deduplicate across neighbourhoods.
    let max = (target * 6).div_ceil(5).max(1);
    let parents = match llm.dedupe(proposals.clone(), target, max).await {
        Ok(names) if !clean_names(names.clone(), max).is_empty() => clean_names(names, max),
        Err(Error::Cancelled) => return Err(Error::Cancelled),
        Err(e) => {
            gaps.dedupe.add(&e);
            item_failed(ctx, &format!("level {level}: merging proposals"), &e);
            clean_names(proposals, max)
        }
        Ok(_) => clean_names(proposals, max),
    };
    // 4. assign each child.
    let mut set: JoinSet<(usize, Option<usize>, Option<Error>)> = JoinSet::new();
    for (i, line) in lines.iter().enumerate() {
        let llm = llm.clone();
        let line = line.clone();
        let parents = parents.clone();
        let mut rng =
            rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9));
        set.spawn(async move {
            let mut failure = None;
            for _ in 0..2 {
                let mut order: Vec<usize> = (0..parents.len()).collect();
                order.shuffle(&mut rng);
                let shown: Vec<String> = order.iter().map(|j| parents[*j].clone()).collect();
                match llm.assign(line.clone(), shown).await {
                    Ok(answer) => {
                        if let Some(j) = match_parent(&answer, &parents) {
                            return (i, Some(j), None);
                        }
                    }
                    Err(e) => failure = Some(e),
                }
            }
            (i, None, failure)
        });
    }
    let mut groups = vec![0usize; m];
    gaps.assignments.0 += m;
    while let Some(joined) = set.join_next().await {
        let (i, j, failure) =
            joined.map_err(|e| Error::Other(format!("assign task failed: {e}")))?;
        match failure {
            Some(Error::Cancelled) => return Err(Error::Cancelled),
            Some(e) => {
                gaps.assignments.1.add(&e);
                item_failed(
                    ctx,
                    &format!("level {level}: assigning {}", current[i].name),
                    &e,
                );
            }
            None => {}
        }
        groups[i] = j.unwrap_or_else(|| closest_parent(&lines[i], &parents));
    }
    // Renumber used parents compactly, in order of first use.
    let mut remap = vec![usize::MAX; parents.len()];
    let mut used = Vec::new();
    for g in groups.iter_mut() {
        if remap[*g] == usize::MAX {
            remap[*g] = used.len();
            used.push(*g);
        }
        *g = remap[*g];
    }
    if used.len() >= m {
        return Ok(None); // no shrink: fall back
    }
    // 5. rename each parent from its actual children.
    let mut names = Vec::with_capacity(used.len());
    for (p, orig) in used.iter().enumerate() {
        let children: Vec<String> = (0..m)
            .filter(|i| groups[*i] == p)
            .map(|i| lines[i].clone())
            .collect();
        gaps.renames.0 += 1;
        let renamed = match llm.rename(children.clone()).await {
            Ok(n) if !n.name.trim().is_empty() => Some(n),
            Ok(_) => None,
            Err(Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => {
                gaps.renames.1.add(&e);
                item_failed(
                    ctx,
                    &format!("level {level}: renaming {}", parents[*orig]),
                    &e,
                );
                None
            }
        };
        let name = match renamed {
            Some(n) => n,
            None => GeneratedName {
                name: parents[*orig].clone(),
                description: format!("Groups {} related clusters.", children.len()),
                slug: slugify(&parents[*orig], 4),
            },
        };
        let _ = ctx.events.send(Event::Preview {
            stage: Stage::Hierarchy,
            text: name.name.clone(),
        });
        names.push(name);
    }
    Ok(Some(LevelPlan { groups, names }))
}
