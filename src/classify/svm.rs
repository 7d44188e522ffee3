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

use crate::embed::lexical::sparse::Csr;

/// What a binary problem shares across classes.
pub(crate) struct Problem<'a> {
    pub x: &'a Csr,
    /// `‖xᵢ‖² + bias²` per row.
    pub sq_norms: Vec<f32>,
    pub bias: f32,
}

impl<'a> Problem<'a> {
    pub(crate) fn new(x: &'a Csr, bias: f32) -> Problem<'a> {
        let sq_norms = (0..x.nrows())
            .map(|i| x.row(i).1.iter().map(|v| v * v).sum::<f32>() + bias * bias)
            .collect();
        Problem { x, sq_norms, bias }
    }
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
    let mut w = vec![0f32; p.x.ncols()];
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
            let (cols, vals) = p.x.row(i);
            let g = y[i] * (dot(&w, cols, vals) + w_bias * p.bias) - 1.0 + diag * alpha[i];
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

    #[test]
    fn separates_two_points_with_margin() {
        // x = +1 → positive, x = −1 → negative (plus a bias column).
        let x = Csr::from_rows(&[vec![(0, 1.0)], vec![(0, -1.0)]], 1);
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
