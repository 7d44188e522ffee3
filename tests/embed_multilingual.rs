//! Loading and pooling a multilingual sentence model, on a tiny BERT the
//! test builds itself: random weights, an XLM-R-style unigram tokenizer
//! (written as a real `tokenizer.json`), installed from a folder exactly as
//! paraphrase-multilingual-MiniLM-L12-v2 is (the real weights cannot be
//! downloaded here).

#![cfg(feature = "minilm")]

mod cli_support;

use std::collections::HashMap;
use std::path::Path;

use cli_support::ok_with_data;
use kura_tui::config::{Config, EmbedderKind};
use kura_tui::embed::install::{MULTILINGUAL_NAME, ModelSpec, RECORD_FILE, install_from};
use kura_tui::embed::{Embedder, MiniLmEmbedder, local_embedder, no_progress};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use safetensors::tensor::{Dtype, TensorView};
use tokenizers::Tokenizer;
use tokenizers::models::unigram::Unigram;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::processors::template::TemplateProcessing;

const HIDDEN: usize = 8;
const INTERMEDIATE: usize = 16;
const POSITIONS: usize = 64;

/// Pieces of an XLM-R-like vocabulary: specials first, then words of
/// several languages and single characters so any text tokenizes.
fn vocab() -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = ["<s>", "<pad>", "</s>", "<unk>"]
        .iter()
        .map(|s| (s.to_string(), 0.0))
        .collect();
    for w in [
        "▁hello",
        "▁world",
        "▁hola",
        "▁mundo",
        "▁bonjour",
        "▁le",
        "▁monde",
        "▁hallo",
        "▁welt",
        "▁flight",
        "▁vuelo",
        "▁book",
        "▁a",
        "▁to",
        "▁paris",
    ] {
        v.push((w.to_string(), -2.0));
    }
    v.push(("▁".to_string(), -4.0));
    for c in "abcdefghijklmnopqrstuvwxyzñéüこんにちは世界".chars() {
        v.push((c.to_string(), -6.0));
    }
    v
}

fn write_tokenizer(path: &Path) -> usize {
    let vocab = vocab();
    let size = vocab.len();
    let model = Unigram::from(vocab, Some(3), false).unwrap();
    let mut tok = Tokenizer::new(model);
    tok.with_pre_tokenizer(Some(Metaspace::new('▁', PrependScheme::Always, true)));
    tok.with_post_processor(Some(
        TemplateProcessing::builder()
            .try_single("<s> $0 </s>")
            .unwrap()
            .try_pair("<s> $A </s> </s> $B </s>")
            .unwrap()
            .special_tokens(vec![("<s>", 0), ("</s>", 2)])
            .build()
            .unwrap(),
    ));
    tok.save(path, false).unwrap();
    size
}

/// Random weights with the tensor names a BERT checkpoint uses.
fn write_weights(path: &Path, vocab: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut shapes: Vec<(String, Vec<usize>)> = vec![
        (
            "embeddings.word_embeddings.weight".into(),
            vec![vocab, HIDDEN],
        ),
        (
            "embeddings.position_embeddings.weight".into(),
            vec![POSITIONS, HIDDEN],
        ),
        (
            "embeddings.token_type_embeddings.weight".into(),
            vec![2, HIDDEN],
        ),
        ("embeddings.LayerNorm.weight".into(), vec![HIDDEN]),
        ("embeddings.LayerNorm.bias".into(), vec![HIDDEN]),
    ];
    let layer = "encoder.layer.0";
    for part in ["query", "key", "value"] {
        shapes.push((
            format!("{layer}.attention.self.{part}.weight"),
            vec![HIDDEN, HIDDEN],
        ));
        shapes.push((format!("{layer}.attention.self.{part}.bias"), vec![HIDDEN]));
    }
    for (name, shape) in [
        ("attention.output.dense.weight", vec![HIDDEN, HIDDEN]),
        ("attention.output.dense.bias", vec![HIDDEN]),
        ("attention.output.LayerNorm.weight", vec![HIDDEN]),
        ("attention.output.LayerNorm.bias", vec![HIDDEN]),
        ("intermediate.dense.weight", vec![INTERMEDIATE, HIDDEN]),
        ("intermediate.dense.bias", vec![INTERMEDIATE]),
        ("output.dense.weight", vec![HIDDEN, INTERMEDIATE]),
        ("output.dense.bias", vec![HIDDEN]),
        ("output.LayerNorm.weight", vec![HIDDEN]),
        ("output.LayerNorm.bias", vec![HIDDEN]),
    ] {
        shapes.push((format!("{layer}.{name}"), shape));
    }
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = shapes
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let bytes = (0..n)
                .flat_map(|_| {
                    let x: f32 = if name.contains("LayerNorm.weight") {
                        1.0
                    } else {
                        rng.random_range(-0.5..0.5)
                    };
                    x.to_le_bytes()
                })
                .collect();
            (name, shape, bytes)
        })
        .collect();
    let views: Vec<(String, TensorView<'_>)> = data
        .iter()
        .map(|(n, s, b)| {
            (
                n.clone(),
                TensorView::new(Dtype::F32, s.clone(), b).unwrap(),
            )
        })
        .collect();
    let bytes = safetensors::tensor::serialize(views, None).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn write_config(path: &Path, vocab: usize) {
    let config = serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": vocab,
        "hidden_size": HIDDEN,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "intermediate_size": INTERMEDIATE,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "max_position_embeddings": POSITIONS,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 1,
        "tokenizer_class": "XLMRobertaTokenizer"
    });
    std::fs::write(path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
}

/// A folder like the hub's snapshot of the model, and a spec for it.
fn tiny_model(dir: &Path, name: &str) -> ModelSpec {
    std::fs::create_dir_all(dir).unwrap();
    let vocab = write_tokenizer(&dir.join("tokenizer.json"));
    write_weights(&dir.join("model.safetensors"), vocab);
    write_config(&dir.join("config.json"), vocab);
    std::fs::write(dir.join("README.md"), "tiny test model").unwrap();
    ModelSpec {
        name: name.into(),
        hidden_size: HIDDEN,
        vocab_size: vocab,
        ..ModelSpec::multilingual()
    }
}

fn texts(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_tiny_multilingual_model_installs_loads_and_pools() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tiny_model(&tmp.path().join("snapshot"), "tiny-multilingual");
    let models = tmp.path().join("models");
    let installed = install_from(&tmp.path().join("snapshot"), &models, &spec).unwrap();
    // Unpinned: the weights' hash is recorded at install.
    assert!(installed.dir.join(RECORD_FILE).is_file());

    let model = MiniLmEmbedder::load(&installed.dir, &spec, 2).unwrap();
    assert_eq!(model.dimensions(), HIDDEN);
    assert_eq!(model.identity(), "minilm:tiny-multilingual");
    let input = texts(&[
        "hello world",
        "hola mundo",
        "bonjour le monde, hallo welt, book a flight to paris",
        "こんにちは世界",
        "",
    ]);
    let m = model.embed_texts(&input, &no_progress).unwrap();
    assert_eq!(m.dim(), (5, HIDDEN));
    for row in m.rows() {
        assert!((row.dot(&row).sqrt() - 1.0).abs() < 1e-4, "unit rows");
        assert!(row.iter().all(|x| x.is_finite()));
    }
    // Mean pooling ignores padding: a short text gives the same vector
    // alone as batched beside a long one, and rows keep input order.
    for (i, text) in input.iter().enumerate() {
        let alone = model
            .embed_texts(std::slice::from_ref(text), &no_progress)
            .unwrap();
        for (a, b) in alone.row(0).iter().zip(m.row(i)) {
            assert!((a - b).abs() < 1e-4, "row {i}: {a} vs {b}");
        }
    }
    // Different texts, different vectors; the same text, the same vector.
    assert!(m.row(0).dot(&m.row(1)) < 0.9999);
    let again = model.embed_texts(&input, &no_progress).unwrap();
    assert_eq!(again, m);
}

#[test]
fn a_damaged_or_wrong_model_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tiny_model(&tmp.path().join("snapshot"), "tiny-multilingual");
    // The real multilingual model has another shape: refused at install.
    let err = install_from(
        &tmp.path().join("snapshot"),
        &tmp.path().join("models"),
        &ModelSpec::multilingual(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("expected 384"), "{err}");
    // Changed after install: refused at load.
    let installed = install_from(
        &tmp.path().join("snapshot"),
        &tmp.path().join("models"),
        &spec,
    )
    .unwrap();
    let weights = installed.dir.join("model.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&weights, bytes).unwrap();
    let err = MiniLmEmbedder::load(&installed.dir, &spec, 2)
        .unwrap_err()
        .to_string();
    assert!(err.contains("recorded at install"), "{err}");
}

/// A data folder with the tiny model installed as the multilingual one.
fn multilingual_installed() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tiny_model(&tmp.path().join("snapshot"), MULTILINGUAL_NAME);
    install_from(
        &tmp.path().join("snapshot"),
        &tmp.path().join("models"),
        &spec,
    )
    .unwrap();
    tmp
}

#[test]
fn auto_prefers_the_installed_multilingual_model() {
    let tmp = multilingual_installed();
    let env = HashMap::from([(
        "KURA_DATA_DIR".to_string(),
        tmp.path().display().to_string(),
    )]);
    for kind in [EmbedderKind::Auto, EmbedderKind::Multilingual] {
        let (e, notice) = local_embedder(kind, &Config::default(), &env).unwrap();
        assert_eq!(e.identity(), "minilm:paraphrase-multilingual-MiniLM-L12-v2");
        assert!(notice.is_none());
    }
    // all-MiniLM-L6-v2 is not installed: asking for it says how to get it.
    let err = local_embedder(EmbedderKind::Minilm, &Config::default(), &env)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("kura-tui model install all-MiniLM-L6-v2"),
        "{err}"
    );
}

#[test]
fn a_sentence_model_run_smooths_before_k_means_and_records_it() {
    let tmp = multilingual_installed();
    let project = tmp.path().join("p");
    let cli = |args: &[&str]| ok_with_data(tmp.path(), args);
    let p = project.to_str().unwrap();
    let run = || {
        cli(&[
            "run",
            p,
            "--offline",
            "--headless",
            "--embedder",
            "multilingual",
            "--yes",
        ])
    };
    cli(&["demo", p, "--conversations", "40"]);
    run();
    let header = |stage: &str| -> serde_json::Value {
        let text =
            std::fs::read_to_string(project.join("checkpoints").join(format!("{stage}.jsonl")))
                .unwrap();
        serde_json::from_str(text.lines().next().unwrap()).unwrap()
    };
    let clusters = header("clusters");
    assert_eq!(
        clusters["inputs"]["cluster.smooth_neighbours"], 10,
        "{clusters}"
    );
    assert_eq!(
        clusters["built_with"]["smooth_neighbours"], 10,
        "{clusters}"
    );
    // Asked off in kura.toml: the clusters are recomputed, unsmoothed, and
    // the run says why.
    let toml = project.join("kura.toml");
    let config = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        config.replacen("[cluster]\n", "[cluster]\nsmooth_neighbours = 0\n", 1),
    )
    .unwrap();
    let log = run();
    assert!(
        log.contains("clusters: outdated (cluster.smooth_neighbours 10 → 0)"),
        "{log}"
    );
    let clusters = header("clusters");
    assert!(
        clusters["built_with"].get("smooth_neighbours").is_none(),
        "{clusters}"
    );
}

#[test]
fn a_sentence_model_centres_languages_before_clustering_and_add_still_places() {
    let tmp = multilingual_installed();
    let project = tmp.path().join("p");
    let cli = |args: &[&str]| ok_with_data(tmp.path(), args);
    let p = project.to_str().unwrap();
    let run = |embedder: &str| {
        cli(&[
            "run",
            p,
            "--offline",
            "--headless",
            "--embedder",
            embedder,
            "--yes",
        ])
    };
    let header = || -> serde_json::Value {
        let text = std::fs::read_to_string(project.join("checkpoints/clusters.jsonl")).unwrap();
        serde_json::from_str(text.lines().next().unwrap()).unwrap()
    };
    // 300 demo conversations: English and five other languages of 10 or
    // more conversations each.
    cli(&["demo", p, "--conversations", "300"]);
    let log = run("multilingual");
    let clusters = header();
    let centred: Vec<&str> = clusters["built_with"]["languages_centred"]
        .as_array()
        .unwrap_or_else(|| panic!("{clusters}"))
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        clusters["inputs"]["cluster.centre_languages"], true,
        "{clusters}"
    );
    assert_eq!(centred.first(), Some(&"english"), "{clusters}");
    assert!(
        centred.contains(&"german") && centred.len() >= 3,
        "{centred:?}"
    );
    let line = log
        .lines()
        .find(|l| l.contains("centred on the corpus mean"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains("german"), "{line}");

    // `add` places new conversations in the same centred space.
    let more = tmp.path().join("more.jsonl");
    cli(&[
        "demo",
        tmp.path().join("d2").to_str().unwrap(),
        "--conversations",
        "320",
    ]);
    let all = std::fs::read_to_string(tmp.path().join("d2/conversations.jsonl")).unwrap();
    let extra: Vec<&str> = all.lines().skip(300).take(20).collect();
    assert_eq!(extra.len(), 20);
    std::fs::write(&more, extra.join("\n") + "\n").unwrap();
    let out = cli(&["add", p, "--input", more.to_str().unwrap(), "--json"]);
    // Logs come first on stderr; the report is the JSON object after them.
    let start = out.find("\n{").map_or(0, |i| i + 1);
    let json: serde_json::Value = serde_json::Deserializer::from_str(&out[start..])
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{out}"))
        .unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(json["added"], 20, "{out}");

    // The lexical embedder's clusters are not centred, and their key does
    // not mention it (so keys made before centring existed still hold).
    run("lexical");
    let clusters = header();
    assert!(
        clusters["built_with"].get("languages_centred").is_none()
            && clusters["inputs"].get("cluster.centre_languages").is_none(),
        "{clusters}"
    );
}
