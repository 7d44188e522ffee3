//! Data loading, MiniLM embedding (cached), CPU time and the linfa
//! baseline for `benches/classify.rs`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use kura_tui::config::ProcessEnv;
use kura_tui::embed::{
    LexicalEmbedder, MiniLmEmbedder, ModelSpec, minilm_dir, minilm_installed, no_progress,
};
use ndarray::Array2;
use sha2::{Digest, Sha256};

/// Texts with class codes, and the class names in code order.
pub struct Data {
    pub texts: Vec<String>,
    pub labels: Vec<usize>,
    pub classes: Vec<String>,
}

impl Data {
    fn from_pairs(pairs: Vec<(String, String)>, classes: Option<&[String]>) -> Data {
        let mut names: Vec<String> = classes.map(<[String]>::to_vec).unwrap_or_default();
        let mut index: HashMap<String, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for (t, l) in pairs {
            let next = index.len();
            let code = *index.entry(l.clone()).or_insert_with(|| {
                names.push(l);
                next
            });
            texts.push(t);
            labels.push(code);
        }
        Data {
            texts,
            labels,
            classes: names,
        }
    }

    /// Recodes the labels with `other`'s class codes (new classes last).
    pub fn with_classes_of(self, other: &Data) -> Data {
        let pairs = self
            .texts
            .into_iter()
            .zip(self.labels.iter().map(|&l| self.classes[l].clone()))
            .collect();
        Data::from_pairs(pairs, Some(&other.classes))
    }
}

/// `text,category` rows.
pub fn read_banking(path: &str) -> Data {
    let mut reader = csv::Reader::from_path(path).expect("readable banking77 csv");
    let pairs = reader
        .records()
        .map(|r| {
            let r = r.expect("valid csv row");
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    Data::from_pairs(pairs, None)
}

/// `hwu64_unique.csv`: (train, test) by the `split` column, on `label`.
pub fn read_hwu64(path: &str) -> (Data, Data) {
    let mut reader = csv::Reader::from_path(path).expect("readable hwu64 csv");
    let headers = reader.headers().expect("csv header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .expect("hwu64 column")
    };
    let (text, label, split) = (col("text"), col("label"), col("split"));
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for r in reader.records() {
        let r = r.expect("valid csv row");
        let pair = (r[text].to_string(), r[label].to_string());
        if &r[split] == "test" {
            test.push(pair);
        } else {
            train.push(pair);
        }
    }
    let train = Data::from_pairs(train, None);
    let test = Data::from_pairs(test, Some(&train.classes));
    (train, test)
}

/// The labelled W&B queries: `query` and `label` of each JSON line.
pub fn read_wandb(path: &str) -> Data {
    let text = std::fs::read_to_string(path).expect("readable wandb jsonl");
    let pairs = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid json line");
            (
                v["query"].as_str().unwrap_or_default().to_string(),
                v["label"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    Data::from_pairs(pairs, None)
}

/// User + system CPU seconds of this process so far (from /proc, at the
/// usual 100 ticks per second).
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the command name: state is field 0; utime 11, stime 12.
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) / 100.0
}

pub fn load_minilm() -> Option<MiniLmEmbedder> {
    if !minilm_installed(&ProcessEnv) {
        println!("minilm: not installed under $KURA_DATA_DIR; runs without embeddings only");
        return None;
    }
    let dir = minilm_dir(&ProcessEnv)?;
    MiniLmEmbedder::load(&dir, &ModelSpec::minilm(), 64).ok()
}

/// MiniLM embeddings of `texts`, cached by content hash.
pub fn embed_cached(m: &MiniLmEmbedder, texts: &[String]) -> Array2<f32> {
    let mut h = Sha256::new();
    for t in texts {
        h.update(t.as_bytes());
        h.update([0u8]);
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/classify-bench-cache");
    let path = dir.join(format!("{}.f32", hex::encode(&h.finalize()[..12])));
    if let Ok(bytes) = std::fs::read(&path) {
        let values: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let d = values.len() / texts.len().max(1);
        if let Ok(a) = Array2::from_shape_vec((texts.len(), d), values) {
            return a;
        }
    }
    let start = Instant::now();
    let e = m.embed_texts(texts, &no_progress).expect("minilm embeds");
    println!(
        "(embedded {} texts with MiniLM in {:.1} s; cached)",
        texts.len(),
        start.elapsed().as_secs_f64()
    );
    let _ = std::fs::create_dir_all(&dir);
    let bytes: Vec<u8> = e.iter().flat_map(|v| v.to_le_bytes()).collect();
    let _ = std::fs::write(&path, bytes);
    e
}

/// The built-in lexical (TF-IDF + LSA) embeddings of train and test texts,
/// fitted on both together as a project embeds all its conversations.
pub fn lexical(train: &Data, test: &Data) -> Option<(Array2<f32>, Array2<f32>)> {
    let all: Vec<String> = train.texts.iter().chain(&test.texts).cloned().collect();
    let start = Instant::now();
    let e = LexicalEmbedder::new(256, 42)
        .ok()?
        .embed_texts(&all, &no_progress)
        .ok()?;
    println!(
        "(lexical embeddings of {} texts in {:.1} s)",
        all.len(),
        start.elapsed().as_secs_f64()
    );
    let n = train.texts.len();
    Some((
        e.slice(ndarray::s![..n, ..]).to_owned(),
        e.slice(ndarray::s![n.., ..]).to_owned(),
    ))
}
