//! Local classifier accuracy and speed on real intent data.
//!
//! `cargo bench --bench classify -- --banking77 DIR --hwu64 FILE --wandb FILE`
//!
//! - BANKING77: train on `DIR/train.csv`, accuracy and macro-F1 on
//!   `DIR/test.csv`, with wall and CPU time of training plus prediction.
//! - HWU64: `hwu64_unique.csv`'s fixed `split` column, on `label`.
//! - W&B queries: stratified k-fold cross-validation on `label`.
//!
//! Each runs on the n-gram features alone and, when MiniLM is installed
//! under `$KURA_DATA_DIR`, with its embeddings as a dense block (embedded
//! once and cached under `target/classify-bench-cache`; embedding time is
//! not part of the classifier's time, as a project has its embeddings
//! already). `--set key=value` overrides a parameter (TOML syntax, e.g.
//! `--set c=0.3 --set 'char_ngrams=[1,5]'`); `--linfa` adds the linfa
//! logistic-regression baseline.

#[path = "support/classify_linfa.rs"]
mod classify_linfa;
#[path = "support/classify_data.rs"]
mod classify_support;

use std::time::Instant;

use classify_support::{Data, cpu_seconds, load_minilm, read_banking, read_hwu64, read_wandb};
use kura_tui::classify::{
    Labels, LocalClassifier, Params, Split, TrainSet, cross_validate, report, split_by_id,
};
use ndarray::Array2;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let sets: Vec<String> = args
        .windows(2)
        .filter(|w| w[0] == "--set")
        .map(|w| w[1].clone())
        .collect();
    let params: Params = toml::from_str(&sets.join("\n")).expect("valid --set overrides");
    let no_emb = args.iter().any(|a| a == "--no-embeddings");
    println!("rayon threads: {}", rayon::current_num_threads());
    println!("params: {params:?}");
    let minilm = if no_emb { None } else { load_minilm() };

    if let Some(dir) = arg("--banking77") {
        let train = read_banking(&format!("{dir}/train.csv"));
        let test = read_banking(&format!("{dir}/test.csv")).with_classes_of(&train);
        if args.iter().any(|a| a == "--tune") {
            tune(&train, &params, minilm.as_ref());
        } else {
            holdout("banking77", &train, &test, &params, minilm.as_ref());
        }
        if args.iter().any(|a| a == "--linfa") {
            linfa(&train, &test, &params, minilm.as_ref());
        }
    }
    if let Some(file) = arg("--hwu64") {
        let (train, test) = read_hwu64(&file);
        holdout("hwu64", &train, &test, &params, minilm.as_ref());
    }
    if let Some(file) = arg("--wandb") {
        let data = read_wandb(&file);
        kfold("wandb-110", &data, &params, minilm.as_ref(), 5);
    }
}

fn holdout(
    name: &str,
    train: &Data,
    test: &Data,
    params: &Params,
    minilm: Option<&kura_tui::embed::MiniLmEmbedder>,
) {
    println!(
        "\n== {name}: {} train, {} test, {} classes",
        train.texts.len(),
        test.texts.len(),
        train.classes.len()
    );
    run_holdout("n-grams", train, test, None, params);
    let start = (Instant::now(), cpu_seconds());
    if let Ok((map, _)) = kura_tui::classify::FeatureMap::fit(&train.texts, None, params) {
        println!(
            "  (of which n-gram features alone: {:.2} s wall, {:.2} s CPU, {} columns)",
            start.0.elapsed().as_secs_f64(),
            cpu_seconds() - start.1,
            map.dim()
        );
    }
    if let Some((etr, ete)) = classify_support::lexical(train, test) {
        run_holdout(
            "n-grams + lexical LSA 256",
            train,
            test,
            Some((&etr, &ete)),
            params,
        );
    }
    if let Some(m) = minilm {
        let (etr, ete) = (
            classify_support::embed_cached(m, &train.texts),
            classify_support::embed_cached(m, &test.texts),
        );
        run_holdout("n-grams + MiniLM", train, test, Some((&etr, &ete)), params);
        let emb_only = Params {
            word_weight: 0.0,
            char_weight: 0.0,
            ..params.clone()
        };
        run_holdout("MiniLM only", train, test, Some((&etr, &ete)), &emb_only);
    }
}

fn run_holdout(
    what: &str,
    train: &Data,
    test: &Data,
    emb: Option<(&Array2<f32>, &Array2<f32>)>,
    params: &Params,
) {
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let set = TrainSet {
        texts: &train.texts,
        embeddings: emb.map(|e| e.0.view()),
        labels: Labels::Single(&train.labels),
        n_classes: train.classes.len(),
    };
    let model = match LocalClassifier::fit(&set, params) {
        Ok(m) => m,
        Err(e) => {
            println!("{what}: training failed: {e}");
            return;
        }
    };
    let fit_wall = wall.elapsed().as_secs_f64();
    let preds = model
        .predict(&test.texts, emb.map(|e| e.1.view()))
        .expect("prediction");
    let (total_wall, total_cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let pred: Vec<usize> = preds.iter().map(|p| p.label.unwrap_or(0)).collect();
    let r = report(&test.labels, &pred, train.classes.len()).expect("report");
    let bytes = serde_json::to_vec(&model).map(|b| b.len()).unwrap_or(0);
    println!(
        "{what:<30} accuracy {:.4}  macro-F1 {:.4}  | fit {fit_wall:.2} s, fit+predict {total_wall:.2} s wall, {total_cpu:.2} s CPU | vocab {}, model {:.1} MB JSON, temperature {:.3}",
        r.accuracy,
        r.macro_f1,
        model.vocabulary_len(),
        bytes as f64 / 1e6,
        model.temperature()
    );
}

fn kfold(
    name: &str,
    data: &Data,
    params: &Params,
    minilm: Option<&kura_tui::embed::MiniLmEmbedder>,
    k: usize,
) {
    println!(
        "\n== {name}: {} examples, {} classes, {k}-fold stratified cross-validation",
        data.texts.len(),
        data.classes.len()
    );
    let majority = (0..data.classes.len())
        .map(|c| data.labels.iter().filter(|&&l| l == c).count())
        .max()
        .unwrap_or(0) as f64
        / data.texts.len() as f64;
    println!("majority-class accuracy {majority:.4}");
    let emb = minilm.map(|m| classify_support::embed_cached(m, &data.texts));
    let mut runs: Vec<(&str, Option<&Array2<f32>>)> = vec![("n-grams", None)];
    if let Some(e) = &emb {
        runs.push(("n-grams + MiniLM", Some(e)));
    }
    for (what, e) in runs {
        let set = TrainSet {
            texts: &data.texts,
            embeddings: e.map(|e| e.view()),
            labels: Labels::Single(&data.labels),
            n_classes: data.classes.len(),
        };
        let mut accs = Vec::new();
        let wall = Instant::now();
        for seed in 0..5u64 {
            let preds = cross_validate(&set, params, k, seed).expect("cross-validation");
            let pred: Vec<usize> = preds.iter().map(|p| p.label.unwrap_or(0)).collect();
            let r = report(&data.labels, &pred, data.classes.len()).expect("report");
            accs.push((r.accuracy, r.macro_f1));
        }
        let mean = |f: fn(&(f64, f64)) -> f64| accs.iter().map(f).sum::<f64>() / accs.len() as f64;
        println!(
            "{what:<30} accuracy {:.4} (min {:.4}, max {:.4})  macro-F1 {:.4}  over 5 fold seeds, {:.2} s",
            mean(|a| a.0),
            accs.iter().map(|a| a.0).fold(1.0, f64::min),
            accs.iter().map(|a| a.0).fold(0.0, f64::max),
            mean(|a| a.1),
            wall.elapsed().as_secs_f64()
        );
    }
}

/// Picks `c` and `embedding_weight` on a validation split of the training
/// set (20% by text hash), never looking at the test set.
fn tune(train: &Data, params: &Params, minilm: Option<&kura_tui::embed::MiniLmEmbedder>) {
    let splits = split_by_id(&train.texts, 0.2, 0.0, 7).expect("valid shares");
    let pick = |want: bool| -> Vec<usize> {
        (0..train.texts.len())
            .filter(|&i| (splits[i] == Split::Validation) == want)
            .collect()
    };
    let (val_idx, fit_idx) = (pick(true), pick(false));
    let subset = |idx: &[usize]| Data {
        texts: idx.iter().map(|&i| train.texts[i].clone()).collect(),
        labels: idx.iter().map(|&i| train.labels[i]).collect(),
        classes: train.classes.clone(),
    };
    let (fit, val) = (subset(&fit_idx), subset(&val_idx));
    println!(
        "\n== tuning on {} train / {} validation texts of the training set",
        fit.texts.len(),
        val.texts.len()
    );
    let emb = minilm.map(|m| classify_support::embed_cached(m, &train.texts));
    let rows = |idx: &[usize]| emb.as_ref().map(|e| e.select(ndarray::Axis(0), idx));
    let (efit, eval) = (rows(&fit_idx), rows(&val_idx));
    for c in [0.3f32, 0.5, 1.0] {
        let p = Params {
            c,
            ..params.clone()
        };
        run_holdout(&format!("n-grams, c={c}"), &fit, &val, None, &p);
    }
    ensemble(&fit, &val, params);
    if let (Some(efit), Some(eval)) = (&efit, &eval) {
        for c in [0.5f32, 1.0] {
            for w in [1.0f32, 1.5, 2.0, 3.0] {
                let p = Params {
                    c,
                    embedding_weight: w,
                    ..params.clone()
                };
                run_holdout(
                    &format!("+MiniLM, c={c} w={w}"),
                    &fit,
                    &val,
                    Some((efit, eval)),
                    &p,
                );
            }
        }
    }
}

/// linfa-logistic against this engine on the same (capped) features.
fn linfa(
    train: &Data,
    test: &Data,
    params: &Params,
    minilm: Option<&kura_tui::embed::MiniLmEmbedder>,
) {
    println!("\n== linfa-logistic baseline (multinomial, L-BFGS, 100 iterations, dense f64)");
    let caps = [2000usize];
    let emb = minilm.map(|m| {
        (
            classify_support::embed_cached(m, &train.texts),
            classify_support::embed_cached(m, &test.texts),
        )
    });
    for &cap in &caps {
        let p = Params {
            max_features: cap,
            ..params.clone()
        };
        run_holdout(&format!("this engine, top {cap}"), train, test, None, &p);
    }
    if let Some((e, et)) = &emb {
        let p = Params {
            word_weight: 0.0,
            char_weight: 0.0,
            ..params.clone()
        };
        run_holdout("this engine, MiniLM only", train, test, Some((e, et)), &p);
    }
    classify_linfa::linfa_baseline(
        train,
        test,
        params,
        &caps,
        emb.as_ref().map(|(a, b)| (a, b)),
    );
}

/// A word-only and a char-only model whose scores are averaged, against
/// the single model on both blocks.
fn ensemble(train: &Data, test: &Data, params: &Params) {
    let scores = |p: Params| {
        let set = TrainSet {
            texts: &train.texts,
            embeddings: None,
            labels: Labels::Single(&train.labels),
            n_classes: train.classes.len(),
        };
        LocalClassifier::fit(&set, &p)
            .and_then(|m| m.decision_scores(&test.texts, None))
            .expect("trains and predicts")
    };
    let words = scores(Params {
        char_weight: 0.0,
        ..params.clone()
    });
    let chars = scores(Params {
        word_weight: 0.0,
        ..params.clone()
    });
    for (what, s) in [("word model", &words), ("char model", &chars)] {
        let pred: Vec<usize> = s
            .outer_iter()
            .map(|r| argmax(r.as_slice().unwrap_or(&[])))
            .collect();
        let r = report(&test.labels, &pred, train.classes.len()).expect("report");
        println!(
            "{what:<30} accuracy {:.4}  macro-F1 {:.4}",
            r.accuracy, r.macro_f1
        );
    }
    for a in [0.3f32, 0.5, 0.7] {
        let avg = &words * a + &chars * (1.0 - a);
        let pred: Vec<usize> = avg
            .outer_iter()
            .map(|r| argmax(r.as_slice().unwrap_or(&[])))
            .collect();
        let r = report(&test.labels, &pred, train.classes.len()).expect("report");
        println!(
            "{:<30} accuracy {:.4}  macro-F1 {:.4}",
            format!("ensemble {a}·word + {:.1}·char", 1.0 - a),
            r.accuracy,
            r.macro_f1
        );
    }
}

fn argmax(v: &[f32]) -> usize {
    (0..v.len()).fold(0, |b, c| if v[c] > v[b] { c } else { b })
}
