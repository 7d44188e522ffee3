use std::fs::OpenOptions;
use std::io::Write;

use super::*;

fn meta(key: &str) -> Meta {
    Meta {
        key: key.into(),
        ..Meta::default()
    }
}

#[test]
fn records_round_trip_with_digest() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileCheckpoints::new(dir.path());
    let digest = save(
        &store,
        "names",
        &meta("k1"),
        &["a".to_string(), "b".to_string()],
    )
    .unwrap();
    let (h, got) = read::<String>(&store, "names").unwrap().unwrap();
    assert_eq!(got, ["a", "b"]);
    assert_eq!(h.key, "k1");
    assert_eq!(h.digest, digest);
    assert_eq!(digest, content_digest(2, None, b"\"a\"\n\"b\"\n"));
    assert_eq!(verify(&store, "names").unwrap().unwrap().key, "k1");
    assert_eq!(
        read::<String>(&store, "missing").unwrap(),
        Err(Unusable::Missing)
    );
}

#[test]
fn same_content_same_digest_whatever_the_key() {
    let store = MemoryCheckpoints::new();
    let a = save(&store, "s", &meta("k1"), &[1, 2, 3]).unwrap();
    let b = save(&store, "s", &meta("k2"), &[1, 2, 3]).unwrap();
    let c = save(&store, "s", &meta("k1"), &[1, 2, 4]).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn an_edited_record_is_corrupt_with_its_line() {
    let store = MemoryCheckpoints::new();
    save(&store, "s", &meta("k"), &[10, 20, 30]).unwrap();
    let bytes = store.read("s.jsonl").unwrap().unwrap();
    let text = String::from_utf8(bytes)
        .unwrap()
        .replace("\n20\n", "\n2x\n");
    store.write("s.jsonl", text.as_bytes()).unwrap();
    match verify(&store, "s").unwrap() {
        Err(Unusable::Corrupt { reason }) => assert!(reason.starts_with("line 3:"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Same length, still JSON: the digest catches it.
    let text = String::from_utf8(store.read("s.jsonl").unwrap().unwrap())
        .unwrap()
        .replace("\n2x\n", "\n21\n");
    store.write("s.jsonl", text.as_bytes()).unwrap();
    match read::<u32>(&store, "s").unwrap() {
        Err(Unusable::Corrupt { reason }) => assert!(reason.contains("checksum"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn matrix_round_trip_and_flipped_bytes() {
    let store = MemoryCheckpoints::new();
    let m = ndarray::Array2::from_shape_fn((3, 4), |(i, j)| (i * 10 + j) as f32 * 0.5);
    save_matrix(&store, "embeddings", &meta("k"), m.view()).unwrap();
    let (h, got) = read_matrix(&store, "embeddings").unwrap().unwrap();
    assert_eq!(got, m);
    assert_eq!(h.dims, Some(4));
    assert_eq!(verify(&store, "embeddings").unwrap().unwrap().count, 3);
    let mut bytes = store.read("embeddings.bin").unwrap().unwrap();
    let n = bytes.len();
    bytes[n - 5] ^= 0x40;
    store.write("embeddings.bin", &bytes).unwrap();
    assert!(matches!(
        read_matrix(&store, "embeddings").unwrap(),
        Err(Unusable::Corrupt { .. })
    ));
    assert!(matches!(
        verify(&store, "embeddings").unwrap(),
        Err(Unusable::Corrupt { .. })
    ));
}

#[test]
fn another_version_is_outdated_not_an_error() {
    let store = MemoryCheckpoints::new();
    store
        .write(
            "s.jsonl",
            br#"{"format":"kura-tui-checkpoint","version":1,"stage":"s","key":"k","count":0}
"#,
        )
        .unwrap();
    assert_eq!(
        read::<String>(&store, "s").unwrap(),
        Err(Unusable::Format { found: 1 })
    );
}

#[test]
fn torn_partial_line_is_ignored_then_cut_on_append() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileCheckpoints::new(dir.path());
    append_partial(&store, "summaries", &1u32).unwrap();
    append_partial(&store, "summaries", &2u32).unwrap();
    drop(store);
    let path = dir.path().join("summaries.partial.jsonl");
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(b"{\"torn\":").unwrap();
    let store = FileCheckpoints::new(dir.path());
    let got = read_partial::<u32>(&store, "summaries").unwrap();
    assert_eq!(got.records, [1, 2]);
    assert_eq!(got.skipped, 0, "a torn last line is not a problem");
    assert_eq!(got.version, PARTIAL_VERSION);
    assert!(
        std::fs::read(&path).unwrap().ends_with(b"{\"torn\":"),
        "reading never modifies the file"
    );
    append_partial(&store, "summaries", &3u32).unwrap();
    assert_eq!(
        read_partial::<u32>(&store, "summaries").unwrap().records,
        [1, 2, 3]
    );
}

#[test]
fn bad_partial_lines_are_counted_and_the_rest_kept() {
    let store = MemoryCheckpoints::new();
    append_partial(&store, "names", &1u32).unwrap();
    store.append_partial("names", b"garbage").unwrap();
    append_partial(&store, "names", &3u32).unwrap();
    let got = read_partial::<u32>(&store, "names").unwrap();
    assert_eq!(got.records, [1, 3]);
    assert_eq!(got.skipped, 1);
    let msg = got.problem(std::path::Path::new("p")).unwrap();
    assert!(msg.contains("line 3"), "{msg}");
}
