//! A kNN computed once and shared: HDBSCAN's 5-d UMAP and the 2-d map
//! both need the neighbours of the same embeddings, which is the costliest
//! part of each (6.6 s of CPU at 20k × 384). The memo holds the largest
//! graph asked for so far, per metric; a smaller `k` is served from it.

use std::sync::{Arc, Mutex};

use ndarray::{ArrayView2, s};

use super::knn::{Knn, KnnMetric, knn};
use crate::error::Result;

/// Shared neighbours of one data matrix. Clones share the memo; use it
/// only with the data it was first used with.
#[derive(Debug, Clone, Default)]
pub struct KnnMemo {
    graphs: Arc<Mutex<Vec<Graph>>>,
}

/// One computed graph and its metric.
type Graph = (KnnMetric, Arc<Knn>);

impl KnnMemo {
    pub fn new() -> KnnMemo {
        KnnMemo::default()
    }

    /// The `k` nearest neighbours of every row of `data` (see [`knn`]),
    /// computed on the first call for `metric` or a larger `k`.
    pub fn get(&self, data: ArrayView2<f32>, k: usize, metric: KnnMetric) -> Result<Arc<Knn>> {
        let mut graphs = self.graphs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, g)) = graphs.iter().find(|(m, g)| *m == metric && g.k() >= k) {
            return Ok(if g.k() == k {
                g.clone()
            } else {
                Arc::new(first_columns(g, k))
            });
        }
        let graph = Arc::new(knn(data, k, metric)?);
        graphs.retain(|(m, _)| *m != metric);
        graphs.push((metric, graph.clone()));
        Ok(graph)
    }

    /// How many graphs were computed and kept (one per metric at most).
    pub fn len(&self) -> usize {
        self.graphs.lock().map_or(0, |g| g.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn first_columns(g: &Knn, k: usize) -> Knn {
    Knn {
        indices: g.indices.slice(s![.., ..k]).to_owned(),
        distances: g.distances.slice(s![.., ..k]).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::synthetic;

    #[test]
    fn serves_smaller_k_from_the_larger_graph() {
        let (data, _) = synthetic::gaussian_blobs(4, 30, 8, 1.0, 0.1, 3);
        let memo = KnnMemo::new();
        let big = memo.get(data.view(), 12, KnnMetric::Cosine).unwrap();
        let small = memo.get(data.view(), 5, KnnMetric::Cosine).unwrap();
        assert_eq!(memo.len(), 1);
        assert_eq!(*small, knn(data.view(), 5, KnnMetric::Cosine).unwrap());
        assert_eq!(small.indices, big.indices.slice(s![.., ..5]));
        // Layouts through the memo equal plain ones, and share one search.
        let umap_memo = KnnMemo::new();
        for dims in [5, 2] {
            let mut p = crate::cluster::UmapParams::new(dims);
            p.epochs = 30;
            let shared = crate::cluster::umap_shared(data.view(), &p, &umap_memo).unwrap();
            assert_eq!(shared, crate::cluster::umap(data.view(), &p).unwrap());
        }
        assert_eq!(umap_memo.len(), 1);
        // Another metric is its own graph.
        memo.get(data.view(), 5, KnnMetric::Euclidean).unwrap();
        assert_eq!(memo.len(), 2);
    }
}
