//! Property tests for the input loaders: the fast companion, run by
//! `cargo test`, of the fuzz targets in `fuzz/` (README, Fuzzing).
//!
//! - Arbitrary bytes and JSON-like token soup never panic any loader, and an
//!   import that skips invalid records agrees with one that stops on them.
//! - Generated conversations survive a round trip through every layout the
//!   loaders read (JSONL, array, pretty objects, ShareGPT, turns, CSV),
//!   with the format detected from the content.
//! - The streaming JSON reader splits any array into exactly its elements,
//!   whatever its read buffer's size.

use std::collections::HashSet;
use std::path::Path;

use kura_tui::Error;
use kura_tui::ingest::fuzzing::{Piece, json_records};
use kura_tui::ingest::{self, Format, ImportOptions, ImportReport};
use kura_tui::model::{Conversation, Role};
use proptest::prelude::*;
use serde_json::{Value, json};

const FORMATS: [Format; 7] = [
    Format::Kura,
    Format::Openai,
    Format::Sharegpt,
    Format::Claude,
    Format::Chatgpt,
    Format::Csv,
    Format::Turns,
];

fn import(
    path: &Path,
    format: Option<Format>,
    skip: bool,
) -> (kura_tui::Result<ImportReport>, Vec<Conversation>) {
    let options = ImportOptions {
        format,
        skip_invalid: skip,
        ..ImportOptions::default()
    };
    let mut out = Vec::new();
    let result = ingest::import_with(path, &options, None, |c| {
        out.push(c);
        Ok(())
    });
    (result, out)
}

/// Lenient and strict imports of `path` agree, and ids are unique.
fn check_agreement(path: &Path, format: Option<Format>) -> Result<(), TestCaseError> {
    let (lenient, convs) = import(path, format, true);
    let (strict, strict_convs) = import(path, format, false);
    let ids: HashSet<&str> = convs.iter().map(|c| c.id.as_str()).collect();
    prop_assert_eq!(ids.len(), convs.len());
    prop_assert!(convs.iter().all(|c| !c.id.is_empty()));
    match lenient {
        Ok(report) if report.skipped == 0 => {
            prop_assert!(strict.is_ok(), "{:?}", strict.err());
            prop_assert_eq!(strict_convs, convs);
        }
        Ok(_) => {
            let is_input = matches!(strict, Err(Error::Input { .. }));
            prop_assert!(is_input, "{:?}", strict);
            prop_assert_eq!(&convs[..strict_convs.len()], &strict_convs[..]);
        }
        Err(e) => {
            prop_assert!(strict.is_err());
            let text = e.to_string();
            prop_assert!(text.contains(&*path.to_string_lossy()), "{}", text);
        }
    }
    Ok(())
}

/// JSON-ish text: the loaders' own field names among brackets and values.
fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    let tokens = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\n",
        " ",
        "\"",
        "\\",
        "\"messages\"",
        "\"role\"",
        "\"user\"",
        "\"assistant\"",
        "\"content\"",
        "\"id\"",
        "\"chat_id\"",
        "\"mapping\"",
        "\"conversations\"",
        "\"from\"",
        "\"value\"",
        "\"human\"",
        "\"turns\"",
        "\"speaker\"",
        "\"text\"",
        "\"chat_messages\"",
        "\"sender\"",
        "\"parts\"",
        "\"children\"",
        "\"parent\"",
        "\"metadata\"",
        "\"created_at\"",
        "\"2024-01-01T00:00:00Z\"",
        "1",
        "-0",
        "1e999",
        "null",
        "true",
        "\"x\"",
        "\u{feff}",
        "\u{fffd}",
        "id,text\n",
        "\"a\"\"b\"",
    ]);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        prop::collection::vec(tokens, 0..80).prop_map(|t| t.concat().into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn loaders_take_any_bytes(bytes in token_soup(), which in 0usize..8) {
        let dir = tempfile::tempdir().unwrap();
        let format = FORMATS.get(which).copied();
        let name = if format == Some(Format::Csv) { "in.csv" } else { "in.json" };
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        check_agreement(&path, format)?;
    }

    #[test]
    fn stream_splits_arrays_into_elements(
        values in prop::collection::vec(json_value(), 0..6),
        pretty in any::<bool>(),
        buffer in 1usize..40,
    ) {
        let text = if pretty {
            serde_json::to_string_pretty(&values).unwrap()
        } else {
            serde_json::to_string(&values).unwrap()
        };
        let pieces = json_records(text.as_bytes(), Some(1), buffer);
        let parsed: Vec<Value> = pieces
            .iter()
            .map(|p| match p {
                Piece::Record { bytes, .. } => serde_json::from_slice(bytes).unwrap(),
                other => panic!("{other:?} in {text}"),
            })
            .collect();
        prop_assert_eq!(parsed, values);
    }

    #[test]
    fn conversations_round_trip(convs in prop::collection::vec(conversation(), 1..6), layout in 0usize..5) {
        // Unique ids: the position, then the generated id.
        let convs: Vec<Generated> = convs
            .into_iter()
            .enumerate()
            .map(|(i, (id, m))| (format!("{i}-{id}"), m))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let (name, bytes) = write_layout(&convs, layout);
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let (result, got) = import(&path, None, false);
        prop_assert!(result.is_ok(), "{:?}", result.err());
        prop_assert_eq!(got.len(), convs.len());
        for (g, (id, messages)) in got.iter().zip(&convs) {
            prop_assert_eq!(&g.id, id);
            let seen: Vec<(bool, &str)> = g
                .messages
                .iter()
                .map(|m| (m.role == Role::User, m.content.as_str()))
                .collect();
            let want: Vec<(bool, &str)> = messages.iter().map(|(u, t)| (*u, t.as_str())).collect();
            prop_assert_eq!(seen, want);
        }
    }

    #[test]
    fn csv_rows_round_trip(texts in prop::collection::vec(message_text(), 1..8)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(["id", "text"]).unwrap();
        for (i, t) in texts.iter().enumerate() {
            w.write_record([format!("r{i}").as_str(), t.as_str()]).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        let (result, got) = import(&path, None, false);
        prop_assert!(result.is_ok(), "{:?}", result.err());
        let contents: Vec<&str> = got.iter().map(|c| c.messages[0].content.as_str()).collect();
        let want: Vec<&str> = texts.iter().map(String::as_str).collect();
        prop_assert_eq!(contents, want);
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z\"\\\\\\[\\]{},: \n]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec(("[a-z\"\\]]{1,4}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Text with quotes, backslashes, brackets and inner newlines, no outer
/// whitespace.
fn message_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9é\"\\\\,;|{}\\[\\]]{1,6}([ \n][a-zA-Z0-9é\"\\\\,;|{}\\[\\]]{1,6}){0,3}"
}

type Generated = (String, Vec<(bool, String)>);

fn conversation() -> impl Strategy<Value = Generated> {
    (
        "[a-z0-9]{1,8}",
        prop::collection::vec((any::<bool>(), message_text()), 1..4),
    )
}

/// The conversations in one of five layouts, with the file name to use.
fn write_layout(convs: &[Generated], layout: usize) -> (&'static str, Vec<u8>) {
    let openai: Vec<Value> = convs
        .iter()
        .map(|(id, messages)| {
            let messages: Vec<Value> = messages
                .iter()
                .map(|(user, text)| json!({"role": if *user { "user" } else { "assistant" }, "content": text}))
                .collect();
            json!({"id": id, "messages": messages})
        })
        .collect();
    let lines = |values: &[Value]| -> Vec<u8> {
        values
            .iter()
            .map(|v| format!("{v}\n"))
            .collect::<String>()
            .into_bytes()
    };
    match layout {
        0 => ("chats.jsonl", lines(&openai)),
        1 => ("chats.json", serde_json::to_vec_pretty(&openai).unwrap()),
        2 => {
            let objects: Vec<String> = openai
                .iter()
                .map(|v| serde_json::to_string_pretty(v).unwrap())
                .collect();
            ("chats.json", objects.join("\n").into_bytes())
        }
        3 => {
            let share: Vec<Value> = convs
                .iter()
                .map(|(id, messages)| {
                    let turns: Vec<Value> = messages
                        .iter()
                        .map(|(user, text)| json!({"from": if *user { "human" } else { "gpt" }, "value": text}))
                        .collect();
                    json!({"id": id, "conversations": turns})
                })
                .collect();
            ("share.json", serde_json::to_vec(&share).unwrap())
        }
        _ => {
            let turns: Vec<Value> = convs
                .iter()
                .map(|(id, messages)| {
                    let turns: Vec<Value> = messages
                        .iter()
                        .map(|(user, text)| json!({"speaker": if *user { "user" } else { "assistant" }, "text": text}))
                        .collect();
                    json!({"id": id, "turns": turns})
                })
                .collect();
            ("turns.jsonl", lines(&turns))
        }
    }
}
