//! k-means++ seeding (Arthur & Vassilvitskii 2007): each new centre is a
//! row drawn with probability proportional to its squared distance to the
//! nearest centre chosen so far.
//!
//! Keeping those distances exact costs one `n × d` pass per centre, which
//! is slow scalar work (`n · k · d` in all). Instead we fold new centres in
//! by batches, with one matrix product per batch (see [`super::super::dense`]),
//! and sample between batches from the slightly stale distances by
//! rejection: draw a row from the stale weights `w`, compute its exact
//! weight `w'` against the centres not folded in yet, and accept it with
//! probability `w' / w`. Since distances only shrink, `w' <= w`, and the
//! accepted row follows exactly the k-means++ distribution. Batches grow
//! 1, 2, 4, … up to [`MAX_BATCH`] centres, so early on, when each centre
//! changes the weights a lot, they are folded in quickly.

use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::cluster::dense::{map_dist_blocks, row_sq_norms, sq_dist};

/// Largest number of centres sampled between two folds.
const MAX_BATCH: usize = 64;
/// Rejections in a row before folding the pending centres in early.
const MAX_REJECTIONS: usize = 32;

/// Picks `k` rows of `data` (standard layout, `k <= n`) as starting
/// centroids; `norms` are the rows' squared norms.
pub(super) fn kmeans_plus_plus(
    data: ArrayView2<f32>,
    norms: &[f32],
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Array2<f32> {
    let (n, d) = data.dim();
    if n == 0 || k == 0 {
        return Array2::zeros((k, d));
    }
    let row = |i: usize| data.row(i).to_slice().unwrap_or(&[]);
    let mut chosen: Vec<usize> = Vec::with_capacity(k);
    let mut pending: Vec<usize> = Vec::new();
    let mut min_d2 = vec![f32::INFINITY; n];
    let mut batch = 1;
    let first = rng.random_range(0..n);
    chosen.push(first);
    pending.push(first);
    let mut cumulative = fold(data, norms, &mut pending, &mut min_d2);
    while chosen.len() < k {
        if pending.len() >= batch {
            cumulative = fold(data, norms, &mut pending, &mut min_d2);
            batch = (batch * 2).min(MAX_BATCH);
        }
        let total = cumulative.last().copied().unwrap_or(0.0);
        if !(total > 0.0 && total.is_finite()) {
            // Every row coincides with a centre: any row will do.
            let pick = rng.random_range(0..n);
            chosen.push(pick);
            pending.push(pick);
            continue;
        }
        let mut rejections = 0;
        let pick = loop {
            let target = rng.random::<f64>() * total;
            let x = cumulative.partition_point(|&c| c <= target).min(n - 1);
            let stale = min_d2[x];
            let exact = pending
                .iter()
                .map(|&c| sq_dist(row(x), row(c)))
                .fold(stale, f32::min);
            let accept = rng.random::<f64>() * f64::from(stale) < f64::from(exact);
            if stale > 0.0 && accept {
                break Some(x);
            }
            rejections += 1;
            if rejections >= MAX_REJECTIONS {
                break None;
            }
        };
        match pick {
            Some(x) => {
                chosen.push(x);
                pending.push(x);
            }
            // The stale weights are too far off: fold and draw again.
            None => cumulative = fold(data, norms, &mut pending, &mut min_d2),
        }
    }
    data.select(Axis(0), &chosen)
}

/// Lowers `min_d2` with the pending centres (one blocked matrix product),
/// empties `pending` and returns the running sums of `min_d2`.
fn fold(
    data: ArrayView2<f32>,
    norms: &[f32],
    pending: &mut Vec<usize>,
    min_d2: &mut [f32],
) -> Vec<f64> {
    if !pending.is_empty() {
        let centres = data.select(Axis(0), pending);
        let c_norms = row_sq_norms(centres.view());
        let blocks = map_dist_blocks(data, norms, centres.view(), &c_norms, |start, dists| {
            (
                start,
                dists
                    .rows()
                    .into_iter()
                    .map(|r| r.iter().copied().fold(f32::INFINITY, f32::min))
                    .collect::<Vec<f32>>(),
            )
        });
        for (start, mins) in blocks {
            for (m, v) in min_d2[start..].iter_mut().zip(mins) {
                if v < *m {
                    *m = v;
                }
            }
        }
        pending.clear();
    }
    let mut acc = 0.0f64;
    min_d2
        .iter()
        .map(|&v| {
            acc += f64::from(v);
            acc
        })
        .collect()
}
