//! A compressed sparse row matrix with the few products the randomized SVD
//! needs. Every product is parallel over output rows and sums in a fixed
//! order, so results do not depend on the number of threads.

use ndarray::{Array2, ArrayView2};

/// Bytes of the dense operand processed per column block (cache-sized).
const BLOCK_BYTES: usize = 2 << 20;
/// Output rows per parallel task.
const ROWS_PER_TASK: usize = 64;
use rayon::prelude::*;

/// Sparse rows: row `i` holds `indices[indptr[i]..indptr[i + 1]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Csr {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
    ncols: usize,
}

impl Csr {
    /// Builds a matrix from rows of `(column, value)` pairs.
    pub fn from_rows(rows: &[Vec<(u32, f32)>], ncols: usize) -> Csr {
        let nnz = rows.iter().map(Vec::len).sum();
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        let mut indices = Vec::with_capacity(nnz);
        let mut values = Vec::with_capacity(nnz);
        indptr.push(0);
        for row in rows {
            let start = indices.len();
            for &(c, v) in row {
                indices.push(c);
                values.push(v);
            }
            // The blocked product needs each row's columns in order.
            if !indices[start..].is_sorted() {
                let mut pairs: Vec<(u32, f32)> = row.clone();
                pairs.sort_by_key(|&(c, _)| c);
                for (k, (c, v)) in pairs.into_iter().enumerate() {
                    indices[start + k] = c;
                    values[start + k] = v;
                }
            }
            indptr.push(indices.len());
        }
        Csr {
            indptr,
            indices,
            values,
            ncols,
        }
    }

    pub fn nrows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// Row `i`: its column indices (ascending) and values.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (start, end) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[start..end], &self.values[start..end])
    }

    /// The transpose, also in CSR form (so: the columns of `self`).
    pub fn transpose(&self) -> Csr {
        let mut counts = vec![0usize; self.ncols + 1];
        for &c in &self.indices {
            counts[c as usize + 1] += 1;
        }
        for i in 0..self.ncols {
            counts[i + 1] += counts[i];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let mut indices = vec![0u32; self.indices.len()];
        let mut values = vec![0f32; self.values.len()];
        for r in 0..self.nrows() {
            let (cols, vals) = self.row(r);
            for (&c, &v) in cols.iter().zip(vals) {
                let slot = &mut next[c as usize];
                // Row numbers fit in u32: the embedder rejects larger corpora.
                indices[*slot] = r as u32;
                values[*slot] = v;
                *slot += 1;
            }
        }
        Csr {
            indptr,
            indices,
            values,
            ncols: self.nrows(),
        }
    }

    /// `self · dense`, where `dense` has one row per column of `self`.
    ///
    /// The columns are processed in blocks whose rows of `dense` fit in
    /// cache, so a wide `dense` is streamed once per block instead of being
    /// read at random; each output row still sums in column order.
    pub fn mul_dense(&self, dense: ArrayView2<'_, f32>) -> Array2<f32> {
        let (rows, width) = (self.nrows(), dense.ncols());
        if width == 0 || rows == 0 {
            return Array2::zeros((rows, width));
        }
        let dense = dense.as_standard_layout();
        let d = dense.as_slice().unwrap_or(&[]);
        let block = (BLOCK_BYTES / (width * 4)).max(1);
        let mut out = vec![0f32; rows * width];
        let mut cursor: Vec<usize> = self.indptr[..rows].to_vec();
        let mut first = 0;
        while first < self.ncols {
            let end = (first + block).min(self.ncols) as u32;
            out.par_chunks_mut(width * ROWS_PER_TASK)
                .zip(cursor.par_chunks_mut(ROWS_PER_TASK))
                .enumerate()
                .for_each(|(task, (acc_rows, cursors))| {
                    for (r, (acc, at)) in acc_rows.chunks_mut(width).zip(cursors).enumerate() {
                        let stop = self.indptr[task * ROWS_PER_TASK + r + 1];
                        while *at < stop && self.indices[*at] < end {
                            let start = self.indices[*at] as usize * width;
                            axpy(acc, self.values[*at], &d[start..start + width]);
                            *at += 1;
                        }
                    }
                });
            first += block;
        }
        Array2::from_shape_vec((rows, width), out).unwrap_or_else(|_| Array2::zeros((rows, width)))
    }
}

/// `acc += a · x`.
pub fn axpy(acc: &mut [f32], a: f32, x: &[f32]) {
    for (y, &x) in acc.iter_mut().zip(x) {
        *y += a * x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn sample() -> Csr {
        // [[1, 0, 2],
        //  [0, 3, 0]]
        Csr::from_rows(&[vec![(0, 1.0), (2, 2.0)], vec![(1, 3.0)]], 3)
    }

    #[test]
    fn product_matches_dense() {
        let b = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let got = sample().mul_dense(b.view());
        assert_eq!(got, array![[11.0f32, 14.0], [9.0, 12.0]]);
    }

    #[test]
    fn blocked_product_matches_a_plain_one_across_many_blocks() {
        let (rows, cols, width) = (150, 5000, 300);
        assert!(BLOCK_BYTES / (width * 4) < cols, "several column blocks");
        let sparse: Vec<Vec<(u32, f32)>> = (0..rows)
            .map(|r| {
                // Unsorted on purpose; from_rows sorts.
                (0..7u32)
                    .map(|k| (((r as u32 * 7919 + k * 1231) % cols as u32), k as f32 + 0.5))
                    .rev()
                    .collect()
            })
            .collect();
        let dense = Array2::from_shape_fn((cols, width), |(i, j)| ((i * 31 + j * 7) % 13) as f32);
        let got = Csr::from_rows(&sparse, cols).mul_dense(dense.view());
        for (r, row) in sparse.iter().enumerate() {
            for j in 0..width {
                let want: f32 = row.iter().map(|&(c, v)| v * dense[[c as usize, j]]).sum();
                assert!((got[[r, j]] - want).abs() < 1e-3, "row {r} col {j}");
            }
        }
    }

    #[test]
    fn transpose_swaps_rows_and_columns() {
        let t = sample().transpose();
        assert_eq!(t.nrows(), 3);
        assert_eq!(t.ncols(), 2);
        let b = array![[1.0f32], [10.0]];
        assert_eq!(t.mul_dense(b.view()), array![[1.0f32], [30.0], [2.0]]);
    }
}
