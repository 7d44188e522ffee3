//! k-means++ seeding (Arthur & Vassilvitskii 2007): each new centre is a
//! row drawn with probability proportional to its squared distance to the
//! nearest centre chosen so far.

use ndarray::{Array2, ArrayView2};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::cluster::dense::sq_dist;

/// Rows per parallel chunk when updating nearest-centre distances.
const CHUNK: usize = 512;

/// Picks `k` rows of `data` (standard layout, `k <= n`, `n >= 1`) as
/// starting centroids.
pub(super) fn kmeans_plus_plus(
    data: ArrayView2<f32>,
    _norms: &[f32],
    k: usize,
    rng: &mut ChaCha8Rng,
) -> Array2<f32> {
    let (n, d) = data.dim();
    let mut centroids = Array2::<f32>::zeros((k, d));
    if n == 0 || k == 0 {
        return centroids;
    }
    let rows: Vec<&[f32]> = data
        .rows()
        .into_iter()
        .map(|r| r.to_slice().unwrap_or(&[]))
        .collect();
    let first = rng.random_range(0..n);
    centroids.row_mut(0).assign(&data.row(first));
    let mut min_d2 = vec![f32::INFINITY; n];
    update_min(&rows, &mut min_d2, rows[first]);
    for c in 1..k {
        let total: f64 = min_d2.iter().map(|&v| f64::from(v)).sum();
        let pick = if total > 0.0 && total.is_finite() {
            let target = rng.random::<f64>() * total;
            let mut acc = 0.0f64;
            // Rounding can leave `acc` just short of `target`: fall back to
            // the last row that is not a centre yet.
            let mut pick = min_d2.iter().rposition(|&v| v > 0.0).unwrap_or(n - 1);
            for (i, &v) in min_d2.iter().enumerate() {
                acc += f64::from(v);
                if acc > target && v > 0.0 {
                    pick = i;
                    break;
                }
            }
            pick
        } else {
            // Every row coincides with a centre already: any row will do.
            rng.random_range(0..n)
        };
        centroids.row_mut(c).assign(&data.row(pick));
        update_min(&rows, &mut min_d2, rows[pick]);
    }
    centroids
}

/// Lowers each row's nearest-centre distance with a new centre.
fn update_min(rows: &[&[f32]], min_d2: &mut [f32], centre: &[f32]) {
    min_d2
        .par_chunks_mut(CHUNK)
        .zip(rows.par_chunks(CHUNK))
        .for_each(|(dist, rows)| {
            for (m, row) in dist.iter_mut().zip(rows) {
                let d = sq_dist(row, centre);
                if d < *m {
                    *m = d;
                }
            }
        });
}
