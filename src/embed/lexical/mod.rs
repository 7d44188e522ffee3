//! The built-in lexical embedder: no download; fitted on the corpus itself,
//! with a built-in table of word-piece vectors beside the fit.
//!
//! Each text becomes a sparse vector of hashed word unigrams and bigrams and
//! character 3–5-grams inside words, weighted by sublinear TF × IDF (each of
//! the two blocks normalised on its own). A seeded randomized truncated SVD
//! (latent semantic analysis) reduces these to `dimensions` dense values,
//! and every row is scaled to unit length. Beside them, 64 dimensions come
//! from a built-in table of word-piece vectors ([`word_pieces`]), which
//! carry what words mean. Two refinements ([`refine`])
//! follow: features spread evenly over a first, rough clustering (template
//! phrases that every topic shares) are damped and the SVD is fitted again,
//! starting from the first fit's basis (no power iteration by default: on
//! the demo and banking77 this was as good as a fresh fit and a third of
//! its cost), and each vector moves towards its nearest neighbours. The
//! same texts and seed always give the same vectors.
//!
//! Identity history (the name is part of the embeddings checkpoint's key,
//! so a project embedded by an older version is re-embedded, never mixed):
//! `lexical-v2` fitted the second SVD afresh and seeded the rough
//! clustering with the run's seed; `lexical-v3` warm-starts the second fit,
//! computes both fits' small problems through the sparse matrix, and seeds
//! the rough clustering with a constant ([`refine::ROUGH_SEED`]);
//! `lexical-v4` takes the basis and the fit rows' projection from the
//! products the fit already made (two sparse products per fit fewer, and
//! none for the fit rows afterwards), which changes the vectors only by
//! rounding; `lexical-v5` adds the word-piece block ([`word_pieces`]): 64
//! dimensions after the SVD's, holding `piece_weight` of each vector's
//! weight.

pub mod extend;
pub(crate) mod features;
pub mod refine;
pub(crate) mod sparse;
mod svd;
pub mod word_pieces;

use ndarray::{Array2, s};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::{BoxFuture, Embedder, ProgressFn, SyncProgress, l2_normalise, run_blocking};
use crate::error::{Error, Result};
use features::{BUCKETS, TextFeatures};
use sparse::Csr;
use word_pieces::{PieceFit, PieceTable};

/// The seed used when none is given (the same as the clustering default).
pub const DEFAULT_SEED: u64 = 42;
/// Largest number of output dimensions accepted.
pub const MAX_DIMENSIONS: usize = 4096;
/// Texts per parallel work item.
const CHUNK: usize = 1024;
/// Texts per progress report.
const GROUP: usize = 8 * CHUNK;
const DROPPED: u32 = u32::MAX;

/// Tuning knobs; the defaults are what the name `lexical-v5-*` stands for
/// (`lexical-v4-*` with `piece_weight` 0).
#[derive(Debug, Clone, PartialEq)]
pub struct LexicalOptions {
    /// Keep at most this many features (the most widespread ones).
    pub max_features: usize,
    /// Fit the SVD on at most this many texts (a seeded sample).
    pub fit_rows: usize,
    /// Power iterations of the randomized SVD.
    pub power_iters: usize,
    /// Power iterations of the second fit (after template damping), which
    /// starts from the first fit's basis rather than from random signs.
    pub refit_power_iters: usize,
    /// Share of each vector's weight given to character n-grams (0–1).
    pub char_weight: f32,
    /// Template damping: a feature whose spread over a first, rough
    /// clustering is within this many nats of the clusters' own spread
    /// (KL divergence) loses weight in proportion; 0 turns it off.
    pub dispersion: f32,
    /// Neighbour smoothing: each vector moves towards the mean of its
    /// `smooth_k` nearest neighbours (0 turns it off; skipped above
    /// [`refine::SMOOTH_MAX_ROWS`] texts).
    pub smooth_k: usize,
    /// Weight of the neighbours' mean against the vector itself.
    pub smooth_alpha: f32,
    /// Share of each vector's weight given to the word-piece block
    /// ([`word_pieces`]) beside the SVD's dimensions; 0 leaves it out.
    pub piece_weight: f32,
}

impl Default for LexicalOptions {
    fn default() -> Self {
        LexicalOptions {
            max_features: 1 << 15,
            fit_rows: 10_000,
            power_iters: 2,
            refit_power_iters: 0,
            char_weight: 0.5,
            dispersion: 1.0,
            smooth_k: 10,
            smooth_alpha: 1.0,
            piece_weight: 0.3,
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
        if !(0.0..=1.0).contains(&options.char_weight)
            || !(0.0..=1.0).contains(&options.piece_weight)
        {
            return Err(Error::param(
                "lexical options",
                "char_weight and piece_weight must be between 0 and 1",
            ));
        }
        Ok(LexicalEmbedder {
            dimensions,
            seed,
            options,
        })
    }

    /// Length of the vectors: the SVD's dimensions, then the word-piece
    /// block's when it is on.
    pub fn dimensions(&self) -> usize {
        self.dimensions + self.piece_dims()
    }

    fn piece_dims(&self) -> usize {
        if self.options.piece_weight > 0.0 {
            word_pieces::DIMS
        } else {
            0
        }
    }

    /// The name's version: the word-piece block is what v5 added.
    fn version(&self) -> &'static str {
        if self.options.piece_weight > 0.0 {
            "lexical-v5"
        } else {
            "lexical-v4"
        }
    }

    fn piece_table(&self) -> Result<Option<&'static PieceTable>> {
        if self.options.piece_weight > 0.0 {
            PieceTable::builtin().map(Some)
        } else {
            Ok(None)
        }
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
            return Ok(Array2::zeros((0, self.dimensions())));
        }
        let fitted = self.fit(texts, progress)?;
        let out = self.project(&fitted, texts, Some(&fitted.sampled), progress)?;
        if self.options.smooth_k > 0 {
            return refine::smooth(out, self.options.smooth_k, self.options.smooth_alpha);
        }
        Ok(out)
    }

    /// Fits the vocabulary, its IDF and the SVD basis on `texts`, as
    /// [`embed_texts`](Self::embed_texts) does (the same texts and seed give
    /// the same fit).
    pub(crate) fn fit(&self, texts: &[String], progress: SyncProgress<'_>) -> Result<Fitted> {
        let n = texts.len();
        let sampled = self.fit_sample(n);
        let table = self.piece_table()?;
        let (df, fit_features, piece_df) = document_frequencies(texts, &sampled, table, progress)?;
        let pieces = table.map(|table| {
            let fit_texts = texts
                .iter()
                .zip(&sampled)
                .filter(|(_, s)| **s != DROPPED)
                .map(|(t, _)| t.as_str());
            PieceFit::new(table, &piece_df, n, fit_texts.collect())
        });

        let mut vocab = Vocabulary::select(&df, n, self.options.max_features);

        let weighed = |vocab: &Vocabulary| -> Csr {
            let rows: Vec<Vec<(u32, f32)>> = fit_features
                .iter()
                .map(|f| vocab.weigh(f, self.options.char_weight))
                .collect();
            Csr::from_rows(&rows, vocab.len())
        };
        let matrix = weighed(&vocab);
        let mut components = svd::randomized_svd(
            &matrix,
            self.dimensions,
            self.options.power_iters,
            self.seed,
        );
        if self.options.dispersion > 0.0 && matrix.nrows() >= refine::MIN_DISPERSION_ROWS {
            let mut fit_proj = components.image.clone();
            l2_normalise(&mut fit_proj);
            let (labels, k) = refine::rough_clusters(fit_proj.view())?;
            let counts = vocab.cluster_counts(&fit_features, &labels, k);
            refine::damp_dispersed(&mut vocab.idf, &counts, &labels, k, self.options.dispersion);
            components = svd::randomized_svd_from(
                &weighed(&vocab),
                components.vectors.view(),
                self.dimensions,
                self.options.refit_power_iters,
                self.seed,
            );
        }
        Ok(Fitted {
            vocab,
            basis: components.vectors,
            sampled,
            image: components.image,
            pieces,
        })
    }

    /// Projects `texts` with a fit: unit-length rows before neighbour
    /// smoothing. `sampled` maps the texts to the fit's rows when they are
    /// the texts it was fitted on.
    pub(crate) fn project(
        &self,
        fitted: &Fitted,
        texts: &[String],
        sampled: Option<&[u32]>,
        progress: SyncProgress<'_>,
    ) -> Result<Array2<f32>> {
        let n = texts.len();
        let basis = &fitted.basis;
        let rank = basis.ncols();
        let vocab = &fitted.vocab;

        let mut out = Array2::<f32>::zeros((n, self.dimensions()));
        let fit_row = |i: usize| {
            sampled
                .and_then(|s| s.get(i))
                .filter(|&&slot| slot != DROPPED)
                .map(|&slot| slot as usize)
        };
        for (g, texts) in texts.chunks(GROUP).enumerate() {
            let first = g * GROUP;
            // Texts of the fit sample were projected by the fit itself.
            let rest: Vec<usize> = (first..first + texts.len())
                .filter(|&i| fit_row(i).is_none())
                .collect();
            let rows: Vec<Vec<(u32, f32)>> = rest
                .par_iter()
                .map(|&i| {
                    vocab.weigh(
                        &features::extract(&texts[i - first]),
                        self.options.char_weight,
                    )
                })
                .collect();
            let projected = Csr::from_rows(&rows, vocab.len()).mul_dense(basis.view());
            for (row, &i) in projected.rows().into_iter().zip(&rest) {
                out.slice_mut(s![i, ..rank]).assign(&row);
            }
            for i in first..first + texts.len() {
                if let Some(slot) = fit_row(i) {
                    out.slice_mut(s![i, ..rank]).assign(&fitted.image.row(slot));
                }
            }
            if !progress(first + texts.len()) {
                return Err(Error::Cancelled);
            }
        }

        let Some(piece_fit) = fitted.pieces.as_ref() else {
            l2_normalise(&mut out);
            return Ok(out);
        };
        let weight = self.options.piece_weight;
        let (lsa_scale, piece_scale) = ((1.0 - weight).sqrt(), weight.sqrt());
        let width = self.dimensions();
        let flat = out
            .as_slice_mut()
            .ok_or_else(|| Error::Internal("lexical vectors not contiguous".into()))?;
        flat.par_chunks_mut(CHUNK * width)
            .zip(texts.par_chunks(CHUNK))
            .for_each(|(rows, texts)| {
                let mut ids = Vec::new();
                for (row, text) in rows.chunks_exact_mut(width).zip(texts) {
                    let (lsa, pieces) = row.split_at_mut(self.dimensions);
                    scale_to(lsa, lsa_scale);
                    piece_fit.centred(text, &mut ids, pieces);
                    scale_to(pieces, piece_scale);
                }
            });
        // A text with no known piece (or no kept feature) keeps the other
        // block alone, at unit length.
        l2_normalise(&mut out);
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

/// Scales `v` to length `to` (a zero vector stays zero).
pub(crate) fn scale_to(v: &mut [f32], to: f32) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x *= to / norm);
    }
}

/// Smoothed inverse document frequency of a feature in `df` of `n` texts.
pub(crate) fn idf(n: usize, df: u32) -> f32 {
    ((1.0 + n as f32) / (1.0 + df as f32)).ln() + 1.0
}

/// Raw features of a chunk of texts, and the word pieces each holds (once).
type ChunkFeatures = (Vec<TextFeatures>, Vec<Vec<u32>>);

/// Counts in how many texts each hashed feature occurs (word buckets first,
/// then character buckets) and each word piece of `table`, and keeps the
/// raw features of the fit sample.
fn document_frequencies(
    texts: &[String],
    sampled: &[u32],
    table: Option<&PieceTable>,
    progress: SyncProgress<'_>,
) -> Result<(Vec<u32>, Vec<TextFeatures>, Vec<u32>)> {
    let mut df = vec![0u32; 2 * BUCKETS];
    let mut piece_df = vec![0u32; table.map_or(0, PieceTable::len)];
    let mut fit = Vec::new();
    for (g, group) in texts.chunks(GROUP).enumerate() {
        let parts: Vec<ChunkFeatures> = group
            .par_chunks(CHUNK)
            .map(|chunk| {
                let features = chunk.iter().map(|t| features::extract(t)).collect();
                let pieces = chunk
                    .iter()
                    .map(|t| {
                        let mut ids = Vec::new();
                        if let Some(table) = table {
                            table.pieces(t, &mut ids);
                            ids.sort_unstable();
                            ids.dedup();
                        }
                        ids
                    })
                    .collect();
                (features, pieces)
            })
            .collect();
        let (features, pieces): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
        for id in pieces.into_iter().flatten().flatten() {
            piece_df[id as usize] += 1;
        }
        for (offset, f) in features.into_iter().flatten().enumerate() {
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
    Ok((df, fit, piece_df))
}

/// A fit: the kept features, the SVD basis, and the fit sample's rows
/// projected on it.
pub(crate) struct Fitted {
    vocab: Vocabulary,
    basis: Array2<f32>,
    sampled: Vec<u32>,
    image: Array2<f32>,
    /// The word-piece block's fit (`None` when the block is off).
    pieces: Option<PieceFit>,
}

/// The kept features: bucket → column, and each column's IDF.
struct Vocabulary {
    column: Vec<u32>,
    idf: Vec<f32>,
}

impl Vocabulary {
    fn select(df: &[u32], n: usize, max_features: usize) -> Vocabulary {
        let mut present: Vec<u32> = (0..df.len() as u32)
            .filter(|&b| df[b as usize] > 0)
            .collect();
        // Most widespread first: the columns that hold most of the non-zeros
        // sit together in memory, which keeps the sparse products in cache.
        present.sort_unstable_by(|&a, &b| df[b as usize].cmp(&df[a as usize]).then(a.cmp(&b)));
        present.truncate(max_features);
        let mut column = vec![DROPPED; df.len()];
        let mut idf = Vec::with_capacity(present.len());
        for (c, &b) in present.iter().enumerate() {
            column[b as usize] = c as u32;
            idf.push(self::idf(n, df[b as usize]));
        }
        Vocabulary { column, idf }
    }

    fn len(&self) -> usize {
        self.idf.len()
    }

    /// In how many fit rows of each cluster (`labels`, `k` clusters) every
    /// kept feature occurs: `counts[column * k + cluster]`.
    fn cluster_counts(&self, fit: &[TextFeatures], labels: &[usize], k: usize) -> Vec<u32> {
        let mut counts = vec![0u32; self.len() * k];
        for (f, &l) in fit.iter().zip(labels) {
            for (offset, block) in [(0, &f.words), (BUCKETS, &f.chars)] {
                for &(b, _) in block.iter() {
                    let c = self.column[offset + b as usize];
                    if c != DROPPED {
                        counts[c as usize * k + l] += 1;
                    }
                }
            }
        }
        counts
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
    fn identity(&self) -> String {
        if self.seed == DEFAULT_SEED {
            format!("{}-{}", self.version(), self.dimensions)
        } else {
            format!("{}-{}-seed{}", self.version(), self.dimensions, self.seed)
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
