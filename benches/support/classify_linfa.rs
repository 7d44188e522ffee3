//! The linfa baseline for `benches/classify.rs`: multinomial logistic
//! regression (linfa-logistic, L-BFGS on dense `f64` matrices) on the same
//! features as the local classifier. It has no sparse input, so the
//! TF-IDF block is cut to its most widespread columns to fit in memory.

use std::time::Instant;

use kura_tui::classify::{FeatureMap, Params, SparseRows, report};
use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray16::{Array1, Array2};

use super::classify_support::{Data, cpu_seconds};

fn dense(rows: &SparseRows, dim: usize) -> Array2<f64> {
    let mut out = Array2::<f64>::zeros((rows.len(), dim));
    for (i, row) in rows.iter().enumerate() {
        for &(c, v) in row {
            out[[i, c as usize]] = f64::from(v);
        }
    }
    out
}

/// Trains linfa and prints accuracy, macro-F1 and times.
fn run(what: &str, train: &Data, test: &Data, x: Array2<f64>, xt: Array2<f64>) {
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let dataset = Dataset::new(x, Array1::from(train.labels.clone()));
    let model = match MultiLogisticRegression::default()
        .max_iterations(100)
        .alpha(1e-4)
        .fit(&dataset)
    {
        Ok(m) => m,
        Err(e) => {
            println!("linfa {what}: failed: {e}");
            return;
        }
    };
    let pred: Vec<usize> = model.predict(&xt).to_vec();
    let (secs, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    match report(&test.labels, &pred, train.classes.len()) {
        Ok(r) => println!(
            "linfa {what:<24} accuracy {:.4}  macro-F1 {:.4}  | fit+predict {secs:.2} s wall, {cpu:.2} s CPU",
            r.accuracy, r.macro_f1
        ),
        Err(e) => println!("linfa {what}: {e}"),
    }
}

/// linfa-logistic on TF-IDF capped at `cap` columns, and on embeddings.
pub fn linfa_baseline(
    train: &Data,
    test: &Data,
    params: &Params,
    caps: &[usize],
    emb: Option<(&ndarray::Array2<f32>, &ndarray::Array2<f32>)>,
) {
    let full = FeatureMap::fit(&train.texts, None, params).map(|(m, _)| m.dim());
    if let Ok(d) = full {
        println!(
            "linfa needs dense f64 input: the full {d}-column TF-IDF matrix of {} texts would take {:.1} GB",
            train.texts.len(),
            (train.texts.len() * d * 8) as f64 / 1e9
        );
    }
    for &cap in caps {
        let p = Params {
            max_features: cap,
            ..params.clone()
        };
        let Ok((map, rows)) = FeatureMap::fit(&train.texts, None, &p) else {
            continue;
        };
        let Ok(test_rows) = map.transform(&test.texts, None) else {
            continue;
        };
        let (x, xt) = (dense(&rows, map.dim()), dense(&test_rows, map.dim()));
        run(&format!("TF-IDF top {cap}"), train, test, x, xt);
    }
    if let Some((e, et)) = emb {
        let to64 = |a: &ndarray::Array2<f32>| {
            Array2::from_shape_fn(a.dim(), |(i, j)| f64::from(a[[i, j]]))
        };
        run("MiniLM 384", train, test, to64(e), to64(et));
    }
}
