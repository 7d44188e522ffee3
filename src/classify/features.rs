//! Sparse TF-IDF features fitted on the training texts: word n-grams and
//! character n-grams inside words, each block L2-normalised and scaled,
//! optionally followed by a dense embedding block.
//!
//! Tokenisation and hashing are the lexical embedder's
//! ([`crate::embed::lexical::features`]): words are lower-cased runs of
//! letters and digits, and every n-gram is keyed by a portable 64-bit hash
//! (no bucketing, so collisions are negligible). The vocabulary keeps the
//! n-grams seen in at least `min_df` training texts, the most widespread
//! first, and is stored as a sorted list so the same texts always give
//! the same columns.

use std::collections::HashMap;

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ClassifyError;
use super::params::{CheckedParams, Params};
use crate::embed::lexical::features::{hash_units, words};
use crate::embed::lexical::sparse::Csr;

/// Tags keep word and character n-grams (and n-gram lengths) apart.
const TAG_WORD: u64 = 0x7764_0000;
const TAG_CHAR: u64 = 0x6368_0000;
/// Only this many characters of a very long token give character n-grams.
const CHAR_WORD_CAP: usize = 40;

/// The n-grams of one text: `(key, count)` sorted by key, per block.
#[derive(Debug, Default, Clone)]
pub(crate) struct RawFeatures {
    words: Vec<(u64, f32)>,
    chars: Vec<(u64, f32)>,
}

fn count(mut keys: Vec<u64>) -> Vec<(u64, f32)> {
    keys.sort_unstable();
    let mut out: Vec<(u64, f32)> = Vec::with_capacity(keys.len());
    for k in keys {
        match out.last_mut() {
            Some((last, c)) if *last == k => *c += 1.0,
            _ => out.push((k, 1.0)),
        }
    }
    out
}

/// Extracts the word and character n-grams of `text`.
pub(crate) fn extract(text: &str, word: [usize; 2], chars: [usize; 2]) -> RawFeatures {
    let tokens = words(text);
    let mut word_keys = Vec::new();
    if word[0] > 0 {
        let unigrams: Vec<u64> = tokens
            .iter()
            .map(|w| hash_units(TAG_WORD + 1, w.iter().map(|&c| u32::from(c))))
            .collect();
        for n in word[0]..=word[1] {
            if n == 1 {
                word_keys.extend_from_slice(&unigrams);
                continue;
            }
            for gram in unigrams.windows(n) {
                let units = gram.iter().flat_map(|&h| [h as u32, (h >> 32) as u32]);
                word_keys.push(hash_units(TAG_WORD + n as u64, units));
            }
        }
    }
    let mut char_keys = Vec::new();
    if chars[0] > 0 {
        let mut padded: Vec<u32> = Vec::with_capacity(CHAR_WORD_CAP + 2);
        for w in &tokens {
            padded.clear();
            padded.push(u32::from(' '));
            padded.extend(w.iter().take(CHAR_WORD_CAP).map(|&c| u32::from(c)));
            padded.push(u32::from(' '));
            for n in chars[0]..=chars[1] {
                for gram in padded.windows(n) {
                    char_keys.push(hash_units(TAG_CHAR + n as u64, gram.iter().copied()));
                }
            }
        }
    }
    RawFeatures {
        words: count(word_keys),
        chars: count(char_keys),
    }
}

/// The kept n-grams: word columns first, then character columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "VocabularyData", into = "VocabularyData")]
pub(crate) struct Vocabulary {
    keys: Vec<u64>,
    idf: Vec<f32>,
    n_word: usize,
    column: HashMap<u64, u32>,
}

/// How a [`Vocabulary`] is stored: the lookup table is rebuilt on load.
#[derive(Serialize, Deserialize)]
struct VocabularyData {
    keys: Vec<u64>,
    idf: Vec<f32>,
    n_word: usize,
}

impl From<VocabularyData> for Vocabulary {
    fn from(d: VocabularyData) -> Self {
        Vocabulary::new(d.keys, d.idf, d.n_word)
    }
}

impl From<Vocabulary> for VocabularyData {
    fn from(v: Vocabulary) -> Self {
        VocabularyData {
            keys: v.keys,
            idf: v.idf,
            n_word: v.n_word,
        }
    }
}

impl Vocabulary {
    fn new(keys: Vec<u64>, idf: Vec<f32>, n_word: usize) -> Vocabulary {
        let column = keys
            .iter()
            .enumerate()
            .map(|(c, &k)| (k, c as u32))
            .collect();
        Vocabulary {
            keys,
            idf,
            n_word,
            column,
        }
    }

    /// Counts document frequencies over `raw` and keeps what `params` asks.
    fn fit(raw: &[RawFeatures], params: &Params) -> Vocabulary {
        let mut df: HashMap<(bool, u64), u32> = HashMap::new();
        for r in raw {
            for &(k, _) in &r.words {
                *df.entry((false, k)).or_insert(0) += 1;
            }
            for &(k, _) in &r.chars {
                *df.entry((true, k)).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<((bool, u64), u32)> = df
            .into_iter()
            .filter(|&(_, d)| d >= params.min_df)
            .collect();
        // Most widespread first (ties by key), so the cap is deterministic
        // and the busiest columns sit together in memory.
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        kept.truncate(params.max_features);
        kept.sort_by_key(|&((is_char, _), _)| is_char);
        let n = raw.len() as f32;
        let n_word = kept.iter().take_while(|((c, _), _)| !c).count();
        let idf = kept
            .iter()
            .map(|&(_, d)| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
            .collect();
        Vocabulary::new(kept.into_iter().map(|((_, k), _)| k).collect(), idf, n_word)
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    fn check(&self) -> Result<(), ClassifyError> {
        if self.idf.len() != self.keys.len() || self.n_word > self.keys.len() {
            return Err(ClassifyError::CorruptModel {
                message: "vocabulary sizes disagree".into(),
            });
        }
        if self.column.len() != self.keys.len() {
            return Err(ClassifyError::CorruptModel {
                message: "vocabulary has duplicate keys".into(),
            });
        }
        Ok(())
    }
}

/// The fitted feature map from texts (and embeddings) to sparse rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FeatureSpace {
    word_ngrams: [usize; 2],
    char_ngrams: [usize; 2],
    sublinear_tf: bool,
    word_weight: f32,
    char_weight: f32,
    embedding_weight: f32,
    /// Width of the embedding block, when the model uses embeddings.
    embedding_dim: Option<usize>,
    vocabulary: Vocabulary,
}

impl FeatureSpace {
    /// Fits the vocabulary on `texts` and returns the space with the
    /// training rows.
    pub(crate) fn fit(
        texts: &[String],
        embeddings: Option<ArrayView2<'_, f32>>,
        checked: &CheckedParams,
    ) -> Result<(FeatureSpace, Csr), ClassifyError> {
        let params = checked.get();
        let raw = extract_all(texts, checked.word_ngrams(), checked.char_ngrams());
        let space = FeatureSpace {
            word_ngrams: checked.word_ngrams(),
            char_ngrams: checked.char_ngrams(),
            sublinear_tf: params.sublinear_tf,
            word_weight: params.word_weight,
            char_weight: params.char_weight,
            embedding_weight: params.embedding_weight,
            embedding_dim: embeddings.map(|e| e.ncols()),
            vocabulary: Vocabulary::fit(&raw, params),
        };
        let rows = space.rows(&raw, embeddings)?;
        Ok((space, rows))
    }

    /// Number of columns (vocabulary plus embedding block).
    pub(crate) fn dim(&self) -> usize {
        self.vocabulary.len() + self.embedding_dim.unwrap_or(0)
    }

    pub(crate) fn embedding_dim(&self) -> Option<usize> {
        self.embedding_dim
    }

    pub(crate) fn vocabulary_len(&self) -> usize {
        self.vocabulary.len()
    }

    pub(crate) fn check(&self) -> Result<(), ClassifyError> {
        self.vocabulary.check()
    }

    /// The rows of `texts` in this space.
    pub(crate) fn transform(
        &self,
        texts: &[String],
        embeddings: Option<ArrayView2<'_, f32>>,
    ) -> Result<Csr, ClassifyError> {
        let raw = extract_all(texts, self.word_ngrams, self.char_ngrams);
        self.rows(&raw, embeddings)
    }

    fn rows(
        &self,
        raw: &[RawFeatures],
        embeddings: Option<ArrayView2<'_, f32>>,
    ) -> Result<Csr, ClassifyError> {
        let emb = self.check_embeddings(raw.len(), embeddings)?;
        let rows: Vec<Vec<(u32, f32)>> = raw
            .par_iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = Vec::with_capacity(r.words.len() + r.chars.len());
                self.block(&r.words, self.word_weight, &mut row);
                self.block(&r.chars, self.char_weight, &mut row);
                if let Some(e) = emb {
                    self.embedding_block(e.row(i), &mut row);
                }
                row
            })
            .collect();
        Ok(Csr::from_rows(&rows, self.dim()))
    }

    fn check_embeddings<'a>(
        &self,
        n: usize,
        embeddings: Option<ArrayView2<'a, f32>>,
    ) -> Result<Option<ArrayView2<'a, f32>>, ClassifyError> {
        match (self.embedding_dim, embeddings) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(ClassifyError::Embeddings {
                message: "given, but the model was trained without embeddings".into(),
            }),
            (Some(d), None) => Err(ClassifyError::Embeddings {
                message: format!("the model was trained with {d}-wide embeddings; none given"),
            }),
            (Some(d), Some(e)) => {
                if e.ncols() != d {
                    return Err(ClassifyError::Embeddings {
                        message: format!("expected {d} columns, got {}", e.ncols()),
                    });
                }
                if e.nrows() != n {
                    return Err(ClassifyError::LengthMismatch {
                        what: "embeddings",
                        expected: n,
                        got: e.nrows(),
                    });
                }
                if let Some(row) = e
                    .rows()
                    .into_iter()
                    .position(|r| r.iter().any(|v| !v.is_finite()))
                {
                    return Err(ClassifyError::NonFinite {
                        what: "embeddings",
                        row,
                    });
                }
                Ok(Some(e))
            }
        }
    }

    /// Appends one TF-IDF block, L2-normalised and scaled by `weight`.
    fn block(&self, feats: &[(u64, f32)], weight: f32, out: &mut Vec<(u32, f32)>) {
        let start = out.len();
        if weight == 0.0 {
            return;
        }
        for &(k, tf) in feats {
            if let Some(&c) = self.vocabulary.column.get(&k) {
                let tf = if self.sublinear_tf { 1.0 + tf.ln() } else { tf };
                out.push((c, tf * self.vocabulary.idf[c as usize]));
            }
        }
        let norm = out[start..].iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut out[start..] {
                *v *= weight / norm;
            }
        }
        out[start..].sort_unstable_by_key(|&(c, _)| c);
    }

    fn embedding_block(&self, e: ndarray::ArrayView1<'_, f32>, out: &mut Vec<(u32, f32)>) {
        let norm = e.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm == 0.0 || self.embedding_weight == 0.0 {
            return;
        }
        let scale = self.embedding_weight / norm;
        let first = self.vocabulary.len() as u32;
        out.extend(
            e.iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(j, v)| (first + j as u32, v * scale)),
        );
    }
}

/// The fitted features on their own, as `(column, value)` rows: for
/// inspection and for comparing other learners on the same features.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMap(FeatureSpace);

/// Sparse rows: each row's `(column, value)` pairs in column order.
pub type SparseRows = Vec<Vec<(u32, f32)>>;

fn to_rows(x: &Csr) -> SparseRows {
    (0..x.nrows())
        .map(|i| {
            let (c, v) = x.row(i);
            c.iter().copied().zip(v.iter().copied()).collect()
        })
        .collect()
}

impl FeatureMap {
    /// Fits the features on `texts` as [`super::LocalClassifier::fit`]
    /// does, and returns them with the training rows.
    pub fn fit(
        texts: &[String],
        embeddings: Option<ArrayView2<'_, f32>>,
        params: &Params,
    ) -> Result<(FeatureMap, SparseRows), ClassifyError> {
        let (space, x) = FeatureSpace::fit(texts, embeddings, &params.check()?)?;
        Ok((FeatureMap(space), to_rows(&x)))
    }

    /// The rows of new texts.
    pub fn transform(
        &self,
        texts: &[String],
        embeddings: Option<ArrayView2<'_, f32>>,
    ) -> Result<SparseRows, ClassifyError> {
        Ok(to_rows(&self.0.transform(texts, embeddings)?))
    }

    /// Number of columns.
    pub fn dim(&self) -> usize {
        self.0.dim()
    }
}

fn extract_all(texts: &[String], word: [usize; 2], chars: [usize; 2]) -> Vec<RawFeatures> {
    texts.par_iter().map(|t| extract(t, word, chars)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ngram_counts() {
        let r = extract("a b a b", [1, 2], [0, 0]);
        // unigrams a×2, b×2; bigrams "a b"×2, "b a"×1
        let mut counts: Vec<f32> = r.words.iter().map(|&(_, c)| c).collect();
        counts.sort_by(f32::total_cmp);
        assert_eq!(counts, [1.0, 2.0, 2.0, 2.0]);
        assert!(r.chars.is_empty());
        // " ab " gives 3 bigrams, 2 trigrams, 1 four-gram.
        let r = extract("ab", [0, 0], [2, 4]);
        assert_eq!(r.chars.len(), 6);
    }

    #[test]
    fn vocabulary_respects_min_df_and_cap() {
        let texts: Vec<String> = ["red apple", "red pear", "green apple"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let p = Params {
            word_ngrams: [1, 1],
            char_ngrams: [0, 0],
            min_df: 2,
            ..Params::default()
        };
        let (space, rows) = FeatureSpace::fit(&texts, None, &p.check().unwrap()).unwrap();
        assert_eq!(space.vocabulary_len(), 2, "red and apple");
        assert_eq!(rows.nrows(), 3);
        let (cols, vals) = rows.row(1);
        assert_eq!(cols.len(), 1, "only `red` of `red pear` is kept");
        assert!((vals[0] - 1.0).abs() < 1e-6, "unit length");
        let capped = Params {
            max_features: 1,
            ..p
        };
        let (space, _) = FeatureSpace::fit(&texts, None, &capped.check().unwrap()).unwrap();
        assert_eq!(space.vocabulary_len(), 1);
    }
}
