//! The built-in lexical embedder: no download, fitted on the corpus itself.
//!
//! Each text becomes a sparse vector of hashed word unigrams and bigrams and
//! character 3–5-grams inside words, weighted by sublinear TF × IDF (each of
//! the two blocks normalised on its own). A seeded randomized truncated SVD
//! (latent semantic analysis) reduces these to `dimensions` dense values,
//! and every row is scaled to unit length. The same texts and seed always
//! give the same vectors.

mod eigen;
mod features;
mod sparse;
mod svd;

use ndarray::{Array2, s};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::{BoxFuture, Embedder, ProgressFn, SyncProgress, l2_normalise, run_blocking};
use crate::error::{Error, Result};
use features::{BUCKETS, TextFeatures};
use sparse::Csr;

/// The seed used when none is given (the same as the clustering default).
pub const DEFAULT_SEED: u64 = 42;
/// Largest number of output dimensions accepted.
pub const MAX_DIMENSIONS: usize = 4096;
/// Texts per parallel work item.
const CHUNK: usize = 1024;
/// Texts per progress report.
const GROUP: usize = 8 * CHUNK;
const DROPPED: u32 = u32::MAX;

/// Tuning knobs; the defaults are what the name `lexical-v1-*` stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct LexicalOptions {
    /// Keep at most this many features (the most widespread ones).
    pub max_features: usize,
    /// Fit the SVD on at most this many texts (a seeded sample).
    pub fit_rows: usize,
    /// Power iterations of the randomized SVD.
    pub power_iters: usize,
    /// Share of each vector's weight given to character n-grams (0–1).
    pub char_weight: f32,
    /// EXPERIMENT: scale component j by σ_j^-p.
    pub component_power: f32,
    /// EXPERIMENT: drop features in more than this share of texts.
    pub max_df: f32,
    /// EXPERIMENT: dispersion threshold (nats); 0 = off.
    pub dispersion: f32,
    /// EXPERIMENT: kNN smoothing neighbours; 0 = off.
    pub smooth_k: usize,
    /// EXPERIMENT: kNN smoothing weight.
    pub smooth_alpha: f32,
}

impl Default for LexicalOptions {
    fn default() -> Self {
        LexicalOptions {
            max_features: 1 << 15,
            fit_rows: 10_000,
            power_iters: 2,
            char_weight: 0.5,
            component_power: 0.0,
            max_df: 1.0,
            dispersion: 0.0,
            smooth_k: 0,
            smooth_alpha: 1.0,
        }
    }
}

/// TF-IDF + LSA embedder. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LexicalEmbedder {
    dimensions: usize,
    seed: u64,
    options: LexicalOptions,
}

impl LexicalEmbedder {
    /// An embedder giving `dimensions`-long vectors, fitted with `seed`.
    pub fn new(dimensions: usize, seed: u64) -> Result<Self> {
        Self::with_options(dimensions, seed, LexicalOptions::default())
    }

    pub fn with_options(dimensions: usize, seed: u64, options: LexicalOptions) -> Result<Self> {
        if dimensions == 0 || dimensions > MAX_DIMENSIONS {
            return Err(Error::param(
                "embedding.lexical_dimensions",
                format!("must be between 1 and {MAX_DIMENSIONS}, got {dimensions}"),
            ));
        }
        if options.max_features == 0 || options.fit_rows == 0 {
            return Err(Error::param(
                "lexical options",
                "max_features and fit_rows must be at least 1",
            ));
        }
        if !(0.0..=1.0).contains(&options.char_weight) {
            return Err(Error::param(
                "lexical options",
                "char_weight must be between 0 and 1",
            ));
        }
        Ok(LexicalEmbedder {
            dimensions,
            seed,
            options,
        })
    }

    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// Embeds `texts` on the calling thread (using the rayon pool).
    /// `progress` gets the number of texts done; returning `false` stops
    /// with [`Error::Cancelled`].
    pub fn embed_texts(&self, texts: &[String], progress: SyncProgress<'_>) -> Result<Array2<f32>> {
        let n = texts.len();
        if n >= DROPPED as usize {
            return Err(Error::param("texts", "too many texts for one corpus"));
        }
        if n == 0 {
            return Ok(Array2::zeros((0, self.dimensions)));
        }
        let sampled = self.fit_sample(n);
        let (df, fit_features) = document_frequencies(texts, &sampled, progress)?;

        let mut vocab = Vocabulary::select(&df, n, self.options.max_features, self.options.max_df);

        let mut fit_rows: Vec<Vec<(u32, f32)>> = fit_features
            .iter()
            .map(|f| vocab.weigh(f, self.options.char_weight))
            .collect();
        let matrix = Csr::from_rows(&fit_rows, vocab.len());
        let mut components = svd::randomized_svd(
            &matrix,
            self.dimensions,
            self.options.power_iters,
            self.seed,
        );
        if self.options.dispersion > 0.0 && fit_rows.len() >= 200 {
            let mut fit_proj = matrix.mul_dense(components.vectors.view());
            l2_normalise(&mut fit_proj);
            let k = (fit_rows.len() / 50).clamp(8, 64);
            let mut params = crate::cluster::KMeansParams::new(k);
            params.seed = self.seed;
            let labels = crate::cluster::kmeans(fit_proj.view(), &params)?.labels;
            vocab.damp_dispersed(&fit_features, &labels, k, self.options.dispersion);
            fit_rows = fit_features
                .iter()
                .map(|f| vocab.weigh(f, self.options.char_weight))
                .collect();
            let matrix = Csr::from_rows(&fit_rows, vocab.len());
            components = svd::randomized_svd(
                &matrix,
                self.dimensions,
                self.options.power_iters,
                self.seed,
            );
        }

        let basis = &components.vectors;
        let rank = basis.ncols();

        let mut out = Array2::<f32>::zeros((n, self.dimensions));
        for (g, texts) in texts.chunks(GROUP).enumerate() {
            let first = g * GROUP;
            let rows: Vec<Vec<(u32, f32)>> = (first..first + texts.len())
                .into_par_iter()
                .map(|i| match sampled.get(i) {
                    Some(&slot) if slot != DROPPED => fit_rows[slot as usize].clone(),
                    _ => vocab.weigh(
                        &features::extract(&texts[i - first]),
                        self.options.char_weight,
                    ),
                })
                .collect();
            let projected = Csr::from_rows(&rows, vocab.len()).mul_dense(basis.view());
            out.slice_mut(s![first..first + texts.len(), ..rank])
                .assign(&projected);
            if !progress(first + texts.len()) {
                return Err(Error::Cancelled);
            }
        }

        if self.options.component_power != 0.0 {
            for (j, sv) in components.values.iter().enumerate() {
                let f = sv.max(1e-6).powf(-self.options.component_power);
                out.column_mut(j).mapv_inplace(|x| x * f);
            }
        }
        l2_normalise(&mut out);
        if self.options.smooth_k > 0 && n > self.options.smooth_k + 1 && n <= 50_000 {
            let kk = self.options.smooth_k;
            let nn = crate::cluster::knn(out.view(), kk + 1, crate::cluster::KnnMetric::Cosine)?;
            let alpha = self.options.smooth_alpha / kk as f32;
            let mut smoothed = out.clone();
            for (i, mut row) in smoothed.rows_mut().into_iter().enumerate() {
                for j in 1..=kk {
                    row.scaled_add(alpha, &out.row(nn.indices[[i, j]] as usize));
                }
            }
            l2_normalise(&mut smoothed);
            out = smoothed;
        }
        Ok(out)
    }

    /// For each text, its row in the fit sample or [`DROPPED`].
    fn fit_sample(&self, n: usize) -> Vec<u32> {
        let mut slots = vec![DROPPED; n];
        if n <= self.options.fit_rows {
            for (i, s) in slots.iter_mut().enumerate() {
                *s = i as u32;
            }
        } else {
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0x05ee_df17);
            let mut chosen = sample(&mut rng, n, self.options.fit_rows).into_vec();
            chosen.sort_unstable();
            for (slot, i) in chosen.into_iter().enumerate() {
                slots[i] = slot as u32;
            }
        }
        slots
    }
}

/// Counts in how many texts each hashed feature occurs (word buckets first,
/// then character buckets), and keeps the raw features of the fit sample.
fn document_frequencies(
    texts: &[String],
    sampled: &[u32],
    progress: SyncProgress<'_>,
) -> Result<(Vec<u32>, Vec<TextFeatures>)> {
    let mut df = vec![0u32; 2 * BUCKETS];
    let mut fit = Vec::new();
    for (g, group) in texts.chunks(GROUP).enumerate() {
        let parts: Vec<Vec<TextFeatures>> = group
            .par_chunks(CHUNK)
            .map(|chunk| chunk.iter().map(|t| features::extract(t)).collect())
            .collect();
        for (offset, f) in parts.into_iter().flatten().enumerate() {
            for &(b, _) in &f.words {
                df[b as usize] += 1;
            }
            for &(b, _) in &f.chars {
                df[BUCKETS + b as usize] += 1;
            }
            if sampled
                .get(g * GROUP + offset)
                .is_some_and(|&s| s != DROPPED)
            {
                fit.push(f);
            }
        }
        if !progress(0) {
            return Err(Error::Cancelled);
        }
    }
    Ok((df, fit))
}

/// The kept features: bucket → column, and each column's IDF.
struct Vocabulary {
    column: Vec<u32>,
    idf: Vec<f32>,
}

impl Vocabulary {
    fn select(df: &[u32], n: usize, max_features: usize, max_df: f32) -> Vocabulary {
        let limit = (max_df * n as f32).max(1.0);
        let mut present: Vec<u32> = (0..df.len() as u32)
            .filter(|&b| df[b as usize] > 0 && (df[b as usize] as f32) <= limit)
            .collect();
        // Most widespread first: the columns that hold most of the non-zeros
        // sit together in memory, which keeps the sparse products in cache.
        present.sort_unstable_by(|&a, &b| df[b as usize].cmp(&df[a as usize]).then(a.cmp(&b)));
        present.truncate(max_features);
        let mut column = vec![DROPPED; df.len()];
        let mut idf = Vec::with_capacity(present.len());
        for (c, &b) in present.iter().enumerate() {
            column[b as usize] = c as u32;
            let d = df[b as usize] as f32;
            idf.push(((1.0 + n as f32) / (1.0 + d)).ln() + 1.0);
        }
        Vocabulary { column, idf }
    }

    fn len(&self) -> usize {
        self.idf.len()
    }

    /// Scales down the IDF of features spread evenly over the clusters
    /// `labels` of the fit rows: weight × min(1, KL(p(cluster | feature) ‖
    /// p(cluster)) / `threshold`).
    fn damp_dispersed(&mut self, fit: &[TextFeatures], labels: &[usize], k: usize, threshold: f32) {
        let cols = self.len();
        let mut counts = vec![0u32; cols * k];
        let mut sizes = vec![0u32; k];
        for (f, &l) in fit.iter().zip(labels) {
            sizes[l] += 1;
            for (offset, block) in [(0, &f.words), (BUCKETS, &f.chars)] {
                for &(b, _) in block.iter() {
                    let c = self.column[offset + b as usize];
                    if c != DROPPED {
                        counts[c as usize * k + l] += 1;
                    }
                }
            }
        }
        let n = fit.len() as f32;
        let prior: Vec<f32> = sizes.iter().map(|s| (*s as f32 / n).max(1e-9)).collect();
        for c in 0..cols {
            let row = &counts[c * k..(c + 1) * k];
            let df: u32 = row.iter().sum();
            if df < 3 {
                continue;
            }
            let kl: f32 = row
                .iter()
                .zip(&prior)
                .filter(|(x, _)| **x > 0)
                .map(|(x, p)| {
                    let q = *x as f32 / df as f32;
                    q * (q / p).ln()
                })
                .sum();
            self.idf[c] *= (kl / threshold).clamp(0.05, 1.0);
        }
    }

    /// Sublinear TF × IDF over the kept features, each block scaled to
    /// length √(its share).
    fn weigh(&self, f: &TextFeatures, char_weight: f32) -> Vec<(u32, f32)> {
        let mut out = Vec::with_capacity(f.words.len() + f.chars.len());
        self.block(&f.words, 0, (1.0 - char_weight).sqrt(), &mut out);
        self.block(&f.chars, BUCKETS, char_weight.sqrt(), &mut out);
        out.sort_unstable_by_key(|&(c, _)| c);
        out
    }

    fn block(&self, feats: &[(u32, f32)], offset: usize, scale: f32, out: &mut Vec<(u32, f32)>) {
        let start = out.len();
        for &(b, tf) in feats {
            let c = self.column[offset + b as usize];
            if c != DROPPED {
                out.push((c, (1.0 + tf.ln()) * self.idf[c as usize]));
            }
        }
        let norm = out[start..].iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 && scale > 0.0 {
            for (_, v) in &mut out[start..] {
                *v *= scale / norm;
            }
        } else {
            out.truncate(start);
        }
    }
}

impl Embedder for LexicalEmbedder {
    fn name(&self) -> String {
        if self.seed == DEFAULT_SEED {
            format!("lexical-v1-{}", self.dimensions)
        } else {
            format!("lexical-v1-{}-seed{}", self.dimensions, self.seed)
        }
    }

    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        progress: ProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Array2<f32>>> {
        let this = self.clone();
        let texts = texts.to_vec();
        run_blocking(move |report| this.embed_texts(&texts, report), progress)
    }
}
