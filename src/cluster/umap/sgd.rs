//! UMAP's layout optimisation: stochastic gradient descent on the fuzzy
//! set cross-entropy, edge by edge, following the reference
//! `optimize_layout_euclidean` (single-threaded, so a seed fixes the
//! result).
//!
//! With `d²` the squared distance between the two ends of an edge, the
//! low-dimensional similarity is `1 / (1 + a·(d²)^b)` and the gradient
//! coefficients are
//!
//! * attraction: `−2ab·(d²)^(b−1) / (1 + a·(d²)^b)`
//! * repulsion: `2b / ((0.001 + d²)·(1 + a·(d²)^b))`
//!
//! umap-rs 0.4.5 writes the denominator as `1 + a·(d²)^b·d²`, which flattens
//! the curve and tears clusters apart; this module exists to get it right.
//! Each gradient component is clipped to `[−4, 4]`; the learning rate decays
//! linearly to zero. An edge of weight `w` is sampled every
//! `max_weight / w` epochs, and each sample draws `negative_sample_rate`
//! random rows to push away.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::graph::Edges;

const CLIP: f32 = 4.0;

/// What the optimiser needs besides the layout and the edges.
pub(super) struct Schedule {
    pub a: f32,
    pub b: f32,
    pub epochs: usize,
    pub negative_sample_rate: usize,
    pub learning_rate: f32,
}

/// Optimises `layout` (`n` rows of `dim` coordinates, row-major) in place.
pub(super) fn optimize(
    layout: &mut [f32],
    dim: usize,
    edges: &Edges,
    s: &Schedule,
    rng: &mut ChaCha8Rng,
) {
    let n = if dim == 0 { 0 } else { layout.len() / dim };
    if n < 2 || edges.head.is_empty() {
        return;
    }
    let (a, b) = (s.a, s.b);
    let eps = &edges.epochs_per_sample;
    let neg_rate = s.negative_sample_rate.max(1) as f64;
    let eps_neg: Vec<f64> = eps.iter().map(|&e| e / neg_rate).collect();
    let mut next = eps.clone();
    let mut next_neg = eps_neg.clone();
    let mut cur = vec![0.0f32; dim];
    for epoch in 0..s.epochs {
        let alpha = s.learning_rate * (1.0 - epoch as f32 / s.epochs as f32);
        let now = epoch as f64;
        for i in 0..eps.len() {
            if next[i] > now {
                continue;
            }
            let j = edges.head[i] as usize;
            let k = edges.tail[i] as usize;
            // Attraction along the edge; both ends move.
            let d2 = sq_dist(layout, dim, j, k);
            if d2 > 0.0 {
                let pb = d2.powf(b);
                let coeff = -2.0 * a * b * (pb / d2) / (a * pb + 1.0);
                for d in 0..dim {
                    let g = (coeff * (layout[j * dim + d] - layout[k * dim + d])).clamp(-CLIP, CLIP);
                    layout[j * dim + d] += g * alpha;
                    layout[k * dim + d] -= g * alpha;
                }
            }
            next[i] += eps[i];

            // Repulsion from random rows; only the head moves.
            if s.negative_sample_rate == 0 {
                continue;
            }
            let due = ((now - next_neg[i]) / eps_neg[i]).floor();
            let n_neg = if due > 0.0 { due as usize } else { 0 };
            cur.copy_from_slice(&layout[j * dim..(j + 1) * dim]);
            for _ in 0..n_neg {
                let k = rng.random_range(0..n);
                if k == j {
                    continue;
                }
                let other = &layout[k * dim..(k + 1) * dim];
                let d2: f32 = cur.iter().zip(other).map(|(x, y)| (x - y) * (x - y)).sum();
                if d2 <= 0.0 {
                    continue;
                }
                let coeff = 2.0 * b / ((0.001 + d2) * (a * d2.powf(b) + 1.0));
                for (c, o) in cur.iter_mut().zip(other) {
                    let g = (coeff * (*c - o)).clamp(-CLIP, CLIP);
                    *c += g * alpha;
                }
            }
            layout[j * dim..(j + 1) * dim].copy_from_slice(&cur);
            next_neg[i] += n_neg as f64 * eps_neg[i];
        }
    }
}

#[inline]
fn sq_dist(layout: &[f32], dim: usize, j: usize, k: usize) -> f32 {
    let (x, y) = (&layout[j * dim..(j + 1) * dim], &layout[k * dim..(k + 1) * dim]);
    x.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum()
}
