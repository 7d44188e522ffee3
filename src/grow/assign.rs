//! Nearest-centroid assignment of new vectors to the existing base
//! clusters, with a distance threshold per cluster.
//!
//! Distances are cosine distances (1 − cosine) between unit-length vectors
//! and each cluster's unit-length mean. A new vector goes to its nearest
//! centroid when it is no farther than that cluster's threshold, else to
//! the "unassigned" bucket. The automatic threshold of a cluster is a high
//! percentile of its own members' distances to its centroid (clusters too
//! small for a percentile use the percentile over all members).

use std::collections::HashMap;

use ndarray::{Array2, ArrayView2};

use crate::model::Cluster;

/// Percentile of member distances used as the automatic threshold.
pub const AUTO_PERCENTILE: f64 = 99.0;
/// Clusters with fewer members use the project-wide percentile.
pub const MIN_MEMBERS_FOR_OWN: usize = 20;

/// How far from a centroid a new conversation may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// A percentile of member distances, per cluster.
    Auto { percentile: f64 },
    /// The same cosine distance for every cluster.
    Fixed(f32),
}

impl Threshold {
    pub fn describe(&self) -> String {
        match self {
            Threshold::Auto { percentile } => format!("auto (p{percentile} per cluster)"),
            Threshold::Fixed(d) => format!("fixed cosine distance {d}"),
        }
    }
}

/// The clusters new conversations can join.
#[derive(Debug, Clone)]
pub struct Centroids {
    pub ids: Vec<String>,
    /// One unit-length row per cluster.
    pub matrix: Array2<f32>,
    pub thresholds: Vec<f32>,
}

/// Where one new vector goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Index into [`Centroids::ids`], or `None` beyond the threshold.
    pub cluster: Option<usize>,
    pub nearest: usize,
    pub distance: f32,
}

/// Centroids and thresholds of the non-noise base clusters, from the
/// embeddings of their members (`rows` maps conversation id → row).
pub fn centroids(
    embeddings: ArrayView2<f32>,
    clusters: &[Cluster],
    rows: &HashMap<&str, usize>,
    threshold: Threshold,
) -> Centroids {
    let base: Vec<&Cluster> = clusters
        .iter()
        .filter(|c| c.level == 0 && !c.noise && !c.members.is_empty())
        .collect();
    let d = embeddings.ncols();
    let mut matrix = Array2::<f32>::zeros((base.len(), d));
    let mut member_rows: Vec<Vec<usize>> = Vec::with_capacity(base.len());
    for (i, c) in base.iter().enumerate() {
        let mine: Vec<usize> = c
            .members
            .iter()
            .filter_map(|m| rows.get(m.as_str()).copied())
            .collect();
        let mut row = matrix.row_mut(i);
        for r in &mine {
            row += &embeddings.row(*r);
        }
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|x| x / norm);
        }
        member_rows.push(mine);
    }
    let distances: Vec<Vec<f32>> = member_rows
        .iter()
        .enumerate()
        .map(|(i, mine)| {
            mine.iter()
                .map(|r| 1.0 - embeddings.row(*r).dot(&matrix.row(i)))
                .collect()
        })
        .collect();
    let thresholds = match threshold {
        Threshold::Fixed(t) => vec![t; base.len()],
        Threshold::Auto { percentile: p } => {
            let mut all: Vec<f32> = distances.iter().flatten().copied().collect();
            let global = percentile(&mut all, p);
            distances
                .into_iter()
                .map(|mut ds| {
                    if ds.len() >= MIN_MEMBERS_FOR_OWN {
                        percentile(&mut ds, p)
                    } else {
                        global
                    }
                })
                .collect()
        }
    };
    Centroids {
        ids: base.iter().map(|c| c.id.clone()).collect(),
        matrix,
        thresholds,
    }
}

/// The `p`th percentile (nearest rank) of `values`; 0 when empty.
pub fn percentile(values: &mut [f32], p: f64) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// Assigns every row of `vectors` (unit length) to its nearest centroid.
pub fn assign(vectors: ArrayView2<f32>, centroids: &Centroids) -> Vec<Assignment> {
    if centroids.ids.is_empty() {
        return Vec::new();
    }
    let sims = vectors.dot(&centroids.matrix.t());
    sims.rows()
        .into_iter()
        .map(|row| {
            let (nearest, best) =
                row.iter()
                    .enumerate()
                    .fold((0, f32::NEG_INFINITY), |acc, (i, s)| {
                        if *s > acc.1 { (i, *s) } else { acc }
                    });
            let distance = 1.0 - best;
            let cluster = (distance <= centroids.thresholds[nearest]).then_some(nearest);
            Assignment {
                cluster,
                nearest,
                distance,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn cluster(id: &str, members: &[&str]) -> Cluster {
        Cluster {
            id: id.into(),
            name: id.into(),
            original_name: None,
            description: String::new(),
            slug: id.into(),
            level: 0,
            parent: None,
            children: vec![],
            members: members.iter().map(|s| s.to_string()).collect(),
            count: members.len(),
            noise: false,
        }
    }

    #[test]
    fn nearest_centroid_within_threshold_else_unassigned() {
        let emb = array![[1.0f32, 0.0], [0.8, 0.6], [0.0, 1.0], [0.6, 0.8]];
        let clusters = vec![cluster("L0-0", &["a", "b"]), cluster("L0-1", &["c", "d"])];
        let rows: HashMap<&str, usize> = [("a", 0), ("b", 1), ("c", 2), ("d", 3)].into();
        let c = centroids(emb.view(), &clusters, &rows, Threshold::Fixed(0.2));
        let new = array![[0.95f32, 0.312], [0.3, 0.954], [-1.0, 0.0]];
        let got = assign(new.view(), &c);
        assert_eq!(got[0].cluster, Some(0));
        assert_eq!(got[1].cluster, Some(1));
        assert_eq!(got[2].cluster, None);
        assert_eq!(got[2].nearest, 1);
        assert!(got[2].distance > 1.0);
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let mut v = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(percentile(&mut v, 100.0), 5.0);
        assert_eq!(percentile(&mut v, 50.0), 3.0);
        assert_eq!(percentile(&mut v, 1.0), 1.0);
        assert_eq!(percentile(&mut [], 99.0), 0.0);
    }
}
