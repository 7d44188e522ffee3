//! Prediction with a trained [`LocalClassifier`]: raw scores, labels,
//! probabilities, and the knobs that turn scores into decisions
//! (temperature, multi-label thresholds, the abstain level).

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ClassifyError;
use super::model::{Labels, LocalClassifier, Mode, memberships};
use super::space::Rows;
use crate::embed::lexical::sparse::axpy;

/// The classifier's answer for one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Single-label: the best class, or `None` when its probability is
    /// below the model's `min_confidence` (abstain / "other").
    /// Multi-label: the best-scoring predicted class, if any.
    pub label: Option<usize>,
    /// Every predicted class: `label` alone for single-label; each class
    /// whose score exceeds its threshold for multi-label.
    pub labels: Vec<usize>,
    /// Decision value per class (the SVM margin, > 0 means "this class").
    pub scores: Vec<f32>,
    /// Per class: a softmax over the classes (single-label, sums to 1) or
    /// an independent sigmoid (multi-label), of `score / temperature`.
    pub probabilities: Vec<f32>,
}

impl LocalClassifier {
    /// Decision values, one row per text and one column per class.
    pub fn decision_scores(
        &self,
        texts: &[String],
        embeddings: Option<ArrayView2<'_, f32>>,
    ) -> Result<Array2<f32>, ClassifyError> {
        let x = self.features.transform(texts, embeddings)?;
        Ok(self.scores_of(&x))
    }

    /// Classifies `texts` (with their embeddings if the model uses them).
    pub fn predict(
        &self,
        texts: &[String],
        embeddings: Option<ArrayView2<'_, f32>>,
    ) -> Result<Vec<Prediction>, ClassifyError> {
        let scores = self.decision_scores(texts, embeddings)?;
        Ok(scores
            .outer_iter()
            .map(|row| self.decide(row.to_vec()))
            .collect())
    }

    pub(crate) fn scores_of(&self, x: &Rows) -> Array2<f32> {
        let k = self.n_classes;
        let mut out = Array2::<f32>::zeros((x.nrows(), k));
        if k == 0 {
            return out;
        }
        let split = x.sparse.ncols();
        let weights = |f: usize| &self.weights[f * k..(f + 1) * k];
        if let Some(flat) = out.as_slice_mut() {
            flat.par_chunks_mut(k).enumerate().for_each(|(i, acc)| {
                acc.copy_from_slice(&self.intercepts);
                let (cols, vals) = x.sparse.row(i);
                for (&f, &v) in cols.iter().zip(vals) {
                    axpy(acc, v, weights(f as usize));
                }
                for (j, &v) in x.dense.row(i).iter().enumerate() {
                    axpy(acc, v, weights(split + j));
                }
            });
        }
        out
    }

    fn decide(&self, scores: Vec<f32>) -> Prediction {
        let t = self.temperature;
        match self.mode {
            Mode::SingleLabel => {
                let probabilities = softmax(&scores, t);
                let top = argmax(&scores);
                let label = top.filter(|&c| probabilities[c] >= self.min_confidence);
                Prediction {
                    label,
                    labels: label.into_iter().collect(),
                    scores,
                    probabilities,
                }
            }
            Mode::MultiLabel => {
                let probabilities = scores
                    .iter()
                    .zip(&self.thresholds)
                    .map(|(s, th)| sigmoid((s - th) / t))
                    .collect();
                let labels: Vec<usize> = (0..scores.len())
                    .filter(|&c| scores[c] > self.thresholds[c])
                    .collect();
                let label = labels
                    .iter()
                    .copied()
                    .max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)));
                Prediction {
                    label,
                    labels,
                    scores,
                    probabilities,
                }
            }
        }
    }

    /// The temperature of the probabilities (fitted on the training set by
    /// [`LocalClassifier::fit`]; [`LocalClassifier::calibrate`] refits it).
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// Refits the temperature on held-out labelled texts (a validation
    /// split), which gives better-calibrated probabilities than the
    /// training fit. Returns the new temperature.
    pub fn calibrate(
        &mut self,
        texts: &[String],
        embeddings: Option<ArrayView2<'_, f32>>,
        labels: Labels<'_>,
    ) -> Result<f32, ClassifyError> {
        let (mode, member) = memberships(labels, texts.len(), self.n_classes)?;
        if mode != self.mode {
            return Err(ClassifyError::InvalidParam {
                name: "labels",
                message: format!("the model is {:?} but the labels are {mode:?}", self.mode),
            });
        }
        if texts.is_empty() {
            return Err(ClassifyError::Empty {
                what: "the calibration set",
            });
        }
        let scores = self.decision_scores(texts, embeddings)?;
        self.temperature = fit_temperature(&scores, &member, self.mode, &self.thresholds);
        Ok(self.temperature)
    }

    /// Multi-label decision thresholds on the scores, one per class
    /// (0 by default: the SVM's own boundary).
    pub fn set_thresholds(&mut self, thresholds: &[f32]) -> Result<(), ClassifyError> {
        if thresholds.len() != self.n_classes {
            return Err(ClassifyError::LengthMismatch {
                what: "thresholds",
                expected: self.n_classes,
                got: thresholds.len(),
            });
        }
        if let Some(row) = thresholds.iter().position(|t| !t.is_finite()) {
            return Err(ClassifyError::NonFinite {
                what: "thresholds",
                row,
            });
        }
        self.thresholds = thresholds.to_vec();
        Ok(())
    }

    pub fn thresholds(&self) -> &[f32] {
        &self.thresholds
    }

    /// Single-label: abstain (`label: None`) when the best class's
    /// probability is below `p` (0 by default: never abstain).
    pub fn set_min_confidence(&mut self, p: f32) -> Result<(), ClassifyError> {
        if !(0.0..=1.0).contains(&p) {
            return Err(ClassifyError::InvalidParam {
                name: "min_confidence",
                message: format!("must be between 0 and 1, got {p}"),
            });
        }
        self.min_confidence = p;
        Ok(())
    }

    pub fn min_confidence(&self) -> f32 {
        self.min_confidence
    }
}

/// The first index of the largest value.
fn argmax(v: &[f32]) -> Option<usize> {
    (0..v.len()).reduce(|best, c| if v[c] > v[best] { c } else { best })
}

fn softmax(scores: &[f32], t: f32) -> Vec<f32> {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = scores.iter().map(|s| ((s - max) / t).exp()).collect();
    let sum: f32 = e.iter().sum();
    e.into_iter().map(|v| v / sum).collect()
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Mean negative log-likelihood of the labels under temperature `t`.
fn nll(scores: &Array2<f32>, member: &[Vec<bool>], mode: Mode, thresholds: &[f32], t: f64) -> f64 {
    let k = scores.ncols();
    let mut total = 0.0;
    for (i, row) in scores.outer_iter().enumerate() {
        match mode {
            Mode::SingleLabel => {
                let Some(y) = (0..k).find(|&c| member[c][i]) else {
                    continue;
                };
                let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
                let lse: f64 = row
                    .iter()
                    .map(|&s| ((s as f64 - max) / t).exp())
                    .sum::<f64>()
                    .ln();
                total += lse - (row[y] as f64 - max) / t;
            }
            Mode::MultiLabel => {
                for c in 0..k {
                    let z = (row[c] - thresholds[c]) as f64 / t;
                    // −log σ(±z), computed stably.
                    let m = if member[c][i] { -z } else { z };
                    total += m.max(0.0) + (-m.abs()).exp().ln_1p();
                }
            }
        }
    }
    total / scores.nrows().max(1) as f64
}

/// The temperature in [1e-3, 100] that minimises the NLL (golden-section
/// search on log t).
pub(crate) fn fit_temperature(
    scores: &Array2<f32>,
    member: &[Vec<bool>],
    mode: Mode,
    thresholds: &[f32],
) -> f32 {
    let f = |log_t: f64| nll(scores, member, mode, thresholds, log_t.exp());
    let (mut a, mut b) = (1e-3f64.ln(), 100f64.ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..40 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    (((a + b) / 2.0).exp()) as f32
}
