//! Stage 5: meta-clusters, built bottom-up level by level until at most
//! `max_top_level` roots remain. Level sizes follow a geometric sequence
//! from the base count ([`cluster::level_targets`]).
//!
//! Offline, each level agglomerates the cluster centroids and names the
//! groups from their members' summaries ([`crate::offline::hierarchy`]). The
//! LLM path ([`super::hierarchy_llm`]) follows Clio and falls back to the
//! same deterministic grouping for any level that fails to shrink, so the
//! loop always ends with a valid tree. With `[hierarchy] grouping =
//! "embeddings"` the LLM path groups like the offline one and the model
//! only names the parents.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use ndarray::{Array2, ArrayView2};

use super::hierarchy_llm::{Gaps, HierarchyLlm, Level, name_llm, plan_llm};
use super::hierarchy_repeats::{Step, settle};
use super::naming::{self, GeneratedName};
use super::plan::StageInputs;
use super::{Corpus, Event, LogLevel, Stage, StageCtx, cached, clusters};
use crate::cluster;
use crate::config::HierarchyConfig;
use crate::error::{Error, Result};
use crate::model::Cluster;
pub use crate::offline::hierarchy::plan_offline;
use crate::offline::hierarchy::{MemberText, group_offline, member_text_cache, name_parents};
use crate::offline::naming::Banned;
use crate::offline::term_profile;
use crate::project::checkpoint;

/// One level's worth of grouping: `groups[i]` is the parent index of child
/// `i`, `names[p]` the parent's name.
pub struct LevelPlan {
    pub groups: Vec<usize>,
    pub names: Vec<GeneratedName>,
}

/// Unit-length weighted mean of child centroids, per parent.
pub fn parent_centroids(
    child: ArrayView2<f32>,
    counts: &[usize],
    groups: &[usize],
    parents: usize,
) -> Array2<f32> {
    let mut out = Array2::<f32>::zeros((parents, child.ncols()));
    for (i, g) in groups.iter().enumerate() {
        let w = counts.get(i).copied().unwrap_or(1).max(1) as f32;
        let mut row = out.row_mut(*g);
        row.scaled_add(w, &child.row(i));
    }
    for mut row in out.rows_mut() {
        let n = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if n > 0.0 {
            row.mapv_inplace(|x| x / n);
        }
    }
    out
}

/// Adds one level of parents above `current` (which must not contain noise)
/// following `plan`; returns the parents.
pub fn attach(current: &mut [Cluster], plan: &LevelPlan, level: u32) -> Vec<Cluster> {
    let parents = plan.names.len();
    let mut out: Vec<Cluster> = (0..parents)
        .map(|p| Cluster {
            id: Cluster::cluster_id(level, p),
            name: plan.names[p].name.clone(),
            original_name: None,
            description: plan.names[p].description.clone(),
            slug: plan.names[p].slug.clone(),
            level,
            parent: None,
            children: Vec::new(),
            members: Vec::new(),
            count: 0,
            noise: false,
        })
        .collect();
    for (c, g) in current.iter_mut().zip(&plan.groups) {
        c.parent = Some(out[*g].id.clone());
        out[*g].children.push(c.id.clone());
        out[*g].count += c.count;
    }
    // Children largest first; drop parents that got no children.
    let counts: std::collections::HashMap<String, usize> =
        current.iter().map(|c| (c.id.clone(), c.count)).collect();
    for p in &mut out {
        p.children
            .sort_by(|a, b| counts[b].cmp(&counts[a]).then_with(|| a.cmp(b)));
    }
    out.retain(|p| !p.children.is_empty());
    out
}

/// Offline, once the base clusters' parents are known: each base cluster
/// is named again so that it reads differently from its siblings
/// ([`crate::offline::siblings`]); `groups[i]` is cluster `i`'s parent.
fn rename_among_siblings(
    current: &mut [Cluster],
    summaries: &[crate::model::Summary],
    rows: &[Vec<usize>],
    groups: &[usize],
) {
    let names = crate::offline::siblings::names_among_siblings(summaries, rows, groups, &[]);
    for (c, name) in current.iter_mut().zip(names) {
        if c.name != name {
            rename(c, name, None);
        }
    }
}

/// Gives `c` a new name (and slug), and a new description when given.
pub(super) fn rename(c: &mut Cluster, name: String, description: Option<String>) {
    c.slug = crate::model::slugify(&name, 5);
    c.name = name;
    if let Some(d) = description {
        c.description = d;
    }
}

/// Names the parents `groups` makes of `current` offline, from the texts
/// of their members (`rows[i]`: the summary rows of cluster `i`); `above[p]`
/// bans names for parent `p` (empty while the levels above do not exist).
pub(super) fn name_offline(
    current: &[Cluster],
    centroids: ArrayView2<f32>,
    groups: Vec<usize>,
    rows: &[Vec<usize>],
    above: &[Banned],
    cache: &[(String, Option<&'static str>)],
) -> LevelPlan {
    let position: HashMap<&str, usize> = current
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let texts = |c: &Cluster| -> Vec<MemberText<'_>> {
        position
            .get(c.id.as_str())
            .map(|&i| {
                rows[i]
                    .iter()
                    .filter_map(|r| cache.get(*r))
                    .map(|(t, l)| (t.as_str(), *l))
                    .collect()
            })
            .unwrap_or_default()
    };
    name_parents(current, centroids, groups, above, &texts)
}

/// Makes every slug unique across all levels.
pub fn dedupe_slugs(all: &mut [Cluster]) {
    let mut taken = std::collections::HashSet::new();
    for c in all.iter_mut() {
        let s = crate::model::unique_slug(&c.slug, &taken);
        taken.insert(s.clone());
        c.slug = s;
    }
}

/// What the hierarchy stage produced.
#[derive(Debug, Clone)]
pub struct Built {
    /// Every level's clusters, base clusters first, noise last.
    pub clusters: Vec<Cluster>,
    /// The checkpoint's digest.
    pub digest: String,
    /// LLM work that fell back (empty when all of it succeeded).
    pub incomplete: Vec<String>,
}

/// Runs (or loads) the hierarchy stage.
pub async fn run(
    ctx: &StageCtx,
    corpus: Corpus<'_>,
    base: Vec<Cluster>,
    llm: Option<Arc<dyn HierarchyLlm>>,
    config: &HierarchyConfig,
    inputs: &StageInputs,
) -> Result<Built> {
    let Corpus {
        summaries,
        embeddings,
        seed,
    } = corpus;
    let stage = Stage::Hierarchy;
    if let Some((clusters, digest)) = cached::records::<Cluster>(ctx, inputs)? {
        return Ok(Built {
            clusters,
            digest,
            incomplete: Vec::new(),
        });
    }
    let mut gaps = Gaps::default();
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
    let mut centroids = clusters::centroids(embeddings.view(), &level_rows);
    // When the embeddings group the levels (offline, or with `grouping =
    // "embeddings"`), clusters are grouped by their centroids beside their
    // term profiles (`space`); the centroids alone still describe the groups.
    let embeddings_group = llm.is_none() || !config.llm_groups();
    let mut space = if embeddings_group {
        let profiles = term_profile::profiles(summaries, &level_rows);
        term_profile::grouping_space(centroids.view(), profiles.view())
    } else {
        centroids.clone()
    };
    let mut all = Vec::new();
    let mut level = 0u32;
    // Grouped that way, the top level is chosen first from the base clusters;
    // each level in between keeps its groups apart (`apart[i]`: the
    // top-level group of cluster `i`).
    let mut apart = if embeddings_group && current.len() > config.max_top_level {
        let counts: Vec<usize> = current.iter().map(|c| c.count).collect();
        let last = targets.last().copied().unwrap_or(config.max_top_level);
        crate::offline::hierarchy::top_partition(space.view(), &counts, last)?
    } else {
        vec![0; current.len()]
    };
    let plan_targets = targets.iter().skip(1).take(levels).copied();
    // Offline, each summary's text and language, once for every level.
    let member_texts: OnceLock<Vec<(String, Option<&'static str>)>> = OnceLock::new();
    // Offline, each grouping step, to name levels again once all exist.
    let mut steps: Vec<Step> = Vec::new();
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
        let plan = match llm.as_ref().filter(|_| step < levels) {
            None => {
                let groups = group_offline(&current, space.view(), target, &apart)?;
                if level == 1 && llm.is_none() {
                    rename_among_siblings(&mut current, summaries, &level_rows, &groups);
                }
                name_offline(
                    &current,
                    centroids.view(),
                    groups,
                    &level_rows,
                    &[],
                    member_texts.get_or_init(|| member_text_cache(summaries)),
                )
            }
            Some(llm) => {
                let job = Level {
                    llm,
                    ctx,
                    current: &current,
                    centroids: &centroids,
                    target,
                    config,
                    seed,
                    level,
                };
                let planned = if config.llm_groups() {
                    plan_llm(&job, &mut gaps).await?
                } else {
                    None
                };
                match planned {
                    Some(plan) => plan,
                    None => {
                        let groups = group_offline(&current, space.view(), target, &apart)?;
                        let offline = |groups: &[usize]| {
                            name_offline(
                                &current,
                                centroids.view(),
                                groups.to_vec(),
                                &level_rows,
                                &[],
                                member_texts.get_or_init(|| member_text_cache(summaries)),
                            )
                            .names
                        };
                        // A level Clio's method could not shrink keeps the
                        // offline names; grouped from the embeddings, the
                        // model names it, and the offline names are made
                        // only for renames that fail.
                        if config.llm_groups() {
                            let names = offline(&groups);
                            LevelPlan { groups, names }
                        } else {
                            name_llm(&job, groups, offline, &mut gaps).await?
                        }
                    }
                }
            }
        };
        let counts: Vec<usize> = current.iter().map(|c| c.count).collect();
        let parents_n = plan.names.len();
        let new_centroids = parent_centroids(centroids.view(), &counts, &plan.groups, parents_n);
        let new_space = parent_centroids(space.view(), &counts, &plan.groups, parents_n);
        let mut new_rows = vec![Vec::new(); parents_n];
        for (i, g) in plan.groups.iter().enumerate() {
            new_rows[*g].extend(level_rows[i].iter().copied());
        }
        let mut parent_apart = vec![0; parents_n];
        for (g, a) in plan.groups.iter().zip(&apart) {
            parent_apart[*g] = *a;
        }
        let parents = attach(&mut current, &plan, level);
        let _ = ctx.events.send(Event::Advanced { stage, n: 1 });
        let _ = ctx.events.send(Event::Log {
            level: super::LogLevel::Info,
            message: format!("level {level}: {} clusters", parents.len()),
        });
        all.append(&mut current);
        current = parents;
        let rows = std::mem::replace(&mut level_rows, new_rows);
        let below = std::mem::replace(&mut centroids, new_centroids);
        if llm.is_none() {
            steps.push(Step {
                groups: plan.groups,
                rows,
                centroids: below,
            });
        }
        space = new_space;
        apart = parent_apart;
    }
    all.append(&mut current);
    if llm.is_none() && !steps.is_empty() {
        let cache = member_texts.get_or_init(|| member_text_cache(summaries));
        settle(&mut all, &steps, summaries, cache);
    }
    let folded = super::hierarchy_chains::collapse(&mut all);
    if folded > 0 {
        let _ = ctx.events.send(Event::Log {
            level: LogLevel::Info,
            message: format!(
                "hierarchy: {folded} parents with a single child folded into that child (each held the same conversations)"
            ),
        });
    }
    super::hierarchy_dominance::note_base_roots(&mut all, summaries, embeddings.view());
    all.extend(noise);
    dedupe_slugs(&mut all);
    let incomplete = gaps.items();
    let model = llm.as_ref().map_or_else(
        || super::plan::OFFLINE_HIERARCHY.to_string(),
        |l| l.identity(),
    );
    let mut built_with = serde_json::Map::new();
    built_with.insert("model".into(), model.into());
    built_with.insert("levels".into(), level.into());
    if llm.is_some() {
        let grouping = if config.llm_groups() {
            "llm"
        } else {
            "embeddings"
        };
        built_with.insert("grouping".into(), grouping.into());
    }
    built_with.insert(
        "top_level".into(),
        all.iter()
            .filter(|c| c.parent.is_none() && !c.noise)
            .count()
            .into(),
    );
    let digest = checkpoint::save(
        ctx.cps.as_ref(),
        stage.name(),
        &inputs.meta(built_with, incomplete.clone()),
        &all,
    )?;
    if !incomplete.is_empty() {
        let _ = ctx.events.send(Event::Log {
            level: LogLevel::Warn,
            message: format!(
                "hierarchy: incomplete: {}; the next run redoes it",
                incomplete.join("; ")
            ),
        });
    }
    let _ = ctx.events.send(Event::Finished {
        stage,
        cached: false,
    });
    Ok(Built {
        clusters: all,
        digest,
        incomplete,
    })
}
