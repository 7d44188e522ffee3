//! A compressed sparse row matrix with the few products the randomized SVD
//! needs. Every product is parallel over output rows and sums in a fixed
//! order, so results do not depend on the number of threads.

use ndarray::Array2;
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
            for &(c, v) in row {
                indices.push(c);
                values.push(v);
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

    fn row(&self, i: usize) -> (&[u32], &[f32]) {
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
    pub fn mul_dense(&self, dense: &Array2<f32>) -> Array2<f32> {
        let width = dense.ncols();
        let mut out = vec![0f32; self.nrows() * width];
        if width == 0 {
            return Array2::zeros((self.nrows(), 0));
        }
        let dense = dense.as_standard_layout();
        let d = dense.as_slice().unwrap_or(&[]);
        out.par_chunks_mut(width).enumerate().for_each(|(i, acc)| {
            let (cols, vals) = self.row(i);
            for (&c, &v) in cols.iter().zip(vals) {
                let start = c as usize * width;
                axpy(acc, v, &d[start..start + width]);
            }
        });
        Array2::from_shape_vec((self.nrows(), width), out)
            .unwrap_or_else(|_| Array2::zeros((self.nrows(), width)))
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
        let got = sample().mul_dense(&b);
        assert_eq!(got, array![[11.0f32, 14.0], [9.0, 12.0]]);
    }

    #[test]
    fn transpose_swaps_rows_and_columns() {
        let t = sample().transpose();
        assert_eq!(t.nrows(), 3);
        assert_eq!(t.ncols(), 2);
        let b = array![[1.0f32], [10.0]];
        assert_eq!(t.mul_dense(&b), array![[1.0f32], [30.0], [2.0]]);
    }
}
