//! Stage 5: meta-clusters, built bottom-up level by level until at most
//! `max_top_level` roots remain. Level sizes follow a geometric sequence
//! from the base count ([`cluster::level_targets`]).
//!
//! Offline, each level agglomerates the cluster centroids and names the
//! groups from their members' summaries ([`crate::offline::hierarchy`]). The
//! LLM path ([`super::hierarchy_llm`]) follows Clio and falls back to the
//! same deterministic grouping for any level that fails to shrink, so the
//! loop always ends with a valid tree.

use ndarray::{Array2, ArrayView2};

use super::naming::GeneratedName;
use crate::model::Cluster;
pub use crate::offline::hierarchy::plan_offline;

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

/// Makes every slug unique across all levels.
pub fn dedupe_slugs(all: &mut [Cluster]) {
    let mut taken = std::collections::HashSet::new();
    for c in all.iter_mut() {
        let s = crate::model::unique_slug(&c.slug, &taken);
        taken.insert(s.clone());
        c.slug = s;
    }
}
