//! Blocked dense kernels shared by k-means and k-NN: squared Euclidean
//! distances between two row sets through one matrix product per block
//! (`|q|² + |r|² − 2 q·rᵀ`), with blocks spread over rayon.
//!
//! Blocks are cut by row count only, never by thread count, so the floating
//! point work — and therefore every result — is the same on any machine
//! with the same CPU features, however many threads rayon has.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, s};
use rayon::prelude::*;

/// Upper bound on the floats in one block of the distance matrix (8 MB).
const BLOCK_FLOATS: usize = 1 << 21;

/// Rows per query block so that one block of distances to `m` references
/// stays within [`BLOCK_FLOATS`].
pub(crate) fn block_rows(m: usize) -> usize {
    (BLOCK_FLOATS / m.max(1)).clamp(16, 1024)
}

/// Squared L2 norm of each row.
pub(crate) fn row_sq_norms(x: ArrayView2<f32>) -> Vec<f32> {
    x.rows().into_iter().map(|r| r.dot(&r)).collect()
}

/// Squared Euclidean distance between two equally long slices, with eight
/// independent accumulators so the loop vectorises.
#[inline]
pub(crate) fn sq_dist(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, ra) = a.as_chunks::<8>();
    let (cb, rb) = b.as_chunks::<8>();
    for (x, y) in ca.iter().zip(cb) {
        for l in 0..8 {
            let d = x[l] - y[l];
            acc[l] += d * d;
        }
    }
    let mut tail = 0.0f32;
    for (x, y) in ra.iter().zip(rb) {
        let d = x - y;
        tail += d * d;
    }
    acc.iter().sum::<f32>() + tail
}

/// Squared distances from every row of `q` to every row of `r`, written to
/// `out` (`q.nrows() × r.nrows()`), clamped at zero against rounding.
pub(crate) fn sq_dists_into(
    q: ArrayView2<f32>,
    q_norms: &[f32],
    r: ArrayView2<f32>,
    r_norms: &[f32],
    out: &mut ndarray::ArrayViewMut2<f32>,
) {
    general_mat_mul(-2.0, &q, &r.t(), 0.0, out);
    for (mut row, &a) in out.rows_mut().into_iter().zip(q_norms) {
        for (v, &b) in row.iter_mut().zip(r_norms) {
            *v = (*v + a + b).max(0.0);
        }
    }
}

/// Runs `f(first_row, distances)` for each block of query rows in
/// parallel, where `distances` holds the squared distances from the block's
/// rows to every reference row. Results come back in block order.
pub(crate) fn map_dist_blocks<T, F>(
    q: ArrayView2<f32>,
    q_norms: &[f32],
    r: ArrayView2<f32>,
    r_norms: &[f32],
    f: F,
) -> Vec<T>
where
    T: Send,
    F: Fn(usize, ArrayView2<f32>) -> T + Sync,
{
    let n = q.nrows();
    let m = r.nrows();
    let rows = block_rows(m);
    let starts: Vec<usize> = (0..n).step_by(rows).collect();
    starts
        .into_par_iter()
        .map_init(
            || Array2::<f32>::zeros((rows, m)),
            |buf, start| {
                let end = (start + rows).min(n);
                let mut out = buf.slice_mut(s![..end - start, ..]);
                sq_dists_into(
                    q.slice(s![start..end, ..]),
                    &q_norms[start..end],
                    r,
                    r_norms,
                    &mut out,
                );
                f(start, out.view())
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn blocked_distances_match_direct_ones() {
        let q = array![[0.0f32, 0.0, 1.0], [1.0, 2.0, 3.0]];
        let r = array![[1.0f32, 0.0, 0.0], [1.0, 2.0, 3.0], [0.5, 0.5, 0.5]];
        let qn = row_sq_norms(q.view());
        let rn = row_sq_norms(r.view());
        let blocks = map_dist_blocks(q.view(), &qn, r.view(), &rn, |start, d| {
            (start, d.to_owned())
        });
        assert_eq!(blocks.len(), 1);
        let d = &blocks[0].1;
        for i in 0..2 {
            for j in 0..3 {
                let qi = q.row(i).to_vec();
                let rj = r.row(j).to_vec();
                let want = sq_dist(&qi, &rj);
                assert!((d[(i, j)] - want).abs() < 1e-5, "{i},{j}");
            }
        }
        assert_eq!(d[(1, 1)], 0.0);
    }

    #[test]
    fn sq_dist_handles_tails() {
        let a: Vec<f32> = (0..11).map(|i| i as f32).collect();
        let b = vec![0.0f32; 11];
        assert_eq!(
            sq_dist(&a, &b),
            (0..11).map(|i| (i * i) as f32).sum::<f32>()
        );
    }
}
