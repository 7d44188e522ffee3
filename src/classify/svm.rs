//! A binary linear SVM with the L2-regularised squared hinge loss, solved
//! in the dual by coordinate descent with shrinking (Hsieh et al., "A
//! dual coordinate descent method for large-scale linear SVM", ICML 2008;
//! the method LIBLINEAR uses).
//!
//! The primal problem is `min ½‖w‖² + C Σ max(0, 1 − yᵢ w·xᵢ)²` where each
//! `xᵢ` carries an extra constant feature (`bias`) for the intercept. The
//! dual has one variable `αᵢ ≥ 0` per example and `w = Σ αᵢ yᵢ xᵢ`, so a
//! coordinate step costs one sparse dot product and one sparse update.
//! Examples whose `αᵢ` is 0 and whose gradient is clearly positive are set
//! aside (shrunk) until the remaining ones converge, then everything is
//! checked once more.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::space::Rows;
use crate::embed::lexical::sparse::axpy;

/// What a binary problem shares across classes.
pub(crate) struct Problem<'a> {
    x: &'a Rows,
    /// The dense block, row-major (`width` values per row).
    dense: &'a [f32],
    width: usize,
    /// `‖xᵢ‖² + bias²` per row.
    sq_norms: Vec<f32>,
    bias: f32,
}

impl<'a> Problem<'a> {
    pub(crate) fn new(x: &'a Rows, bias: f32) -> Problem<'a> {
        let width = x.dense.ncols();
        // `Rows` builds its dense block in standard layout.
        let dense = x.dense.as_slice().unwrap_or(&[]);
        let sq_norms = (0..x.nrows())
            .map(|i| {
                let sparse: f32 = x.sparse.row(i).1.iter().map(|v| v * v).sum();
                let d = dense.get(i * width..(i + 1) * width).unwrap_or(&[]);
                sparse + dense_dot(d, d) + bias * bias
            })
            .collect();
        Problem {
            x,
            dense,
            width,
            sq_norms,
            bias,
        }
    }

    fn dense_row(&self, i: usize) -> &[f32] {
        self.dense
            .get(i * self.width..(i + 1) * self.width)
            .unwrap_or(&[])
    }
}

/// A dot product in eight fixed lanes (vectorisable, and the same result
/// on every run).
fn dense_dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for j in 0..8 {
            lanes[j] += x[j] * y[j];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// Solver settings for one binary model.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub c: f32,
    pub tolerance: f32,
    pub max_iter: usize,
    pub seed: u64,
}

/// A trained binary model: `score = w·x + intercept`.
pub(crate) struct Binary {
    pub w: Vec<f32>,
    pub intercept: f32,
}

fn dot(w: &[f32], cols: &[u32], vals: &[f32]) -> f32 {
    cols.iter()
        .zip(vals)
        .map(|(&c, &v)| w[c as usize] * v)
        .sum()
}

/// Trains on `positive[i]` (true: yᵢ = +1, false: yᵢ = −1).
pub(crate) fn train(p: &Problem<'_>, positive: &[bool], s: Settings) -> Binary {
    let n = p.x.nrows();
    let split = p.x.sparse.ncols();
    let mut w = vec![0f32; p.x.dim()];
    let mut w_bias = 0f32;
    let diag = 0.5 / s.c;
    let qd: Vec<f32> = p.sq_norms.iter().map(|q| q + diag).collect();
    let y: Vec<f32> = positive
        .iter()
        .map(|&b| if b { 1.0 } else { -1.0 })
        .collect();
    let mut alpha = vec![0f32; n];
    let mut index: Vec<usize> = (0..n).collect();
    let mut active = n;
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    // With no upper bound on αᵢ only the largest gradient drives shrinking.
    let mut pg_max_old = f32::INFINITY;
    let mut iter = 0;
    while iter < s.max_iter {
        let (mut pg_max, mut pg_min) = (f32::NEG_INFINITY, f32::INFINITY);
        for k in 0..active {
            let j = rng.random_range(k..active);
            index.swap(k, j);
        }
        let mut k = 0;
        while k < active {
            let i = index[k];
            let (cols, vals) = p.x.sparse.row(i);
            let dense = p.dense_row(i);
            let wx = dot(&w, cols, vals) + dense_dot(&w[split..], dense) + w_bias * p.bias;
            let g = y[i] * wx - 1.0 + diag * alpha[i];
            let mut pg = g;
            if alpha[i] == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    index.swap(k, active);
                    continue;
                }
                pg = g.min(0.0);
            }
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / qd[i]).max(0.0);
                let d = (alpha[i] - old) * y[i];
                for (&c, &v) in cols.iter().zip(vals) {
                    w[c as usize] += d * v;
                }
                axpy(&mut w[split..], d, dense);
                w_bias += d * p.bias;
            }
            k += 1;
        }
        iter += 1;
        if pg_max - pg_min <= s.tolerance {
            if active == n {
                break;
            }
            // Converged on the active set: check every example again.
            active = n;
            pg_max_old = f32::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f32::INFINITY } else { pg_max };
    }
    Binary {
        w,
        intercept: w_bias * p.bias,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::lexical::sparse::Csr;

    #[test]
    fn dense_dot_matches_a_plain_sum() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..19).map(|i| 1.0 - i as f32 * 0.1).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dense_dot(&a, &b) - plain).abs() < 1e-4);
    }

    #[test]
    fn separates_two_points_with_margin() {
        // x = +1 → positive, x = −1 → negative (plus a bias column).
        let x = Rows {
            sparse: Csr::from_rows(&[vec![(0, 1.0)], vec![(0, -1.0)]], 1),
            dense: ndarray::Array2::zeros((2, 0)),
        };
        let p = Problem::new(&x, 1.0);
        let settings = Settings {
            c: 10.0,
            tolerance: 1e-4,
            max_iter: 1000,
            seed: 1,
        };
        let m = train(&p, &[true, false], settings);
        let s0 = m.w[0] + m.intercept;
        let s1 = -m.w[0] + m.intercept;
        assert!(s0 > 0.9 && s1 < -0.9, "{s0} {s1}");
        assert!(m.intercept.abs() < 1e-3);
    }
}
