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
    let m = centroids.nrows();
    ensure(target >= 1, "target", || "must be at least 1".into())?;
    ensure(target <= m, "target", || {
        format!("is {target} but there are only {m} centroids")
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
                    Linkage::Ward => d2,
                };
                dist.set(i, j, d);
            }
        }
    }
    let mut merges = nn_chain(&mut dist, linkage);
    merges.sort_by(|a, b| a.2.total_cmp(&b.2));
    let mut parent: Vec<usize> = (0..m).collect();
    for &(a, b, _) in merges.iter().take(m - target) {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    }
    let mut group_of_root = vec![usize::MAX; m];
    let mut next = 0;
    Ok((0..m)
        .map(|i| {
            let r = find(&mut parent, i);
            if group_of_root[r] == usize::MAX {
                group_of_root[r] = next;
                next += 1;
            }
            group_of_root[r]
        })
        .collect())
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
fn nn_chain(dist: &mut Condensed, linkage: Linkage) -> Vec<(usize, usize, f32)> {
    let m = dist.m;
    let mut active = vec![true; m];
    let mut size = vec![1usize; m];
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
        let (nx, ny) = (size[x] as f32, size[y] as f32);
        for k in (0..m).filter(|&k| active[k] && k != x && k != y) {
            let (dx, dy) = (dist.get(k, x), dist.get(k, y));
            let updated = match linkage {
                Linkage::Average => (nx * dx + ny * dy) / (nx + ny),
                Linkage::Ward => {
                    let nk = size[k] as f32;
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
