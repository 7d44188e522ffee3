//! The Hungarian algorithm (Kuhn–Munkres) for rectangular assignment, in
//! the shortest-augmenting-path form with row and column potentials:
//! `O(r² · c)` for `r <= c` (the matrix is transposed otherwise).

use ndarray::ArrayView2;

use crate::error::{Error, Result};

/// A one-to-one matching of rows to columns with the largest total weight.
/// Returns, per row, the matched column; `None` for rows left over when
/// there are more rows than columns. Errors on non-finite weights.
pub fn max_weight_matching(weights: ArrayView2<f64>) -> Result<Vec<Option<usize>>> {
    if let Some(bad) = weights.iter().find(|w| !w.is_finite()) {
        return Err(Error::param(
            "weights",
            format!("{bad} is not a finite number"),
        ));
    }
    let (r, c) = weights.dim();
    if r <= c {
        Ok(min_cost_rows(r, c, |i, j| -weights[(i, j)])
            .into_iter()
            .map(Some)
            .collect())
    } else {
        let col_to_row = min_cost_rows(c, r, |i, j| -weights[(j, i)]);
        let mut out = vec![None; r];
        for (col, row) in col_to_row.into_iter().enumerate() {
            out[row] = Some(col);
        }
        Ok(out)
    }
}

/// Minimum-cost assignment of each of `n` rows to a distinct one of
/// `m >= n` columns; returns the column of each row.
fn min_cost_rows(n: usize, m: usize, cost: impl Fn(usize, usize) -> f64) -> Vec<usize> {
    // 1-based internally; index 0 is a virtual row/column.
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; m + 1];
    let mut owner = vec![0usize; m + 1]; // row matched to column j
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        owner[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![f64::INFINITY; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = owner[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0usize;
            for j in 1..=m {
                if used[j] {
                    continue;
                }
                let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                if cur < minv[j] {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[owner[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if owner[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            owner[j0] = owner[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut row_col = vec![0usize; n];
    for j in 1..=m {
        if owner[j] > 0 {
            row_col[owner[j] - 1] = j - 1;
        }
    }
    row_col
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn total(w: &ndarray::Array2<f64>, m: &[Option<usize>]) -> f64 {
        m.iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|c| w[(i, c)]))
            .sum()
    }

    /// Best total by trying every injective assignment (small cases only).
    fn brute(w: &ndarray::Array2<f64>) -> f64 {
        fn go(w: &ndarray::Array2<f64>, row: usize, used: &mut Vec<bool>) -> f64 {
            if row == w.nrows() {
                return 0.0;
            }
            // A row may stay unmatched only when rows outnumber columns.
            let mut best = if w.nrows() > w.ncols() {
                go(w, row + 1, used)
            } else {
                f64::NEG_INFINITY
            };
            for c in 0..w.ncols() {
                if !used[c] {
                    used[c] = true;
                    best = best.max(w[(row, c)] + go(w, row + 1, used));
                    used[c] = false;
                }
            }
            best
        }
        go(w, 0, &mut vec![false; w.ncols()])
    }

    #[test]
    fn square_known_case() {
        let w = array![[7.0, 5.0, 11.0], [5.0, 4.0, 1.0], [9.0, 3.0, 2.0]];
        let m = max_weight_matching(w.view()).unwrap();
        assert_eq!(total(&w, &m), 24.0); // 11 + 4 + 9
        assert_eq!(m, vec![Some(2), Some(1), Some(0)]);
    }

    #[test]
    fn rectangular_matches_brute_force() {
        let cases = [
            array![[1.0, 9.0, 3.0, 4.0], [8.0, 7.0, 6.0, 2.0]],
            array![[1.0, 9.0], [3.0, 4.0], [8.0, 7.0], [6.0, 2.0]],
            array![[0.0, 0.0, 0.0], [0.0, 5.0, 5.0], [2.0, 5.0, 1.0]],
        ];
        for w in cases {
            let m = max_weight_matching(w.view()).unwrap();
            assert!((total(&w, &m) - brute(&w)).abs() < 1e-9, "{w:?} {m:?}");
            let cols: Vec<usize> = m.iter().flatten().copied().collect();
            let mut dedup = cols.clone();
            dedup.sort();
            dedup.dedup();
            assert_eq!(cols.len(), dedup.len());
            assert_eq!(cols.len(), w.nrows().min(w.ncols()));
        }
    }

    #[test]
    fn rejects_nan() {
        let w = array![[1.0, f64::NAN]];
        assert!(max_weight_matching(w.view()).is_err());
    }
}
