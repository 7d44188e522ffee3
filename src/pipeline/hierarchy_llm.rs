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

use super::hierarchy::{LevelPlan, attach, dedupe_slugs, parent_centroids, plan_offline};
use super::naming::{self, GeneratedName};
use super::{Event, Stage, StageCtx};
use crate::cluster::{self, KMeansParams};
use crate::config::HierarchyConfig;
use crate::embed::BoxFuture;
use crate::error::{Error, Result};
use crate::model::{Cluster, Summary, slugify};
use crate::project::checkpoint;

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

/// Plans one level with the LLM; `None` means "use the fallback".
async fn plan_llm(
    llm: &Arc<dyn HierarchyLlm>,
    ctx: &StageCtx,
    current: &[Cluster],
    centroids: &Array2<f32>,
    target: usize,
    config: &HierarchyConfig,
    seed: u64,
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
        match llm
            .propose(texts, nearby, t, (t * 3).div_ceil(2).max(1))
            .await
        {
            Ok(names) => proposals.extend(names),
            Err(e) => {
                let _ = ctx.events.send(Event::ItemFailed {
                    stage: Stage::Hierarchy,
                    error: format!("proposing parents: {e}"),
                });
            }
        }
    }
    let proposals = clean_names(proposals, usize::MAX);
    if proposals.is_empty() {
        return Ok(None);
    }
    // 3. deduplicate across neighbourhoods.
    let max = (target * 6).div_ceil(5).max(1);
    let parents = match llm.dedupe(proposals.clone(), target, max).await {
        Ok(names) if !clean_names(names.clone(), max).is_empty() => clean_names(names, max),
        _ => clean_names(proposals, max),
    };
    // 4. assign each child.
    let mut set: JoinSet<(usize, Option<usize>)> = JoinSet::new();
    for (i, line) in lines.iter().enumerate() {
        let llm = llm.clone();
        let line = line.clone();
        let parents = parents.clone();
        let mut rng =
            rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ (i as u64).wrapping_mul(0x9E37_79B9));
        set.spawn(async move {
            for _ in 0..2 {
                let mut order: Vec<usize> = (0..parents.len()).collect();
                order.shuffle(&mut rng);
                let shown: Vec<String> = order.iter().map(|j| parents[*j].clone()).collect();
                if let Ok(answer) = llm.assign(line.clone(), shown).await
                    && let Some(j) = match_parent(&answer, &parents)
                {
                    return (i, Some(j));
                }
            }
            (i, None)
        });
    }
    let mut groups = vec![0usize; m];
    while let Some(joined) = set.join_next().await {
        let (i, j) = joined.map_err(|e| Error::Other(format!("assign task failed: {e}")))?;
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
        let name = match llm.rename(children.clone()).await {
            Ok(n) if !n.name.trim().is_empty() => n,
            _ => GeneratedName {
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

/// Runs (or loads) the hierarchy stage.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    ctx: &StageCtx,
    base: Vec<Cluster>,
    summaries: &[Summary],
    embeddings: &Array2<f32>,
    llm: Option<Arc<dyn HierarchyLlm>>,
    config: &HierarchyConfig,
    seed: u64,
    key: &str,
) -> Result<Vec<Cluster>> {
    let stage = Stage::Hierarchy;
    if let Some(c) = checkpoint::load::<Cluster>(ctx.cps.as_ref(), stage.name(), Some(key))? {
        let _ = ctx.events.send(Event::Finished {
            stage,
            cached: true,
        });
        return Ok(c);
    }
    let (noise, mut current): (Vec<Cluster>, Vec<Cluster>) =
        base.into_iter().partition(|c| c.noise);
    let targets = cluster::level_targets(current.len(), config.max_top_level);
    let levels = targets
        .len()
        .saturating_sub(1)
        .min(config.max_levels.max(1));
    let _ = ctx.events.send(Event::Started {
        stage,
        total: levels as u64,
        resumed: 0,
    });
    let mut level_rows = naming::rows_of(&current, summaries);
    let mut centroids = super::clusters::centroids(embeddings.view(), &level_rows);
    let mut all = Vec::new();
    let mut level = 0u32;
    let plan_targets = targets.iter().skip(1).take(levels).copied();
    // A last, deterministic step guarantees at most `max_top_level` roots
    // whatever the LLM answered.
    for (step, target) in plan_targets
        .chain(std::iter::once(config.max_top_level))
        .enumerate()
    {
        if current.len() <= config.max_top_level {
            break;
        }
        if ctx.cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        level += 1;
        let target = target.clamp(1, current.len() - 1);
        let plan = match &llm {
            Some(llm) if step < levels => {
                plan_llm(llm, ctx, &current, &centroids, target, config, seed).await?
            }
            _ => None,
        };
        let plan = match plan {
            Some(p) => p,
            None => {
                let rows_now = level_rows.clone();
                let ids: Vec<String> = current.iter().map(|c| c.id.clone()).collect();
                let texts = |c: &Cluster| -> Vec<String> {
                    ids.iter()
                        .position(|id| *id == c.id)
                        .map(|i| {
                            rows_now[i]
                                .iter()
                                .map(|r| summaries[*r].embedding_text())
                                .collect()
                        })
                        .unwrap_or_default()
                };
                plan_offline(&current, centroids.view(), target, &texts)?
            }
        };
        let counts: Vec<usize> = current.iter().map(|c| c.count).collect();
        let parents_n = plan.names.len();
        let new_centroids = parent_centroids(centroids.view(), &counts, &plan.groups, parents_n);
        let mut new_rows = vec![Vec::new(); parents_n];
        for (i, g) in plan.groups.iter().enumerate() {
            new_rows[*g].extend(level_rows[i].iter().copied());
        }
        let parents = attach(&mut current, &plan, level);
        let _ = ctx.events.send(Event::Advanced { stage, n: 1 });
        let _ = ctx.events.send(Event::Log {
            level: super::LogLevel::Info,
            message: format!("level {level}: {} clusters", parents.len()),
        });
        all.append(&mut current);
        current = parents;
        centroids = new_centroids;
        level_rows = new_rows;
    }
    all.append(&mut current);
    all.extend(noise);
    dedupe_slugs(&mut all);
    checkpoint::save(ctx.cps.as_ref(), stage.name(), key, &all)?;
    let _ = ctx.events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok(all)
}
