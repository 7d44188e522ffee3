//! The trained local classifier: its training ([`LocalClassifier::fit`])
//! and its stored form. Prediction lives in `predict.rs`.

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ClassifyError;
use super::params::Params;
use super::space::FeatureSpace;
use super::svm::{self, Problem, Settings};

/// Version of the stored model; bumped when features or layout change.
pub const MODEL_FORMAT: u32 = 1;

/// The labels of a training set: one class per example, or a set of
/// classes per example (possibly empty).
#[derive(Debug, Clone, Copy)]
pub enum Labels<'a> {
    Single(&'a [usize]),
    Multi(&'a [Vec<usize>]),
}

/// Labelled examples to train on.
#[derive(Debug, Clone, Copy)]
pub struct TrainSet<'a> {
    pub texts: &'a [String],
    /// One row per text (e.g. the project's embeddings), or none.
    pub embeddings: Option<ArrayView2<'a, f32>>,
    pub labels: Labels<'a>,
    /// Classes are `0..n_classes`; a class may have no examples.
    pub n_classes: usize,
}

/// Single-label (one class per text) or multi-label (a set per text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    SingleLabel,
    MultiLabel,
}

/// A trained one-vs-rest linear SVM over TF-IDF n-grams (and embeddings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Stored")]
pub struct LocalClassifier {
    pub(crate) format: u32,
    pub(crate) mode: Mode,
    pub(crate) n_classes: usize,
    pub(crate) params: Params,
    pub(crate) features: FeatureSpace,
    /// Feature-major: the weight of feature `f` for class `c` is at
    /// `f * n_classes + c`.
    pub(crate) weights: Vec<f32>,
    pub(crate) intercepts: Vec<f32>,
    /// Multi-label: a class is predicted when its score exceeds this.
    pub(crate) thresholds: Vec<f32>,
    /// Single-label: abstain when the top probability is below this.
    pub(crate) min_confidence: f32,
    /// Probabilities are a softmax (or sigmoid) of `score / temperature`.
    pub(crate) temperature: f32,
}

/// The serialised fields, checked before they become a model.
#[derive(Deserialize)]
struct Stored {
    format: u32,
    mode: Mode,
    n_classes: usize,
    params: Params,
    features: FeatureSpace,
    weights: Vec<f32>,
    intercepts: Vec<f32>,
    thresholds: Vec<f32>,
    min_confidence: f32,
    temperature: f32,
}

impl TryFrom<Stored> for LocalClassifier {
    type Error = ClassifyError;

    fn try_from(s: Stored) -> Result<Self, ClassifyError> {
        let bad = |message: String| Err(ClassifyError::CorruptModel { message });
        if s.format != MODEL_FORMAT {
            return bad(format!(
                "format {} is not supported (this build reads {MODEL_FORMAT}); retrain the classifier",
                s.format
            ));
        }
        s.features.check()?;
        let k = s.n_classes;
        if Some(s.weights.len()) != s.features.dim().checked_mul(k)
            || s.intercepts.len() != k
            || s.thresholds.len() != k
        {
            return bad("weight sizes do not match the feature space".into());
        }
        if !(s.temperature.is_finite() && s.temperature > 0.0) {
            return bad(format!("temperature {} is not positive", s.temperature));
        }
        if !(0.0..=1.0).contains(&s.min_confidence)
            || s.thresholds.iter().any(|t| !t.is_finite())
            || s.intercepts.iter().any(|t| !t.is_finite())
        {
            return bad("thresholds or intercepts are not finite".into());
        }
        Ok(LocalClassifier {
            format: s.format,
            mode: s.mode,
            n_classes: s.n_classes,
            params: s.params,
            features: s.features,
            weights: s.weights,
            intercepts: s.intercepts,
            thresholds: s.thresholds,
            min_confidence: s.min_confidence,
            temperature: s.temperature,
        })
    }
}

/// Each class's membership flags over `n` examples (class-major), after
/// checking the labels' count and range.
pub(crate) fn memberships(
    labels: Labels<'_>,
    n: usize,
    k: usize,
) -> Result<(Mode, Vec<Vec<bool>>), ClassifyError> {
    let mut member = vec![vec![false; n]; k];
    let mut mark = |example: usize, label: usize| {
        if label >= k {
            return Err(ClassifyError::LabelOutOfRange {
                example,
                label,
                n_classes: k,
            });
        }
        member[label][example] = true;
        Ok(())
    };
    let (mode, got) = match labels {
        Labels::Single(l) => {
            for (i, &c) in l.iter().enumerate().take(n) {
                mark(i, c)?;
            }
            (Mode::SingleLabel, l.len())
        }
        Labels::Multi(l) => {
            for (i, cs) in l.iter().enumerate().take(n) {
                for &c in cs {
                    mark(i, c)?;
                }
            }
            (Mode::MultiLabel, l.len())
        }
    };
    if got != n {
        return Err(ClassifyError::LengthMismatch {
            what: "labels",
            expected: n,
            got,
        });
    }
    Ok((mode, member))
}

/// Refuses training sets with nothing to learn.
fn check_learnable(mode: Mode, member: &[Vec<bool>]) -> Result<(), ClassifyError> {
    let mixed = |m: &Vec<bool>| m.iter().any(|&b| b) && m.iter().any(|&b| !b);
    match mode {
        Mode::SingleLabel => {
            let found = member.iter().filter(|m| m.iter().any(|&b| b)).count();
            if found < 2 {
                return Err(ClassifyError::TooFewClasses { found });
            }
        }
        Mode::MultiLabel => {
            if !member.iter().any(mixed) {
                return Err(ClassifyError::NothingToLearn);
            }
        }
    }
    Ok(())
}

/// A per-class seed derived from the run's seed.
fn class_seed(seed: u64, class: usize) -> u64 {
    seed ^ (class as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl LocalClassifier {
    /// Trains one binary SVM per class (in parallel; the result does not
    /// depend on the number of threads).
    pub fn fit(set: &TrainSet<'_>, params: &Params) -> Result<LocalClassifier, ClassifyError> {
        let checked = params.check()?;
        let p = checked.get();
        if set.texts.is_empty() {
            return Err(ClassifyError::Empty {
                what: "the training set",
            });
        }
        let (mode, member) = memberships(set.labels, set.texts.len(), set.n_classes)?;
        check_learnable(mode, &member)?;
        if !checked.uses_text() && set.embeddings.is_none() {
            return Err(ClassifyError::InvalidParam {
                name: "word_ngrams",
                message: "word and character n-grams are both off and no embeddings are given; nothing to learn from".into(),
            });
        }
        let (features, x) = FeatureSpace::fit(set.texts, set.embeddings, &checked)?;
        let problem = Problem::new(&x, p.bias);
        let models: Vec<svm::Binary> = member
            .par_iter()
            .enumerate()
            .map(|(c, positive)| {
                let settings = Settings {
                    c: p.c,
                    tolerance: p.tolerance,
                    max_iter: p.max_iter,
                    seed: class_seed(p.seed, c),
                };
                svm::train(&problem, positive, settings)
            })
            .collect();
        let k = set.n_classes;
        let dim = features.dim();
        let mut weights = vec![0f32; dim * k];
        for (c, m) in models.iter().enumerate() {
            for (f, &w) in m.w.iter().enumerate() {
                weights[f * k + c] = w;
            }
        }
        let mut model = LocalClassifier {
            format: MODEL_FORMAT,
            mode,
            n_classes: k,
            params: p.clone(),
            features,
            weights,
            intercepts: models.iter().map(|m| m.intercept).collect(),
            thresholds: vec![0.0; k],
            min_confidence: 0.0,
            temperature: 1.0,
        };
        let scores = model.scores_of(&x);
        model.temperature =
            super::predict::fit_temperature(&scores, &member, mode, &model.thresholds);
        Ok(model)
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Width of the embeddings the model expects, if it uses any.
    pub fn embedding_dim(&self) -> Option<usize> {
        self.features.embedding_dim()
    }

    /// Number of n-gram features kept.
    pub fn vocabulary_len(&self) -> usize {
        self.features.vocabulary_len()
    }
}
