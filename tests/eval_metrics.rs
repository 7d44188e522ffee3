//! Clustering metrics against hand-computed values.

use kura_tui::eval::{
    adjusted_rand_index, encode, homogeneity_completeness_v_measure, hungarian_accuracy,
    normalized_mutual_info, purity, scores,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

// truth [0,0,0,1,1,1] vs pred [0,0,1,1,2,2], by hand:
// contingency rows (2,1,0) and (0,1,2); H(truth) = ln 2, H(pred) = ln 3,
// MI = (2/3) ln 2; pairs: cells 2, classes 6, clusters 3 of 15.
const TRUTH: [usize; 6] = [0, 0, 0, 1, 1, 1];
const PRED: [usize; 6] = [0, 0, 1, 1, 2, 2];

#[test]
fn known_small_case() {
    let ln2 = 2f64.ln();
    let ln3 = 3f64.ln();
    let mi = 2.0 / 3.0 * ln2;
    let nmi = normalized_mutual_info(&TRUTH, &PRED).unwrap();
    assert!(close(nmi, mi / ((ln2 + ln3) / 2.0)), "{nmi}");
    let ari = adjusted_rand_index(&TRUTH, &PRED).unwrap();
    assert!(close(ari, (2.0 - 1.2) / (4.5 - 1.2)), "{ari}"); // 0.242424
    let (h, c, v) = homogeneity_completeness_v_measure(&TRUTH, &PRED).unwrap();
    assert!(close(h, mi / ln2) && close(c, mi / ln3));
    assert!(close(v, 2.0 * h * c / (h + c)));
    assert!(close(v, nmi), "V-measure equals arithmetic NMI");
    assert!(close(purity(&TRUTH, &PRED).unwrap(), 5.0 / 6.0));
    assert!(close(hungarian_accuracy(&TRUTH, &PRED).unwrap(), 4.0 / 6.0));
    // The other direction: classes become clusters.
    assert!(close(purity(&PRED, &TRUTH).unwrap(), 4.0 / 6.0));
    assert!(close(adjusted_rand_index(&PRED, &TRUTH).unwrap(), ari));
}

#[test]
fn sklearn_documented_values() {
    // adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714...
    assert!(close(
        adjusted_rand_index(&[0, 0, 1, 1], &[0, 0, 1, 2]).unwrap(),
        4.0 / 7.0
    ));
    // All in one cluster vs all separate: NMI 0, ARI 0.
    assert_eq!(
        normalized_mutual_info(&[0, 0, 0, 0], &[0, 1, 2, 3]).unwrap(),
        0.0
    );
    assert_eq!(
        adjusted_rand_index(&[0, 0, 0, 0], &[0, 1, 2, 3]).unwrap(),
        0.0
    );
    // Fully independent 2x2 split: MI is exactly 0; ARI = (4 - 36/7) / (12 - 36/7).
    let t = [0, 1, 0, 1, 0, 1, 0, 1];
    let p = [0, 0, 1, 1, 0, 0, 1, 1];
    assert!(close(normalized_mutual_info(&t, &p).unwrap(), 0.0));
    assert!(close(
        adjusted_rand_index(&t, &p).unwrap(),
        (4.0 - 36.0 / 7.0) / (12.0 - 36.0 / 7.0)
    ));
}

#[test]
fn identical_labelings_score_one_under_any_renaming() {
    let truth: Vec<usize> = (0..60).map(|i| i % 7).collect();
    let renamed: Vec<usize> = truth.iter().map(|&l| (l * 3 + 5) % 7 + 100).collect();
    let s = scores(&truth, &renamed, true).unwrap();
    for v in [
        s.nmi,
        s.ari,
        s.homogeneity,
        s.completeness,
        s.v_measure,
        s.purity,
    ] {
        assert!(close(v, 1.0), "{s:?}");
    }
    assert_eq!(s.hungarian_accuracy, Some(1.0));
    let one = scores(&[4, 4, 4], &[9, 9, 9], true).unwrap();
    assert_eq!(
        (one.nmi, one.ari, one.v_measure, one.purity),
        (1.0, 1.0, 1.0, 1.0)
    );
}

#[test]
fn scores_are_invariant_to_permuting_cluster_names() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let truth: Vec<usize> = (0..500).map(|_| rng.random_range(0..6)).collect();
    let pred: Vec<usize> = truth
        .iter()
        .map(|&t| {
            if rng.random_bool(0.3) {
                rng.random_range(0..9)
            } else {
                t
            }
        })
        .collect();
    let perm = [4, 8, 0, 2, 7, 1, 3, 6, 5];
    let permuted: Vec<usize> = pred.iter().map(|&p| perm[p]).collect();
    let a = scores(&truth, &pred, true).unwrap();
    let b = scores(&truth, &permuted, true).unwrap();
    for (x, y) in [
        (a.nmi, b.nmi),
        (a.ari, b.ari),
        (a.v_measure, b.v_measure),
        (a.purity, b.purity),
    ] {
        assert!(close(x, y));
    }
    assert!(close(
        a.hungarian_accuracy.unwrap(),
        b.hungarian_accuracy.unwrap()
    ));
    assert!(a.hungarian_accuracy.unwrap() > 0.7 && a.nmi > 0.4 && a.ari > 0.4);
}

#[test]
fn independent_labelings_score_near_zero() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let truth: Vec<usize> = (0..20000).map(|_| rng.random_range(0..10)).collect();
    let pred: Vec<usize> = (0..20000).map(|_| rng.random_range(0..10)).collect();
    let s = scores(&truth, &pred, true).unwrap();
    assert!(
        s.nmi < 0.01 && s.ari.abs() < 0.01 && s.v_measure < 0.01,
        "{s:?}"
    );
    assert!(s.hungarian_accuracy.unwrap() < 0.15);
}

#[test]
fn hungarian_handles_more_clusters_than_classes() {
    // 3 classes, 5 clusters: only 3 clusters can be matched.
    let truth = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
    let pred = [0, 0, 1, 2, 2, 3, 3, 3, 4, 4];
    assert!(close(
        hungarian_accuracy(&truth, &pred).unwrap(),
        (2.0 + 2.0 + 3.0) / 10.0
    ));
    assert!(close(
        hungarian_accuracy(&pred, &truth).unwrap(),
        (2.0 + 2.0 + 3.0) / 10.0
    ));
}

#[test]
fn encode_and_input_errors() {
    let labels = ["b", "a", "b", "c"].map(String::from);
    assert_eq!(encode(&labels), vec![0, 1, 0, 2]);
    assert!(normalized_mutual_info(&[0, 1], &[0]).is_err());
    assert!(adjusted_rand_index(&[], &[]).is_err());
    assert!(scores(&[], &[], false).is_err());
    assert_eq!(
        scores(&[0, 1], &[1, 0], false).unwrap().hungarian_accuracy,
        None
    );
}
