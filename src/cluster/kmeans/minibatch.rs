//! Mini-batch k-means (Sculley 2010), close to scikit-learn's
//! `MiniBatchKMeans`: k-means++ on a sample of `max(3·batch, 3·k)` rows,
//! then passes over a seeded shuffle of the rows in batches. Each centre
//! moves towards the mean of its batch members with a step of
//! `members / (members seen so far)`. A pass is one epoch over the data;
//! it stops after `max_iter` passes, when a pass moves the centres by at
//! most the tolerance, or when the inertia measured on a pass's batches
//! (before each batch's update) improves by less than 0.1%. A last full
//! assignment gives the labels, and the centroids become the means of
//! those labels.

use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::{KMeansFit, KMeansParams, init, lloyd};
use crate::cluster::dense::row_sq_norms;

/// A pass must lower the inertia seen on its batches by this share, or
/// the loop stops.
const MIN_GAIN: f64 = 1e-3;

pub(super) fn run(
    data: ArrayView2<f32>,
    norms: &[f32],
    p: &KMeansParams,
    tol: f64,
    rng: &mut ChaCha8Rng,
) -> KMeansFit {
    let (n, d) = data.dim();
    let k = p.k;
    let batch = p.batch_size.clamp(1, n.max(1));
    let init_size = n.min((3 * batch).max(3 * k));
    let sample_idx = rand::seq::index::sample(rng, n, init_size).into_vec();
    let sample = data.select(Axis(0), &sample_idx);
    let sample_norms = row_sq_norms(sample.view());
    let mut centroids = init::kmeans_plus_plus(sample.view(), &sample_norms, k, rng);

    let mut counts = vec![0.0f64; k];
    let mut order: Vec<usize> = (0..n).collect();
    let mut steps = 0usize;
    let mut previous = f64::INFINITY;
    for _ in 0..p.max_iter {
        order.shuffle(rng);
        let mut pass_inertia = 0.0f64;
        let mut pass_shift = 0.0f64;
        for chunk in order.chunks(batch) {
            steps += 1;
            let rows = data.select(Axis(0), chunk);
            let row_norms: Vec<f32> = chunk.iter().map(|&i| norms[i]).collect();
            let (labels, dists) = lloyd::assign(rows.view(), &row_norms, centroids.view());
            pass_inertia += dists.iter().map(|&v| f64::from(v)).sum::<f64>();
            pass_shift += step(&mut centroids, &mut counts, rows.view(), &labels, d);
        }
        let converged = pass_shift <= tol || previous - pass_inertia < MIN_GAIN * previous;
        previous = pass_inertia;
        if converged {
            break;
        }
    }

    let (mut labels, dists) = lloyd::assign(data, norms, centroids.view());
    let centroids = lloyd::means(data, &mut labels, &dists, centroids.view());
    let inertia = super::inertia(data, &labels, &centroids);
    KMeansFit {
        labels,
        centroids,
        inertia,
        iterations: steps,
        minibatch: true,
    }
}

/// Moves each centre towards the mean of its members in the batch and
/// returns the summed squared movement.
fn step(
    centroids: &mut Array2<f32>,
    counts: &mut [f64],
    rows: ArrayView2<f32>,
    labels: &[usize],
    d: usize,
) -> f64 {
    let mut by_centre: Vec<(usize, usize)> = labels.iter().copied().zip(0..).collect();
    by_centre.sort_unstable();
    let mut shift = 0.0f64;
    let mut sum = vec![0.0f64; d];
    for group in by_centre.chunk_by(|a, b| a.0 == b.0) {
        let c = group[0].0;
        sum.iter_mut().for_each(|s| *s = 0.0);
        for &(_, r) in group {
            for (s, &v) in sum.iter_mut().zip(rows.row(r)) {
                *s += f64::from(v);
            }
        }
        let members = group.len() as f64;
        counts[c] += members;
        let rate = 1.0 / counts[c];
        for (x, s) in centroids.row_mut(c).iter_mut().zip(&sum) {
            let old = f64::from(*x);
            let new = old + (s - members * old) * rate;
            shift += (new - old) * (new - old);
            *x = new as f32;
        }
    }
    shift
}
