//! Structured output against the mock: the json_schema → json_object → text
//! fallback, the remembered mode, and the repair loop.

mod support;

use kura_tui::config::StructuredOutput;
use kura_tui::llm::{ChatRequest, ClientHooks, OpenAiChat, structured};
use serde::Deserialize;
use serde_json::{Value, json};
use support::mock_openai::{MockReply, MockServer};
use support::settings;

#[derive(Debug, Deserialize, PartialEq)]
struct Facets {
    summary: String,
    concerning_score: u8,
}

fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "summary": { "type": "string" },
            "concerning_score": { "type": "integer", "minimum": 1, "maximum": 5 }
        },
        "required": ["summary", "concerning_score"],
        "additionalProperties": false
    })
}

fn request(prompt: &str) -> ChatRequest {
    ChatRequest::new("summaries")
        .system("You summarise conversations.")
        .user(prompt)
        .schema("conversation summary", schema())
}

fn score_in_range(f: &Facets) -> Result<(), String> {
    if (1..=5).contains(&f.concerning_score) {
        Ok(())
    } else {
        Err(format!(
            "concerning_score must be 1 to 5, not {}",
            f.concerning_score
        ))
    }
}

fn good(prompt: &str) -> String {
    json!({ "summary": format!("about {prompt}"), "concerning_score": 1 }).to_string()
}

#[tokio::test]
async fn falls_back_from_json_schema_to_json_object_to_text_and_remembers() {
    let server = MockServer::start(|req| match req.response_format() {
        Some("json_schema") => MockReply::schema_unsupported(),
        Some(_) => MockReply::status(
            400,
            r#"{"error":{"message":"'response_format' is not supported by this server"}}"#,
        ),
        None => MockReply::text(format!(
            "Here is the JSON you asked for:\n```json\n{}\n```",
            good(&req.user_text())
        )),
    });
    let chat = OpenAiChat::new(&settings(&server.base_url(), "m"), ClientHooks::default()).unwrap();
    let got = structured::<Facets, _>(&chat, request("tea"), score_in_range, 2)
        .await
        .unwrap();
    assert_eq!(got.value.summary, "about tea");
    assert_eq!(got.attempts, 1);
    assert_eq!(chat.structured_mode(), StructuredOutput::Text);

    let reqs = server.requests();
    let formats: Vec<Option<&str>> = reqs.iter().map(|r| r.response_format()).collect();
    assert_eq!(formats, [Some("json_schema"), Some("json_object"), None]);
    let sent_schema = &reqs[0].body["response_format"]["json_schema"];
    assert_eq!(sent_schema["name"], "conversation_summary");
    assert_eq!(sent_schema["schema"], schema());
    assert_eq!(sent_schema["strict"], true);
    // Without json_schema, the schema travels in the system prompt.
    for r in &reqs[1..] {
        let system = r.system_text();
        assert!(
            system.starts_with("You summarise conversations."),
            "{system}"
        );
        assert!(
            system.contains("concerning_score") && system.contains("JSON"),
            "{system}"
        );
    }

    // The working mode is remembered: one request per call from now on.
    let got = structured::<Facets, _>(&chat, request("coffee"), score_in_range, 2)
        .await
        .unwrap();
    assert_eq!(got.value.summary, "about coffee");
    assert_eq!(server.request_count(), 4);
    assert_eq!(server.requests()[3].response_format(), None);
}

#[tokio::test]
async fn json_object_is_used_when_only_json_schema_is_rejected() {
    let server = MockServer::start(|req| match req.response_format() {
        Some("json_schema") => MockReply::schema_unsupported(),
        _ => MockReply::text(good(&req.user_text())),
    });
    let chat = OpenAiChat::new(&settings(&server.base_url(), "m"), ClientHooks::default()).unwrap();
    for p in ["a", "b"] {
        let got = structured::<Facets, _>(&chat, request(p), score_in_range, 0)
            .await
            .unwrap();
        assert_eq!(got.value.summary, format!("about {p}"));
    }
    let formats: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.response_format().map(str::to_string))
        .collect();
    assert_eq!(
        formats,
        [
            Some("json_schema".to_string()),
            Some("json_object".to_string()),
            Some("json_object".to_string())
        ]
    );
    assert_eq!(chat.structured_mode(), StructuredOutput::JsonObject);
}

#[tokio::test]
async fn repair_loop_reasks_with_the_error() {
    // First a schema-violating answer, then one the caller's rule rejects
    // (an out-of-range score would be clamped without a re-ask), then a
    // good one.
    let server = MockServer::start(|req| match req.messages().len() {
        2 => MockReply::text(r#"{"summary": "x", "concerning": 2}"#),
        4 => MockReply::text(r#"{"summary": "x", "concerning_score": 2}"#),
        _ => MockReply::text(good("fixed")),
    });
    let chat = OpenAiChat::new(&settings(&server.base_url(), "m"), ClientHooks::default()).unwrap();
    let long_enough = |f: &Facets| {
        if f.summary.len() < 3 {
            Err(format!("summary must say more than {:?}", f.summary))
        } else {
            Ok(())
        }
    };
    let got = structured::<Facets, _>(&chat, request("p"), long_enough, 3)
        .await
        .unwrap();
    assert_eq!(got.value.summary, "about fixed");
    assert_eq!(got.attempts, 3);
    assert_eq!(server.request_count(), 3);
    let reqs = server.requests();
    let second = reqs[1].messages();
    assert_eq!(second[2]["role"], "assistant");
    assert_eq!(second[2]["content"], r#"{"summary": "x", "concerning": 2}"#);
    assert_eq!(second[3]["role"], "user");
    let complaint = second[3]["content"].as_str().unwrap();
    assert!(
        complaint.contains("missing field `concerning_score`"),
        "{complaint}"
    );
    let third = reqs[2].user_text();
    assert!(
        third.contains(r#"summary must say more than "x""#),
        "{third}"
    );
    // Usage adds up over the attempts.
    assert!(got.usage.input_tokens > 0 && got.usage.output_tokens > 0);
}

#[tokio::test]
async fn repair_gives_up_with_a_clear_error() {
    let server = MockServer::start(|_| MockReply::text("I'd rather not answer in JSON."));
    let chat = OpenAiChat::new(&settings(&server.base_url(), "m"), ClientHooks::default()).unwrap();
    let err = structured::<Facets, _>(&chat, request("p"), score_in_range, 2)
        .await
        .unwrap_err();
    assert_eq!(server.request_count(), 3);
    let msg = err.to_string();
    assert!(matches!(err, kura_tui::Error::Llm(_)));
    assert!(
        msg.contains("openai:m") && msg.contains("`summaries`"),
        "{msg}"
    );
    assert!(
        msg.contains("3 attempt(s)") && msg.contains("no JSON object"),
        "{msg}"
    );
    assert!(msg.contains("rather not"), "{msg}");
}

#[tokio::test]
async fn a_forced_mode_is_used_from_the_start() {
    let server = MockServer::start(|req| MockReply::text(good(&req.user_text())));
    let mut s = settings(&server.base_url(), "m");
    s.structured_output = StructuredOutput::Text;
    let chat = OpenAiChat::new(&s, ClientHooks::default()).unwrap();
    structured::<Facets, _>(&chat, request("p"), score_in_range, 0)
        .await
        .unwrap();
    let req = &server.requests()[0];
    assert_eq!(req.response_format(), None);
    assert!(
        req.system_text()
            .contains(r#"{"summary":"...","concerning_score":1}"#)
    );
}

#[tokio::test]
async fn a_forced_json_schema_does_not_fall_back() {
    let server = MockServer::start(|_| MockReply::schema_unsupported());
    let mut s = settings(&server.base_url(), "m");
    s.structured_output = StructuredOutput::JsonSchema;
    let chat = OpenAiChat::new(&s, ClientHooks::default()).unwrap();
    let err = structured::<Facets, _>(&chat, request("p"), score_in_range, 0)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(server.request_count(), 1);
    assert!(
        err.contains("HTTP 400") && err.contains("json_schema"),
        "{err}"
    );
}

/// Answers like SmolLM2-135M on llama-cpp-python's server: it copies the
/// first JSON object it is shown in the system prompt, filling text
/// placeholders. Shown a JSON schema it answered with the schema's own
/// shape (`"type": "object", "properties": ...`).
fn copycat(req: &support::mock_openai::MockRequest) -> MockReply {
    let system = req.system_text();
    let shown = system
        .find('{')
        .and_then(|i| kura_tui::llm::extract_json(&system[i..]))
        .unwrap_or("{}")
        .replace("\"...\"", "\"Booked a table for two.\"");
    MockReply::text(shown)
}

#[tokio::test]
async fn a_model_that_copies_the_shape_it_is_shown_answers_in_the_right_shape() {
    let server = MockServer::start(copycat);
    let mut s = settings(&server.base_url(), "m");
    s.structured_output = StructuredOutput::JsonObject;
    let chat = OpenAiChat::new(&s, ClientHooks::default()).unwrap();
    let got = structured::<Facets, _>(&chat, request("p"), score_in_range, 2)
        .await
        .unwrap();
    assert_eq!(
        got.value,
        Facets {
            summary: "Booked a table for two.".into(),
            concerning_score: 1
        }
    );
    assert_eq!(server.request_count(), 1, "no repair needed");
    let system = server.requests()[0].system_text();
    assert!(!system.contains("properties"), "{system}");
    assert!(
        system.contains("- concerning_score is an integer from 1 to 5"),
        "{system}"
    );
}

/// Answers like llama-cpp-python's server with SmolLM2-135M in
/// `json_object` mode: held to the schema when the request carries one,
/// nested nonsense when it only gets generic JSON.
fn llama_cpp_python(req: &support::mock_openai::MockRequest) -> MockReply {
    match req.response_format() {
        Some("json_schema") => MockReply::schema_rejected_500(),
        _ if req.body.pointer("/response_format/schema").is_some() => {
            MockReply::text(r#"{ "summary": "Booked a table for two.", "concerning_score": 1 }"#)
        }
        _ => MockReply::text(r#"{"summary": {"user_frustration": 1, "assistant_errors": []}}"#),
    }
}

#[tokio::test]
async fn json_object_requests_carry_the_schema() {
    let server = MockServer::start(llama_cpp_python);
    let chat = OpenAiChat::new(&settings(&server.base_url(), "m"), ClientHooks::default()).unwrap();
    let got = structured::<Facets, _>(&chat, request("p"), score_in_range, 0)
        .await
        .unwrap();
    assert_eq!(got.value.summary, "Booked a table for two.");
    assert_eq!(chat.structured_mode(), StructuredOutput::JsonObject);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "one refusal, one answer");
    assert_eq!(reqs[1].body["response_format"]["type"], "json_object");
    assert_eq!(reqs[1].body["response_format"]["schema"], schema());
}
