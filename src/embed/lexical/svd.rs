//! Seeded randomized truncated SVD of a sparse matrix (Halko, Martinsson and
//! Tropp's range finder): project onto random signs, refine with a few power
//! iterations, then solve the small problem exactly.

use ndarray::{Array2, ArrayView2, Axis, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::sparse::Csr;
use crate::cluster::symmetric_eigen;

/// Extra random directions beyond the rank asked for.
const OVERSAMPLE: usize = 10;
/// Rows per block in the dense products.
const BLOCK: usize = 2048;
/// Eigenvalues below this fraction of the largest are treated as zero.
const RANK_TOL: f64 = 1e-9;

/// Right singular vectors (`ncols × r`, r ≤ k, orthonormal columns),
/// largest singular value first, and the matrix's rows projected on them.
#[derive(Debug, Clone)]
pub struct Components {
    pub vectors: Array2<f32>,
    /// `A · vectors` (`nrows × r`), a by-product of the fit.
    pub image: Array2<f32>,
}

impl Components {
    fn empty(a: &Csr) -> Components {
        Components {
            vectors: Array2::zeros((a.ncols(), 0)),
            image: Array2::zeros((a.nrows(), 0)),
        }
    }
}

/// The top-`k` right singular vectors of `a`.
pub fn randomized_svd(a: &Csr, k: usize, power_iters: usize, seed: u64) -> Components {
    let l = (k + OVERSAMPLE).min(a.nrows()).min(a.ncols());
    if l == 0 || k == 0 {
        return Components::empty(a);
    }
    let omega = random_signs(a.ncols(), l, seed);
    range_finder(a, omega.view(), k, power_iters)
}

/// Like [`randomized_svd`], but the range finder starts from `start`
/// (`ncols × l`: an earlier fit's basis, topped up with random columns)
/// instead of random signs. When `a` is a reweighting of the matrix that
/// basis was fitted on, the start already spans most of the wanted range,
/// so fewer power iterations reach the same accuracy.
pub fn randomized_svd_from(
    a: &Csr,
    basis: ArrayView2<f32>,
    k: usize,
    power_iters: usize,
    seed: u64,
) -> Components {
    let l = (k + OVERSAMPLE).min(a.nrows()).min(a.ncols());
    if l == 0 || k == 0 || basis.nrows() != a.ncols() {
        return randomized_svd(a, k, power_iters, seed);
    }
    let own = basis.ncols().min(l);
    let mut start = random_signs(a.ncols(), l, seed);
    // Scale the basis up to the random columns' length, so that the
    // rank test of the orthonormalisation treats both alike.
    let scale = (a.ncols() as f32).sqrt();
    start
        .slice_mut(s![.., ..own])
        .assign(&(&basis.slice(s![.., ..own]) * scale));
    range_finder(a, start.view(), k, power_iters)
}

/// The range finder and the small exact problem, from the start matrix
/// `omega` (`ncols × l`).
fn range_finder(a: &Csr, omega: ArrayView2<f32>, k: usize, power_iters: usize) -> Components {
    let at = a.transpose();
    let mut y = orthonormalise(&a.mul_dense(omega));
    // Subspace iteration: Y ← orth(A Aᵀ Y). Orthonormalising after each
    // A Aᵀ step is enough in f32 for the few iterations used here.
    for _ in 0..power_iters {
        let z = at.mul_dense(y.view());
        y = orthonormalise(&a.mul_dense(z.view()));
    }
    // B = Qᵀ A; the eigenvectors U of B Bᵀ = Qᵀ A (Aᵀ Q) give B's right
    // singular vectors V = Aᵀ Q U Λ^(-1/2). With Z = Aᵀ Q and X = A Z, both
    // products through the sparse matrix (cost: its non-zeros × l), B Bᵀ is
    // Qᵀ X, V is the dense Z T (T = U Λ^(-1/2)) and the rows' projection
    // A V is X T: two sparse products per fit instead of four, and no
    // dense `ncols × l²` Gram matrix.
    let z = at.mul_dense(y.view());
    let x = a.mul_dense(z.view());
    let g = cross(&y, &x);
    let (values, vecs) = symmetric_eigen(&g);
    let top = values.first().copied().unwrap_or(0.0);
    let keep: Vec<usize> = (0..values.len().min(k))
        .filter(|&i| values[i] > top * RANK_TOL && values[i] > 0.0)
        .collect();
    let mut t = Array2::<f32>::zeros((vecs.nrows(), keep.len()));
    for (c, &i) in keep.iter().enumerate() {
        let inv = 1.0 / values[i].sqrt();
        for r in 0..vecs.nrows() {
            t[[r, c]] = (vecs[[r, i]] * inv) as f32;
        }
    }
    Components {
        vectors: par_dot(&z, &t),
        image: par_dot(&x, &t),
    }
}

/// `yᵀ x` in f64, summed block by block in a fixed order.
fn cross(y: &Array2<f32>, x: &Array2<f32>) -> Array2<f64> {
    let blocks: Vec<Array2<f32>> = (0..y.nrows().div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let rows = s![b * BLOCK..((b + 1) * BLOCK).min(y.nrows()), ..];
            y.slice(rows).t().dot(&x.slice(rows))
        })
        .collect();
    let mut out = Array2::<f64>::zeros((y.ncols(), x.ncols()));
    for part in blocks {
        out.zip_mut_with(&part, |o, &p| *o += f64::from(p));
    }
    // Symmetric in exact arithmetic; make it so for the eigensolver.
    let n = out.nrows().min(out.ncols());
    for i in 0..n {
        for j in i + 1..n {
            let m = 0.5 * (out[[i, j]] + out[[j, i]]);
            out[[i, j]] = m;
            out[[j, i]] = m;
        }
    }
    out
}

/// A `rows × cols` matrix of random ±1 from a seeded generator.
fn random_signs(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data = Vec::with_capacity(rows * cols);
    while data.len() < rows * cols {
        let bits: u64 = rng.random();
        for b in 0..64 {
            if data.len() == rows * cols {
                break;
            }
            data.push(if bits >> b & 1 == 1 { 1.0 } else { -1.0 });
        }
    }
    Array2::from_shape_vec((rows, cols), data).unwrap_or_else(|_| Array2::zeros((rows, cols)))
}

/// `yᵀ y` in f64, summed block by block in a fixed order.
fn gram(y: &Array2<f32>) -> Array2<f64> {
    let n = y.ncols();
    let blocks: Vec<Array2<f32>> = (0..y.nrows().div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let rows = y.slice(s![b * BLOCK..((b + 1) * BLOCK).min(y.nrows()), ..]);
            rows.t().dot(&rows)
        })
        .collect();
    let mut out = Array2::<f64>::zeros((n, n));
    for part in blocks {
        out.zip_mut_with(&part, |o, &p| *o += f64::from(p));
    }
    out
}

/// `y · t`, parallel over blocks of rows.
fn par_dot(y: &Array2<f32>, t: &Array2<f32>) -> Array2<f32> {
    let parts: Vec<Array2<f32>> = (0..y.nrows().div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            y.slice(s![b * BLOCK..((b + 1) * BLOCK).min(y.nrows()), ..])
                .dot(t)
        })
        .collect();
    if parts.is_empty() {
        return Array2::zeros((y.nrows(), t.ncols()));
    }
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(Axis(0), &views).unwrap_or_else(|_| Array2::zeros((y.nrows(), t.ncols())))
}

/// An orthonormal basis of the column space of `y` (dropping directions it
/// does not span), via the eigendecomposition of its Gram matrix.
fn orthonormalise(y: &Array2<f32>) -> Array2<f32> {
    let (values, vecs) = symmetric_eigen(&gram(y));
    let top = values.first().copied().unwrap_or(0.0);
    let keep: Vec<usize> = (0..values.len())
        .filter(|&i| values[i] > top * RANK_TOL && values[i] > 0.0)
        .collect();
    let mut t = Array2::<f32>::zeros((vecs.nrows(), keep.len()));
    for (c, &i) in keep.iter().enumerate() {
        let inv = 1.0 / values[i].sqrt();
        for r in 0..vecs.nrows() {
            t[[r, c]] = (vecs[[r, i]] * inv) as f32;
        }
    }
    par_dot(y, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_rank_two_matrix() {
        // Rows are combinations of two orthogonal directions.
        let rows: Vec<Vec<(u32, f32)>> = (0..30)
            .map(|i| {
                let (a, b) = ((i % 5) as f32 + 1.0, (i % 3) as f32);
                vec![(0, a), (1, a), (2, b), (3, -b)]
            })
            .collect();
        let m = Csr::from_rows(&rows, 6);
        let c = randomized_svd(&m, 4, 2, 7);
        assert_eq!(c.vectors.nrows(), 6);
        assert_eq!(c.vectors.ncols(), 2, "rank is two");
        let vtv = c.vectors.t().dot(&c.vectors);
        for i in 0..2 {
            for j in 0..2 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((vtv[[i, j]] - want).abs() < 1e-4);
            }
        }
        // Projecting onto the components keeps every row's length, and the
        // fit's own projection is that product.
        let p = m.mul_dense(c.vectors.view());
        assert_eq!(c.image.dim(), p.dim());
        for (got, want) in c.image.iter().zip(p.iter()) {
            assert!((got - want).abs() < 1e-3, "{got} vs {want}");
        }
        for (i, row) in rows.iter().enumerate() {
            let want: f32 = row.iter().map(|&(_, v)| v * v).sum();
            let got: f32 = p.row(i).iter().map(|v| v * v).sum();
            assert!((want - got).abs() < 1e-3 * want.max(1.0));
        }
    }

    #[test]
    fn a_warm_started_refit_recovers_a_reweighted_low_rank_matrix() {
        // Rank three; the reweighted matrix has the same row space, so the
        // first fit's basis spans it and the refit keeps every row's length.
        let rows: Vec<Vec<(u32, f32)>> = (0..40u32)
            .map(|i| {
                let (a, b, c) = ((i % 5) as f32 + 1.0, (i % 3) as f32, (i % 2) as f32);
                vec![(0, a), (1, a + b), (4, c), (7, b - c)]
            })
            .collect();
        let m = Csr::from_rows(&rows, 9);
        let first = randomized_svd(&m, 3, 2, 11);
        let weighted: Vec<Vec<(u32, f32)>> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&(c, v)| (c, v * (1.0 + c as f32 / 10.0)))
                    .collect()
            })
            .collect();
        let w = Csr::from_rows(&weighted, 9);
        let refit = randomized_svd_from(&w, first.vectors.view(), 3, 0, 11);
        assert_eq!(refit.vectors.nrows(), 9);
        let p = w.mul_dense(refit.vectors.view());
        for (i, row) in weighted.iter().enumerate() {
            let want: f32 = row.iter().map(|&(_, v)| v * v).sum();
            let got: f32 = p.row(i).iter().map(|v| v * v).sum();
            assert!(
                (want - got).abs() < 1e-3 * want.max(1.0),
                "row {i}: {got} of {want}"
            );
        }
    }

    #[test]
    fn same_seed_same_result() {
        let rows: Vec<Vec<(u32, f32)>> = (0..20u32)
            .map(|i| vec![(i % 7, 1.0), ((i * 3) % 11, 2.0)])
            .collect();
        let m = Csr::from_rows(&rows, 11);
        let a = randomized_svd(&m, 3, 1, 5);
        let b = randomized_svd(&m, 3, 1, 5);
        assert_eq!(a.vectors, b.vectors);
    }
}
