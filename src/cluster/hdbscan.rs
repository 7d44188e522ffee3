//! HDBSCAN density clustering, wrapping the `hdbscan` crate (0.12).
//!
//! Meant for a low-dimensional projection, not raw embeddings: the crate's
//! core distances and minimum spanning tree scale with the dimension, and
//! on 384-d embeddings it takes about 14 s at 5,000 rows and minutes at
//! 20,000. The pipeline runs it on a 5-d [`super::umap`] projection (as
//! BERTopic does), where it takes 0.14 s of CPU at 5,000 rows and 2.7 s at
//! 20,000 (`benches/numeric.rs`).

use std::collections::HashMap;

use hdbscan::{Hdbscan, HdbscanHyperParams};
use ndarray::ArrayView2;

use super::input::{check_finite, ensure};
use crate::error::{Error, Result};

/// Clusters the rows of `data` (Euclidean distance). Returns one entry per
/// row: `Some(cluster)` with clusters numbered `0..m` in order of first
/// appearance, or `None` for noise, which callers keep as "unclustered".
///
/// `min_cluster_size` (at least 2) is the smallest group that counts as a
/// cluster; `min_samples` (the neighbour count behind the core distance)
/// of 0 means the same as `min_cluster_size`, and is capped at the number
/// of rows. Fewer rows than `min_cluster_size` means everything is noise.
/// Deterministic; errors on non-finite values.
pub fn hdbscan(
    data: ArrayView2<f32>,
    min_cluster_size: usize,
    min_samples: usize,
) -> Result<Vec<Option<usize>>> {
    ensure(min_cluster_size >= 2, "min_cluster_size", || {
        format!("must be at least 2, got {min_cluster_size}")
    })?;
    check_finite(data, "data")?;
    let n = data.nrows();
    if n < min_cluster_size || n < 2 {
        return Ok(vec![None; n]);
    }
    let min_samples = if min_samples == 0 {
        min_cluster_size
    } else {
        min_samples
    }
    .min(n);
    let rows: Vec<Vec<f32>> = data.rows().into_iter().map(|r| r.to_vec()).collect();
    let hp = HdbscanHyperParams::builder()
        .min_cluster_size(min_cluster_size)
        .min_samples(min_samples)
        .build();
    let raw = Hdbscan::new(&rows, hp)
        .cluster()
        .map_err(|e| Error::param("data", e.to_string()))?;
    let mut remap: HashMap<i32, usize> = HashMap::new();
    Ok(raw
        .into_iter()
        .map(|label| {
            (label >= 0).then(|| {
                let next = remap.len();
                *remap.entry(label).or_insert(next)
            })
        })
        .collect())
}
