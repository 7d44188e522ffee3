//! Structured-output negotiation against the loopback mock: a server that
//! refuses `json_schema` (with 500 or 400) costs one rejected request, no
//! retries, and nothing on the next run, which starts in the mode learned.

mod support;

use futures_util::future::join_all;
use kura_tui::config::StructuredOutput;
use kura_tui::llm::{
    AnthropicChat, ChatModel, ChatRequest, ClientEvent, ClientHooks, Events, OpenAiChat,
    learned_modes,
};
use serde_json::json;
use support::mock_openai::{MockReply, MockRequest, MockServer, reject_json_schema};
use support::{TEST_KEY, settings};

fn answer(_: &MockRequest) -> MockReply {
    MockReply::json(&json!({"name": "ok"}))
}

fn ask(i: usize) -> ChatRequest {
    ChatRequest::new("summaries")
        .user(format!("prompt {i}"))
        .schema(
            "n",
            json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
        )
}

/// Sends `n` structured requests at once; returns the events.
async fn burst(chat: &OpenAiChat, from: usize, n: usize) -> Vec<String> {
    let answers = join_all((from..from + n).map(|i| chat.chat(ask(i)))).await;
    answers
        .into_iter()
        .map(|a| a.expect("answer").content)
        .collect()
}

fn client(
    base: &str,
    cache: Option<&std::path::Path>,
) -> (
    OpenAiChat,
    tokio::sync::mpsc::UnboundedReceiver<ClientEvent>,
) {
    let mut s = settings(base, "local-model");
    s.max_concurrency = 8;
    s.max_retries = 5;
    if let Some(dir) = cache {
        s = s.with_cache(dir);
    }
    let (events, rx) = Events::channel();
    let hooks = ClientHooks {
        events,
        ..Default::default()
    };
    (OpenAiChat::new(&s, hooks).unwrap(), rx)
}

fn drain(rx: &mut tokio::sync::mpsc::UnboundedReceiver<ClientEvent>) -> Vec<ClientEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

fn retries(events: &[ClientEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, ClientEvent::Retry { .. }))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_naming_response_format_falls_back_at_once() {
    let server = MockServer::start(reject_json_schema(answer));
    let (chat, mut rx) = client(&server.base_url(), None);
    let got = burst(&chat, 0, 16).await;
    assert!(got.iter().all(|c| c.contains("ok")));
    assert_eq!(
        server.count_format("json_schema"),
        1,
        "one rejected request"
    );
    assert_eq!(server.count_format("json_object"), 16);
    assert_eq!(server.request_count(), 17);
    assert_eq!(chat.structured_mode(), StructuredOutput::JsonObject);
    let events = drain(&mut rx);
    assert_eq!(retries(&events), 0, "a capability answer is not retried");
    let negotiated: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Negotiated {
                from, to, status, ..
            } => Some((from.as_str(), to.as_str(), *status)),
            _ => None,
        })
        .collect();
    assert_eq!(negotiated, [("json_schema", "json_object", 500)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_400_falls_back_the_same_way_and_twice_if_needed() {
    // Refuses json_schema and json_object: plain text with the schema in
    // the prompt is the third mode.
    let server = MockServer::start(|req: &MockRequest| match req.response_format() {
        Some(_) => MockReply::schema_unsupported(),
        None => answer(req),
    });
    let (chat, mut rx) = client(&server.base_url(), None);
    burst(&chat, 0, 12).await;
    assert_eq!(server.count_format("json_schema"), 1);
    assert_eq!(server.count_format("json_object"), 1);
    assert_eq!(server.request_count(), 14);
    assert_eq!(chat.structured_mode(), StructuredOutput::Text);
    let last = server.requests().pop().unwrap();
    assert!(
        last.system_text()
            .contains("replacing every placeholder value"),
        "the shape in the prompt"
    );
    assert_eq!(retries(&drain(&mut rx)), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_learned_mode_is_remembered_for_the_next_run() {
    let server = MockServer::start(reject_json_schema(answer));
    let cache = tempfile::tempdir().unwrap();
    {
        let (chat, _rx) = client(&server.base_url(), Some(cache.path()));
        burst(&chat, 0, 8).await;
    }
    assert_eq!(server.count_format("json_schema"), 1);
    let learned = learned_modes(cache.path());
    assert_eq!(learned.len(), 1);
    assert_eq!(learned[0].structured_output, StructuredOutput::JsonObject);
    assert_eq!(learned[0].model, "local-model");
    let file = std::fs::read_to_string(cache.path().join("capabilities.json")).unwrap();
    assert!(!file.contains(TEST_KEY), "no key on disk");

    // A new run (new prompts, so no cached answers) starts in json_object.
    let (chat, mut rx) = client(&server.base_url(), Some(cache.path()));
    assert_eq!(chat.structured_mode(), StructuredOutput::JsonObject);
    burst(&chat, 100, 8).await;
    assert_eq!(
        server.count_format("json_schema"),
        1,
        "0 rejected on the rerun"
    );
    assert_eq!(server.count_format("json_object"), 16);
    let events = drain(&mut rx);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ClientEvent::Negotiated { .. }))
    );

    // Another model at the same server is another entry.
    let mut s = settings(&server.base_url(), "other-model").with_cache(cache.path());
    s.max_retries = 0;
    let other = OpenAiChat::new(&s, ClientHooks::default()).unwrap();
    assert_eq!(other.structured_mode(), StructuredOutput::JsonSchema);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anthropic_tools_refused_with_500_fall_back_at_once() {
    let server = MockServer::start(|req: &MockRequest| {
        if req.body.get("tools").is_some() {
            MockReply::status(
                500,
                r#"{"type":"error","error":{"type":"api_error","message":"tools are not supported"}}"#,
            )
        } else {
            MockReply::json(&json!({"name": "ok"}))
        }
    });
    let mut s = settings(&server.root_url(), "claude-local");
    s.max_concurrency = 4;
    let chat = AnthropicChat::new(&s, ClientHooks::default()).unwrap();
    let answers = join_all((0..6).map(|i| chat.chat(ask(i)))).await;
    assert!(answers.iter().all(|a| a.is_ok()));
    let with_tools = server
        .requests()
        .iter()
        .filter(|r| r.body.get("tools").is_some())
        .count();
    assert_eq!(with_tools, 1);
    assert_eq!(server.request_count(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_shows_the_learned_mode_and_no_key() {
    let cli = support::cli::Cli::new();
    cli.ok(&["demo", "P", "--conversations", "30"]);
    let server = MockServer::start(reject_json_schema(answer));
    {
        let (chat, _rx) = client(&server.base_url(), Some(&cli.path("cache")));
        burst(&chat, 0, 4).await;
    }
    let text = cli.ok(&["info", "P"]);
    let line = text
        .lines()
        .find(|l| l.starts_with("server mode"))
        .unwrap_or_else(|| panic!("no server mode line in:\n{text}"));
    assert!(line.contains("json_object for local-model at"), "{line}");
    assert!(line.contains(&server.base_url()), "{line}");
    assert!(!text.contains(TEST_KEY));
    let json: serde_json::Value = serde_json::from_str(&cli.ok(&["info", "P", "--json"])).unwrap();
    assert_eq!(json["learned_modes"][0]["structured_output"], "json_object");
    assert_eq!(json["learned_modes"][0]["model"], "local-model");
    // The concurrency the client settled at is kept beside the mode.
    let line = text
        .lines()
        .find(|l| l.starts_with("server limit"))
        .unwrap_or_else(|| panic!("no server limit line in:\n{text}"));
    assert!(
        line.contains("in flight (of 8)") && line.contains("for local-model at"),
        "{line}"
    );
    let limit = json["learned_limits"][0]["limit"].as_u64().unwrap();
    assert!((1..=8).contains(&limit), "{json}");
    assert_eq!(json["learned_limits"][0]["max_concurrency"], 8);
}
