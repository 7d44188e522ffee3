//! Clustering quality against ground-truth labels: NMI, ARI,
//! homogeneity / completeness / V-measure, purity and Hungarian-matched
//! accuracy, with the same definitions as scikit-learn.
//!
//! Labels are `usize` codes; turn arbitrary labels (strings, metadata
//! values) into codes with [`encode`]. Every metric takes
//! `(truth, predicted)` of equal, non-zero length and returns a score in
//! `[0, 1]` (ARI in `[−0.5, 1]`), 1 meaning a perfect match. [`names`]
//! measures how identifiable cluster names are among their siblings.

mod hungarian;
mod metrics;
pub mod names;

pub use hungarian::max_weight_matching;
pub use metrics::{
    Scores, adjusted_rand_index, encode, homogeneity_completeness_v_measure, hungarian_accuracy,
    normalized_mutual_info, purity, scores,
};
