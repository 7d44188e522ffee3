//! What the namer sees of each cluster: the summaries nearest its
//! centroid, and contrasting summaries from the clusters whose centroids
//! are nearest to it (not simply the first others).

use ndarray::{Array2, ArrayView2};

use super::NamingInput;
use crate::model::{Cluster, Summary};
use std::collections::HashMap;

/// Rows of each cluster, in cluster order.
pub fn rows_of(clusters: &[Cluster], summaries: &[Summary]) -> Vec<Vec<usize>> {
    let pos: HashMap<&str, usize> = summaries
        .iter()
        .enumerate()
        .map(|(i, s)| (s.conversation_id.as_str(), i))
        .collect();
    clusters
        .iter()
        .map(|c| {
            c.members
                .iter()
                .filter_map(|m| pos.get(m.as_str()).copied())
                .collect()
        })
        .collect()
}

fn dot(a: ndarray::ArrayView1<f32>, b: ndarray::ArrayView1<f32>) -> f32 {
    a.dot(&b)
}

/// The `max` rows of a cluster closest to its centroid.
fn central(
    rows: &[usize],
    centroid: ndarray::ArrayView1<f32>,
    emb: ArrayView2<f32>,
    max: usize,
) -> Vec<usize> {
    let mut scored: Vec<(f32, usize)> = rows
        .iter()
        .map(|r| (dot(emb.row(*r), centroid), *r))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(max).map(|(_, r)| r).collect()
}

/// Builds the namer's input for every cluster.
pub fn inputs(
    rows: &[Vec<usize>],
    centroids: &Array2<f32>,
    embeddings: ArrayView2<f32>,
    summaries: &[Summary],
    max_examples: usize,
    contrastive: usize,
) -> Vec<NamingInput> {
    let text = |r: &usize| summaries[*r].summary.clone();
    (0..rows.len())
        .map(|c| {
            let examples: Vec<String> =
                central(&rows[c], centroids.row(c), embeddings, max_examples)
                    .iter()
                    .map(text)
                    .collect();
            // Nearest other clusters by centroid similarity.
            let mut near: Vec<(f32, usize)> = (0..rows.len())
                .filter(|o| *o != c && !rows[*o].is_empty())
                .map(|o| (dot(centroids.row(c), centroids.row(o)), o))
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let per = contrastive.div_ceil(3).max(1);
            let mut contrast = Vec::new();
            for (_, o) in near.into_iter().take(3) {
                for r in central(&rows[o], centroids.row(o), embeddings, per) {
                    if contrast.len() < contrastive {
                        contrast.push(text(&r));
                    }
                }
            }
            NamingInput {
                examples,
                contrastive: contrast,
            }
        })
        .collect()
}
