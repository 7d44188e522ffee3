//! Label-comparison metrics built on one sparse contingency table.

use std::collections::HashMap;
use std::hash::Hash;

use ndarray::Array2;

use super::hungarian::max_weight_matching;
use crate::error::{Error, Result};

/// Largest table (predicted clusters × true classes) Hungarian matching
/// accepts: 16M cells.
const MAX_MATCHING_CELLS: usize = 1 << 24;

/// Codes `0, 1, 2, …` for labels, in order of first appearance.
pub fn encode<T: Eq + Hash>(labels: &[T]) -> Vec<usize> {
    let mut seen: HashMap<&T, usize> = HashMap::new();
    labels
        .iter()
        .map(|l| {
            let next = seen.len();
            *seen.entry(l).or_insert(next)
        })
        .collect()
}

/// All metrics at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub nmi: f64,
    pub ari: f64,
    pub homogeneity: f64,
    pub completeness: f64,
    pub v_measure: f64,
    pub purity: f64,
    /// Only when asked for (it costs a matching).
    pub hungarian_accuracy: Option<f64>,
}

/// Every metric for `(truth, predicted)`; Hungarian accuracy only when
/// `with_hungarian`.
pub fn scores(truth: &[usize], pred: &[usize], with_hungarian: bool) -> Result<Scores> {
    let t = Table::new(truth, pred)?;
    let (homogeneity, completeness, v_measure) = t.hcv();
    Ok(Scores {
        nmi: t.nmi(),
        ari: t.ari(),
        homogeneity,
        completeness,
        v_measure,
        purity: t.purity(),
        hungarian_accuracy: if with_hungarian {
            Some(t.hungarian()?)
        } else {
            None
        },
    })
}

/// Normalised mutual information with the arithmetic-mean normaliser
/// (scikit-learn's default): `MI / ((H(truth) + H(pred)) / 2)`. Two
/// single-cluster labelings score 1.
pub fn normalized_mutual_info(truth: &[usize], pred: &[usize]) -> Result<f64> {
    Ok(Table::new(truth, pred)?.nmi())
}

/// Adjusted Rand index: pair-counting agreement corrected for chance (0
/// for independent labelings, 1 for identical ones).
pub fn adjusted_rand_index(truth: &[usize], pred: &[usize]) -> Result<f64> {
    Ok(Table::new(truth, pred)?.ari())
}

/// `(homogeneity, completeness, V-measure)`: whether each cluster holds
/// one class, whether each class sits in one cluster, and their harmonic
/// mean.
pub fn homogeneity_completeness_v_measure(
    truth: &[usize],
    pred: &[usize],
) -> Result<(f64, f64, f64)> {
    Ok(Table::new(truth, pred)?.hcv())
}

/// Share of items whose cluster's majority class is their own class.
pub fn purity(truth: &[usize], pred: &[usize]) -> Result<f64> {
    Ok(Table::new(truth, pred)?.purity())
}

/// Accuracy after matching clusters one-to-one to classes so that the most
/// items agree (Hungarian algorithm). Unmatched clusters count as wrong.
/// Errors when clusters × classes exceeds 16M.
pub fn hungarian_accuracy(truth: &[usize], pred: &[usize]) -> Result<f64> {
    Table::new(truth, pred)?.hungarian()
}

/// Sparse contingency table of true classes (rows) × predicted clusters.
struct Table {
    n: f64,
    class_sizes: Vec<u64>,
    cluster_sizes: Vec<u64>,
    /// Non-zero cells `(class, cluster, count)`.
    cells: Vec<(usize, usize, u64)>,
}

impl Table {
    fn new(truth: &[usize], pred: &[usize]) -> Result<Table> {
        if truth.len() != pred.len() {
            return Err(Error::param(
                "labels",
                format!("{} true labels but {} predicted", truth.len(), pred.len()),
            ));
        }
        if truth.is_empty() {
            return Err(Error::param("labels", "no items to compare"));
        }
        let (t, p) = (encode(truth), encode(pred));
        let mut class_sizes = vec![0u64; t.iter().max().map_or(0, |m| m + 1)];
        let mut cluster_sizes = vec![0u64; p.iter().max().map_or(0, |m| m + 1)];
        let mut pairs: Vec<(usize, usize)> = t.into_iter().zip(p).collect();
        pairs.sort_unstable();
        let mut cells: Vec<(usize, usize, u64)> = Vec::new();
        for (a, b) in pairs {
            class_sizes[a] += 1;
            cluster_sizes[b] += 1;
            match cells.last_mut() {
                Some(last) if last.0 == a && last.1 == b => last.2 += 1,
                _ => cells.push((a, b, 1)),
            }
        }
        Ok(Table {
            n: truth.len() as f64,
            class_sizes,
            cluster_sizes,
            cells,
        })
    }

    fn entropy(&self, sizes: &[u64]) -> f64 {
        sizes
            .iter()
            .filter(|&&s| s > 0)
            .map(|&s| {
                let p = s as f64 / self.n;
                -p * p.ln()
            })
            .sum::<f64>()
            .max(0.0)
    }

    fn mutual_info(&self) -> f64 {
        self.cells
            .iter()
            .map(|&(a, b, c)| {
                let c = c as f64;
                let expected = self.class_sizes[a] as f64 * self.cluster_sizes[b] as f64;
                c / self.n * (self.n * c / expected).ln()
            })
            .sum::<f64>()
            .max(0.0)
    }

    fn nmi(&self) -> f64 {
        if self.class_sizes.len() == 1 && self.cluster_sizes.len() == 1 {
            return 1.0;
        }
        let mi = self.mutual_info();
        if mi <= 0.0 {
            return 0.0;
        }
        let norm = (self.entropy(&self.class_sizes) + self.entropy(&self.cluster_sizes)) / 2.0;
        (mi / norm.max(f64::EPSILON)).clamp(0.0, 1.0)
    }

    fn ari(&self) -> f64 {
        let n = self.n as i128;
        let sq = |v: u64| i128::from(v) * i128::from(v);
        let sum_cells: i128 = self.cells.iter().map(|c| sq(c.2)).sum();
        let sum_classes: i128 = self.class_sizes.iter().map(|&s| sq(s)).sum();
        let sum_clusters: i128 = self.cluster_sizes.iter().map(|&s| sq(s)).sum();
        let tp = sum_cells - n;
        let fp = sum_clusters - sum_cells;
        let fn_ = sum_classes - sum_cells;
        let tn = n * n - fp - fn_ - sum_cells;
        if fn_ == 0 && fp == 0 {
            return 1.0;
        }
        let num = 2.0 * ((tp * tn) as f64 - (fn_ * fp) as f64);
        let den = ((tp + fn_) * (fn_ + tn)) as f64 + ((tp + fp) * (fp + tn)) as f64;
        if den == 0.0 { 0.0 } else { num / den }
    }

    fn hcv(&self) -> (f64, f64, f64) {
        let mi = self.mutual_info();
        let (hc, hk) = (
            self.entropy(&self.class_sizes),
            self.entropy(&self.cluster_sizes),
        );
        let h = if hc > 0.0 {
            (mi / hc).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let c = if hk > 0.0 {
            (mi / hk).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let v = if h + c > 0.0 {
            2.0 * h * c / (h + c)
        } else {
            0.0
        };
        (h, c, v)
    }

    fn purity(&self) -> f64 {
        let mut best = vec![0u64; self.cluster_sizes.len()];
        for &(_, b, c) in &self.cells {
            best[b] = best[b].max(c);
        }
        best.iter().sum::<u64>() as f64 / self.n
    }

    fn hungarian(&self) -> Result<f64> {
        let (k, c) = (self.cluster_sizes.len(), self.class_sizes.len());
        if k.saturating_mul(c) > MAX_MATCHING_CELLS {
            return Err(Error::param(
                "labels",
                format!("{k} clusters × {c} classes is too large for Hungarian matching"),
            ));
        }
        let mut w = Array2::<f64>::zeros((k, c));
        for &(a, b, n) in &self.cells {
            w[(b, a)] = n as f64;
        }
        let matching = max_weight_matching(w.view())?;
        let hits: f64 = matching
            .iter()
            .enumerate()
            .filter_map(|(b, a)| a.map(|a| w[(b, a)]))
            .sum();
        Ok(hits / self.n)
    }
}
