//! UMAP projection (McInnes, Healy & Melville 2018), seeded and
//! deterministic.
//!
//! The steps: exact kNN ([`super::knn`]), the fuzzy simplicial set from
//! umap-rs 0.4.5, a PCA start scaled to `[0, 10]`, then our own
//! single-threaded SGD with the correct gradient (umap-rs's optimiser has
//! the wrong curve; see [`sgd`]). `a` and `b` are fitted from `min_dist` and
//! `spread` as the reference does.
//!
//! Cost: the kNN (`n² · d`), then about
//! `epochs × n × n_neighbors × (1 + negative_sample_rate)` gradient steps on
//! one core: at 5,000 points and 200 epochs, 1.3 s (2-d) and 1.5 s (5-d)
//! of CPU on this machine, four times that at 20,000. [`umap_multi`] shares
//! one kNN between several layouts (say 2-d for the map and 5-d for
//! HDBSCAN) and runs them on separate threads. The graph step logs through
//! `tracing` at info level (umap-rs does).

mod curve;
mod graph;
mod init;
mod sgd;

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::input::{check_finite, ensure, in_range};
use super::knn::{Knn, KnnMetric, knn, normalized};
use crate::error::{Error, Result};

/// Parameters for [`umap`]. Start from [`UmapParams::default`] (or
/// [`UmapParams::new`]) and adjust the public fields.
#[derive(Debug, Clone, PartialEq)]
pub struct UmapParams {
    /// Output dimensions, 1 to 256.
    pub n_components: usize,
    /// Neighbours per point, the point itself included (as umap-learn
    /// counts them); at least 2. Clamped to `n − 1` for tiny inputs.
    pub n_neighbors: usize,
    /// Smallest distance between points in the layout, `0 <= min_dist <=
    /// spread`.
    pub min_dist: f32,
    /// Scale of the layout, `> 0`.
    pub spread: f32,
    /// Optimisation epochs, 1 to 100,000.
    pub epochs: usize,
    /// Seed of the start and of the negative sampling.
    pub seed: u64,
    /// Random points pushed away per attractive sample, 0 to 1,000.
    pub negative_sample_rate: usize,
    /// Initial SGD step, decaying linearly to 0; `> 0`.
    pub learning_rate: f32,
    /// Distance in the input space.
    pub metric: KnnMetric,
}

impl Default for UmapParams {
    /// umap-learn's defaults with 200 epochs: 2-d, 15 neighbours,
    /// `min_dist` 0.1, `spread` 1, 5 negative samples, learning rate 1,
    /// cosine distance, seed 42.
    fn default() -> Self {
        UmapParams {
            n_components: 2,
            n_neighbors: 15,
            min_dist: 0.1,
            spread: 1.0,
            epochs: 200,
            seed: 42,
            negative_sample_rate: 5,
            learning_rate: 1.0,
            metric: KnnMetric::Cosine,
        }
    }
}

impl UmapParams {
    /// The defaults with `n_components` output dimensions.
    pub fn new(n_components: usize) -> Self {
        UmapParams {
            n_components,
            ..UmapParams::default()
        }
    }

    /// Validates the parameters that do not depend on the data.
    pub fn check(&self) -> Result<ValidUmapParams> {
        ensure(
            (1..=256).contains(&self.n_components),
            "n_components",
            || format!("must be between 1 and 256, got {}", self.n_components),
        )?;
        ensure(self.n_neighbors >= 2, "n_neighbors", || {
            format!("must be at least 2, got {}", self.n_neighbors)
        })?;
        ensure(
            in_range(f64::from(self.spread), 1e-6, 1e6),
            "spread",
            || format!("must be a positive finite number, got {}", self.spread),
        )?;
        ensure(
            in_range(f64::from(self.min_dist), 0.0, f64::from(self.spread)),
            "min_dist",
            || {
                format!(
                    "must be between 0 and spread ({}), got {}",
                    self.spread, self.min_dist
                )
            },
        )?;
        ensure((1..=100_000).contains(&self.epochs), "epochs", || {
            format!("must be between 1 and 100000, got {}", self.epochs)
        })?;
        ensure(
            self.negative_sample_rate <= 1000,
            "negative_sample_rate",
            || format!("must be at most 1000, got {}", self.negative_sample_rate),
        )?;
        ensure(
            in_range(f64::from(self.learning_rate), 1e-9, 1e6),
            "learning_rate",
            || {
                format!(
                    "must be a positive finite number, got {}",
                    self.learning_rate
                )
            },
        )?;
        Ok(ValidUmapParams(self.clone()))
    }
}

/// [`UmapParams`] that passed [`UmapParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidUmapParams(UmapParams);

impl ValidUmapParams {
    pub fn params(&self) -> &UmapParams {
        &self.0
    }
}

/// Projects the rows of `data` to `params.n_components` dimensions.
///
/// Returns an `n × n_components` layout. Tiny inputs get trivial layouts
/// (no rows: empty; one row: the origin; two rows: 1 apart on the first
/// axis). Errors on invalid parameters and non-finite values. The same
/// seed and data give the same layout.
pub fn umap(data: ArrayView2<f32>, params: &UmapParams) -> Result<Array2<f32>> {
    let valid = params.check()?;
    check_finite(data, "data")?;
    let n = data.nrows();
    if n <= 2 {
        return Ok(trivial(n, params.n_components));
    }
    let graph = knn(data, neighbours(n, params.n_neighbors), params.metric)?;
    Ok(layout(data, &graph, valid.params()))
}

/// [`umap`] with a kNN computed elsewhere (for example shared with other
/// stages). `knn` must come from `data` with `params.metric`, have one row
/// per data row and at least `min(n_neighbors, n − 1)` columns; extra
/// columns are ignored.
pub fn umap_from_knn(data: ArrayView2<f32>, knn: &Knn, params: &UmapParams) -> Result<Array2<f32>> {
    let valid = params.check()?;
    check_finite(data, "data")?;
    let n = data.nrows();
    if n <= 2 {
        return Ok(trivial(n, params.n_components));
    }
    check_knn(knn, n, neighbours(n, params.n_neighbors))?;
    Ok(layout(data, knn, valid.params()))
}

/// [`umap`] taking its kNN from `memo`, so that several layouts of the
/// same data computed at different times share one neighbour search. The
/// result equals what [`umap`] returns.
pub fn umap_shared(
    data: ArrayView2<f32>,
    params: &UmapParams,
    memo: &super::KnnMemo,
) -> Result<Array2<f32>> {
    let valid = params.check()?;
    check_finite(data, "data")?;
    let n = data.nrows();
    if n <= 2 {
        return Ok(trivial(n, params.n_components));
    }
    let graph = memo.get(data, neighbours(n, params.n_neighbors), params.metric)?;
    Ok(layout(data, &graph, valid.params()))
}

/// Several layouts of the same data (for example 2-d for the map and 5-d
/// for clustering) at the cost of one kNN per distinct metric, the layouts
/// running in parallel. Each result equals what [`umap`] returns for the
/// same parameters.
pub fn umap_multi(data: ArrayView2<f32>, params: &[UmapParams]) -> Result<Vec<Array2<f32>>> {
    for p in params {
        p.check()?;
    }
    check_finite(data, "data")?;
    let n = data.nrows();
    if n <= 2 {
        return Ok(params.iter().map(|p| trivial(n, p.n_components)).collect());
    }
    let mut graphs: Vec<(KnnMetric, Knn)> = Vec::new();
    for metric in [KnnMetric::Cosine, KnnMetric::Euclidean] {
        let k = params
            .iter()
            .filter(|p| p.metric == metric)
            .map(|p| neighbours(n, p.n_neighbors))
            .max();
        if let Some(k) = k {
            graphs.push((metric, knn(data, k, metric)?));
        }
    }
    params
        .par_iter()
        .map(|p| {
            let graph = graphs
                .iter()
                .find(|(m, _)| *m == p.metric)
                .map(|(_, g)| g)
                .ok_or_else(|| Error::Internal("missing kNN for the metric".into()))?;
            Ok(layout(data, graph, p))
        })
        .collect()
}

/// Neighbours actually used: the requested count, at most `n − 1`.
fn neighbours(n: usize, requested: usize) -> usize {
    requested.min(n.saturating_sub(1)).max(2)
}

fn check_knn(knn: &Knn, n: usize, needed: usize) -> Result<()> {
    ensure(knn.indices.dim() == knn.distances.dim(), "knn", || {
        "indices and distances differ in shape".into()
    })?;
    ensure(knn.indices.nrows() == n, "knn", || {
        format!("has {} rows but the data has {n}", knn.indices.nrows())
    })?;
    ensure(knn.k() >= needed, "knn", || {
        format!("has {} neighbours per row, {needed} are needed", knn.k())
    })?;
    ensure(knn.indices.iter().all(|&i| (i as usize) < n), "knn", || {
        "holds a row index out of range".into()
    })?;
    ensure(
        knn.distances.iter().all(|d| d.is_finite() && *d >= 0.0),
        "knn",
        || "holds a negative or non-finite distance".into(),
    )?;
    // umap-rs builds a sparse matrix from the rows and panics on repeats.
    let mut seen: Vec<u32> = Vec::with_capacity(needed);
    for (i, row) in knn.indices.rows().into_iter().enumerate() {
        seen.clear();
        seen.extend(row.iter().take(needed));
        seen.sort_unstable();
        ensure(seen.windows(2).all(|w| w[0] != w[1]), "knn", || {
            format!("row {i} lists the same neighbour twice")
        })?;
    }
    Ok(())
}

fn trivial(n: usize, c: usize) -> Array2<f32> {
    let mut out = Array2::<f32>::zeros((n, c));
    if n == 2 && c > 0 {
        out[(1, 0)] = 1.0;
    }
    out
}

/// Graph, start and optimisation for `n >= 3` rows and a checked kNN.
fn layout(data: ArrayView2<f32>, knn: &Knn, p: &UmapParams) -> Array2<f32> {
    let n = data.nrows();
    let c = p.n_components;
    let edges = graph::fuzzy_edges(data, knn, neighbours(n, p.n_neighbors), p.epochs);
    let (a, b) = curve::fit_ab(p.spread, p.min_dist);
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let start = match p.metric {
        KnnMetric::Cosine => init::pca_layout(normalized(data).view(), c, &mut rng),
        KnnMetric::Euclidean => init::pca_layout(data, c, &mut rng),
    };
    let mut flat: Vec<f32> = start.iter().copied().collect();
    let schedule = sgd::Schedule {
        a,
        b,
        epochs: p.epochs,
        negative_sample_rate: p.negative_sample_rate,
        learning_rate: p.learning_rate,
    };
    sgd::optimize(&mut flat, c, &edges, &schedule, &mut rng);
    Array2::from_shape_vec((n, c), flat).unwrap_or(start)
}
