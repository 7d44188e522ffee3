//! The fitted feature space: texts (and embeddings) to feature rows.
//!
//! A row is the word TF-IDF block and the character TF-IDF block (each
//! L2-normalised, then scaled by its weight), stored sparse, followed by
//! the embedding block (L2-normalised, scaled), stored dense so that its
//! products run over contiguous memory.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ClassifyError;
use super::features::{RawFeatures, Vocabulary, extract_all};
use super::params::{CheckedParams, MAX_NGRAM, Params};
use crate::embed::lexical::sparse::Csr;

/// Feature rows: n-gram columns sparse, then the embedding columns dense.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    pub sparse: Csr,
    /// `n × embedding dim` (no columns when the model has no embeddings).
    pub dense: Array2<f32>,
}

impl Rows {
    pub(crate) fn nrows(&self) -> usize {
        self.sparse.nrows()
    }

    pub(crate) fn dim(&self) -> usize {
        self.sparse.ncols() + self.dense.ncols()
    }
}

/// The fitted map from texts (and embeddings) to [`Rows`].
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
    ) -> Result<(FeatureSpace, Rows), ClassifyError> {
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
        self.vocabulary
            .len()
            .saturating_add(self.embedding_dim.unwrap_or(0))
    }

    pub(crate) fn embedding_dim(&self) -> Option<usize> {
        self.embedding_dim
    }

    pub(crate) fn vocabulary_len(&self) -> usize {
        self.vocabulary.len()
    }

    /// Checks a stored space before it is used.
    pub(crate) fn check(&self) -> Result<(), ClassifyError> {
        let ranges_ok = [self.word_ngrams, self.char_ngrams]
            .iter()
            .all(|&[lo, hi]| (lo, hi) == (0, 0) || (1 <= lo && lo <= hi && hi <= MAX_NGRAM));
        let weights_ok = [self.word_weight, self.char_weight, self.embedding_weight]
            .iter()
            .all(|w| w.is_finite() && *w >= 0.0);
        if !ranges_ok || !weights_ok {
            return Err(ClassifyError::CorruptModel {
                message: "feature settings are out of range".into(),
            });
        }
        self.vocabulary.check()
    }

    /// The rows of `texts` in this space.
    pub(crate) fn transform(
        &self,
        texts: &[String],
        embeddings: Option<ArrayView2<'_, f32>>,
    ) -> Result<Rows, ClassifyError> {
        // Check the embeddings before the (costlier) n-gram extraction.
        self.check_embeddings(texts.len(), embeddings)?;
        let raw = extract_all(texts, self.word_ngrams, self.char_ngrams);
        self.rows(&raw, embeddings)
    }

    fn rows(
        &self,
        raw: &[RawFeatures],
        embeddings: Option<ArrayView2<'_, f32>>,
    ) -> Result<Rows, ClassifyError> {
        let emb = self.check_embeddings(raw.len(), embeddings)?;
        let v = &self.vocabulary;
        let rows: Vec<Vec<(u32, f32)>> = raw
            .par_iter()
            .map(|r| {
                let mut row = Vec::with_capacity(r.words.len() + r.chars.len());
                v.block(&r.words, self.sublinear_tf, self.word_weight, &mut row);
                v.block(&r.chars, self.sublinear_tf, self.char_weight, &mut row);
                row
            })
            .collect();
        let mut dense = Array2::<f32>::zeros((raw.len(), self.embedding_dim.unwrap_or(0)));
        if let Some(e) = emb {
            for (mut out, e) in dense.axis_iter_mut(Axis(0)).zip(e.axis_iter(Axis(0))) {
                let scale = self.embedding_scale(e);
                out.zip_mut_with(&e, |o, &x| *o = x * scale);
            }
        }
        Ok(Rows {
            sparse: Csr::from_rows(&rows, v.len()),
            dense,
        })
    }

    /// `embedding_weight / ‖e‖` (0 for a zero row).
    fn embedding_scale(&self, e: ArrayView1<'_, f32>) -> f32 {
        let norm = e.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            self.embedding_weight / norm
        } else {
            0.0
        }
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
}

/// The fitted features on their own, as `(column, value)` rows (the
/// embedding columns follow the n-gram columns): for inspection and for
/// comparing other learners on the same features.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMap(FeatureSpace);

/// Each row's `(column, value)` pairs in column order.
pub type SparseRows = Vec<Vec<(u32, f32)>>;

fn to_rows(x: &Rows) -> SparseRows {
    let first = x.sparse.ncols() as u32;
    (0..x.nrows())
        .map(|i| {
            let (c, v) = x.sparse.row(i);
            let mut row: Vec<(u32, f32)> = c.iter().copied().zip(v.iter().copied()).collect();
            row.extend(
                x.dense
                    .row(i)
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(j, &v)| (first + j as u32, v)),
            );
            row
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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn vocabulary_respects_min_df_and_cap() {
        let texts = texts(&["red apple", "red pear", "green apple"]);
        let p = Params {
            word_ngrams: [1, 1],
            char_ngrams: [0, 0],
            min_df: 2,
            ..Params::default()
        };
        let (map, rows) = FeatureMap::fit(&texts, None, &p).unwrap();
        assert_eq!(map.dim(), 2, "red and apple");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].len(), 1, "only `red` of `red pear` is kept");
        assert!((rows[1][0].1 - 1.0).abs() < 1e-6, "unit length");
        let capped = Params {
            max_features: 1,
            ..p
        };
        let (map, _) = FeatureMap::fit(&texts, None, &capped).unwrap();
        assert_eq!(map.dim(), 1);
    }

    #[test]
    fn embedding_block_is_normalised_and_weighted() {
        let texts = texts(&["a b", "c d"]);
        let emb = ndarray::array![[3.0f32, 4.0], [0.0, 0.0]];
        let p = Params {
            embedding_weight: 2.0,
            ..Params::default()
        };
        let (map, rows) = FeatureMap::fit(&texts, Some(emb.view()), &p).unwrap();
        let first = (map.dim() - 2) as u32;
        let tail: Vec<(u32, f32)> = rows[0].iter().copied().filter(|e| e.0 >= first).collect();
        assert_eq!(tail, vec![(first, 1.2), (first + 1, 1.6)]);
        assert!(
            rows[1].iter().all(|e| e.0 < first),
            "a zero row adds nothing"
        );
    }
}
