//! The numeric core: clustering, nearest neighbours, projection and the
//! helpers the offline mode uses to name and group clusters.
//!
//! Everything here is pure computation: no I/O, no LLM, no global state.
//! Inputs are `ndarray` 0.17 views with one item per row
//! (`ArrayView2<f32>`, shape `n × d`). Every function validates its
//! parameters up front and returns [`crate::Error::InvalidParam`] instead of
//! panicking, including on degenerate data (no rows, more clusters than
//! rows, non-finite values). Every random choice comes from a
//! `ChaCha8Rng` seeded from the caller's seed, so the same seed and input
//! give the same output.
//!
//! | step | function | cost |
//! |------|----------|------|
//! | base clusters | [`kmeans`] (blocked Lloyd / mini-batch) | `O(iter · n · k · d)` |
//! | neighbours | [`knn`] (exact, blocked matrix products) | `O(n² · d)` |
//! | neighbour smoothing | [`smooth_rows`] | kNN + `O(n · k · d)` |
//! | discriminant projection | [`discriminant_projection`] | k-means + `O(n · d²)` |
//! | projection | [`umap`], [`umap_multi`] | kNN + `O(epochs · n · n_neighbors)` |
//! | density clusters | [`hdbscan`] (on a low-dimensional projection) | `O(n²)` |
//! | offline names | [`ctfidf_keywords`], [`keyword_name`] | linear in the text |
//! | offline hierarchy | [`agglomerate`], [`level_targets`] | `O(m²)` for `m` centroids |

mod agglomerative;
mod dense;
mod discriminant;
mod eigen;
mod hdbscan;
mod input;
mod keywords;
mod kmeans;
mod knn;
mod knn_memo;
mod language_centre;
mod levels;
mod smooth;
mod stopwords;
pub mod synthetic;
mod umap;

pub(crate) use agglomerative::renumber;
pub use agglomerative::{Linkage, agglomerate, agglomerate_weighted, refine_partition};
pub use discriminant::{discriminant_projection, with_projection};
pub use eigen::symmetric_eigen;
pub use hdbscan::hdbscan;
pub use keywords::{ctfidf_keywords, keyword_name, tokenize};
pub use kmeans::{KMeansFit, KMeansParams, ValidKMeansParams, default_k, kmeans};
pub(crate) use knn::normalized;
pub use knn::{Knn, KnnMetric, knn};
pub use knn_memo::KnnMemo;
pub use language_centre::{Centred, LanguageShift, centre_languages};
pub use levels::level_targets;
pub use smooth::{SMOOTH_MAX_ROWS, smooth_rows, smooth_with, smooths};
pub(crate) use stopwords::is_stopword;
pub use umap::{UmapParams, ValidUmapParams, umap, umap_from_knn, umap_multi, umap_shared};
