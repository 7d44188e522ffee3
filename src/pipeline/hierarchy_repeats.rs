//! Offline names that repeat a cluster above them, chosen again.
//!
//! Offline, each level is named bottom-up and a parent only avoids its
//! children's names, so a root can take the name of a small cluster two
//! levels down ("Latest news" for 1,972 conversations and again for 17 of
//! them, "Cover letter" for 82 and again for 22). Once the tree is built,
//! [`settle`] walks the levels from the top down, and a level holding such
//! a repeat is named again with the names above each of its clusters
//! banned: no name its parent's holds word for word or that holds the
//! parent's, and none of its further ancestors' names. The upper cluster
//! keeps its name (its phrase is the broader one, and its other options
//! are often pairs, "Pending and declined"), and the smaller one takes its
//! next option. Measured in `benches/RESULTS.md` (issue 11, stop 26).

use std::collections::HashMap;

use ndarray::Array2;

use super::hierarchy::{name_offline, rename};
use crate::model::{Cluster, Summary};
use crate::offline::naming::{Banned, normal};
use crate::offline::siblings::names_among_siblings;

/// One offline grouping step, as the hierarchy made it: `groups[i]` is the
/// parent of the `i`-th cluster of the level below, `rows[i]` its summary
/// rows, `centroids` its centroids (one row each).
pub(super) struct Step {
    pub groups: Vec<usize>,
    pub rows: Vec<Vec<usize>>,
    pub centroids: Array2<f32>,
}

/// What cluster `at` may not be named: its parent's name (nor one holding
/// it word for word, or held by it) and every ancestor's.
fn above(all: &[Cluster], by_id: &HashMap<String, usize>, at: usize) -> Banned {
    let mut banned = Banned::default();
    let mut up = all[at].parent.as_ref().and_then(|p| by_id.get(p));
    if let Some(&p) = up {
        banned.overlap(&all[p].name);
    }
    while let Some(&p) = up {
        banned.repeat(&all[p].name);
        up = all[p].parent.as_ref().and_then(|q| by_id.get(q));
    }
    banned
}

/// Whether a level of `n` clusters is the one `step` grouped (it always
/// is: the hierarchy appends each level in the order it grouped it). Were
/// it not, renaming would give clusters each other's names, so the level
/// keeps its names instead.
fn aligned(n: usize, step: &Step) -> bool {
    let same = n == step.groups.len() && n == step.rows.len() && n == step.centroids.nrows();
    debug_assert!(
        same,
        "a level of {n} clusters against a step of {}",
        step.groups.len()
    );
    same
}

/// Names again, top-down, every level of `all` where a cluster has the
/// name of a cluster above it (see the module doc). `steps[l]` is the
/// grouping of level `l` into level `l + 1`; `cache` each summary's text
/// and language.
pub(super) fn settle(
    all: &mut [Cluster],
    steps: &[Step],
    summaries: &[Summary],
    cache: &[(String, Option<&'static str>)],
) {
    let by_id: HashMap<String, usize> = all
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for level in (0..steps.len()).rev() {
        let at: Vec<usize> = (0..all.len())
            .filter(|&i| all[i].level as usize == level && !all[i].noise)
            .collect();
        let mut bans: Vec<Banned> = at.iter().map(|&i| above(all, &by_id, i)).collect();
        let mut repeats = false;
        for (&i, b) in at.iter().zip(&mut bans) {
            if b.repeats(&normal(&all[i].name)) {
                b.named_again();
                repeats = true;
            }
        }
        if !repeats {
            continue;
        }
        if level == 0 {
            let step = &steps[0];
            if !aligned(at.len(), step) {
                continue;
            }
            let names = names_among_siblings(summaries, &step.rows, &step.groups, &bans);
            for (&i, name) in at.iter().zip(names) {
                if all[i].name != name {
                    rename(&mut all[i], name, None);
                }
            }
            continue;
        }
        // Level `level` was named from the clusters below it by the plan of
        // step `level - 1`, whose parent `p` became `L{level}-{p}`.
        let step = &steps[level - 1];
        let children: Vec<Cluster> = all
            .iter()
            .filter(|c| c.level as usize == level - 1 && !c.noise)
            .cloned()
            .collect();
        if !aligned(children.len(), step) {
            continue;
        }
        let parents = step.groups.iter().max().map_or(0, |m| m + 1);
        let slot = |p: usize| by_id.get(&Cluster::cluster_id(level as u32, p)).copied();
        let by_plan: Vec<Banned> = (0..parents)
            .map(|p| {
                slot(p)
                    .and_then(|i| at.iter().position(|&a| a == i))
                    .map(|k| bans[k].clone())
                    .unwrap_or_default()
            })
            .collect();
        let plan = name_offline(
            &children,
            step.centroids.view(),
            step.groups.clone(),
            &step.rows,
            &by_plan,
            cache,
        );
        for (p, name) in plan.names.into_iter().enumerate() {
            if let Some(i) = slot(p)
                && all[i].name != name.name
            {
                rename(&mut all[i], name.name, Some(name.description));
            }
        }
    }
}
