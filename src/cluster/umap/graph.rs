//! The fuzzy simplicial set (UMAP's weighted kNN graph), built by
//! umap-rs's `learn_manifold` (its graph construction is correct; only its
//! layout optimiser is not), and turned into the edge list our optimiser
//! samples.

use ndarray::ArrayView2;
use umap_rs::{GraphParams, ManifoldParams, OptimizationParams, Umap, UmapConfig};

use crate::cluster::knn::Knn;

/// Directed edges of the symmetric graph (each undirected edge appears in
/// both directions, as in the reference), with how often to sample each.
#[derive(Debug, Clone, Default)]
pub(super) struct Edges {
    pub head: Vec<u32>,
    pub tail: Vec<u32>,
    /// Epochs between two samples of the edge: `max_weight / weight`.
    pub epochs_per_sample: Vec<f64>,
}

/// Builds the graph from the first `n_neighbors` columns of `knn` (column 0
/// being each row itself) and drops edges lighter than
/// `max_weight / epochs`, which would never be sampled.
///
/// The caller guarantees `2 <= n_neighbors < n`, `n_neighbors <= knn.k()`
/// and in-range indices: umap-rs panics otherwise.
pub(super) fn fuzzy_edges(
    data: ArrayView2<f32>,
    knn: &Knn,
    n_neighbors: usize,
    epochs: usize,
) -> Edges {
    let config = UmapConfig {
        n_components: 2,
        manifold: ManifoldParams {
            // a and b are not used for the graph; passing them skips
            // umap-rs's own curve fit.
            a: Some(1.0),
            b: Some(1.0),
            ..ManifoldParams::default()
        },
        graph: GraphParams {
            n_neighbors,
            ..GraphParams::default()
        },
        optimization: OptimizationParams::default(),
    };
    let indices = knn.indices.slice(ndarray::s![.., ..n_neighbors]);
    let distances = knn.distances.slice(ndarray::s![.., ..n_neighbors]);
    let manifold = Umap::new(config).learn_manifold(data, indices, distances);
    let graph = manifold.graph();
    let max_weight = graph
        .data()
        .iter()
        .copied()
        .fold(0.0f32, |m, w| if w > m { w } else { m });
    let mut edges = Edges::default();
    if max_weight <= 0.0 {
        return edges;
    }
    let floor = max_weight / epochs as f32;
    for (row, vec) in graph.outer_iterator().enumerate() {
        for (&col, &w) in vec.indices().iter().zip(vec.data()) {
            if w >= floor && w > 0.0 {
                edges.head.push(row as u32);
                edges.tail.push(col);
                edges
                    .epochs_per_sample
                    .push(f64::from(max_weight) / f64::from(w));
            }
        }
    }
    edges
}
