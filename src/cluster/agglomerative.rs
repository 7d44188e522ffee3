//! Agglomerative (bottom-up) clustering of cluster centroids into a given
//! number of groups, for the offline hierarchy.
//!
//! Rows are L2-normalised first (zero rows stay zero). The merge tree is
//! built with the nearest-neighbour-chain algorithm and Lance–Williams
//! updates on a condensed distance matrix: `O(m²)` time and `m²/2` floats
//! for `m` centroids (8 MB at 2,000). Both linkages offered are reducible,
//! so sorting the merges by height and applying the lowest `m − t` of them
//! cuts the tree at exactly `t` groups. Ties go to the lower index, so the
//! result is deterministic.

use ndarray::ArrayView2;

use super::dense::{map_dist_blocks, row_sq_norms};
use super::input::{check_finite, ensure};
use super::knn::normalized;
use crate::error::Result;

/// How the distance between two groups is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Linkage {
    /// Mean cosine distance between members.
    Average,
    /// Increase in within-group squared error (Ward), on the unit sphere;
    /// gives more even group sizes.
    #[default]
    Ward,
}

/// Groups the `m` rows of `centroids` into exactly `target` groups and
/// returns each row's group, numbered `0..target` in order of first
/// appearance. Errors when `target` is 0 or above `m`, or on non-finite
/// values.
pub fn agglomerate(
    centroids: ArrayView2<f32>,
    target: usize,
    linkage: Linkage,
) -> Result<Vec<usize>> {
    let weights = vec![1.0; centroids.nrows()];
    let apart = vec![0; centroids.nrows()];
    agglomerate_weighted(centroids, &weights, &weights, target, linkage, 1.0, &apart)
}

/// Added to the distance between rows that [`agglomerate_weighted`] must
/// keep apart, so they merge only after every allowed merge.
const APART: f32 = 1.0e6;

/// Like [`agglomerate`], for rows that stand for groups of items: Ward's
/// criterion and the average linkage count row `i` `weights[i]` times.
/// When the tree is cut, a merge that would make a group's share of
/// `sizes` larger than `max_share` is skipped while other merges can still
/// reach `target`; if none can, the skipped merges that give the smallest
/// groups are made. Rows with different `apart` labels merge only once
/// no other merge is left, so a `target` at least the number of labels
/// keeps them apart.
pub fn agglomerate_weighted(
    centroids: ArrayView2<f32>,
    weights: &[f64],
    sizes: &[f64],
    target: usize,
    linkage: Linkage,
    max_share: f64,
    apart: &[usize],
) -> Result<Vec<usize>> {
    let m = centroids.nrows();
    ensure(target >= 1, "target", || "must be at least 1".into())?;
    ensure(target <= m, "target", || {
        format!("is {target} but there are only {m} centroids")
    })?;
    for (name, w) in [("weights", weights), ("sizes", sizes)] {
        ensure(w.len() == m, name, || {
            format!("has {} entries for {m} centroids", w.len())
        })?;
        ensure(w.iter().all(|w| w.is_finite() && *w > 0.0), name, || {
            "must be positive and finite".into()
        })?;
    }
    ensure(apart.len() == m, "apart", || {
        format!("has {} entries for {m} centroids", apart.len())
    })?;
    check_finite(centroids, "centroids")?;
    let unit = normalized(centroids);
    let norms = row_sq_norms(unit.view());
    let mut dist = Condensed::new(m);
    let blocks = map_dist_blocks(unit.view(), &norms, unit.view(), &norms, |start, d| {
        (start, d.to_owned())
    });
    for (start, block) in blocks {
        for (r, row) in block.rows().into_iter().enumerate() {
            let i = start + r;
            for (j, &d2) in row.iter().enumerate().skip(i + 1) {
                let d = match linkage {
                    Linkage::Average => d2 * 0.5,
                    Linkage::Ward => {
                        let (wi, wj) = (weights[i], weights[j]);
                        d2 * (2.0 * wi * wj / (wi + wj)) as f32
                    }
                };
                let penalty = if apart[i] == apart[j] { 0.0 } else { APART };
                dist.set(i, j, d + penalty);
            }
        }
    }
    let chain_sizes: Vec<f32> = weights.iter().map(|w| *w as f32).collect();
    let mut merges = nn_chain(&mut dist, linkage, chain_sizes);
    merges.sort_by(|a, b| a.2.total_cmp(&b.2));
    Ok(cut(&merges, sizes, target, max_share))
}

/// Applies the lowest merges until `target` groups remain, keeping groups
/// under `max_share` of the total weight while possible; numbers the
/// groups in order of first appearance.
fn cut(
    merges: &[(usize, usize, f32)],
    weights: &[f64],
    target: usize,
    max_share: f64,
) -> Vec<usize> {
    let m = weights.len();
    let cap = weights.iter().sum::<f64>() * max_share;
    let mut parent: Vec<usize> = (0..m).collect();
    let mut weight = weights.to_vec();
    let mut groups = m;
    let mut skipped = Vec::new();
    for &(a, b, _) in merges {
        if groups <= target {
            break;
        }
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra == rb {
            continue;
        }
        if weight[ra] + weight[rb] > cap {
            skipped.push((a, b));
            continue;
        }
        join(&mut parent, &mut weight, ra, rb);
        groups -= 1;
    }
    while groups > target {
        let mut lightest: Option<(f64, usize, usize)> = None;
        for &(a, b) in &skipped {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            let w = weight[ra] + weight[rb];
            if ra != rb && lightest.is_none_or(|(lw, _, _)| w < lw) {
                lightest = Some((w, ra, rb));
            }
        }
        let Some((_, ra, rb)) = lightest else { break };
        join(&mut parent, &mut weight, ra, rb);
        groups -= 1;
    }
    let roots: Vec<usize> = (0..m).map(|i| find(&mut parent, i)).collect();
    renumber(&roots)
}

/// Group numbers `0, 1, …` in order of first appearance.
pub(crate) fn renumber(groups: &[usize]) -> Vec<usize> {
    let mut map = std::collections::HashMap::new();
    groups
        .iter()
        .map(|g| {
            let next = map.len();
            *map.entry(*g).or_insert(next)
        })
        .collect()
}

/// Weighted spherical k-means from the partition `groups` of the unit
/// rows of `centroids`: each group's mean weighs row `i` by `sizes[i]`,
/// and a row moves to the mean it has the largest cosine with unless that
/// would empty its group or push the other above `max_share` of the total
/// size, or join a group whose rows have another `apart` label. Stops when
/// nothing moves or after `max_iter` passes; returns the groups renumbered
/// in order of first appearance.
///
/// Cosine rather than Euclidean distance to the mean: the mean of a group
/// of unlike rows is short, so it is near every row in Euclidean terms
/// and draws in whatever fits nowhere else, growing a catch-all; by
/// cosine a row goes where it points. Measured on the offline hierarchy
/// with the lexical embedder (three seeds), this raised the top level's
/// NMI on sgd from 0.80–0.85 to 0.86 and on hwu64 from 0.44 to 0.47.
pub fn refine_partition(
    centroids: ArrayView2<f32>,
    sizes: &[f64],
    groups: &[usize],
    max_share: f64,
    max_iter: usize,
    apart: &[usize],
) -> Result<Vec<usize>> {
    let m = centroids.nrows();
    ensure(
        groups.len() == m && sizes.len() == m && apart.len() == m,
        "groups",
        || format!("need one entry per centroid ({m})"),
    )?;
    check_finite(centroids, "centroids")?;
    let unit = normalized(centroids);
    let mut g = renumber(groups);
    let k = g.iter().max().map_or(0, |x| x + 1);
    let cap = sizes.iter().sum::<f64>() * max_share;
    for _ in 0..max_iter {
        let mut means = ndarray::Array2::<f32>::zeros((k, unit.ncols()));
        let mut weight = vec![0f64; k];
        let mut members = vec![0usize; k];
        let mut label = vec![0usize; k];
        for (i, &gi) in g.iter().enumerate() {
            label[gi] = apart[i];
            means.row_mut(gi).scaled_add(sizes[i] as f32, &unit.row(i));
            weight[gi] += sizes[i];
            members[gi] += 1;
        }
        for (mut row, w) in means.rows_mut().into_iter().zip(&weight) {
            if *w > 0.0 {
                row.mapv_inplace(|x| x / *w as f32);
            }
        }
        // An empty group's norm stays positive, so no cost is NaN.
        let norms: Vec<f32> = means
            .rows()
            .into_iter()
            .map(|r| r.dot(&r).sqrt().max(f32::MIN_POSITIVE))
            .collect();
        let dots = unit.dot(&means.t());
        let mut moved = 0;
        for i in 0..m {
            let from = g[i];
            let cost = |j: usize| -dots[[i, j]] / norms[j];
            let mut best = from;
            for (j, w) in weight.iter().enumerate().take(k) {
                if j != from
                    && cost(j) < cost(best)
                    && w + sizes[i] <= cap
                    && (members[j] == 0 || label[j] == apart[i])
                {
                    best = j;
                }
            }
            if best != from && members[from] > 1 {
                members[from] -= 1;
                members[best] += 1;
                weight[from] -= sizes[i];
                weight[best] += sizes[i];
                g[i] = best;
                moved += 1;
            }
        }
        if moved == 0 {
            break;
        }
    }
    Ok(renumber(&g))
}

fn join(parent: &mut [usize], weight: &mut [f64], ra: usize, rb: usize) {
    let (keep, gone) = (ra.min(rb), ra.max(rb));
    parent[gone] = keep;
    weight[keep] += weight[gone];
}

/// Upper triangle of a symmetric matrix, diagonal excluded.
struct Condensed {
    m: usize,
    d: Vec<f32>,
}

impl Condensed {
    fn new(m: usize) -> Self {
        Condensed {
            m,
            d: vec![0.0; m * m.saturating_sub(1) / 2],
        }
    }

    fn at(&self, i: usize, j: usize) -> usize {
        let (i, j) = if i < j { (i, j) } else { (j, i) };
        i * self.m - i * (i + 1) / 2 + (j - i - 1)
    }

    fn get(&self, i: usize, j: usize) -> f32 {
        self.d[self.at(i, j)]
    }

    fn set(&mut self, i: usize, j: usize, v: f32) {
        let at = self.at(i, j);
        self.d[at] = v;
    }
}

/// All `m − 1` merges `(a, b, height)` as slot pairs, in the order the
/// chain finds them. The merged group keeps the lower slot.
fn nn_chain(
    dist: &mut Condensed,
    linkage: Linkage,
    mut size: Vec<f32>,
) -> Vec<(usize, usize, f32)> {
    let m = dist.m;
    let mut active = vec![true; m];
    let mut merges = Vec::with_capacity(m.saturating_sub(1));
    let mut chain: Vec<usize> = Vec::new();
    for _ in 1..m {
        if chain.is_empty()
            && let Some(first) = active.iter().position(|&a| a)
        {
            chain.push(first);
        }
        let (x, y) = loop {
            let Some(&x) = chain.last() else { break (0, 0) };
            let prev = chain.len().checked_sub(2).map(|i| chain[i]);
            let mut best = prev.map(|p| (p, dist.get(x, p)));
            for (y, _) in active.iter().enumerate().filter(|&(y, &a)| a && y != x) {
                let d = dist.get(x, y);
                if best.is_none_or(|(_, bd)| d < bd) {
                    best = Some((y, d));
                }
            }
            match (best, prev) {
                (Some((y, _)), Some(p)) if y == p => break (x, y),
                (Some((y, _)), _) => chain.push(y),
                (None, _) => break (x, x),
            }
        };
        if x == y {
            break;
        }
        chain.truncate(chain.len() - 2);
        let height = dist.get(x, y);
        let (keep, gone) = (x.min(y), x.max(y));
        let (nx, ny) = (size[x], size[y]);
        for k in (0..m).filter(|&k| active[k] && k != x && k != y) {
            let (dx, dy) = (dist.get(k, x), dist.get(k, y));
            let updated = match linkage {
                Linkage::Average => (nx * dx + ny * dy) / (nx + ny),
                Linkage::Ward => {
                    let nk = size[k];
                    ((nx + nk) * dx + (ny + nk) * dy - nk * height) / (nx + ny + nk)
                }
            };
            dist.set(k, keep, updated);
        }
        active[gone] = false;
        size[keep] += size[gone];
        merges.push((keep, gone, height));
    }
    merges
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}
