//! The native Anthropic Messages client against the mock.

mod support;

use kura_tui::config::{Config, Provider, Secret};
use kura_tui::llm::{
    ANTHROPIC_VERSION, AnthropicChat, ChatModel, ChatRequest, ClientHooks, chat_from_config,
    structured,
};
use serde::Deserialize;
use serde_json::json;
use support::mock_openai::{MockReply, MockServer};
use support::{TEST_KEY, settings};

#[derive(Debug, Deserialize)]
struct Name {
    name: String,
    slug: String,
}

fn name_request() -> ChatRequest {
    ChatRequest::new("names")
        .system("You name clusters.")
        .user("Cluster: people asking about tea")
        .schema(
            "cluster_name",
            json!({
                "type": "object",
                "properties": { "name": {"type": "string"}, "slug": {"type": "string"} },
                "required": ["name", "slug"]
            }),
        )
        .max_tokens(300)
}

#[tokio::test]
async fn structured_answers_come_from_a_forced_tool_call() {
    let server =
        MockServer::start(|_| MockReply::json(&json!({"name": "Brew tea", "slug": "brew_tea"})));
    let chat = AnthropicChat::new(
        &settings(&server.root_url(), "claude-test"),
        ClientHooks::default(),
    )
    .unwrap();
    assert_eq!(chat.identity(), "anthropic:claude-test");
    let got = structured::<Name, _>(&chat, name_request(), |_| Ok(()), 1)
        .await
        .unwrap();
    assert_eq!(got.value.name, "Brew tea");
    assert_eq!(got.value.slug, "brew_tea");
    assert!(got.usage.input_tokens > 0 && got.usage.output_tokens > 0);

    let req = &server.requests()[0];
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.header("x-api-key"), Some(TEST_KEY));
    assert_eq!(req.header("anthropic-version"), Some(ANTHROPIC_VERSION));
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.body["system"], "You name clusters.");
    assert_eq!(req.body["max_tokens"], 300);
    assert_eq!(
        req.body["messages"],
        json!([{ "role": "user", "content": "Cluster: people asking about tea" }])
    );
    assert_eq!(req.body["tools"][0]["name"], "cluster_name");
    assert_eq!(
        req.body["tools"][0]["input_schema"]["required"],
        json!(["name", "slug"])
    );
    assert_eq!(
        req.body["tool_choice"],
        json!({ "type": "tool", "name": "cluster_name" })
    );
}

#[tokio::test]
async fn plain_chat_and_overload_retries() {
    let server = MockServer::start(|req| {
        if req.seen == 0 {
            MockReply::status(
                529,
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            )
        } else {
            MockReply::text(format!("hello, {}", req.user_text()))
        }
    });
    let chat =
        AnthropicChat::new(&settings(&server.base_url(), "c"), ClientHooks::default()).unwrap();
    let got = chat
        .chat(ChatRequest::new("s").user("world"))
        .await
        .unwrap();
    assert_eq!(got.content, "hello, world");
    assert_eq!(server.request_count(), 2);
    let req = &server.requests()[1];
    // A `/v1` base is accepted too, and no tools are sent without a schema.
    assert_eq!(req.path, "/v1/messages");
    assert!(req.body.get("tools").is_none() && req.body.get("system").is_none());
}

#[tokio::test]
async fn servers_without_tools_get_the_schema_in_the_prompt() {
    let server = MockServer::start(|req| {
        if req.body.get("tools").is_some() {
            MockReply::status(
                400,
                r#"{"type":"error","error":{"type":"invalid_request_error","message":"tools: not supported"}}"#,
            )
        } else {
            MockReply::text(r#"{"name": "Brew tea", "slug": "brew_tea"}"#)
        }
    });
    let chat =
        AnthropicChat::new(&settings(&server.root_url(), "c"), ClientHooks::default()).unwrap();
    for _ in 0..2 {
        let got = structured::<Name, _>(&chat, name_request(), |_| Ok(()), 0)
            .await
            .unwrap();
        assert_eq!(got.value.slug, "brew_tea");
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3, "the fallback is remembered");
    let system = reqs[1].body["system"].as_str().unwrap();
    assert!(
        system.starts_with("You name clusters.") && system.contains("\"slug\":\"...\""),
        "{system}"
    );
}

#[tokio::test]
async fn the_factory_builds_anthropic_from_config() {
    let server = MockServer::start(|_| MockReply::text("hi"));
    let mut config = Config::default();
    config.llm.provider = Provider::Anthropic;
    config.llm.base_url = Some(server.root_url());
    config.llm.api_key = Some(Secret::new(TEST_KEY));
    let dir = tempfile::tempdir().unwrap();
    let chat = chat_from_config(&config, dir.path(), &ClientHooks::default()).unwrap();
    assert_eq!(chat.identity(), "anthropic:claude-3-5-haiku-latest");
    assert_eq!(
        chat.chat(ChatRequest::new("s").user("x"))
            .await
            .unwrap()
            .content,
        "hi"
    );
    assert!(
        chat.chat(ChatRequest::new("s").user("x"))
            .await
            .unwrap()
            .cached
    );
    assert_eq!(server.request_count(), 1);
}
