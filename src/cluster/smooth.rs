//! Neighbour smoothing: each unit vector moves towards the mean of its
//! nearest neighbours (cosine) and is scaled back to unit length, which
//! pulls paraphrases together before k-means. The lexical embedder does
//! this to its own vectors; the clusters stage does it for sentence-model
//! vectors (`[cluster] smooth_neighbours`), where it raised the base NMI on
//! all four data sets measured (`benches/RESULTS.md`).

use ndarray::{Array2, ArrayView2};

use super::knn::{Knn, KnnMetric};
use super::knn_memo::KnnMemo;
use crate::error::Result;

/// Rows above which smoothing is skipped: exact neighbours cost
/// `O(n²·d)`.
pub const SMOOTH_MAX_ROWS: usize = 20_000;

/// Whether `n` rows are smoothed with `k` neighbours (enough rows, not too
/// many, and `k` > 0).
pub fn smooths(n: usize, k: usize) -> bool {
    k > 0 && n > k + 1 && n <= SMOOTH_MAX_ROWS
}

/// `rows` smoothed with their `k` nearest neighbours, weighted by `alpha`
/// in all (each neighbour `alpha / k`); the graph comes from `memo`, so
/// the projection can reuse it. A copy of `rows` when [`smooths`] says no.
pub fn smooth_rows(
    rows: ArrayView2<f32>,
    k: usize,
    alpha: f32,
    memo: &KnnMemo,
) -> Result<Array2<f32>> {
    if !smooths(rows.nrows(), k) {
        return Ok(rows.to_owned());
    }
    let graph = memo.get(rows, k + 1, KnnMetric::Cosine)?;
    Ok(smooth_with(rows, &graph, k, alpha))
}

/// Each row plus `alpha / k` times each of its `k` neighbours in `graph`
/// (whose first column is the row itself), scaled to unit length.
pub fn smooth_with(rows: ArrayView2<f32>, graph: &Knn, k: usize, alpha: f32) -> Array2<f32> {
    let step = alpha / k as f32;
    let mut out = rows.to_owned();
    for (i, mut row) in out.rows_mut().into_iter().enumerate() {
        for j in 1..=k.min(graph.indices.ncols().saturating_sub(1)) {
            row.scaled_add(step, &rows.row(graph.indices[[i, j]] as usize));
        }
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|x| x / norm);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::synthetic;

    #[test]
    fn smoothing_pulls_a_row_towards_its_neighbours() {
        let (data, _) = synthetic::gaussian_blobs(2, 20, 8, 1.0, 0.5, 5);
        let mut unit = data.clone();
        for mut r in unit.rows_mut() {
            let n = r.dot(&r).sqrt();
            r.mapv_inplace(|x| x / n);
        }
        let memo = KnnMemo::new();
        let out = smooth_rows(unit.view(), 5, 1.0, &memo).unwrap();
        assert_eq!(out.dim(), unit.dim());
        // Unit length, and changed.
        for r in out.rows() {
            assert!((r.dot(&r) - 1.0).abs() < 1e-4);
        }
        assert!((&out - &unit).iter().any(|d| d.abs() > 1e-3));
        // The graph is left in the memo for the projection.
        assert_eq!(memo.len(), 1);
        // Too few rows, or k = 0: unchanged.
        let same = smooth_rows(unit.view(), 0, 1.0, &memo).unwrap();
        assert_eq!(same, unit);
        assert!(!smooths(6, 5));
        assert!(!smooths(SMOOTH_MAX_ROWS + 1, 10));
    }
}
