//! Awkward but legal input: empty conversations, duplicate ids, invalid
//! UTF-8, huge messages, long streams, and kura-tui's own exports.

use std::io::Write;
use std::path::{Path, PathBuf};

use kura_tui::ingest::{self, Format, ImportOptions};
use kura_tui::model::{Conversation, Message, Role};
use kura_tui::project::store::{Store, StoreWriter};
use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

fn collect(path: &Path, options: &ImportOptions) -> (Vec<Conversation>, ingest::ImportReport) {
    let mut all = Vec::new();
    let report = ingest::import_with(path, options, None, |c| {
        all.push(c);
        Ok(())
    })
    .unwrap();
    (all, report)
}

#[test]
fn empty_conversations_are_kept_and_counted() {
    let (convs, report) = collect(&fixture("openai.jsonl"), &ImportOptions::default());
    assert_eq!(report.imported, 5);
    assert_eq!(report.empty, 1);
    assert_eq!(convs.iter().filter(|c| c.messages.is_empty()).count(), 1);
    let (_, report) = collect(
        &fixture("claude_conversations.json"),
        &ImportOptions::default(),
    );
    assert_eq!(report.empty, 1);
    let (_, report) = collect(&fixture("queries.csv"), &ImportOptions::default());
    assert_eq!(report.empty, 1);
}

#[test]
fn duplicate_ids_get_suffixes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dups.jsonl");
    let line = |id: &str| format!("{{\"id\": \"{id}\", \"messages\": []}}\n");
    let text = [line("x"), line("x~2"), line("x"), line("y"), line("x")].concat();
    std::fs::write(&path, text).unwrap();
    let (convs, report) = collect(&path, &ImportOptions::default());
    let ids: Vec<&str> = convs.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["x", "x~2", "x~3", "y", "x~4"]);
    assert_eq!(report.duplicate_ids, 2);
}

#[test]
fn generated_ids_do_not_collide_with_real_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    std::fs::write(
        &path,
        "{\"id\": \"log:1\", \"messages\": []}\n{\"messages\": []}\n",
    )
    .unwrap();
    let (convs, report) = collect(&path, &ImportOptions::default());
    assert_eq!(convs[1].id, "log:1~2");
    assert_eq!(report.duplicate_ids, 1);
}

#[test]
fn invalid_utf8_is_replaced_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("latin1.jsonl");
    let mut bytes =
        b"{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"caf".to_vec();
    bytes.extend_from_slice(b"\xE9 cr\xE8me\"}]}\n");
    bytes.extend_from_slice(
        b"{\"id\": \"b\", \"messages\": [{\"role\": \"user\", \"content\": \"fine\"}]}\n",
    );
    std::fs::write(&jsonl, &bytes).unwrap();
    let (convs, report) = collect(&jsonl, &ImportOptions::default());
    assert_eq!(convs[0].messages[0].content, "caf\u{FFFD} cr\u{FFFD}me");
    assert_eq!(convs[1].messages[0].content, "fine");
    assert_eq!(report.lossy_utf8, 1);

    let array = dir.path().join("latin1.json");
    let mut bytes =
        b"[{\"id\": \"a\", \"conversations\": [{\"from\": \"human\", \"value\": \"\xFF\"}]}]"
            .to_vec();
    bytes.push(b'\n');
    std::fs::write(&array, &bytes).unwrap();
    let (convs, report) = collect(&array, &ImportOptions::default());
    assert_eq!(convs[0].messages[0].content, "\u{FFFD}");
    assert_eq!(report.lossy_utf8, 1);

    let csv = dir.path().join("latin1.csv");
    std::fs::write(&csv, b"text,city\nna\xEFve,M\xFCnchen\nplain,Paris\n").unwrap();
    let (convs, report) = collect(&csv, &ImportOptions::default());
    assert_eq!(convs[0].messages[0].content, "na\u{FFFD}ve");
    assert_eq!(convs[0].metadata["city"], "M\u{FFFD}nchen");
    assert_eq!(report.lossy_utf8, 1);
}

#[test]
fn bom_and_crlf_are_tolerated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("windows.jsonl");
    std::fs::write(
        &path,
        b"\xEF\xBB\xBF{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\r\n\r\n{\"id\": \"b\", \"messages\": []}\r\n",
    )
    .unwrap();
    assert_eq!(ingest::detect(&path).unwrap(), Format::Openai);
    let (convs, _) = collect(&path, &ImportOptions::default());
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[0].messages[0].content, "hi");
}

#[test]
fn a_five_megabyte_message_imports_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    // Quotes, backslashes, newlines and multi-byte characters throughout.
    let chunk = "line \"quoted\" \\ back ünïcødé ✓\n";
    let content = chunk.repeat(5 * 1024 * 1024 / chunk.len() + 1);
    assert!(content.len() > 5 * 1024 * 1024);
    let record = json!([{"id": "big", "messages": [{"role": "user", "content": content}]}]);
    std::fs::write(&path, serde_json::to_vec(&record).unwrap()).unwrap();
    let (convs, report) = collect(&path, &ImportOptions::default());
    assert_eq!(report.imported, 1);
    assert_eq!(convs[0].messages[0].content, content);
}

#[test]
fn a_long_generated_stream_imports_into_the_store() {
    const N: usize = 50_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stream.jsonl");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..N {
            writeln!(
                out,
                "{{\"id\": \"c{i}\", \"messages\": [{{\"role\": \"user\", \"content\": \"question {i}\"}}, {{\"role\": \"assistant\", \"content\": \"answer {i}\"}}], \"metadata\": {{\"i\": {i}}}}}"
            )
            .unwrap();
        }
    }
    let data = dir.path().join("conversations.jsonl");
    let idx = dir.path().join("conversations.idx");
    let mut writer = StoreWriter::create(&data, &idx).unwrap();
    let report = ingest::import(
        &path,
        &ImportOptions::default(),
        &mut writer,
        &dir.path().join("rejected.jsonl"),
    )
    .unwrap();
    assert_eq!(writer.finish().unwrap(), N as u64);
    assert_eq!(report.imported, N as u64);
    assert_eq!(report.bytes_read, std::fs::metadata(&path).unwrap().len());
    let store = Store::open(&data, &idx).unwrap();
    let last = store.get(N - 1).unwrap();
    assert_eq!(last.id, format!("c{}", N - 1));
    assert_eq!(last.messages[1].content, format!("answer {}", N - 1));
    assert_eq!(last.metadata["i"], N - 1);
}

fn sample_conversations() -> Vec<Conversation> {
    let mut a = Conversation::new(
        "conv-a",
        vec![
            Message {
                role: Role::System,
                content: "Be kind.".into(),
                created_at: None,
            },
            Message {
                role: Role::User,
                content: "Héllo \"there\"\nsecond line".into(),
                created_at: Some("2024-01-01T00:00:00Z".into()),
            },
            Message {
                role: Role::Assistant,
                content: "Hi!".into(),
                created_at: Some("2024-01-01T00:00:02Z".into()),
            },
            Message::new(Role::Tool, "{\"result\": 1}"),
        ],
    );
    a.created_at = Some("2024-01-01T00:00:00Z".into());
    a.metadata.insert("plan".into(), json!("free"));
    a.metadata
        .insert("nested".into(), json!({"x": [1, 2.5, null, true]}));
    let b = Conversation::new("conv-b", vec![]);
    vec![a, b]
}

#[test]
fn kura_tui_export_lines_round_trip() {
    let originals = sample_conversations();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.jsonl");
    let mut text = String::new();
    for (i, c) in originals.iter().enumerate() {
        let mut line = serde_json::to_value(c).unwrap();
        let obj = line.as_object_mut().unwrap();
        obj.insert(
            "summary".into(),
            json!({"conversation_id": c.id, "summary": "A summary.", "languages": ["english"]}),
        );
        obj.insert("cluster_path".into(), json!(["Top", format!("Leaf {i}")]));
        obj.insert("cluster_ids".into(), json!(["L1-0", format!("L0-{i}")]));
        text.push_str(&serde_json::to_string(&line).unwrap());
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    assert_eq!(ingest::detect(&path).unwrap(), Format::Openai);
    let (back, _) = collect(&path, &ImportOptions::default());
    assert_eq!(back, originals);

    // The fixture export keeps the message timestamps and ignores the rest.
    let (convs, _) = collect(&fixture("kura_tui_export.jsonl"), &ImportOptions::default());
    assert_eq!(convs[0].id, "e-1");
    assert_eq!(
        convs[0].messages[1].created_at.as_deref(),
        Some("2024-06-01T08:00:09Z")
    );
    assert_eq!(convs[0].metadata.len(), 1);
    assert_eq!(convs[0].metadata["team"], "data");
}

#[test]
fn a_project_store_can_be_imported_again() {
    let originals = sample_conversations();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("conversations.jsonl");
    let idx = dir.path().join("conversations.idx");
    let mut writer = StoreWriter::create(&data, &idx).unwrap();
    for c in &originals {
        writer.push(c).unwrap();
    }
    writer.finish().unwrap();
    let (back, report) = collect(&data, &ImportOptions::default());
    assert_eq!(report.format, Some(Format::Openai));
    assert_eq!(back, originals);
}
