//! The offline hierarchy. The top level is chosen first
//! ([`top_partition`]): the base clusters are grouped into twice as many
//! groups as the top level will have, and those into the top level; then
//! the levels in between are built bottom-up, one at a time, never
//! mixing two top-level groups, and the last step takes the top level as
//! chosen. Each grouping is Ward's criterion on unit centroids (the
//! caller passes each embedding centroid beside the cluster's term
//! profile, [`super::term_profile`]), each weighted by the square root of
//! its size, refined by size-weighted spherical k-means from that start
//! ([`cluster::refine_partition`]); no group may pass [`MAX_SHARE`] of
//! the conversations while another choice exists, so one catch-all cannot
//! swallow the top level. Each group is
//! named from its members' summaries, never with a child's name; before
//! the first level is named, the base clusters are named again against
//! their siblings ([`super::siblings`]).
//!
//! Why these choices (measured with `kura-tui eval` on the demo, hwu64,
//! sgd and banking77, with the lexical and MiniLM embedders; see
//! `benches/RESULTS.md`): centroid and average linkage chain into one
//! group holding most conversations; unweighted Ward ignores sizes and
//! left a 47% catch-all on the demo; Ward weighted by full size helped
//! MiniLM but hurt the lexical embedder; square-root weights with the
//! k-means refinement were the best or close to it on all eight. Building
//! the top level from the level below it (about four times its size)
//! lost more than choosing it from the base clusters through a step of
//! twice its size, which raised the top level's NMI on all four data
//! sets with the lexical embedder; size-weighted k-means with k-means++
//! starts, on unit or on plain mean centroids, did worse than Ward.

use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;

use super::naming::{self, Member};
use crate::cluster::{self, Linkage};
use crate::error::Result;
use crate::model::{Cluster, Summary};
use crate::pipeline::hierarchy::{LevelPlan, parent_centroids};

/// Part of checkpoint keys: changes whenever the offline hierarchy would.
pub const IDENTITY: &str = "offline-top-first-ward-sqrt-spherical-v13-terms-central-names-bridges-distinct-names-not-above";
/// How many groups the step below the top has, per top-level group, when
/// the top level is chosen ([`top_partition`]).
const MIDDLE_FACTOR: usize = 2;
/// Passes of the refinement, at most.
const REFINE_ITERATIONS: usize = 30;
/// Largest share of conversations one group may take while another merge
/// is possible.
pub const MAX_SHARE: f64 = 0.35;

/// A member's text to name from, with its detected language.
pub type MemberText<'a> = (&'a str, Option<&'static str>);

/// Every summary's text to name parents from, with its detected language,
/// computed once for all the levels of a hierarchy.
pub fn member_text_cache(summaries: &[Summary]) -> Vec<(String, Option<&'static str>)> {
    summaries
        .par_iter()
        .map(|s| {
            let text = s.embedding_text();
            let language = super::language::detect(&text);
            (text, language)
        })
        .collect()
}

/// Deterministic grouping of `current` into `target` parents, named from
/// their members' texts (`member_texts`): [`group_offline`], then
/// [`name_parents`].
pub fn plan_offline<'a>(
    current: &[Cluster],
    centroids: ArrayView2<f32>,
    target: usize,
    apart: &[usize],
    member_texts: &dyn Fn(&Cluster) -> Vec<MemberText<'a>>,
) -> Result<LevelPlan> {
    let groups = group_offline(current, centroids, target, apart)?;
    Ok(name_parents(current, centroids, groups, &[], member_texts))
}

/// The parent of each cluster of `current` among `target` parents.
/// Clusters with different `apart` labels (one per cluster) never share a
/// parent while `target` allows; when there are exactly `target` labels,
/// they are the parents.
pub fn group_offline(
    current: &[Cluster],
    centroids: ArrayView2<f32>,
    target: usize,
    apart: &[usize],
) -> Result<Vec<usize>> {
    let target = target.clamp(1, current.len().max(1));
    let weights: Vec<f64> = current.iter().map(|c| c.count.max(1) as f64).collect();
    // Labels that do not match the clusters (one per cluster) keep nothing apart.
    let labels = if apart.len() == current.len() {
        cluster::renumber(apart)
    } else {
        vec![0; current.len()]
    };
    let distinct = labels.iter().max().map_or(0, |m| m + 1);
    if distinct == target {
        Ok(labels)
    } else {
        ward_refined(centroids, &weights, target, &labels)
    }
}

/// Names the parents `groups` makes of `current` from their members' texts
/// (`member_texts`), never with a child's name (nor one that holds it word
/// for word) nor with a name `above[p]` bans for parent `p` (the names of
/// the clusters above it, when known); a parent holding more than
/// [`MAX_SHARE`] of the conversations says so in its description.
pub fn name_parents<'a>(
    current: &[Cluster],
    centroids: ArrayView2<f32>,
    groups: Vec<usize>,
    above: &[naming::Banned],
    member_texts: &dyn Fn(&Cluster) -> Vec<MemberText<'a>>,
) -> LevelPlan {
    let weights: Vec<f64> = current.iter().map(|c| c.count.max(1) as f64).collect();
    let parents = groups.iter().max().map_or(0, |m| m + 1);
    let members: Vec<Member<'a>> = current
        .iter()
        .zip(&groups)
        .flat_map(|(c, g)| {
            member_texts(c).into_iter().map(|(text, language)| Member {
                group: *g,
                text,
                language,
            })
        })
        .collect();
    let mut avoid: Vec<naming::Banned> = (0..parents)
        .map(|p| above.get(p).cloned().unwrap_or_default())
        .collect();
    for (c, g) in current.iter().zip(&groups) {
        avoid[*g].overlap(&c.name);
    }
    let mut names = naming::name_groups(&members, parents, &avoid);
    let total: f64 = weights.iter().sum();
    for (p, name) in names.iter_mut().enumerate() {
        if name.name.contains(naming::OTHER) {
            name.description.push(' ');
            name.description
                .push_str(&largest_parts(current, &groups, p));
        }
        let weight: f64 = weights
            .iter()
            .zip(&groups)
            .filter(|(_, g)| **g == p)
            .map(|(w, _)| w)
            .sum();
        if total > 0.0 && weight / total > MAX_SHARE {
            name.description.push(' ');
            name.description.push_str(&dominance_note(
                centroids,
                &weights,
                &groups,
                p,
                weight / total,
                "parts",
            ));
        }
    }
    LevelPlan { groups, names }
}

/// A sentence naming the largest children of parent `p`, for a parent
/// whose conversations share no phrase: "Its largest parts: “Recipes”
/// (977), “Birthday reminders” (304) and “Cancel” (293)."
fn largest_parts(current: &[Cluster], groups: &[usize], p: usize) -> String {
    let mut kids: Vec<&Cluster> = current
        .iter()
        .zip(groups)
        .filter(|(_, g)| **g == p)
        .map(|(c, _)| c)
        .collect();
    kids.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
    let parts: Vec<String> = kids
        .iter()
        .take(3)
        .map(|c| format!("“{}” ({})", c.name, c.count))
        .collect();
    let listed = match parts.as_slice() {
        [] => return String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let word = if parts.len() == 1 { "part" } else { "parts" };
    format!("Its largest {word}: {listed}.")
}

/// Ward on square-root-weighted unit centroids, cut at `target` groups
/// keeping rows with different `apart` labels apart, then refined by
/// size-weighted spherical k-means passes; both honour [`MAX_SHARE`].
fn ward_refined(
    centroids: ArrayView2<f32>,
    weights: &[f64],
    target: usize,
    apart: &[usize],
) -> Result<Vec<usize>> {
    let roots: Vec<f64> = weights.iter().map(|w| w.sqrt()).collect();
    let start = cluster::agglomerate_weighted(
        centroids,
        &roots,
        weights,
        target,
        Linkage::Ward,
        MAX_SHARE,
        apart,
    )?;
    cluster::refine_partition(
        centroids,
        weights,
        &start,
        MAX_SHARE,
        REFINE_ITERATIONS,
        apart,
    )
}

/// The top level, chosen first: a partition of the base clusters
/// (`centroids`, `counts`) into `target` groups, which every level in
/// between then respects. The base clusters are grouped into `2 × target`
/// by [`ward_refined`], and those into `target` the same way (directly
/// when there are too few base clusters for the middle step).
pub fn top_partition(
    centroids: ArrayView2<f32>,
    counts: &[usize],
    target: usize,
) -> Result<Vec<usize>> {
    let m = centroids.nrows();
    let target = target.clamp(1, m.max(1));
    let weights: Vec<f64> = counts.iter().map(|c| (*c).max(1) as f64).collect();
    let middle = MIDDLE_FACTOR * target;
    if middle >= m {
        return ward_refined(centroids, &weights, target, &vec![0; m]);
    }
    let mid = ward_refined(centroids, &weights, middle, &vec![0; m])?;
    let k = mid.iter().max().map_or(0, |x| x + 1);
    let mid_centroids = parent_centroids(centroids, counts, &mid, k);
    let mut mid_weights = vec![0f64; k];
    for (g, w) in mid.iter().zip(&weights) {
        mid_weights[*g] += w;
    }
    let top = ward_refined(mid_centroids.view(), &mid_weights, target, &vec![0; k])?;
    Ok(mid.iter().map(|g| top[*g]).collect())
}

/// How alike a group's children are: the size-weighted mean cosine of
/// each child's centroid to the group's.
fn coherence(centroids: ArrayView2<f32>, weights: &[f64], groups: &[usize], p: usize) -> f64 {
    let d = centroids.ncols();
    let mut sum = vec![0f64; d];
    for ((row, w), g) in centroids.rows().into_iter().zip(weights).zip(groups) {
        if *g == p {
            for (s, x) in sum.iter_mut().zip(row) {
                *s += w * f64::from(*x);
            }
        }
    }
    let norm = sum.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm == 0.0 {
        return 0.0;
    }
    let (mut acc, mut total) = (0.0, 0.0);
    for ((row, w), g) in centroids.rows().into_iter().zip(weights).zip(groups) {
        if *g == p {
            let dot: f64 = row.iter().zip(&sum).map(|(x, s)| f64::from(*x) * s).sum();
            acc += w * dot / norm;
            total += w;
        }
    }
    if total > 0.0 { acc / total } else { 0.0 }
}

/// The note for a top-level cluster without parts (a base cluster at the
/// top: a small project, or a one-child parent folded into it) that holds
/// `share` of the conversations, more than [`MAX_SHARE`]: how coherent
/// its conversations are, against the other top-level clusters'.
/// `rows[r]` holds the summary rows under top-level cluster `r`, and `p`
/// is the dominant one.
pub fn members_dominance_note(
    embeddings: ArrayView2<f32>,
    rows: &[Vec<usize>],
    p: usize,
    share: f64,
) -> String {
    let flat: Vec<usize> = rows.iter().flatten().copied().collect();
    let groups: Vec<usize> = rows
        .iter()
        .enumerate()
        .flat_map(|(g, r)| std::iter::repeat_n(g, r.len()))
        .collect();
    let unit = cluster::normalized(embeddings.select(Axis(0), &flat).view());
    let weights = vec![1.0; flat.len()];
    dominance_note(unit.view(), &weights, &groups, p, share, "conversations")
}

/// The sentence a dominant group's description ends with; `parts` says
/// what its rows are ("parts", "conversations").
fn dominance_note(
    centroids: ArrayView2<f32>,
    weights: &[f64],
    groups: &[usize],
    p: usize,
    share: f64,
    parts: &str,
) -> String {
    let own = coherence(centroids, weights, groups, p);
    let parents = groups.iter().max().map_or(0, |m| m + 1);
    let others: Vec<f64> = (0..parents)
        .filter(|&q| q != p)
        .map(|q| coherence(centroids, weights, groups, q))
        .collect();
    let typical = if others.is_empty() {
        String::new()
    } else {
        format!(
            ", against {:.2} on average for the other groups",
            others.iter().sum::<f64>() / others.len() as f64
        )
    };
    format!(
        "It holds {:.0}% of the conversations; its {parts} have a coherence of {own:.2} \
         (mean cosine to its centre{typical}).",
        share * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn child(i: usize, name: &str, count: usize) -> Cluster {
        Cluster {
            id: Cluster::cluster_id(0, i),
            name: name.into(),
            original_name: None,
            description: String::new(),
            slug: String::new(),
            level: 0,
            parent: None,
            children: Vec::new(),
            members: Vec::new(),
            count,
            noise: false,
        }
    }

    #[test]
    fn a_parent_sharing_nothing_lists_its_largest_parts() {
        let current = [
            child(0, "Alarms", 3),
            child(1, "Recipes", 5),
            child(2, "Lights", 1),
            child(3, "Weather", 2),
        ];
        let centroids = array![[1.0f32, 0.0], [0.0, 1.0], [0.6, 0.8], [0.8, 0.6]];
        let texts: [&[&str]; 4] = [&["zebra"], &["lasagne"], &["lamp"], &["rain"]];
        let member_texts = |c: &Cluster| -> Vec<MemberText<'static>> {
            let i = current.iter().position(|k| k.id == c.id).unwrap();
            texts[i].iter().map(|t| (*t, Some("english"))).collect()
        };
        let plan = name_parents(
            &current,
            centroids.view(),
            vec![0, 0, 0, 0],
            &[],
            &member_texts,
        );
        let parent = &plan.names[0];
        assert_eq!(parent.name, naming::OTHER);
        assert!(
            parent
                .description
                .contains("Its largest parts: “Recipes” (5), “Alarms” (3) and “Weather” (2)."),
            "{}",
            parent.description
        );
        assert_eq!(
            largest_parts(&current[..1], &[0], 0),
            "Its largest part: “Alarms” (3)."
        );
    }
}
