//! Seeded synthetic data with known structure, for tests, benches and
//! demos.

use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n_blobs × per_blob` points in `dim` dimensions: blob centres have
/// coordinates drawn from `N(0, centre_scale²)`, points scatter around
/// their centre with `N(0, spread²)` per coordinate. Rows are grouped by
/// blob (rows `b·per_blob .. (b+1)·per_blob` belong to blob `b`); the
/// second value holds each row's blob.
pub fn gaussian_blobs(
    n_blobs: usize,
    per_blob: usize,
    dim: usize,
    centre_scale: f32,
    spread: f32,
    seed: u64,
) -> (Array2<f32>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres = Array2::from_shape_fn((n_blobs, dim), |_| centre_scale * normal(&mut rng));
    let n = n_blobs * per_blob;
    let labels: Vec<usize> = (0..n).map(|i| i / per_blob.max(1)).collect();
    let data = Array2::from_shape_fn((n, dim), |(i, j)| {
        centres[(labels[i], j)] + spread * normal(&mut rng)
    });
    (data, labels)
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut ChaCha8Rng) -> f32 {
    let u1: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
    let u2: f64 = rng.random();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}
