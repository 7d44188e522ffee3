//! Deterministic data splits: train / validation / test by a hash of each
//! example's id, and (stratified) k-fold cross-validation.
//!
//! The id-hash split does not depend on the other examples, so an example
//! keeps its split when more labels arrive, and no label ever moves from
//! test to train between runs.

use ndarray::{Array2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::error::ClassifyError;
use super::model::{Labels, LocalClassifier, TrainSet, memberships};
use super::params::Params;
use super::predict::Prediction;
use crate::embed::lexical::features::hash_units;

/// Which split an example belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Train,
    Validation,
    Test,
}

/// The split of each id: a share `validation` of ids goes to validation,
/// `test` to test, the rest to train (in expectation; each id decides
/// alone, from a hash of the id and `seed`).
pub fn split_by_id<S: AsRef<str>>(
    ids: &[S],
    validation: f64,
    test: f64,
    seed: u64,
) -> Result<Vec<Split>, ClassifyError> {
    for (name, v) in [("validation", validation), ("test", test)] {
        if !(0.0..=1.0).contains(&v) {
            return Err(ClassifyError::InvalidParam {
                name,
                message: format!("share must be between 0 and 1, got {v}"),
            });
        }
    }
    if validation + test > 1.0 {
        return Err(ClassifyError::InvalidParam {
            name: "test",
            message: format!("validation + test shares exceed 1 ({validation} + {test})"),
        });
    }
    Ok(ids
        .iter()
        .map(|id| {
            let h = hash_units(seed, id.as_ref().bytes().map(u32::from));
            // 53 bits give a uniform value in [0, 1).
            let u = (h >> 11) as f64 / (1u64 << 53) as f64;
            if u < test {
                Split::Test
            } else if u < test + validation {
                Split::Validation
            } else {
                Split::Train
            }
        })
        .collect())
}

/// One round of cross-validation: indices to train on and to test on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

fn check_k(k: usize, n: usize) -> Result<(), ClassifyError> {
    if k < 2 || k > n {
        return Err(ClassifyError::InvalidParam {
            name: "folds",
            message: format!("need 2 ≤ folds ≤ examples ({n}), got {k}"),
        });
    }
    Ok(())
}

fn folds_from(assign: &[usize], k: usize) -> Vec<Fold> {
    (0..k)
        .map(|f| Fold {
            train: (0..assign.len()).filter(|&i| assign[i] != f).collect(),
            test: (0..assign.len()).filter(|&i| assign[i] == f).collect(),
        })
        .collect()
}

/// `k` folds where each class is spread evenly over the folds (seeded).
pub fn stratified_folds(labels: &[usize], k: usize, seed: u64) -> Result<Vec<Fold>, ClassifyError> {
    check_k(k, labels.len())?;
    let classes = labels.iter().max().map_or(0, |m| m + 1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &c) in labels.iter().enumerate() {
        by_class[c].push(i);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut assign = vec![0usize; labels.len()];
    // Dealing continues where the previous class stopped, so fold sizes
    // differ by at most one.
    let mut next = 0;
    for members in &mut by_class {
        members.shuffle(&mut rng);
        for &i in members.iter() {
            assign[i] = next % k;
            next += 1;
        }
    }
    Ok(folds_from(&assign, k))
}

/// `k` folds of a seeded shuffle of `0..n` (for multi-label data).
pub fn shuffled_folds(n: usize, k: usize, seed: u64) -> Result<Vec<Fold>, ClassifyError> {
    check_k(k, n)?;
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut assign = vec![0usize; n];
    for (pos, &i) in order.iter().enumerate() {
        assign[i] = pos % k;
    }
    Ok(folds_from(&assign, k))
}

/// Out-of-fold predictions: each example is predicted by the model
/// trained on the other folds (stratified for single-label data). The
/// result is in the original order.
pub fn cross_validate(
    set: &TrainSet<'_>,
    params: &Params,
    k: usize,
    seed: u64,
) -> Result<Vec<Prediction>, ClassifyError> {
    let n = set.texts.len();
    params.check()?;
    memberships(set.labels, n, set.n_classes)?;
    if let Some(e) = set.embeddings
        && e.nrows() != n
    {
        return Err(ClassifyError::LengthMismatch {
            what: "embeddings",
            expected: n,
            got: e.nrows(),
        });
    }
    let folds = match set.labels {
        Labels::Single(l) => stratified_folds(l, k, seed)?,
        Labels::Multi(_) => shuffled_folds(n, k, seed)?,
    };
    let mut out: Vec<Option<Prediction>> = vec![None; n];
    for fold in &folds {
        let texts =
            |idx: &[usize]| -> Vec<String> { idx.iter().map(|&i| set.texts[i].clone()).collect() };
        let rows = |idx: &[usize]| -> Option<Array2<f32>> {
            set.embeddings.map(|e| e.select(Axis(0), idx))
        };
        let (train_texts, train_emb) = (texts(&fold.train), rows(&fold.train));
        let single: Vec<usize>;
        let multi: Vec<Vec<usize>>;
        let labels = match set.labels {
            Labels::Single(l) => {
                single = fold.train.iter().map(|&i| l[i]).collect();
                Labels::Single(&single)
            }
            Labels::Multi(l) => {
                multi = fold.train.iter().map(|&i| l[i].clone()).collect();
                Labels::Multi(&multi)
            }
        };
        let train = TrainSet {
            texts: &train_texts,
            embeddings: train_emb.as_ref().map(|e| e.view()),
            labels,
            n_classes: set.n_classes,
        };
        let model = LocalClassifier::fit(&train, params)?;
        let (test_texts, test_emb) = (texts(&fold.test), rows(&fold.test));
        let preds = model.predict(&test_texts, test_emb.as_ref().map(|e| e.view()))?;
        for (&i, p) in fold.test.iter().zip(preds) {
            out[i] = Some(p);
        }
    }
    // Every index is in exactly one test fold.
    Ok(out.into_iter().flatten().collect())
}
