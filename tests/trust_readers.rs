//! Property tests of the readers of untrusted files: stage checkpoints
//! (records and matrix), partial files and the store index. Arbitrary bytes
//! never panic and give either a valid load or a reason the file cannot be
//! used; a damaged valid file never loads with other content than it was
//! written with; a damaged index never yields the wrong conversation.
//!
//! `PROPTEST_CASES=N` (`INDEX_CASES=N` for the store index, whose cases
//! write files) runs more cases; see benches/RESULTS.md.

use kura_tui::model::{Conversation, Message, Role, Summary};
use kura_tui::pipeline::summarise::PartialSummary;
use kura_tui::project::checkpoint::{
    self, MemoryCheckpoints, Meta, Unusable, parse, parse_matrix, parse_partial,
};
use kura_tui::project::store::index::Index;
use kura_tui::project::store::{Store, StoreWriter};
use proptest::prelude::*;

fn records_file(values: &[u32]) -> Vec<u8> {
    let cps = MemoryCheckpoints::new();
    let meta = Meta {
        key: "k".into(),
        ..Meta::default()
    };
    checkpoint::save(&cps, "s", &meta, values).unwrap();
    use kura_tui::project::checkpoint::CheckpointStore;
    cps.read("s.jsonl").unwrap().unwrap()
}

fn matrix_file(rows: usize, cols: usize) -> Vec<u8> {
    let cps = MemoryCheckpoints::new();
    let m = ndarray::Array2::from_shape_fn((rows, cols), |(i, j)| (i * 7 + j) as f32 / 3.0);
    checkpoint::save_matrix(&cps, "m", &Meta::default(), m.view()).unwrap();
    use kura_tui::project::checkpoint::CheckpointStore;
    cps.read("m.bin").unwrap().unwrap()
}

/// A change to a file: overwrite bytes, cut it, or insert bytes.
#[derive(Debug, Clone)]
enum Damage {
    Overwrite(usize, Vec<u8>),
    Truncate(usize),
    Insert(usize, Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Damage::Overwrite(at, b)),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Damage::Insert(at, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, d: &Damage) {
    let n = bytes.len().max(1);
    match d {
        Damage::Overwrite(at, b) => {
            for (i, x) in b.iter().enumerate() {
                let p = (at + i) % n;
                if p < bytes.len() {
                    bytes[p] = *x;
                }
            }
        }
        Damage::Truncate(at) => bytes.truncate(at % n),
        Damage::Insert(at, b) => {
            let p = at % n;
            bytes.splice(p..p, b.iter().copied());
        }
    }
}

proptest! {
    #[test]
    fn records_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse::<serde_json::Value>(&bytes);
        let _ = parse::<Summary>(&bytes);
    }

    #[test]
    fn a_damaged_records_file_loads_as_written_or_not_at_all(
        values in prop::collection::vec(any::<u32>(), 0..40),
        d in damage(),
    ) {
        let mut bytes = records_file(&values);
        apply(&mut bytes, &d);
        match parse::<u32>(&bytes) {
            Ok((_, got)) => prop_assert_eq!(got, values),
            Err(Unusable::Corrupt { reason }) => prop_assert!(!reason.is_empty()),
            Err(Unusable::Format { .. }) => {}
            Err(Unusable::Missing) => prop_assert!(false, "missing is never parsed"),
        }
    }

    #[test]
    fn matrix_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_matrix(&bytes);
    }

    #[test]
    fn a_damaged_matrix_loads_as_written_or_not_at_all(
        rows in 0usize..12,
        cols in 1usize..6,
        d in damage(),
    ) {
        let good = matrix_file(rows, cols);
        let (_, want) = parse_matrix(&good).unwrap();
        let mut bytes = good.clone();
        apply(&mut bytes, &d);
        if let Ok((_, got)) = parse_matrix(&bytes) {
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn partial_reader_keeps_every_good_line(
        lines in prop::collection::vec(
            prop_oneof![
                prop::collection::vec(any::<u8>(), 0..80),
                (0usize..50).prop_map(|i| serde_json::to_vec(&PartialSummary {
                    key: "k".into(),
                    index: i,
                    summary: Summary::default(),
                }).unwrap()),
                (0usize..50).prop_map(|i| format!(
                    r#"{{"k":"old","i":{i},"s":{{"conversation_id":"c","summary":"s"}}}}"#
                ).into_bytes()),
            ],
            0..30,
        ),
    ) {
        let lines: Vec<Vec<u8>> = lines
            .into_iter()
            .map(|l| l.into_iter().filter(|b| *b != b'\n').collect())
            .collect();
        let got = parse_partial::<PartialSummary>(&lines);
        let non_empty = lines.iter().filter(|l| !l.is_empty()).count();
        let header = usize::from(got.version != 1);
        prop_assert_eq!(got.records.len() + got.skipped + header, non_empty);
    }

    #[test]
    fn index_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(index) = Index::parse(&bytes) {
            prop_assert_eq!(index.offsets.len(), index.id_hashes.len());
        }
    }
}

fn store(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<String>) {
    let data = dir.join("conversations.jsonl");
    let idx = dir.join("conversations.idx");
    let mut w = StoreWriter::create(&data, &idx).unwrap();
    let mut ids = Vec::new();
    for i in 0..12 {
        let id = format!("conv-{i}-{}", "x".repeat(i % 4));
        w.push(&Conversation::new(
            id.clone(),
            vec![Message::new(Role::User, format!("question {i}"))],
        ))
        .unwrap();
        ids.push(id);
    }
    w.finish().unwrap();
    (data, idx, ids)
}

proptest! {
    // Each case writes and syncs a small store: fewer cases, unless
    // INDEX_CASES asks for more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("INDEX_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_damaged_index_never_gives_the_wrong_conversation(
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (data, idx, ids) = store(dir.path());
        let mut bytes = std::fs::read(&idx).unwrap();
        for d in &damages {
            apply(&mut bytes, d);
        }
        std::fs::write(&idx, &bytes).unwrap();
        let s = Store::open(&data, &idx).unwrap();
        prop_assert_eq!(s.len(), ids.len());
        for (i, id) in ids.iter().enumerate() {
            match s.get(i) {
                Ok(c) => prop_assert_eq!(&c.id, id),
                Err(e) => prop_assert!(e.to_string().contains("conversations.idx")),
            }
        }
    }
}
