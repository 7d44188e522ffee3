//! Map positions for added conversations without recomputing the map: each
//! new point sits at the weighted mean of the 2D positions of its nearest
//! already-placed neighbours in embedding space (cosine similarity, weights
//! `max(sim, 0)²`, so close neighbours dominate).

use ndarray::ArrayView2;
use rayon::prelude::*;

/// Neighbours whose positions are averaged.
pub const NEIGHBOURS: usize = 8;

/// Positions for `new` rows, given the unit-length embeddings of placed
/// points and their `(x, y)`.
pub fn place(new: ArrayView2<f32>, placed: ArrayView2<f32>, xy: &[(f32, f32)]) -> Vec<(f32, f32)> {
    if placed.nrows() == 0 || xy.len() != placed.nrows() {
        return vec![(0.0, 0.0); new.nrows()];
    }
    (0..new.nrows())
        .into_par_iter()
        .map(|i| {
            let sims = placed.dot(&new.row(i));
            let mut scored: Vec<(f32, usize)> =
                sims.iter().enumerate().map(|(j, s)| (*s, j)).collect();
            let k = NEIGHBOURS.min(scored.len());
            if k < scored.len() {
                scored
                    .select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            }
            let (mut x, mut y, mut w) = (0.0f64, 0.0f64, 0.0f64);
            for &(s, j) in scored.iter().take(k) {
                let weight = f64::from(s.max(0.0)).powi(2) + 1e-9;
                x += weight * f64::from(xy[j].0);
                y += weight * f64::from(xy[j].1);
                w += weight;
            }
            ((x / w) as f32, (y / w) as f32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn new_point_lands_among_its_neighbours() {
        // Two groups far apart on the map and in embedding space.
        let mut placed = Array2::<f32>::zeros((20, 2));
        let mut xy = Vec::new();
        for i in 0..20 {
            if i < 10 {
                placed.row_mut(i).assign(&array![1.0, 0.01 * i as f32]);
                xy.push((-10.0 + 0.1 * i as f32, 0.0));
            } else {
                placed.row_mut(i).assign(&array![0.01 * i as f32, 1.0]);
                xy.push((10.0, 5.0));
            }
        }
        let new = array![[0.0f32, 1.0], [1.0, 0.0]];
        let got = place(new.view(), placed.view(), &xy);
        assert!((got[0].0 - 10.0).abs() < 1e-3 && (got[0].1 - 5.0).abs() < 1e-3);
        assert!(got[1].0 < -9.0, "{:?}", got[1]);
    }
}
