use super::*;
use crate::model::{Message, Role};

fn write(dir: &Path, n: usize) -> (PathBuf, PathBuf) {
    let data = dir.join("conversations.jsonl");
    let idx = dir.join("conversations.idx");
    let mut w = StoreWriter::create(&data, &idx).unwrap();
    for i in 0..n {
        let mut c = Conversation::new(
            format!("c{i:02}"),
            vec![Message::new(Role::User, format!("héllo {i:02}\nline"))],
        );
        c.metadata.insert("i".into(), i.into());
        w.push(&c).unwrap();
    }
    assert_eq!(w.finish().unwrap(), n as u64);
    (data, idx)
}

#[test]
fn writes_and_reads_back_by_position_and_stream() {
    let dir = tempfile::tempdir().unwrap();
    let (data, idx) = write(dir.path(), 50);
    let store = Store::open(&data, &idx).unwrap();
    assert!(store.notice().is_none());
    assert_eq!(store.len(), 50);
    let c = store.get(37).unwrap();
    assert_eq!(c.id, "c37");
    assert_eq!(c.messages[0].content, "héllo 37\nline");
    assert_eq!(c.metadata["i"], 37);
    let ids: Vec<String> = store.iter().unwrap().map(|c| c.unwrap().id).collect();
    assert_eq!(ids.len(), 50);
    assert_eq!(store.id_index().unwrap()["c12"], 12);
    assert!(store.get(50).is_err());
    let fp = store.fingerprint();
    assert_eq!(fp.conversations, 50);
    assert_eq!(
        fp.digest,
        hex::encode(Sha256::digest(std::fs::read(&data).unwrap()))
    );
}

#[test]
fn a_rebuilt_index_equals_the_written_one() {
    let dir = tempfile::tempdir().unwrap();
    let (data, idx) = write(dir.path(), 20);
    assert_eq!(
        rebuild(&data).unwrap().encode(),
        std::fs::read(&idx).unwrap()
    );
}

fn reopened(idx: &Path, data: &Path, damage: impl FnOnce(&mut Vec<u8>)) -> Store {
    let mut bytes = std::fs::read(idx).unwrap();
    damage(&mut bytes);
    std::fs::write(idx, &bytes).unwrap();
    Store::open(data, idx).unwrap()
}

#[test]
fn damaged_indexes_are_rebuilt_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let (data, idx) = write(dir.path(), 30);
    let good = std::fs::read(&idx).unwrap();
    type Damage = Box<dyn FnOnce(&mut Vec<u8>)>;
    let cases: Vec<(&str, Damage)> = vec![
        ("truncated", Box::new(|b| b.truncate(200))),
        ("empty", Box::new(|b| b.clear())),
        ("checksum", Box::new(|b| b[150] ^= 1)),
        (
            "older version",
            Box::new(|b| {
                *b = (0..30u64).flat_map(|i| (i * 40).to_le_bytes()).collect();
            }),
        ),
    ];
    for (word, damage) in cases {
        let store = reopened(&idx, &data, damage);
        let notice = store.notice().unwrap_or_default().to_string();
        assert!(notice.contains(word), "{word}: {notice}");
        assert!(notice.contains("rebuilt"), "{notice}");
        assert_eq!(store.len(), 30);
        assert_eq!(store.get(29).unwrap().id, "c29");
        assert_eq!(std::fs::read(&idx).unwrap(), good, "{word}: saved again");
    }
    std::fs::remove_file(&idx).unwrap();
    let store = Store::open(&data, &idx).unwrap();
    assert!(store.notice().unwrap().contains("missing"));
    assert_eq!(store.get(3).unwrap().id, "c03");
}

#[test]
fn changed_data_never_yields_the_wrong_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let (data, idx) = write(dir.path(), 30);
    // Swap two lines of equal length: the index's sizes still fit.
    let text = std::fs::read_to_string(&data).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.swap(3, 4);
    std::fs::write(&data, lines.join("\n") + "\n").unwrap();
    let store = Store::open(&data, &idx).unwrap();
    if store.notice().is_none() {
        // The sampled records missed the swap: reading one must not lie.
        let err = store.get(3).unwrap_err().to_string();
        assert!(err.contains("no longer matches"), "{err}");
        assert!(!idx.exists(), "removed so the next open rebuilds it");
    }
    let store = Store::open(&data, &idx).unwrap();
    assert_eq!(store.get(3).unwrap().id, "c04");
    assert_eq!(store.get(4).unwrap().id, "c03");
}
