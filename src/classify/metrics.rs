//! Classification metrics: accuracy, macro-F1, per-class precision, recall
//! and support, the confusion matrix; for multi-label, per-label F1 and
//! the exact-match rate. Definitions follow scikit-learn: a class with no
//! predictions has precision 0, and macro averages run over the classes
//! that occur in the truth or the predictions.
//!
//! (The clustering metrics in [`crate::eval`] compare partitions up to a
//! relabelling; these compare labels as they are.)

use serde::{Deserialize, Serialize};

use super::error::ClassifyError;

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Number of examples whose true labels include the class.
    pub support: u64,
    /// Number of examples predicted as the class.
    pub predicted: u64,
}

impl ClassMetrics {
    fn new(tp: u64, support: u64, predicted: u64) -> ClassMetrics {
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let (precision, recall) = (ratio(tp, predicted), ratio(tp, support));
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        ClassMetrics {
            precision,
            recall,
            f1,
            support,
            predicted,
        }
    }

    fn occurs(&self) -> bool {
        self.support > 0 || self.predicted > 0
    }
}

fn macro_f1(per_class: &[ClassMetrics]) -> f64 {
    let seen: Vec<f64> = per_class
        .iter()
        .filter(|m| m.occurs())
        .map(|m| m.f1)
        .collect();
    if seen.is_empty() {
        0.0
    } else {
        seen.iter().sum::<f64>() / seen.len() as f64
    }
}

/// Single-label evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<u64>>,
}

fn check_lengths(truth: usize, pred: usize) -> Result<(), ClassifyError> {
    if truth != pred {
        return Err(ClassifyError::LengthMismatch {
            what: "predictions",
            expected: truth,
            got: pred,
        });
    }
    if truth == 0 {
        return Err(ClassifyError::Empty {
            what: "the evaluation set",
        });
    }
    Ok(())
}

fn check_label(example: usize, label: usize, n_classes: usize) -> Result<usize, ClassifyError> {
    if label >= n_classes {
        return Err(ClassifyError::LabelOutOfRange {
            example,
            label,
            n_classes,
        });
    }
    Ok(label)
}

/// Compares single labels. Map abstentions to an "other" class first.
pub fn report(truth: &[usize], pred: &[usize], n_classes: usize) -> Result<Report, ClassifyError> {
    check_lengths(truth.len(), pred.len())?;
    let mut confusion = vec![vec![0u64; n_classes]; n_classes];
    for (i, (&t, &p)) in truth.iter().zip(pred).enumerate() {
        let t = check_label(i, t, n_classes)?;
        let p = check_label(i, p, n_classes)?;
        confusion[t][p] += 1;
    }
    let per_class: Vec<ClassMetrics> = (0..n_classes)
        .map(|c| {
            let support = confusion[c].iter().sum();
            let predicted = confusion.iter().map(|row| row[c]).sum();
            ClassMetrics::new(confusion[c][c], support, predicted)
        })
        .collect();
    let correct: u64 = (0..n_classes).map(|c| confusion[c][c]).sum();
    Ok(Report {
        n: truth.len(),
        accuracy: correct as f64 / truth.len() as f64,
        macro_f1: macro_f1(&per_class),
        per_class,
        confusion,
    })
}

/// Multi-label evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiLabelReport {
    pub n: usize,
    /// Share of examples whose predicted set equals the true set.
    pub exact_match: f64,
    pub macro_f1: f64,
    /// F1 over all (example, label) decisions pooled.
    pub micro_f1: f64,
    pub per_label: Vec<ClassMetrics>,
}

/// Compares label sets (order and repeats inside a set do not matter).
pub fn multi_label_report(
    truth: &[Vec<usize>],
    pred: &[Vec<usize>],
    n_classes: usize,
) -> Result<MultiLabelReport, ClassifyError> {
    check_lengths(truth.len(), pred.len())?;
    let (mut tp, mut support, mut predicted) = (
        vec![0u64; n_classes],
        vec![0u64; n_classes],
        vec![0u64; n_classes],
    );
    let mut exact = 0u64;
    for (i, (t, p)) in truth.iter().zip(pred).enumerate() {
        let mut ts = vec![false; n_classes];
        let mut ps = vec![false; n_classes];
        for &c in t {
            ts[check_label(i, c, n_classes)?] = true;
        }
        for &c in p {
            ps[check_label(i, c, n_classes)?] = true;
        }
        for c in 0..n_classes {
            support[c] += u64::from(ts[c]);
            predicted[c] += u64::from(ps[c]);
            tp[c] += u64::from(ts[c] && ps[c]);
        }
        exact += u64::from(ts == ps);
    }
    let per_label: Vec<ClassMetrics> = (0..n_classes)
        .map(|c| ClassMetrics::new(tp[c], support[c], predicted[c]))
        .collect();
    let micro = ClassMetrics::new(
        tp.iter().sum(),
        support.iter().sum(),
        predicted.iter().sum(),
    );
    Ok(MultiLabelReport {
        n: truth.len(),
        exact_match: exact as f64 / truth.len() as f64,
        macro_f1: macro_f1(&per_label),
        micro_f1: micro.f1,
        per_label,
    })
}
