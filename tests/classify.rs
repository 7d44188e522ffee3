//! The local classifier engine on small generated fixtures.

use kura_tui::classify::{
    ClassifyError, Labels, LocalClassifier, Mode, Params, Split, TrainSet, cross_validate,
    multi_label_report, report, shuffled_folds, split_by_id, stratified_folds,
};
use ndarray::Array2;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TOPICS: [&[&str]; 3] = [
    &["refund", "payment", "charged", "invoice", "billing"],
    &["password", "login", "account", "locked", "reset"],
    &["flight", "hotel", "booking", "travel", "airport"],
];
const NOISE: &[&str] = &[
    "please", "help", "my", "the", "i", "need", "with", "today", "urgent",
];

/// `n` texts per topic: two topic words among noise words.
fn topic_texts(n: usize, seed: u64) -> (Vec<String>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut texts, mut labels) = (Vec::new(), Vec::new());
    for i in 0..n {
        for (c, words) in TOPICS.iter().enumerate() {
            let mut ws: Vec<&str> = (0..rng.random_range(2..5))
                .filter_map(|_| NOISE.choose(&mut rng).copied())
                .collect();
            for _ in 0..2 {
                let w = words.choose(&mut rng).copied().unwrap_or("x");
                let at = rng.random_range(0..=ws.len());
                ws.insert(at, w);
            }
            texts.push(format!("{} {}", ws.join(" "), i % 7));
            labels.push(c);
        }
    }
    (texts, labels)
}

fn single(texts: &[String], labels: &[usize]) -> LocalClassifier {
    let set = TrainSet {
        texts,
        embeddings: None,
        labels: Labels::Single(labels),
        n_classes: 3,
    };
    LocalClassifier::fit(&set, &Params::default()).expect("trains")
}

#[test]
fn separable_topics_are_learned_exactly() {
    let (train, train_labels) = topic_texts(20, 1);
    let (test, test_labels) = topic_texts(30, 2);
    let model = single(&train, &train_labels);
    assert_eq!(model.mode(), Mode::SingleLabel);
    let preds = model.predict(&test, None).expect("predicts");
    let got: Vec<usize> = preds.iter().map(|p| p.label.unwrap_or(99)).collect();
    let r = report(&test_labels, &got, 3).expect("report");
    assert_eq!(r.accuracy, 1.0, "confusion {:?}", r.confusion);
    assert_eq!(r.macro_f1, 1.0);
    for p in &preds {
        assert_eq!(p.scores.len(), 3);
        let sum: f32 = p.probabilities.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "probabilities sum to {sum}");
        let best = p.label.unwrap_or(0);
        assert!(
            p.scores[best] > 0.0,
            "the chosen class has a positive margin"
        );
        assert!(p.probabilities[best] > 0.5);
    }
}

#[test]
fn same_seed_same_model_bytes_on_any_thread_count() {
    let (texts, labels) = topic_texts(15, 3);
    let bytes = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| serde_json::to_vec(&single(&texts, &labels)).expect("serialises"))
    };
    let one = bytes(1);
    assert_eq!(one, bytes(1));
    assert_eq!(one, bytes(3));
    let other_seed = LocalClassifier::fit(
        &TrainSet {
            texts: &texts,
            embeddings: None,
            labels: Labels::Single(&labels),
            n_classes: 3,
        },
        &Params {
            seed: 7,
            tolerance: 1e-4,
            ..Params::default()
        },
    )
    .expect("trains");
    assert_ne!(one, serde_json::to_vec(&other_seed).expect("serialises"));
}

#[test]
fn serde_round_trip_predicts_identically() {
    let (train, labels) = topic_texts(10, 4);
    let (test, _) = topic_texts(5, 5);
    let model = single(&train, &labels);
    let json = serde_json::to_string(&model).expect("serialises");
    let back: LocalClassifier = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, model);
    assert_eq!(
        back.predict(&test, None).expect("predicts"),
        model.predict(&test, None).expect("predicts")
    );
    // A stored model from another format version is refused, not misread.
    let old = json.replacen("\"format\":1", "\"format\":0", 1);
    let err = serde_json::from_str::<LocalClassifier>(&old).expect_err("refused");
    assert!(err.to_string().contains("format 0"), "{err}");
    let truncated = json.replacen("\"intercepts\":[", "\"intercepts\":[1.0,", 1);
    assert!(serde_json::from_str::<LocalClassifier>(&truncated).is_err());
}

/// Texts mentioning apples get label 0, bananas label 1 (both, either or
/// neither).
fn fruit_texts(n: usize, seed: u64) -> (Vec<String>, Vec<Vec<usize>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut texts, mut labels) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let (a, b) = (rng.random_bool(0.5), rng.random_bool(0.5));
        let mut ws: Vec<&str> = (0..3)
            .filter_map(|_| NOISE.choose(&mut rng).copied())
            .collect();
        let mut set = Vec::new();
        if a {
            ws.push("apple");
            set.push(0);
        }
        if b {
            ws.insert(1, "banana");
            set.push(1);
        }
        texts.push(ws.join(" "));
        labels.push(set);
    }
    (texts, labels)
}

#[test]
fn multi_label_uses_per_class_thresholds() {
    let (texts, labels) = fruit_texts(80, 6);
    let set = TrainSet {
        texts: &texts,
        embeddings: None,
        labels: Labels::Multi(&labels),
        n_classes: 2,
    };
    let mut model = LocalClassifier::fit(&set, &Params::default()).expect("trains");
    assert_eq!(model.mode(), Mode::MultiLabel);
    let probe: Vec<String> = ["apple and banana please", "banana today", "help me"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let labels_of = |m: &LocalClassifier| -> Vec<Vec<usize>> {
        m.predict(&probe, None)
            .expect("predicts")
            .into_iter()
            .map(|p| p.labels)
            .collect()
    };
    assert_eq!(labels_of(&model), vec![vec![0, 1], vec![1], vec![]]);
    let preds = model.predict(&probe, None).expect("predicts");
    assert!(preds[0].probabilities.iter().all(|&p| p > 0.5));
    assert!(preds[2].probabilities.iter().all(|&p| p < 0.5));
    assert_eq!(preds[2].label, None);
    // A high threshold on apples removes that label only.
    model.set_thresholds(&[5.0, 0.0]).expect("valid thresholds");
    assert_eq!(labels_of(&model), vec![vec![1], vec![1], vec![]]);
    assert!(matches!(
        model.set_thresholds(&[0.0]),
        Err(ClassifyError::LengthMismatch { .. })
    ));
    assert!(matches!(
        model.set_thresholds(&[0.0, f32::NAN]),
        Err(ClassifyError::NonFinite { .. })
    ));

    let (test, truth) = fruit_texts(40, 7);
    model.set_thresholds(&[0.0, 0.0]).expect("valid thresholds");
    let pred: Vec<Vec<usize>> = model
        .predict(&test, None)
        .expect("predicts")
        .into_iter()
        .map(|p| p.labels)
        .collect();
    let r = multi_label_report(&truth, &pred, 2).expect("report");
    assert_eq!(r.exact_match, 1.0);
    assert_eq!(r.micro_f1, 1.0);
}

#[test]
fn embeddings_carry_signal_the_text_lacks() {
    // Identical texts; only the embedding tells the classes apart.
    let n = 40;
    let texts = vec!["same words every time".to_string(); n];
    let labels: Vec<usize> = (0..n).map(|i| i % 2).collect();
    let emb = Array2::from_shape_fn((n, 4), |(i, j)| {
        if j == i % 2 {
            1.0
        } else {
            0.1 * ((i * 7 + j) % 5) as f32
        }
    });
    let set = TrainSet {
        texts: &texts,
        embeddings: Some(emb.view()),
        labels: Labels::Single(&labels),
        n_classes: 2,
    };
    let model = LocalClassifier::fit(&set, &Params::default()).expect("trains");
    assert_eq!(model.embedding_dim(), Some(4));
    let embeddings_only = Params {
        word_weight: 0.0,
        char_weight: 0.0,
        ..Params::default()
    };
    let only = LocalClassifier::fit(&set, &embeddings_only).expect("trains");
    assert_eq!(only.vocabulary_len(), 0);
    let got: Vec<Option<usize>> = only
        .predict(&texts, Some(emb.view()))
        .expect("predicts")
        .iter()
        .map(|p| p.label)
        .collect();
    assert_eq!(got, labels.iter().map(|&l| Some(l)).collect::<Vec<_>>());
    let preds = model.predict(&texts, Some(emb.view())).expect("predicts");
    let got: Vec<Option<usize>> = preds.iter().map(|p| p.label).collect();
    let want: Vec<Option<usize>> = labels.iter().map(|&l| Some(l)).collect();
    assert_eq!(got, want);
    // Wrong or missing embeddings are refused.
    assert!(matches!(
        model.predict(&texts, None),
        Err(ClassifyError::Embeddings { .. })
    ));
    let narrow = Array2::<f32>::zeros((n, 3));
    assert!(matches!(
        model.predict(&texts, Some(narrow.view())),
        Err(ClassifyError::Embeddings { .. })
    ));
    let short = Array2::<f32>::zeros((n - 1, 4));
    assert!(matches!(
        model.predict(&texts, Some(short.view())),
        Err(ClassifyError::LengthMismatch { .. })
    ));
    let mut bad = emb.clone();
    bad[[3, 1]] = f32::NAN;
    assert_eq!(
        model.predict(&texts, Some(bad.view())),
        Err(ClassifyError::NonFinite {
            what: "embeddings",
            row: 3
        })
    );
}

#[test]
fn bad_training_input_gives_typed_errors() {
    let (texts, labels) = topic_texts(3, 8);
    let fit = |texts: &[String], labels: Labels<'_>, k: usize, p: &Params| {
        LocalClassifier::fit(
            &TrainSet {
                texts,
                embeddings: None,
                labels,
                n_classes: k,
            },
            p,
        )
    };
    let ok = Params::default();
    assert!(matches!(
        fit(
            &texts,
            Labels::Single(&labels),
            3,
            &Params {
                c: -1.0,
                ..Params::default()
            }
        ),
        Err(ClassifyError::InvalidParam { name: "c", .. })
    ));
    assert!(matches!(
        fit(&[], Labels::Single(&[]), 3, &ok),
        Err(ClassifyError::Empty { .. })
    ));
    let one_class = vec![1usize; texts.len()];
    assert_eq!(
        fit(&texts, Labels::Single(&one_class), 3, &ok),
        Err(ClassifyError::TooFewClasses { found: 1 })
    );
    assert!(matches!(
        fit(&texts, Labels::Single(&labels), 2, &ok),
        Err(ClassifyError::LabelOutOfRange {
            label: 2,
            n_classes: 2,
            ..
        })
    ));
    assert!(matches!(
        fit(&texts, Labels::Single(&labels[1..]), 3, &ok),
        Err(ClassifyError::LengthMismatch { what: "labels", .. })
    ));
    let no_features = Params {
        word_weight: 0.0,
        char_weight: 0.0,
        ..Params::default()
    };
    assert!(matches!(
        fit(&texts, Labels::Single(&labels), 3, &no_features),
        Err(ClassifyError::InvalidParam {
            name: "word_ngrams",
            ..
        })
    ));
    let all_same: Vec<Vec<usize>> = vec![vec![0]; texts.len()];
    assert_eq!(
        fit(&texts, Labels::Multi(&all_same), 2, &ok),
        Err(ClassifyError::NothingToLearn)
    );
    // Texts with no word at all still train (their rows are empty).
    let blank = vec!["...".to_string(), "!!".to_string(), "a".into(), "b".into()];
    let model = fit(&blank, Labels::Single(&[0, 1, 0, 1]), 2, &ok).expect("trains");
    assert_eq!(
        model
            .predict(&["?".to_string()], None)
            .expect("predicts")
            .len(),
        1
    );
    // Errors become library errors naming the field.
    let e: kura_tui::Error = ClassifyError::InvalidParam {
        name: "c",
        message: "x".into(),
    }
    .into();
    assert!(e.to_string().contains("`c`"), "{e}");
}

#[test]
fn abstains_below_min_confidence_and_calibrates() {
    let (train, labels) = topic_texts(20, 9);
    let mut model = single(&train, &labels);
    let probe = vec![
        "please help today".to_string(),
        "refund my payment".to_string(),
    ];
    model.set_min_confidence(0.9).expect("valid");
    let preds = model.predict(&probe, None).expect("predicts");
    assert_eq!(preds[0].label, None, "noise alone is not confident");
    assert!(preds[0].labels.is_empty());
    assert_eq!(preds[1].label, Some(0));
    assert!(model.set_min_confidence(1.5).is_err());

    let (val, val_labels) = topic_texts(10, 10);
    let before = model.temperature();
    let t = model
        .calibrate(&val, None, Labels::Single(&val_labels))
        .expect("calibrates");
    assert!(t > 0.0 && t.is_finite());
    assert_eq!(model.temperature(), t);
    assert_ne!(t, before);
    assert!(matches!(
        model.calibrate(&val, None, Labels::Multi(&vec![vec![0]; val.len()])),
        Err(ClassifyError::InvalidParam { name: "labels", .. })
    ));
}

#[test]
fn metrics_match_a_hand_computed_confusion_matrix() {
    // truth → predicted: class 0: 0,0,1; class 1: 1,1; class 2: 0, 2.
    let truth = [0, 0, 0, 1, 1, 2, 2];
    let pred = [0, 0, 1, 1, 1, 0, 2];
    let r = report(&truth, &pred, 4).expect("report");
    assert_eq!(
        r.confusion,
        vec![
            vec![2, 1, 0, 0],
            vec![0, 2, 0, 0],
            vec![1, 0, 1, 0],
            vec![0; 4]
        ]
    );
    assert!((r.accuracy - 5.0 / 7.0).abs() < 1e-12);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    // Class 0: precision 2/3, recall 2/3; class 1: 2/3, 1; class 2: 1, 1/2.
    let p = &r.per_class;
    assert!(close(p[0].precision, 2.0 / 3.0) && close(p[0].recall, 2.0 / 3.0));
    assert!(close(p[1].precision, 2.0 / 3.0) && close(p[1].recall, 1.0));
    assert!(close(p[2].precision, 1.0) && close(p[2].recall, 0.5));
    assert_eq!(
        (p[0].support, p[1].support, p[2].support, p[3].support),
        (3, 2, 2, 0)
    );
    let f1 = [2.0 / 3.0, 0.8, 2.0 / 3.0];
    assert!(close(p[1].f1, 0.8));
    // Class 3 never occurs and is left out of the macro average.
    assert!(close(r.macro_f1, f1.iter().sum::<f64>() / 3.0));

    assert!(matches!(
        report(&truth, &pred[1..], 4),
        Err(ClassifyError::LengthMismatch { .. })
    ));
    assert!(matches!(
        report(&[], &[], 4),
        Err(ClassifyError::Empty { .. })
    ));
    assert!(matches!(
        report(&truth, &pred, 2),
        Err(ClassifyError::LabelOutOfRange { .. })
    ));

    let truth = vec![vec![0, 1], vec![1], vec![]];
    let pred = vec![vec![1, 0], vec![0, 1], vec![]];
    let m = multi_label_report(&truth, &pred, 2).expect("report");
    assert!(close(m.exact_match, 2.0 / 3.0));
    // Label 0: tp 1, fp 1, fn 0 → F1 2/3; label 1: tp 2 → F1 1.
    assert!(close(m.per_label[0].f1, 2.0 / 3.0) && close(m.per_label[1].f1, 1.0));
    assert!(close(m.macro_f1, (2.0 / 3.0 + 1.0) / 2.0));
    assert!(close(m.micro_f1, 2.0 * 3.0 / (2.0 * 3.0 + 1.0)));
}

#[test]
fn splits_are_deterministic_and_folds_partition() {
    let ids: Vec<String> = (0..2000).map(|i| format!("conv-{i}")).collect();
    let a = split_by_id(&ids, 0.1, 0.2, 1).expect("valid");
    assert_eq!(a, split_by_id(&ids, 0.1, 0.2, 1).expect("valid"));
    let count = |s: Split| a.iter().filter(|&&x| x == s).count();
    assert!(
        (150..250).contains(&count(Split::Validation)),
        "{}",
        count(Split::Validation)
    );
    assert!(
        (330..470).contains(&count(Split::Test)),
        "{}",
        count(Split::Test)
    );
    // An id's split does not depend on the other ids.
    assert_eq!(
        split_by_id(&ids[5..6], 0.1, 0.2, 1).expect("valid")[0],
        a[5]
    );
    assert!(split_by_id(&ids, 0.6, 0.6, 1).is_err());
    assert!(split_by_id(&ids, -0.1, 0.2, 1).is_err());

    let labels: Vec<usize> = (0..23).map(|i| i % 3).collect();
    let folds = stratified_folds(&labels, 4, 5).expect("valid");
    assert_eq!(folds, stratified_folds(&labels, 4, 5).expect("valid"));
    let mut seen = vec![0; labels.len()];
    for f in &folds {
        assert_eq!(f.train.len() + f.test.len(), labels.len());
        assert!((5..=6).contains(&f.test.len()));
        for &i in &f.test {
            seen[i] += 1;
            assert!(!f.train.contains(&i));
        }
        let class0 = f.test.iter().filter(|&&i| labels[i] == 0).count();
        assert!((1..=3).contains(&class0), "stratified");
    }
    assert!(seen.iter().all(|&s| s == 1));
    assert!(shuffled_folds(3, 4, 0).is_err());
    assert!(stratified_folds(&labels, 1, 0).is_err());
}

#[test]
fn cross_validation_predicts_every_example_out_of_fold() {
    let (texts, labels) = topic_texts(10, 11);
    let set = TrainSet {
        texts: &texts,
        embeddings: None,
        labels: Labels::Single(&labels),
        n_classes: 3,
    };
    let preds = cross_validate(&set, &Params::default(), 5, 3).expect("cross-validates");
    assert_eq!(preds.len(), texts.len());
    let got: Vec<usize> = preds.iter().map(|p| p.label.unwrap_or(99)).collect();
    assert_eq!(report(&labels, &got, 3).expect("report").accuracy, 1.0);
    let short = Array2::<f32>::zeros((2, 2));
    let bad = TrainSet {
        embeddings: Some(short.view()),
        ..set
    };
    assert!(matches!(
        cross_validate(&bad, &Params::default(), 5, 3),
        Err(ClassifyError::LengthMismatch {
            what: "embeddings",
            ..
        })
    ));
}
