//! Lenient parsing of small models' answers against the loopback mock:
//! each predictable way of breaking JSON is fixed without a repair round
//! trip, counted, and reported as a client event.

mod support;

use kura_tui::llm::{
    ChatRequest, ClientEvent, ClientHooks, Events, OpenAiChat, ParseFixes, structured,
};
use serde::Deserialize;
use serde_json::json;
use support::mock_openai::{MockReply, MockRequest, MockServer};
use support::settings;

#[derive(Debug, Deserialize, PartialEq)]
struct Facets {
    summary: String,
    languages: Vec<String>,
    score: Option<i64>,
    #[serde(default)]
    topic: String,
}

fn schema() -> serde_json::Value {
    json!({
        "type": "object",
        "properties": {
            "summary": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
            "topic": {"type": "string"}
        },
        "required": ["summary", "languages", "score", "topic"],
        "additionalProperties": false
    })
}

/// Asks the mock, which answers `answer` verbatim, and returns the value,
/// the fixes, the requests made and the `Lenient` events.
async fn ask(answer: &'static str) -> (Facets, ParseFixes, usize, Vec<ParseFixes>) {
    let server = MockServer::start(move |_: &MockRequest| MockReply::text(answer));
    let (events, mut rx) = Events::channel();
    let hooks = ClientHooks {
        events,
        ..Default::default()
    };
    let chat = OpenAiChat::new(&settings(&server.base_url(), "small"), hooks).unwrap();
    let req = ChatRequest::new("summaries")
        .user("hi")
        .schema("facets", schema());
    let got = structured::<Facets, _>(&chat, req, |_| Ok(()), 2)
        .await
        .expect("usable without a repair");
    let mut reported = Vec::new();
    while let Ok(e) = rx.try_recv() {
        if let ClientEvent::Lenient { fixes, .. } = e {
            reported.push(fixes);
        }
    }
    (got.value, got.fixes, server.request_count(), reported)
}

fn expected(score: Option<i64>) -> Facets {
    Facets {
        summary: "Asked about Rust.".into(),
        languages: vec!["english".into()],
        score,
        topic: "code".into(),
    }
}

/// Checks one case: one request, the value, and exactly `kinds` fixed.
async fn case(answer: &'static str, value: Facets, kinds: &[&str]) {
    let (got, fixes, requests, reported) = ask(answer).await;
    assert_eq!(got, value, "{answer}");
    assert_eq!(requests, 1, "no repair round trip for {answer}");
    let named: Vec<&str> = fixes
        .kinds()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(named, kinds, "{answer}");
    assert_eq!(reported, vec![fixes], "reported as one event");
}

const GOOD: &str =
    r#"{"summary": "Asked about Rust.", "languages": ["english"], "score": 2, "topic": "code"}"#;

#[tokio::test]
async fn json_in_fences_and_prose() {
    let (fenced, _, _, _) = ask(concat!(
        "Sure! Here is the JSON:\n```json\n",
        r#"{"summary": "Asked about Rust.", "languages": ["english"], "score": 2, "topic": "code"}"#,
        "\n```\nLet me know!"
    ))
    .await;
    assert_eq!(fenced, expected(Some(2)));
    case(
        r#"The answer is {"summary": "Asked about Rust.", "languages": ["english"], "score": 2, "topic": "code"} as requested."#,
        expected(Some(2)),
        &["JSON among prose"],
    )
    .await;
}

#[tokio::test]
async fn trailing_commas() {
    case(
        r#"{"summary": "Asked about Rust.", "languages": ["english",], "score": 2, "topic": "code",}"#,
        expected(Some(2)),
        &["trailing commas"],
    )
    .await;
}

#[tokio::test]
async fn single_quotes() {
    case(
        r#"{'summary': 'Asked about Rust.', 'languages': ['english'], 'score': 2, 'topic': 'code'}"#,
        expected(Some(2)),
        &["single quotes"],
    )
    .await;
}

#[tokio::test]
async fn numbers_as_strings() {
    case(
        r#"{"summary": "Asked about Rust.", "languages": ["english"], "score": "2", "topic": "code"}"#,
        expected(Some(2)),
        &["numbers as strings"],
    )
    .await;
}

#[tokio::test]
async fn a_list_given_as_a_string() {
    case(
        r#"{"summary": "Asked about Rust.", "languages": "english", "score": 2, "topic": "code"}"#,
        expected(Some(2)),
        &["lists as strings"],
    )
    .await;
}

#[tokio::test]
async fn missing_optional_facets_are_filled() {
    case(
        r#"{"summary": "Asked about Rust.", "languages": ["english"]}"#,
        Facets {
            topic: String::new(),
            ..expected(None)
        },
        &["missing fields filled"],
    )
    .await;
}

#[tokio::test]
async fn extra_fields_are_dropped() {
    case(
        r#"{"summary": "Asked about Rust.", "languages": ["english"], "score": 2, "topic": "code", "mood": "fine"}"#,
        expected(Some(2)),
        &["extra fields dropped"],
    )
    .await;
}

#[tokio::test]
async fn clean_json_needs_no_fix_and_reports_nothing() {
    let (got, fixes, requests, reported) = ask(GOOD).await;
    assert_eq!(got, expected(Some(2)));
    assert!(fixes.is_empty());
    assert_eq!(requests, 1);
    assert!(reported.is_empty());
}

#[tokio::test]
async fn what_cannot_be_fixed_is_still_repaired() {
    // "high" is no number: the repair round trip asks again.
    let server = MockServer::start(|req: &MockRequest| {
        if req.messages().len() == 1 {
            MockReply::text(r#"{"summary": "x", "languages": [], "score": "high", "topic": ""}"#)
        } else {
            MockReply::text(r#"{"summary": "x", "languages": [], "score": 3, "topic": "",}"#)
        }
    });
    let chat = OpenAiChat::new(
        &settings(&server.base_url(), "small"),
        ClientHooks::default(),
    )
    .unwrap();
    let req = ChatRequest::new("summaries")
        .user("hi")
        .schema("facets", schema());
    let got = structured::<Facets, _>(&chat, req, |_| Ok(()), 2)
        .await
        .unwrap();
    assert_eq!(got.value.score, Some(3));
    assert_eq!(got.attempts, 2);
    assert_eq!(got.fixes.reasked, 1);
    assert_eq!(got.fixes.trailing_commas, 1);
    assert_eq!(server.request_count(), 2);
}
