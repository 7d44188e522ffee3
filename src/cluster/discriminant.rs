//! The discriminant projection (`[cluster] discriminant_dims`): an opt-in
//! step before k-means.
//!
//! An embedding of a few hundred directions spends many of them on how
//! people phrase things rather than on what they ask. The rows are
//! clustered roughly (about ten rows per cluster), and the space is
//! projected on the few directions that best separate those clusters
//! relative to their spread inside (linear discriminant analysis with the
//! rough clusters as labels): the generalised eigenvectors of the
//! between-cluster scatter against the within-cluster scatter, the latter
//! shrunk towards a multiple of the identity so that it stays well
//! conditioned. k-means then runs on each row beside its projection
//! ([`with_projection`]); the centroids the later stages use stay those of
//! the embeddings.
//!
//! On by default for the lexical embedder (32 dimensions). k-means on the
//! projection alone raised base NMI more, but base names became less
//! identifiable among their siblings; beside the embedding, NMI still rose
//! on average over three seeds at the base and the top level while names
//! stayed identifiable (`benches/RESULTS.md`).

use ndarray::{Array1, Array2, ArrayView2, Axis, s};

use super::eigen::symmetric_eigen;
use super::input::ensure;
use super::kmeans::{KMeansParams, kmeans};
use super::knn::normalized;
use crate::error::Result;

/// Rows per rough cluster.
const ROWS_PER_CLUSTER: usize = 10;
/// Most rough clusters (bounds the k-means cost on large corpora).
const MAX_CLUSTERS: usize = 256;
/// Fewest rows for which the projection is fitted; below it the space is
/// cut to its leading coordinates instead.
pub const MIN_ROWS: usize = 40;
/// Share of the within-cluster scatter replaced by a multiple of the
/// identity (measured: 0.2 and 0.8 were no better).
const SHRINKAGE: f64 = 0.5;

/// A `d × min(dims, d)` projection fitted on `rows` (`n × d`): discriminant
/// directions of a rough k-means (seeded with `seed`) when there are at
/// least [`MIN_ROWS`] rows, the first coordinates otherwise.
pub fn discriminant_projection(
    rows: ArrayView2<f32>,
    dims: usize,
    seed: u64,
) -> Result<Array2<f32>> {
    ensure(dims > 0, "discriminant_dims", || {
        "must be at least 1".into()
    })?;
    let (n, d) = rows.dim();
    let dims = dims.min(d);
    if n < MIN_ROWS {
        let mut cut = Array2::zeros((d, dims));
        for i in 0..dims {
            cut[[i, i]] = 1.0;
        }
        return Ok(cut);
    }
    let k = (n / ROWS_PER_CLUSTER).clamp(2, MAX_CLUSTERS);
    let mut params = KMeansParams::new(k);
    params.seed = seed;
    let labels = kmeans(rows, &params)?.labels;
    let (within, total) = scatter(rows, &labels, k);
    let between = &total - &within;
    Ok(directions(within, &between, dims, SHRINKAGE))
}

/// The within-group and total scatter matrices of `rows` (divided by n),
/// in f64.
fn scatter(rows: ArrayView2<f32>, labels: &[usize], k: usize) -> (Array2<f64>, Array2<f64>) {
    let (n, d) = rows.dim();
    let x = rows.mapv(f64::from);
    let mut means = Array2::<f64>::zeros((k, d));
    let mut sizes = vec![0usize; k];
    for (row, &l) in x.rows().into_iter().zip(labels) {
        let mut m = means.row_mut(l);
        m += &row;
        sizes[l] += 1;
    }
    for (mut m, &c) in means.rows_mut().into_iter().zip(&sizes) {
        if c > 0 {
            m /= c as f64;
        }
    }
    let mut inside = x.clone();
    for (mut row, &l) in inside.rows_mut().into_iter().zip(labels) {
        row -= &means.row(l);
    }
    let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(d));
    let centred = x - &mean;
    let scale = 1.0 / n.max(1) as f64;
    (
        inside.t().dot(&inside) * scale,
        centred.t().dot(&centred) * scale,
    )
}

/// The leading `dims` generalised eigenvectors of `between` against the
/// shrunk `within`, as columns: `W · u` for the eigenvectors `u` of
/// `W · between · W`, where `W` is the inverse square root of `within`.
fn directions(
    mut within: Array2<f64>,
    between: &Array2<f64>,
    dims: usize,
    shrinkage: f64,
) -> Array2<f32> {
    let d = within.nrows();
    let target = (within.diag().sum() / d.max(1) as f64).max(1e-12);
    within *= 1.0 - shrinkage;
    for i in 0..d {
        within[[i, i]] += shrinkage * target;
    }
    let (values, vectors) = symmetric_eigen(&within);
    let floor = target * 1e-9;
    let mut scaled = vectors.clone();
    for (mut col, v) in scaled.columns_mut().into_iter().zip(&values) {
        col /= v.max(floor).sqrt();
    }
    let whiten = scaled.dot(&vectors.t());
    let m = whiten.dot(between).dot(&whiten);
    let (_, u) = symmetric_eigen(&m);
    whiten.dot(&u.slice(s![.., ..dims])).mapv(|v| v as f32)
}

/// Share of the squared length the projected part gets in
/// [`with_projection`] (measured: 0.5 and 1.0 were worse, see
/// `benches/RESULTS.md`).
pub const PROJECTED_SHARE: f32 = 0.75;

/// Each unit row of `rows` beside its unit projection: `[√(1 − s) · row,
/// √s · projected]` with `s` = [`PROJECTED_SHARE`], so unit rows stay unit.
/// k-means on these still sees the embedding (which keeps base clusters
/// compact where names and the hierarchy judge them) and is steered by the
/// discriminant directions.
pub fn with_projection(rows: ArrayView2<f32>, projection: &Array2<f32>) -> Array2<f32> {
    let (n, d) = rows.dim();
    let projected = normalized(rows.dot(projection).view());
    let mut out = Array2::zeros((n, d + projected.ncols()));
    out.slice_mut(s![.., ..d])
        .assign(&(&rows * (1.0 - PROJECTED_SHARE).sqrt()));
    out.slice_mut(s![.., d..])
        .assign(&(projected * PROJECTED_SHARE.sqrt()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Two groups that differ only along axis 2, with far larger spread
    /// inside each group along axes 0 and 1.
    fn groups(n: usize) -> Array2<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut m = Array2::zeros((n, 4));
        for i in 0..n {
            let side = if i % 2 == 0 { 1.0 } else { -1.0 };
            m[[i, 0]] = rng.random_range(-3.0..3.0);
            m[[i, 1]] = rng.random_range(-3.0..3.0);
            m[[i, 2]] = side + rng.random_range(-0.1..0.1);
            m[[i, 3]] = rng.random_range(-0.1..0.1);
        }
        m
    }

    #[test]
    fn the_separating_direction_comes_first() {
        let rows = groups(400);
        let labels: Vec<usize> = (0..400).map(|i| i % 2).collect();
        let (within, total) = scatter(rows.view(), &labels, 2);
        let between = &total - &within;
        let p = directions(within, &between, 1, 0.1);
        let dir = p.column(0);
        let norm = dir.dot(&dir).sqrt();
        assert!(dir[2].abs() / norm > 0.99, "{dir:?}");
    }

    #[test]
    fn projected_rows_are_unit_and_dims_are_capped() {
        let rows = groups(400);
        let p = discriminant_projection(rows.view(), 2, 42).unwrap();
        assert_eq!(p.dim(), (4, 2));
        let out = normalized(rows.dot(&p).view());
        assert_eq!(out.dim(), (400, 2));
        for r in out.rows() {
            assert!((r.dot(&r) - 1.0).abs() < 1e-4);
        }
        assert_eq!(
            discriminant_projection(rows.view(), 9, 42).unwrap().dim(),
            (4, 4)
        );
        assert!(discriminant_projection(rows.view(), 0, 42).is_err());
    }

    #[test]
    fn rows_beside_their_projection_stay_unit() {
        let (rows, _) = crate::cluster::synthetic::gaussian_blobs(3, 40, 4, 3.0, 0.5, 5);
        let mut unit = rows.clone();
        for mut r in unit.rows_mut() {
            let n = r.dot(&r).sqrt();
            r /= n;
        }
        let p = discriminant_projection(unit.view(), 2, 42).unwrap();
        let both = with_projection(unit.view(), &p);
        assert_eq!(both.dim(), (120, 6));
        for (b, u) in both.rows().into_iter().zip(unit.rows()) {
            assert!((b.dot(&b) - 1.0).abs() < 1e-4);
            let kept = b.slice(s![..4]).to_owned() / (1.0 - PROJECTED_SHARE).sqrt();
            assert!((&kept - &u).iter().all(|d| d.abs() < 1e-5));
        }
    }

    #[test]
    fn few_rows_keep_the_leading_coordinates() {
        let rows = groups(10);
        let p = discriminant_projection(rows.view(), 2, 42).unwrap();
        assert_eq!(
            p,
            ndarray::array![[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_projection() {
        let rows = groups(400);
        let a = discriminant_projection(rows.view(), 2, 7).unwrap();
        let b = discriminant_projection(rows.view(), 2, 7).unwrap();
        assert_eq!(a, b);
    }
}
