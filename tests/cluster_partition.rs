//! k-means, HDBSCAN, agglomerative grouping and level targets on data with
//! planted structure.

use kura_tui::Error;
use kura_tui::cluster::{
    KMeansParams, Linkage, UmapParams, agglomerate, default_k, hdbscan, kmeans, level_targets,
    synthetic::gaussian_blobs, umap,
};
use kura_tui::cluster::{agglomerate_weighted, refine_partition};
use kura_tui::eval::adjusted_rand_index;
use kura_tui::offline::hierarchy::top_partition;
use ndarray::{Array2, array, s};

fn params(k: usize) -> KMeansParams {
    KMeansParams {
        n_init: 4,
        ..KMeansParams::new(k)
    }
}

#[test]
fn kmeans_recovers_separated_blobs() {
    let (data, truth) = gaussian_blobs(6, 40, 16, 5.0, 0.3, 1);
    let fit = kmeans(data.view(), &params(6)).unwrap();
    assert_eq!(fit.labels.len(), 240);
    assert_eq!(fit.centroids.dim(), (6, 16));
    assert!(!fit.minibatch);
    assert!(adjusted_rand_index(&truth, &fit.labels).unwrap() > 0.999);
    // Inertia is the summed squared distance to the assigned centroid.
    let direct: f64 = data
        .rows()
        .into_iter()
        .zip(&fit.labels)
        .map(|(r, &c)| {
            r.iter()
                .zip(fit.centroids.row(c))
                .map(|(a, b)| f64::from(a - b).powi(2))
                .sum::<f64>()
        })
        .sum();
    assert!((fit.inertia - direct).abs() < 1e-3 * direct.max(1.0));
}

#[test]
fn kmeans_same_seed_same_labels() {
    let (data, _) = gaussian_blobs(10, 30, 8, 1.0, 0.8, 2);
    let p = KMeansParams::new(25);
    let a = kmeans(data.view(), &p).unwrap();
    let b = kmeans(data.view(), &p).unwrap();
    assert_eq!(a, b);
}

#[test]
fn minibatch_is_close_to_full() {
    let (data, truth) = gaussian_blobs(8, 150, 16, 3.0, 0.5, 3);
    let full_params = KMeansParams {
        n_init: 8,
        ..KMeansParams::new(8)
    };
    let full = kmeans(data.view(), &full_params).unwrap();
    let mini_params = KMeansParams {
        minibatch_above: 0,
        batch_size: 256,
        ..full_params
    };
    let mini = kmeans(data.view(), &mini_params).unwrap();
    assert!(mini.minibatch);
    assert!(adjusted_rand_index(&truth, &full.labels).unwrap() > 0.99);
    assert!(adjusted_rand_index(&truth, &mini.labels).unwrap() > 0.99);
    assert!(
        mini.inertia <= full.inertia * 1.05,
        "mini-batch {} vs full {}",
        mini.inertia,
        full.inertia
    );
    assert_eq!(mini, kmeans(data.view(), &mini_params).unwrap());
}

#[test]
fn kmeans_rejects_bad_input() {
    let (data, _) = gaussian_blobs(2, 3, 4, 1.0, 0.1, 4);
    let is_param = |r: Result<_, Error>, name: &str| matches!(r, Err(Error::InvalidParam { name: n, .. }) if n == name);
    assert!(is_param(kmeans(data.view(), &KMeansParams::new(7)), "k"));
    assert!(is_param(kmeans(data.view(), &KMeansParams::new(0)), "k"));
    let empty = Array2::<f32>::zeros((0, 4));
    assert!(is_param(kmeans(empty.view(), &KMeansParams::new(1)), "k"));
    let mut nan = data.clone();
    nan[(4, 2)] = f32::NAN;
    let err = kmeans(nan.view(), &KMeansParams::new(2)).unwrap_err();
    assert!(err.to_string().contains("row 4"), "{err}");
    for bad in [
        KMeansParams {
            max_iter: 0,
            ..KMeansParams::new(2)
        },
        KMeansParams {
            n_init: 0,
            ..KMeansParams::new(2)
        },
        KMeansParams {
            tolerance: f64::NAN,
            ..KMeansParams::new(2)
        },
        KMeansParams {
            batch_size: 0,
            ..KMeansParams::new(2)
        },
    ] {
        assert!(bad.check().is_err());
        assert!(kmeans(data.view(), &bad).is_err());
    }
}

#[test]
fn kmeans_survives_degenerate_data() {
    let same = Array2::<f32>::from_elem((10, 3), 0.5);
    let fit = kmeans(same.view(), &KMeansParams::new(3)).unwrap();
    assert_eq!(fit.labels.len(), 10);
    assert!(fit.labels.iter().all(|&l| l < 3));
    assert_eq!(fit.inertia, 0.0);

    let one = array![[1.0f32, 2.0]];
    let fit = kmeans(one.view(), &KMeansParams::new(1)).unwrap();
    assert_eq!(fit.labels, vec![0]);
    assert_eq!(fit.centroids, one);

    // Two distinct points, each duplicated: k = n still works.
    let dups = array![[0.0f32, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0]];
    let fit = kmeans(dups.view(), &KMeansParams::new(4)).unwrap();
    assert_eq!(fit.inertia, 0.0);
    let fit = kmeans(dups.view(), &KMeansParams::new(2)).unwrap();
    assert_eq!(fit.labels[0], fit.labels[1]);
    assert_eq!(fit.labels[2], fit.labels[3]);
    assert_ne!(fit.labels[0], fit.labels[2]);

    let zero_dim = Array2::<f32>::zeros((5, 0));
    assert_eq!(
        kmeans(zero_dim.view(), &KMeansParams::new(2))
            .unwrap()
            .labels
            .len(),
        5
    );
}

#[test]
fn default_k_is_ceil_clamped() {
    assert_eq!(default_k(5000, 10), 500);
    assert_eq!(default_k(5001, 10), 501);
    assert_eq!(default_k(7, 10), 1);
    assert_eq!(default_k(3, 1), 3);
    assert_eq!(default_k(0, 10), 1);
    assert_eq!(default_k(10, 0), 1);
}

#[test]
fn hdbscan_on_a_5d_umap_projection_finds_the_blobs() {
    // The documented use: raw embeddings -> 5-d UMAP -> HDBSCAN.
    let (data, truth) = gaussian_blobs(6, 50, 128, 1.0, 0.5, 5);
    let projection = umap(
        data.view(),
        &UmapParams {
            min_dist: 0.0,
            ..UmapParams::new(5)
        },
    )
    .unwrap();
    let labels = hdbscan(projection.view(), 10, 0).unwrap();
    let noise = labels.iter().filter(|l| l.is_none()).count();
    assert!(noise < 30, "{noise} noise points");
    let pred: Vec<usize> = labels.iter().map(|l| l.unwrap_or(usize::MAX)).collect();
    assert!(adjusted_rand_index(&truth, &pred).unwrap() > 0.9);
}

#[test]
fn hdbscan_marks_scattered_outliers_as_noise() {
    let (blobs, truth) = gaussian_blobs(3, 40, 5, 10.0, 0.2, 6);
    let mut data = Array2::<f32>::zeros((130, 5));
    data.slice_mut(s![..120, ..]).assign(&blobs);
    // Ten points far from everything and from each other.
    for i in 0..10 {
        for j in 0..5 {
            data[(120 + i, j)] = 60.0 * (if (i + j) % 2 == 0 { 1.0 } else { -1.0 })
                + 25.0 * i as f32 * (j as f32 + 1.0);
        }
    }
    let labels = hdbscan(data.view(), 10, 5).unwrap();
    assert!(
        labels[120..].iter().all(Option::is_none),
        "{:?}",
        &labels[120..]
    );
    let clustered: Vec<usize> = labels[..120]
        .iter()
        .map(|l| l.unwrap_or(usize::MAX))
        .collect();
    assert!(labels[..120].iter().filter(|l| l.is_none()).count() <= 3);
    assert!(adjusted_rand_index(&truth, &clustered).unwrap() > 0.95);
    // Clusters are numbered 0.. in order of first appearance.
    assert_eq!(labels[0], Some(0));
    assert_eq!(labels, hdbscan(data.view(), 10, 5).unwrap());
}

#[test]
fn hdbscan_degenerate_inputs() {
    let empty = Array2::<f32>::zeros((0, 5));
    assert_eq!(hdbscan(empty.view(), 5, 0).unwrap(), vec![]);
    let few = Array2::<f32>::zeros((3, 5));
    assert_eq!(hdbscan(few.view(), 5, 0).unwrap(), vec![None; 3]);
    let same = Array2::<f32>::from_elem((40, 2), 1.0);
    assert_eq!(hdbscan(same.view(), 5, 50).unwrap().len(), 40);
    assert!(hdbscan(few.view(), 1, 0).is_err());
    let two = array![[0.0f32, 0.0], [1.0, 1.0]];
    assert_eq!(hdbscan(two.view(), 2, 0).unwrap().len(), 2);
    let three_same = Array2::<f32>::from_elem((3, 2), 4.0);
    assert_eq!(hdbscan(three_same.view(), 2, 1).unwrap().len(), 3);
    let mut nan = Array2::<f32>::zeros((10, 2));
    nan[(3, 1)] = f32::NAN;
    assert!(hdbscan(nan.view(), 2, 0).is_err());
}

/// Three directions, five centroids around each.
fn planted_centroids() -> (Array2<f32>, Vec<usize>) {
    let (topics, _) = gaussian_blobs(3, 1, 32, 1.0, 0.0, 7);
    let (noise, _) = gaussian_blobs(1, 15, 32, 0.0, 0.08, 8);
    let truth: Vec<usize> = (0..15).map(|i| i % 3).collect();
    let mut out = Array2::<f32>::zeros((15, 32));
    for i in 0..15 {
        let norm = topics.row(truth[i]).dot(&topics.row(truth[i])).sqrt();
        for j in 0..32 {
            out[(i, j)] = topics[(truth[i], j)] / norm + noise[(i, j)];
        }
    }
    (out, truth)
}

#[test]
fn agglomerative_groups_planted_structure() {
    let (centroids, truth) = planted_centroids();
    for linkage in [Linkage::Ward, Linkage::Average] {
        let groups = agglomerate(centroids.view(), 3, linkage).unwrap();
        assert_eq!(groups[..3], [0, 1, 2], "numbered by first appearance");
        assert_eq!(
            adjusted_rand_index(&truth, &groups).unwrap(),
            1.0,
            "{linkage:?}"
        );
        assert_eq!(groups, agglomerate(centroids.view(), 3, linkage).unwrap());
    }
}

#[test]
fn agglomerative_gives_exactly_the_target_count() {
    let (centroids, _) = planted_centroids();
    for t in 1..=15 {
        let groups = agglomerate(centroids.view(), t, Linkage::Ward).unwrap();
        let distinct = groups.iter().max().unwrap() + 1;
        assert_eq!(distinct, t);
    }
    let same = Array2::<f32>::from_elem((6, 4), 1.0);
    assert_eq!(
        agglomerate(same.view(), 2, Linkage::Average)
            .unwrap()
            .iter()
            .max(),
        Some(&1)
    );
    assert!(agglomerate(centroids.view(), 0, Linkage::Ward).is_err());
    assert!(agglomerate(centroids.view(), 16, Linkage::Ward).is_err());
    assert!(agglomerate(Array2::<f32>::zeros((0, 3)).view(), 1, Linkage::Ward).is_err());
}

#[test]
fn agglomerative_and_refinement_keep_apart_labels_apart() {
    let (centroids, truth) = planted_centroids();
    // Keep rows 0..8 apart from 8..15 whatever their planted topic.
    let apart: Vec<usize> = (0..15).map(|i| usize::from(i >= 8)).collect();
    let ones = vec![1.0; 15];
    for t in [2, 3, 5, 8] {
        let start = agglomerate_weighted(
            centroids.view(),
            &ones,
            &ones,
            t,
            Linkage::Ward,
            1.0,
            &apart,
        )
        .unwrap();
        let refined = refine_partition(centroids.view(), &ones, &start, 1.0, 30, &apart).unwrap();
        for groups in [&start, &refined] {
            assert_eq!(groups.iter().max(), Some(&(t - 1)), "{t} groups");
            for i in 0..15 {
                for j in 0..15 {
                    if groups[i] == groups[j] {
                        assert_eq!(apart[i], apart[j], "rows {i} and {j} share a group at {t}");
                    }
                }
            }
        }
    }
    // With all labels equal the planted topics are found as before.
    let same = vec![0; 15];
    let groups =
        agglomerate_weighted(centroids.view(), &ones, &ones, 3, Linkage::Ward, 1.0, &same).unwrap();
    assert_eq!(adjusted_rand_index(&truth, &groups).unwrap(), 1.0);
}

#[test]
fn the_offline_top_level_is_chosen_first_and_finds_planted_topics() {
    let (centroids, truth) = planted_centroids();
    let counts = vec![10; 15];
    let top = top_partition(centroids.view(), &counts, 3).unwrap();
    assert_eq!(adjusted_rand_index(&truth, &top).unwrap(), 1.0);
    assert_eq!(top, top_partition(centroids.view(), &counts, 3).unwrap());
    // Too few rows for the middle step: grouped directly.
    let direct = top_partition(centroids.view(), &counts, 10).unwrap();
    assert_eq!(direct.iter().max(), Some(&9));
}

#[test]
fn level_targets_shrink_geometrically() {
    assert_eq!(level_targets(500, 10), vec![500, 136, 37, 10]);
    assert_eq!(level_targets(50, 10), vec![50, 10]);
    assert_eq!(level_targets(8, 10), vec![8]);
    assert_eq!(level_targets(11, 10), vec![11, 10]);
    assert_eq!(level_targets(0, 10), Vec::<usize>::new());
    for n in 1..3000 {
        for top in [0, 1, 5, 10, 40] {
            let t = level_targets(n, top);
            assert_eq!(t[0], n);
            assert!(t.len() <= 4);
            assert!(*t.last().unwrap() <= top.max(1) || t.len() == 1);
            assert!(t.windows(2).all(|w| w[1] < w[0]), "{n} {top}: {t:?}");
        }
    }
}
