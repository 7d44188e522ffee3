//! Lloyd iterations with blocked matrix-product distances.

use ndarray::{Array2, ArrayView2};

use super::KMeansFit;
use crate::cluster::dense::{map_dist_blocks, row_sq_norms};

/// Runs Lloyd iterations from `start` until no label changes, the centroid
/// movement drops to `tol`, or `max_iter` iterations.
pub(super) fn run(
    data: ArrayView2<f32>,
    norms: &[f32],
    start: Array2<f32>,
    max_iter: usize,
    tol: f64,
) -> KMeansFit {
    let mut centroids = start;
    let (mut labels, mut dists) = assign(data, norms, centroids.view());
    let mut iterations = 0;
    for _ in 0..max_iter {
        iterations += 1;
        let next = means(data, &mut labels, &dists, centroids.view());
        let shift = sq_shift(centroids.view(), next.view());
        centroids = next;
        let (new_labels, new_dists) = assign(data, norms, centroids.view());
        let changed = new_labels != labels;
        labels = new_labels;
        dists = new_dists;
        if !changed || shift <= tol {
            break;
        }
    }
    let inertia = super::inertia(data, &labels, &centroids);
    KMeansFit {
        labels,
        centroids,
        inertia,
        iterations,
        minibatch: false,
    }
}

/// Nearest centroid of each row (lowest index on ties) and the squared
/// distance to it.
pub(super) fn assign(
    data: ArrayView2<f32>,
    norms: &[f32],
    centroids: ArrayView2<f32>,
) -> (Vec<usize>, Vec<f32>) {
    let c_norms = row_sq_norms(centroids);
    let blocks = map_dist_blocks(data, norms, centroids, &c_norms, |_, d| {
        d.rows()
            .into_iter()
            .map(|row| {
                let mut best = (0usize, f32::INFINITY);
                for (j, &v) in row.iter().enumerate() {
                    if v < best.1 {
                        best = (j, v);
                    }
                }
                best
            })
            .collect::<Vec<_>>()
    });
    blocks.into_iter().flatten().unzip()
}

/// Cluster means of the current labels. An empty cluster takes the row
/// farthest from its centroid among clusters with more than one member (the
/// row's label is changed accordingly); if there is none, it keeps its old
/// centroid.
pub(super) fn means(
    data: ArrayView2<f32>,
    labels: &mut [usize],
    dists: &[f32],
    old: ArrayView2<f32>,
) -> Array2<f32> {
    let (k, d) = old.dim();
    let mut sums = vec![0.0f64; k * d];
    let mut counts = vec![0usize; k];
    for (row, &c) in data.rows().into_iter().zip(labels.iter()) {
        counts[c] += 1;
        for (s, &v) in sums[c * d..(c + 1) * d].iter_mut().zip(row) {
            *s += f64::from(v);
        }
    }
    if counts.contains(&0) {
        let mut order: Vec<usize> = (0..labels.len()).collect();
        order.sort_by(|&a, &b| dists[b].total_cmp(&dists[a]).then(a.cmp(&b)));
        let mut candidates = order.into_iter();
        for c in 0..k {
            if counts[c] > 0 {
                continue;
            }
            let Some(p) = candidates.by_ref().find(|&p| counts[labels[p]] > 1) else {
                break;
            };
            let from = labels[p];
            counts[from] -= 1;
            counts[c] = 1;
            for (j, &v) in data.row(p).iter().enumerate() {
                sums[from * d + j] -= f64::from(v);
                sums[c * d + j] = f64::from(v);
            }
            labels[p] = c;
        }
    }
    let mut out = old.to_owned();
    for c in 0..k {
        if counts[c] == 0 {
            continue;
        }
        let inv = 1.0 / counts[c] as f64;
        for (o, s) in out.row_mut(c).iter_mut().zip(&sums[c * d..(c + 1) * d]) {
            *o = (s * inv) as f32;
        }
    }
    out
}

/// Summed squared movement between two centroid sets.
pub(super) fn sq_shift(a: ArrayView2<f32>, b: ArrayView2<f32>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(&x, &y)| {
            let d = f64::from(x) - f64::from(y);
            d * d
        })
        .sum()
}
