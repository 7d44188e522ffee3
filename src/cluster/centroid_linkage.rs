//! Size-aware agglomeration of weighted centroids, for the offline
//! hierarchy: centroid linkage on unit vectors with an optional cap on a
//! group's share of the total weight.
//!
//! Each row is a cluster's unit centroid and `weights[i]` its size. A group
//! is represented by the weighted sum of its members' centroids; the
//! distance between two groups is one minus the cosine of their sums. The
//! closest pair merges first, except that a merge creating a group above
//! `max_share` of the total weight waits until no other merge is left.
//! Centroid linkage is not monotone, so the merges are found with a
//! nearest-neighbour cache rather than a chain: about `O(m²·d)` time and
//! `O(m·d)` memory for `m` centroids of `d` dimensions.

use ndarray::{Array2, ArrayView2};

use super::input::{check_finite, ensure};
use super::knn::normalized;
use crate::error::Result;

/// Groups the rows of `centroids` into `target` groups; returns each row's
/// group, numbered `0..target` in order of first appearance. `weights`
/// must have one positive entry per row; `max_share` in `(0, 1]` caps a
/// group's share of the total weight while other merges remain.
pub fn agglomerate_centroids(
    centroids: ArrayView2<f32>,
    weights: &[f64],
    target: usize,
    max_share: f64,
) -> Result<Vec<usize>> {
    let m = centroids.nrows();
    ensure(target >= 1 && target <= m.max(1), "target", || {
        format!("is {target} but there are {m} centroids")
    })?;
    ensure(weights.len() == m, "weights", || {
        format!("has {} entries for {m} centroids", weights.len())
    })?;
    ensure(weights.iter().all(|w| w.is_finite() && *w > 0.0), "weights", || {
        "must be positive and finite".into()
    })?;
    check_finite(centroids, "centroids")?;
    if m == 0 {
        return Ok(Vec::new());
    }
    let unit = normalized(centroids);
    let mut sums: Array2<f32> = unit.clone();
    for (mut row, w) in sums.rows_mut().into_iter().zip(weights) {
        row.mapv_inplace(|x| x * *w as f32);
    }
    let mut weight: Vec<f64> = weights.to_vec();
    let cap = weights.iter().sum::<f64>() * max_share.clamp(0.0, 1.0);
    let mut dir: Array2<f32> = unit;
    let mut active = vec![true; m];
    let mut parent: Vec<usize> = (0..m).collect();
    let mut groups = m;
    // The nearest allowed neighbour of every active row.
    let mut nearest: Vec<(f32, usize)> = (0..m).map(|i| best(&dir, &active, &weight, cap, i)).collect();
    while groups > target {
        let mut pick: Option<(f32, usize, usize)> = None;
        for i in (0..m).filter(|&i| active[i]) {
            let (d, j) = nearest[i];
            if j != usize::MAX && pick.is_none_or(|(pd, _, _)| d < pd) {
                pick = Some((d, i, j));
            }
        }
        let (a, b) = match pick {
            Some((_, i, j)) => (i.min(j), i.max(j)),
            None => match lightest_pair(&dir, &active, &weight) {
                Some(p) => p,
                None => break,
            },
        };
        // Merge b into a.
        active[b] = false;
        parent[b] = a;
        weight[a] += weight[b];
        let (sa, sb) = (sums.row(a).to_owned(), sums.row(b).to_owned());
        let merged = &sa + &sb;
        sums.row_mut(a).assign(&merged);
        let norm = merged.iter().map(|x| x * x).sum::<f32>().sqrt();
        let unit_row = if norm > 0.0 { merged / norm } else { merged };
        dir.row_mut(a).assign(&unit_row);
        groups -= 1;
        nearest[a] = best(&dir, &active, &weight, cap, a);
        for k in (0..m).filter(|&k| active[k] && k != a) {
            let (dk, jk) = nearest[k];
            if jk == a || jk == b || jk == usize::MAX {
                nearest[k] = best(&dir, &active, &weight, cap, k);
            } else if weight[k] + weight[a] <= cap {
                let d = distance(&dir, k, a);
                if d < dk || (d == dk && a < jk) {
                    nearest[k] = (d, a);
                }
            }
        }
    }
    let mut label = vec![usize::MAX; m];
    let mut next = 0;
    let mut out = Vec::with_capacity(m);
    for i in 0..m {
        let mut r = i;
        while parent[r] != r {
            r = parent[r];
        }
        if label[r] == usize::MAX {
            label[r] = next;
            next += 1;
        }
        out.push(label[r]);
    }
    Ok(out)
}

fn distance(dir: &Array2<f32>, i: usize, j: usize) -> f32 {
    1.0 - dir.row(i).dot(&dir.row(j))
}

/// The nearest active row to `i` whose merge stays under the cap
/// (`usize::MAX` when there is none). Ties go to the lower index.
fn best(dir: &Array2<f32>, active: &[bool], weight: &[f64], cap: f64, i: usize) -> (f32, usize) {
    let mut out = (f32::INFINITY, usize::MAX);
    for j in 0..active.len() {
        if j == i || !active[j] || weight[i] + weight[j] > cap {
            continue;
        }
        let d = distance(dir, i, j);
        if d < out.0 {
            out = (d, j);
        }
    }
    out
}

/// When every merge would break the cap: the pair whose merged group is
/// lightest, then closest.
fn lightest_pair(dir: &Array2<f32>, active: &[bool], weight: &[f64]) -> Option<(usize, usize)> {
    let ids: Vec<usize> = (0..active.len()).filter(|&i| active[i]).collect();
    let mut out: Option<(f64, f32, usize, usize)> = None;
    for (x, &i) in ids.iter().enumerate() {
        for &j in &ids[x + 1..] {
            let w = weight[i] + weight[j];
            let d = distance(dir, i, j);
            if out.is_none_or(|(bw, bd, _, _)| w < bw || (w == bw && d < bd)) {
                out = Some((w, d, i, j));
            }
        }
    }
    out.map(|(_, _, i, j)| (i, j))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn joins_the_closest_and_respects_the_cap() {
        let c = array![[1.0f32, 0.0], [0.99, 0.1], [0.0, 1.0], [0.1, 0.99]];
        let g = agglomerate_centroids(c.view(), &[1.0; 4], 2, 1.0).unwrap();
        assert_eq!(g, [0, 0, 1, 1]);
        // Weights 5,1,1,1 with a 60% cap: row 0 cannot take row 1.
        let g = agglomerate_centroids(c.view(), &[5.0, 1.0, 1.0, 1.0], 2, 0.6).unwrap();
        assert_eq!(g, [0, 1, 1, 1]);
        // One group is always reachable.
        let g = agglomerate_centroids(c.view(), &[5.0, 1.0, 1.0, 1.0], 1, 0.3).unwrap();
        assert_eq!(g, [0, 0, 0, 0]);
    }
}
