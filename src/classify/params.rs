//! Training parameters, and their checked form.
//!
//! [`Params`] is plain, serialisable data (it can sit in a TOML file);
//! [`Params::check`] validates every field once and gives a
//! [`CheckedParams`], the only thing the trainer accepts, so a bad value
//! is reported up front with its field name instead of failing halfway.

use serde::{Deserialize, Serialize};

use super::error::ClassifyError;

/// Longest word or character n-gram accepted.
pub const MAX_NGRAM: usize = 8;

/// How the local classifier is trained. The defaults are the ones measured
/// in `benches/RESULTS.md` ("Local classifier").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Word n-gram lengths `[min, max]`; `[0, 0]` turns word features off.
    /// (With both n-gram blocks off, training needs embeddings.)
    pub word_ngrams: [usize; 2],
    /// Character n-gram lengths `[min, max]` taken inside each word (padded
    /// with a space on both sides); `[0, 0]` turns them off.
    pub char_ngrams: [usize; 2],
    /// Keep only n-grams seen in at least this many training texts.
    pub min_df: u32,
    /// Keep at most this many n-grams (the most widespread ones).
    pub max_features: usize,
    /// Use `1 + ln(tf)` instead of the raw count.
    pub sublinear_tf: bool,
    /// Scale of the word block (each block is L2-normalised first).
    pub word_weight: f32,
    /// Scale of the character block.
    pub char_weight: f32,
    /// Scale of the embedding block (rows are L2-normalised first).
    pub embedding_weight: f32,
    /// Inverse regularisation strength of each one-vs-rest SVM.
    pub c: f32,
    /// Value of the constant feature that carries the intercept.
    pub bias: f32,
    /// Stop when the projected-gradient spread falls below this.
    pub tolerance: f32,
    /// Most passes over the data per binary model.
    pub max_iter: usize,
    /// Seed of the coordinate-descent visiting order.
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            word_ngrams: [1, 2],
            char_ngrams: [2, 5],
            min_df: 1,
            max_features: 300_000,
            sublinear_tf: true,
            word_weight: 1.0,
            char_weight: 1.0,
            embedding_weight: 2.0,
            c: 0.5,
            bias: 1.0,
            tolerance: 0.1,
            max_iter: 1000,
            seed: 42,
        }
    }
}

/// Validated [`Params`]: only [`Params::check`] makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedParams(Params);

impl CheckedParams {
    pub fn get(&self) -> &Params {
        &self.0
    }

    /// Word n-gram lengths in use (`[0, 0]` when the block is off or has
    /// weight 0).
    pub fn word_ngrams(&self) -> [usize; 2] {
        if self.0.word_weight == 0.0 {
            [0, 0]
        } else {
            self.0.word_ngrams
        }
    }

    /// Character n-gram lengths in use.
    pub fn char_ngrams(&self) -> [usize; 2] {
        if self.0.char_weight == 0.0 {
            [0, 0]
        } else {
            self.0.char_ngrams
        }
    }

    /// Whether any n-gram block is on.
    pub fn uses_text(&self) -> bool {
        self.word_ngrams() != [0, 0] || self.char_ngrams() != [0, 0]
    }
}

fn invalid(name: &'static str, message: impl Into<String>) -> ClassifyError {
    ClassifyError::InvalidParam {
        name,
        message: message.into(),
    }
}

fn check_range(name: &'static str, [lo, hi]: [usize; 2]) -> Result<(), ClassifyError> {
    if (lo, hi) == (0, 0) {
        return Ok(());
    }
    if lo == 0 || lo > hi || hi > MAX_NGRAM {
        return Err(invalid(
            name,
            format!(
                "must be [0, 0] (off) or [min, max] with 1 ≤ min ≤ max ≤ {MAX_NGRAM}, got [{lo}, {hi}]"
            ),
        ));
    }
    Ok(())
}

fn check_weight(name: &'static str, v: f32) -> Result<(), ClassifyError> {
    if !v.is_finite() || v < 0.0 {
        return Err(invalid(name, format!("must be finite and ≥ 0, got {v}")));
    }
    Ok(())
}

fn check_positive(name: &'static str, v: f32) -> Result<(), ClassifyError> {
    if !v.is_finite() || v <= 0.0 {
        return Err(invalid(name, format!("must be finite and > 0, got {v}")));
    }
    Ok(())
}

impl Params {
    /// Checks every field; the error names the first bad one.
    pub fn check(&self) -> Result<CheckedParams, ClassifyError> {
        check_range("word_ngrams", self.word_ngrams)?;
        check_range("char_ngrams", self.char_ngrams)?;
        if self.min_df == 0 {
            return Err(invalid("min_df", "must be at least 1"));
        }
        if self.max_features == 0 || self.max_features > u32::MAX as usize / 2 {
            return Err(invalid(
                "max_features",
                format!("must be between 1 and {}", u32::MAX / 2),
            ));
        }
        check_weight("word_weight", self.word_weight)?;
        check_weight("char_weight", self.char_weight)?;
        check_weight("embedding_weight", self.embedding_weight)?;
        check_positive("c", self.c)?;
        check_weight("bias", self.bias)?;
        check_positive("tolerance", self.tolerance)?;
        if self.max_iter == 0 {
            return Err(invalid("max_iter", "must be at least 1"));
        }
        Ok(CheckedParams(self.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(Params::default().check().is_ok());
    }

    #[test]
    fn first_bad_field_is_named() {
        let cases: Vec<(Params, &str)> = vec![
            (
                Params {
                    word_ngrams: [2, 1],
                    ..Params::default()
                },
                "word_ngrams",
            ),
            (
                Params {
                    char_ngrams: [0, 3],
                    ..Params::default()
                },
                "char_ngrams",
            ),
            (
                Params {
                    min_df: 0,
                    ..Params::default()
                },
                "min_df",
            ),
            (
                Params {
                    c: f32::NAN,
                    ..Params::default()
                },
                "c",
            ),
            (
                Params {
                    c: 0.0,
                    ..Params::default()
                },
                "c",
            ),
            (
                Params {
                    tolerance: -1.0,
                    ..Params::default()
                },
                "tolerance",
            ),
            (
                Params {
                    embedding_weight: f32::INFINITY,
                    ..Params::default()
                },
                "embedding_weight",
            ),
            (
                Params {
                    max_iter: 0,
                    ..Params::default()
                },
                "max_iter",
            ),
        ];
        for (p, field) in cases {
            match p.check() {
                Err(ClassifyError::InvalidParam { name, .. }) => assert_eq!(name, field),
                other => panic!("{field}: expected InvalidParam, got {other:?}"),
            }
        }
    }

    #[test]
    fn toml_rejects_unknown_fields() {
        let err = toml::from_str::<Params>("c = 1.0\ncee = 2.0\n");
        assert!(err.is_err());
        let ok: Params = toml::from_str("c = 2.0\nmin_df = 2\n").unwrap_or_default();
        assert_eq!((ok.c, ok.min_df, ok.word_ngrams), (2.0, 2, [1, 2]));
    }
}
