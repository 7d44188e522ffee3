//! Word n-grams and character n-grams inside words, and the TF-IDF
//! vocabulary fitted on the training texts.
//!
//! Tokenisation and hashing are the lexical embedder's
//! ([`crate::embed::lexical::features`]): words are lower-cased runs of
//! letters and digits, and every n-gram is keyed by a portable 64-bit hash
//! (no bucketing, so collisions are negligible). The vocabulary keeps the
//! n-grams seen in at least `min_df` training texts, the most widespread
//! first, and is stored as a sorted list so the same texts always give
//! the same columns.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ClassifyError;
use super::params::Params;
use crate::embed::lexical::features::{hash_units, words};

/// Tags keep word and character n-grams (and n-gram lengths) apart.
const TAG_WORD: u64 = 0x7764_0000;
const TAG_CHAR: u64 = 0x6368_0000;
/// Only this many characters of a very long token give character n-grams.
const CHAR_WORD_CAP: usize = 40;

/// The n-grams of one text: `(key, count)` sorted by key, per block.
#[derive(Debug, Default, Clone)]
pub(crate) struct RawFeatures {
    pub words: Vec<(u64, f32)>,
    pub chars: Vec<(u64, f32)>,
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
    pub(crate) fn fit(raw: &[RawFeatures], params: &Params) -> Vocabulary {
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

    /// Appends the TF-IDF values of one block's kept n-grams, L2-normalised
    /// and scaled by `weight`, in column order.
    pub(crate) fn block(
        &self,
        feats: &[(u64, f32)],
        sublinear_tf: bool,
        weight: f32,
        out: &mut Vec<(u32, f32)>,
    ) {
        if weight == 0.0 {
            return;
        }
        let start = out.len();
        for &(k, tf) in feats {
            if let Some(&c) = self.column.get(&k) {
                let tf = if sublinear_tf { 1.0 + tf.ln() } else { tf };
                out.push((c, tf * self.idf[c as usize]));
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

    pub(crate) fn check(&self) -> Result<(), ClassifyError> {
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

/// The n-grams of every text (in parallel).
pub(crate) fn extract_all(
    texts: &[String],
    word: [usize; 2],
    chars: [usize; 2],
) -> Vec<RawFeatures> {
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
}
