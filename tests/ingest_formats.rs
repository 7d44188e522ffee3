//! Every input format imports from a small fixture, with its content intact.

use std::path::PathBuf;

use kura_tui::ingest::{self, Format, ImportOptions};
use kura_tui::model::{Conversation, Role};
use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ingest")
        .join(name)
}

fn read(name: &str) -> Vec<Conversation> {
    ingest::read_all(&fixture(name), &ImportOptions::default()).unwrap()
}

fn read_with(name: &str, options: ImportOptions) -> Vec<Conversation> {
    ingest::read_all(&fixture(name), &options).unwrap()
}

fn roles(c: &Conversation) -> Vec<Role> {
    c.messages.iter().map(|m| m.role).collect()
}

fn texts(c: &Conversation) -> Vec<&str> {
    c.messages.iter().map(|m| m.content.as_str()).collect()
}

#[test]
fn kura_json_array() {
    let convs = read("kura.json");
    assert_eq!(convs.len(), 2);
    let c = &convs[0];
    assert_eq!(c.id, "k-1");
    assert_eq!(c.created_at.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(roles(c), [Role::User, Role::Assistant]);
    assert_eq!(
        texts(c),
        ["How do I bake bread?", "Mix flour, water, salt and yeast."]
    );
    assert_eq!(
        c.messages[1].created_at.as_deref(),
        Some("2024-05-01T10:00:05Z")
    );
    assert_eq!(
        serde_json::Value::Object(c.metadata.clone()),
        json!({"source": "kura", "score": 4, "tags": ["food", "baking"]})
    );
    // A `]` and a `,` inside a string do not split the array.
    assert_eq!(
        convs[1].messages[0].content,
        "Translate \"hello, world]\" to French"
    );
    assert_eq!(
        convs[1].created_at.as_deref(),
        Some("2024-05-02T11:30:00+02:00")
    );
}

#[test]
fn kura_jsonl() {
    let convs = read("kura.jsonl");
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[0].id, "k-1");
    assert_eq!(convs[0].metadata["source"], "kura");
    assert_eq!(convs[1].id, "k-2");
    assert_eq!(texts(&convs[1]), ["Translate to French"]);
}

#[test]
fn openai_jsonl_roles_parts_and_ids() {
    let convs = read("openai.jsonl");
    let ids: Vec<&str> = convs.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["o-1", "o-2", "openai:2", "o-1~2", "o-empty"]);

    let first = &convs[0];
    assert_eq!(roles(first), [Role::System, Role::User, Role::Assistant]);
    assert_eq!(first.metadata["plan"], "pro");
    assert_eq!(first.metadata["nested"], json!({"a": [1, 2]}));

    let second = &convs[1];
    assert_eq!(second.created_at.as_deref(), Some("2023-11-14T22:13:20Z"));
    // developer -> system, function -> tool; text parts joined, the image noted.
    assert_eq!(
        roles(second),
        [Role::System, Role::User, Role::Assistant, Role::Tool]
    );
    assert_eq!(
        second.messages[1].content,
        "Describe this\n[image_url]\nplease"
    );
    assert_eq!(second.messages[2].content, "");
    assert!(second.metadata.is_empty());

    assert_eq!(texts(&convs[3]), ["same id again"]);
    assert!(convs[4].messages.is_empty());
}

#[test]
fn openai_pretty_printed_objects() {
    let convs = read("conversations_pretty.json");
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[0].id, "p-1");
    assert_eq!(texts(&convs[1]), ["second object"]);
}

#[test]
fn sharegpt_array_and_lines() {
    let convs = read("sharegpt.json");
    assert_eq!(convs.len(), 2);
    let c = &convs[0];
    assert_eq!(c.id, "s-1");
    assert_eq!(roles(c), [Role::System, Role::User, Role::Assistant]);
    assert_eq!(texts(c)[2], "Red, green and blue.");
    // Extra top-level fields become metadata; `metadata` wins on conflicts.
    assert_eq!(c.metadata["source"], "sharegpt-90k");
    assert_eq!(c.metadata["model"], "gpt-3.5");
    assert_eq!(convs[1].metadata["source"], "kept");

    let lines = read("sharegpt.jsonl");
    assert_eq!(lines.len(), 1);
    assert_eq!(roles(&lines[0]), [Role::User, Role::Assistant]);
}

#[test]
fn claude_export() {
    let convs = read("claude_conversations.json");
    assert_eq!(convs.len(), 2);
    let c = &convs[0];
    assert_eq!(c.id, "c-1");
    assert_eq!(c.created_at.as_deref(), Some("2024-03-01T09:00:00.000000Z"));
    assert_eq!(c.metadata["title"], "Sourdough help");
    // Sorted by created_at; text items of `content` win over `text`; the
    // tool-only message is dropped.
    assert_eq!(roles(c), [Role::User, Role::Assistant]);
    assert_eq!(
        texts(c),
        ["My starter is flat.", "Feed it daily.\nKeep it warm."]
    );
    assert_eq!(
        c.messages[1].created_at.as_deref(),
        Some("2024-03-01T09:00:10.000000Z")
    );
    assert!(convs[1].messages.is_empty());
    assert!(!convs[1].metadata.contains_key("title"));
}

#[test]
fn chatgpt_export_follows_the_active_branch() {
    let convs = read("chatgpt_conversations.json");
    assert_eq!(convs.len(), 2);
    let c = &convs[0];
    assert_eq!(c.id, "g-1");
    assert_eq!(c.created_at.as_deref(), Some("2023-11-14T22:13:20.250Z"));
    assert_eq!(c.metadata["title"], "Trip to Lisbon");
    assert_eq!(c.metadata["model"], "gpt-4o");
    assert_eq!(roles(c), [Role::User, Role::Assistant, Role::User]);
    assert_eq!(
        texts(c),
        [
            "Plan 3 days in Lisbon",
            "Day 1: Alfama. Day 2: Belem. Day 3: Sintra.",
            "[image_asset_pointer]\nIs this tram right?"
        ]
    );
    assert_eq!(
        c.messages[0].created_at.as_deref(),
        Some("2023-11-14T22:13:21Z")
    );

    // Without current_node: the last child from the root; hidden node skipped.
    let c = &convs[1];
    assert_eq!(c.id, "g-2");
    assert_eq!(texts(c), ["first", "newer reply"]);
}

#[test]
fn csv_rows_with_detected_text_column() {
    let convs = read("queries.csv");
    assert_eq!(convs.len(), 3);
    let c = &convs[0];
    assert_eq!(c.id, "q1");
    assert_eq!(roles(c), [Role::User]);
    assert_eq!(texts(c), ["How do I reset my card PIN?"]);
    assert_eq!(
        serde_json::Value::Object(c.metadata.clone()),
        json!({"category": "card", "score": 5, "zip": "02139"})
    );
    assert_eq!(texts(&convs[1]), ["Why was I charged twice, again?"]);
    assert_eq!(convs[1].metadata["score"], json!(0.5));
    // An empty text cell gives a conversation without messages.
    assert!(convs[2].messages.is_empty());
    assert_eq!(convs[2].metadata["score"], "");
}

#[test]
fn tsv_with_named_columns() {
    let options = ImportOptions {
        text_column: Some("utterance_text".into()),
        id_column: Some("utterance_id".into()),
        ..Default::default()
    };
    let convs = read_with("commands.tsv", options);
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[0].id, "1");
    assert_eq!(texts(&convs[0]), ["turn on the lights"]);
    assert_eq!(convs[1].metadata["intent"], "alarm");
    assert_eq!(convs[1].metadata.len(), 1);
}

#[test]
fn turns_map_speakers() {
    let convs = read("turns.jsonl");
    assert_eq!(convs.len(), 2);
    let c = &convs[0];
    assert_eq!(c.id, "t-1");
    assert_eq!(
        roles(c),
        [Role::User, Role::Assistant, Role::User, Role::Assistant]
    );
    assert_eq!(texts(c)[1], "Which restaurant?");
    assert_eq!(c.metadata["domain"], "restaurants");
    assert_eq!(convs[1].id, "turns:1");
    assert_eq!(roles(&convs[1]), [Role::User, Role::Assistant]);
    assert_eq!(convs[1].metadata["split"], "dev");
}

#[test]
fn id_and_text_field_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("custom.jsonl");
    std::fs::write(
        &path,
        r#"{"message_tree_id": "m-1", "meta": {"key": "deep"}, "messages": [{"role": "user", "body": "hello"}]}"#,
    )
    .unwrap();
    let options = ImportOptions {
        id_field: Some("message_tree_id".into()),
        text_field: Some("body".into()),
        ..Default::default()
    };
    let convs = ingest::read_all(&path, &options).unwrap();
    assert_eq!(convs[0].id, "m-1");
    assert_eq!(texts(&convs[0]), ["hello"]);

    let options = ImportOptions {
        id_field: Some("meta.key".into()),
        text_field: Some("body".into()),
        ..Default::default()
    };
    assert_eq!(ingest::read_all(&path, &options).unwrap()[0].id, "deep");

    // Without the text override the message has no `content`.
    let err = ingest::read_all(&path, &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("custom.jsonl:1"), "{err}");
    assert!(err.contains("messages[0].content"), "{err}");
    assert!(err.contains("--text-field"), "{err}");
}

#[test]
fn format_override_beats_detection() {
    // Kura and OpenAI records differ by their id field: forcing `kura` on
    // an OpenAI file still reads it, taking `id` as the fallback id.
    let options = ImportOptions {
        format: Some(Format::Kura),
        ..Default::default()
    };
    let convs = read_with("openai.jsonl", options);
    assert_eq!(convs[0].id, "o-1");

    // Forcing `turns` on ShareGPT data fails on the missing `turns` list.
    let options = ImportOptions {
        format: Some(Format::Turns),
        ..Default::default()
    };
    let err = ingest::read_all(&fixture("sharegpt.json"), &options)
        .unwrap_err()
        .to_string();
    assert!(err.contains("sharegpt.json:2 (record 0)"), "{err}");
    assert!(err.contains("missing field `turns`"), "{err}");
}

#[test]
fn flat_json_records_with_a_text_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("queries.json");
    std::fs::write(
        &path,
        r#"[{"query_id": "q-1", "query": "how do I log a table?", "label": "artifact", "weight": 2},
            {"query_id": "q-2", "query": "", "label": "other"}]"#,
    )
    .unwrap();
    // Detection refuses, but says what to pass.
    let err = ingest::detect(&path).unwrap_err().to_string();
    assert!(err.contains("--format openai --text-field query"), "{err}");

    let options = ImportOptions {
        format: Some(Format::Openai),
        text_field: Some("query".into()),
        id_field: Some("query_id".into()),
        ..Default::default()
    };
    let convs = ingest::read_all(&path, &options).unwrap();
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[0].id, "q-1");
    assert_eq!(roles(&convs[0]), [Role::User]);
    assert_eq!(texts(&convs[0]), ["how do I log a table?"]);
    assert_eq!(
        serde_json::Value::Object(convs[0].metadata.clone()),
        json!({"label": "artifact", "weight": 2})
    );
    assert!(convs[1].messages.is_empty());
}
