//! Exact kNN and UMAP: neighbours against brute force, layouts judged by
//! which points end up next to each other (never by coordinates).

use kura_tui::cluster::{
    Knn, KnnMetric, UmapParams, knn, synthetic::gaussian_blobs, umap, umap_from_knn, umap_multi,
};
use ndarray::{Array2, ArrayView2, array};

fn brute_force(data: ArrayView2<f32>, k: usize, metric: KnnMetric) -> Vec<Vec<(f32, usize)>> {
    let n = data.nrows();
    let unit = |i: usize| {
        let r = data.row(i).to_owned();
        let norm = r.dot(&r).sqrt();
        if norm > 0.0 { r / norm } else { r }
    };
    (0..n)
        .map(|i| {
            let mut d: Vec<(f32, usize)> = (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    let dist = match metric {
                        KnnMetric::Cosine => 1.0 - unit(i).dot(&unit(j)),
                        KnnMetric::Euclidean => {
                            let diff = &data.row(i) - &data.row(j);
                            diff.dot(&diff).sqrt()
                        }
                    };
                    (dist, j)
                })
                .collect();
            d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut row = vec![(0.0, i)];
            row.extend(d.into_iter().take(k - 1));
            row
        })
        .collect()
}

#[test]
fn knn_matches_brute_force() {
    let (data, _) = gaussian_blobs(5, 30, 12, 1.0, 1.0, 11);
    for metric in [KnnMetric::Euclidean, KnnMetric::Cosine] {
        let got = knn(data.view(), 8, metric).unwrap();
        assert_eq!(got.indices.dim(), (150, 8));
        assert_eq!(got.k(), 8);
        let want = brute_force(data.view(), 8, metric);
        for (i, row) in want.iter().enumerate() {
            for (c, &(dist, j)) in row.iter().enumerate() {
                assert!(
                    (got.distances[(i, c)] - dist).abs() < 1e-3,
                    "{metric:?} row {i} col {c}: {} vs {dist}",
                    got.distances[(i, c)]
                );
                // Indices agree unless two candidates are (numerically) tied.
                if got.indices[(i, c)] as usize != j {
                    let other = got.indices[(i, c)] as usize;
                    let tie = row
                        .iter()
                        .any(|&(d, jj)| jj == other && (d - dist).abs() < 1e-4);
                    assert!(tie || c == 0, "{metric:?} row {i} col {c}");
                }
            }
        }
    }
}

#[test]
fn knn_puts_each_point_first_even_with_duplicates() {
    let data = array![[1.0f32, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
    let got = knn(data.view(), 4, KnnMetric::Euclidean).unwrap();
    for i in 0..4 {
        assert_eq!(got.indices[(i, 0)] as usize, i);
        assert_eq!(got.distances[(i, 0)], 0.0);
    }
    assert_eq!(got.indices.row(1).to_vec(), vec![1, 0, 2, 3]);
    assert_eq!(got.distances.row(1).to_vec()[..3], [0.0, 0.0, 0.0]);
    assert!(knn(data.view(), 5, KnnMetric::Cosine).is_err());
    assert!(knn(data.view(), 0, KnnMetric::Cosine).is_err());
    assert_eq!(
        knn(data.view(), 1, KnnMetric::Cosine)
            .unwrap()
            .indices
            .column(0)
            .to_vec(),
        vec![0, 1, 2, 3]
    );
    let mut nan = data.clone();
    nan[(2, 0)] = f32::INFINITY;
    assert!(knn(nan.view(), 2, KnnMetric::Euclidean).is_err());
}

/// Share of each point's 10 nearest layout neighbours from its own blob.
fn same_blob_share(layout: &Array2<f32>, labels: &[usize]) -> f64 {
    let nn = knn(layout.view(), 11, KnnMetric::Euclidean).unwrap();
    let hits: usize = nn
        .indices
        .rows()
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .skip(1)
                .filter(|&&j| labels[j as usize] == labels[i])
                .count()
        })
        .sum();
    hits as f64 / (labels.len() * 10) as f64
}

#[test]
fn umap_keeps_blobs_together() {
    // The guard against umap-rs 0.4.5's wrong gradient (about 0.4 here).
    let (data, labels) = gaussian_blobs(20, 50, 384, 1.0, 1.0, 12);
    let layout = umap(data.view(), &UmapParams::default()).unwrap();
    assert_eq!(layout.dim(), (1000, 2));
    assert!(layout.iter().all(|v| v.is_finite()));
    let share = same_blob_share(&layout, &labels);
    assert!(share >= 0.95, "same-blob share {share}");
}

#[test]
fn umap_is_deterministic_and_multi_matches_single() {
    let (data, labels) = gaussian_blobs(5, 40, 32, 1.0, 0.5, 13);
    let p2 = UmapParams {
        epochs: 100,
        ..UmapParams::default()
    };
    let p5 = UmapParams {
        n_components: 5,
        min_dist: 0.0,
        metric: KnnMetric::Euclidean,
        ..p2.clone()
    };
    let a = umap(data.view(), &p2).unwrap();
    assert_eq!(a, umap(data.view(), &p2).unwrap());
    let b = umap(data.view(), &p5).unwrap();
    assert_eq!(b.dim(), (200, 5));
    let multi = umap_multi(data.view(), &[p2.clone(), p5.clone()]).unwrap();
    assert_eq!(multi, vec![a.clone(), b]);
    let graph = knn(data.view(), 30, KnnMetric::Cosine).unwrap();
    assert_eq!(umap_from_knn(data.view(), &graph, &p2).unwrap(), a);
    assert!(same_blob_share(&a, &labels) > 0.95);
    let other_seed = UmapParams { seed: 7, ..p2 };
    assert!(same_blob_share(&umap(data.view(), &other_seed).unwrap(), &labels) > 0.95);
}

#[test]
fn umap_handles_tiny_and_degenerate_inputs() {
    let p = UmapParams::default();
    for n in 0..=5 {
        let (data, _) = gaussian_blobs(1, n, 4, 1.0, 1.0, 14);
        let layout = umap(data.view(), &p).unwrap();
        assert_eq!(layout.dim(), (n, 2));
        assert!(layout.iter().all(|v| v.is_finite()));
    }
    let same = Array2::<f32>::from_elem((30, 8), 0.25);
    let layout = umap(same.view(), &UmapParams::new(3)).unwrap();
    assert_eq!(layout.dim(), (30, 3));
    assert!(layout.iter().all(|v| v.is_finite()));
    let zeros = Array2::<f32>::zeros((20, 8));
    assert!(
        umap(zeros.view(), &p)
            .unwrap()
            .iter()
            .all(|v| v.is_finite())
    );
}

#[test]
fn umap_rejects_bad_parameters_and_data() {
    let (data, _) = gaussian_blobs(2, 10, 4, 1.0, 1.0, 15);
    let bad = [
        UmapParams {
            n_components: 0,
            ..UmapParams::default()
        },
        UmapParams {
            n_neighbors: 1,
            ..UmapParams::default()
        },
        UmapParams {
            min_dist: -0.1,
            ..UmapParams::default()
        },
        UmapParams {
            min_dist: 2.0,
            ..UmapParams::default()
        },
        UmapParams {
            spread: 0.0,
            ..UmapParams::default()
        },
        UmapParams {
            epochs: 0,
            ..UmapParams::default()
        },
        UmapParams {
            learning_rate: f32::NAN,
            ..UmapParams::default()
        },
    ];
    for p in &bad {
        assert!(p.check().is_err(), "{p:?}");
        assert!(umap(data.view(), p).is_err(), "{p:?}");
    }
    let mut nan = data.clone();
    nan[(3, 3)] = f32::NAN;
    assert!(umap(nan.view(), &UmapParams::default()).is_err());
    let short = Knn {
        indices: Array2::zeros((20, 3)),
        distances: Array2::zeros((20, 3)),
    };
    assert!(umap_from_knn(data.view(), &short, &UmapParams::default()).is_err());
    let repeated = Knn {
        indices: Array2::zeros((20, 15)),
        distances: Array2::zeros((20, 15)),
    };
    assert!(umap_from_knn(data.view(), &repeated, &UmapParams::default()).is_err());
}
