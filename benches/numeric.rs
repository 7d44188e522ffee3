//! Timings of the numeric core on seeded random blobs (L2-normalised rows,
//! like text embeddings): k-means with k = ceil(n/10), exact kNN, UMAP to
//! 2-d and 5-d, HDBSCAN on the 5-d projection.
//!
//! `cargo bench --bench numeric` runs n = 5,000 and 20,000 in 384-d and
//! 256-d. Environment:
//! * `KURA_BENCH_SIZES=5000,20000` and `KURA_BENCH_DIMS=384,256` pick the
//!   cases;
//! * `KURA_BENCH_LINFA=1` also times linfa-clustering's k-means on the
//!   same data (the reason `kura_tui::cluster::kmeans` has its own loop).

use std::time::{Duration, Instant};

use kura_tui::cluster::{self, KMeansParams, KnnMetric, UmapParams, synthetic};
use kura_tui::eval;
use ndarray::Array2;

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

/// Process CPU time (user + system, all threads) in seconds, from
/// `/proc/self/stat`; `None` off Linux. Reported next to wall time because
/// the bench machine is shared: on a busy machine the wall time of a
/// single-threaded step is inflated, its CPU time much less so.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn timed<T>(label: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let cpu = cpu_seconds();
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    let cpu = match (cpu, cpu_seconds()) {
        (Some(a), Some(b)) => format!("cpu {:>8.2} s", b - a),
        _ => String::new(),
    };
    println!("  {label:<34} wall {:>8.3} s   {cpu}", took.as_secs_f64());
    (out, took)
}

fn blobs(n: usize, dim: usize) -> (Array2<f32>, Vec<usize>) {
    let (mut data, labels) = synthetic::gaussian_blobs(100, n / 100, dim, 1.0, 0.6, 7);
    for mut row in data.rows_mut() {
        let norm = row.dot(&row).sqrt().max(1e-12);
        row.mapv_inplace(|v| v / norm);
    }
    (data, labels)
}

/// Share of each point's 10 nearest layout neighbours from its own blob.
fn same_blob_share(layout: &Array2<f32>, labels: &[usize]) -> f64 {
    let knn = cluster::knn(layout.view(), 11, KnnMetric::Euclidean).expect("knn");
    let mut hits = 0usize;
    for (i, row) in knn.indices.rows().into_iter().enumerate() {
        hits += row
            .iter()
            .skip(1)
            .filter(|&&j| labels[j as usize] == labels[i])
            .count();
    }
    hits as f64 / (labels.len() * 10) as f64
}

fn linfa_kmeans(data: &Array2<f32>, k: usize, max_iter: u64) {
    use linfa::prelude::*;
    let (n, d) = data.dim();
    let flat: Vec<f32> = data.iter().copied().collect();
    let records = ndarray16::Array2::from_shape_vec((n, d), flat).expect("shape");
    let dataset = linfa::DatasetBase::from(records);
    let model = linfa_clustering::KMeans::params(k)
        .n_runs(1)
        .max_n_iterations(max_iter)
        .tolerance(1e-4)
        .fit(&dataset)
        .expect("linfa k-means");
    println!("    (linfa inertia/n {:.4})", model.inertia());
}

fn main() {
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    let sizes = env_list("KURA_BENCH_SIZES", &[5000, 20000]);
    let dims = env_list("KURA_BENCH_DIMS", &[384, 256]);
    let with_linfa = std::env::var("KURA_BENCH_LINFA").is_ok_and(|v| v == "1");
    println!("rayon threads: {}", rayon::current_num_threads());
    for &dim in &dims {
        for &n in &sizes {
            let (data, labels) = blobs(n, dim);
            let n = data.nrows();
            let k = cluster::default_k(n, 10);
            println!("n = {n}, d = {dim}, k = {k}");

            let params = KMeansParams::new(k);
            let (fit, t_kmeans) = timed("k-means (Lloyd)", || {
                cluster::kmeans(data.view(), &params).expect("kmeans")
            });
            println!(
                "    iterations {}, inertia/n {:.4}",
                fit.iterations,
                fit.inertia / n as f64
            );
            let mini = KMeansParams {
                minibatch_above: 0,
                ..params.clone()
            };
            let (mfit, _) = timed("k-means (mini-batch)", || {
                cluster::kmeans(data.view(), &mini).expect("kmeans")
            });
            println!(
                "    batches {}, inertia/n {:.4}",
                mfit.iterations,
                mfit.inertia / n as f64
            );
            if with_linfa {
                let capped = KMeansParams {
                    max_iter: 5,
                    tolerance: 0.0,
                    ..params.clone()
                };
                timed("k-means ours, <= 5 iterations", || {
                    cluster::kmeans(data.view(), &capped).expect("kmeans")
                });
                timed("k-means linfa 0.8.0, 20 iterations", || {
                    linfa_kmeans(&data, k, 5)
                });
            }

            let (_, t_knn) = timed("kNN k=15 (cosine)", || {
                cluster::knn(data.view(), 15, KnnMetric::Cosine).expect("knn")
            });
            let p2 = UmapParams::new(2);
            let p5 = UmapParams {
                min_dist: 0.0,
                ..UmapParams::new(5)
            };
            let (l2, t_u2) = timed("UMAP 2-d (incl. kNN)", || {
                cluster::umap(data.view(), &p2).expect("umap")
            });
            let (l5, t_u5) = timed("UMAP 5-d (incl. kNN)", || {
                cluster::umap(data.view(), &p5).expect("umap")
            });
            let (multi, t_multi) = timed("UMAP 2-d + 5-d (umap_multi)", || {
                cluster::umap_multi(data.view(), &[p2.clone(), p5.clone()]).expect("umap")
            });
            assert_eq!(multi[0], l2);
            assert_eq!(multi[1], l5);
            println!(
                "    2-d same-blob share of 10-NN: {:.3}",
                same_blob_share(&l2, &labels)
            );
            let (hd, t_hd) = timed("HDBSCAN on 5-d (min size 10)", || {
                cluster::hdbscan(l5.view(), 10, 0).expect("hdbscan")
            });
            let noise = hd.iter().filter(|l| l.is_none()).count();
            let clusters = hd.iter().flatten().max().map_or(0, |m| m + 1);
            let pred: Vec<usize> = hd.iter().map(|l| l.map_or(usize::MAX, |c| c)).collect();
            let nmi = eval::normalized_mutual_info(&labels, &pred).expect("nmi");
            println!("    HDBSCAN: {clusters} clusters, {noise} noise, NMI vs blobs {nmi:.3}");
            let kari = eval::adjusted_rand_index(&labels, &fit.labels).expect("ari");
            println!("    k-means ARI vs blobs (k = n/10, so low by design): {kari:.3}");
            if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
                println!("  load average now: {}", load.trim());
            }
            println!(
                "  total k-means + kNN + UMAP 2-d + 5-d (separate): {:.3} s; with umap_multi: {:.3} s; + HDBSCAN: {:.3} s",
                (t_kmeans + t_knn + t_u2 + t_u5).as_secs_f64(),
                (t_kmeans + t_multi).as_secs_f64(),
                (t_kmeans + t_multi + t_hd).as_secs_f64(),
            );
        }
    }
}
