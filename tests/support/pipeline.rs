//! A deterministic LLM for whole-pipeline tests.

use serde_json::json;

use super::mock_openai::{MockReply, MockRequest, embeddings_reply};

/// A deterministic model: every kind of prompt gets a valid answer.
pub fn honest(req: &MockRequest) -> MockReply {
    if req.is_embeddings() {
        return embeddings_reply(req, 64);
    }
    let text = req.user_text();
    if text.contains("<conversation>") {
        let first = text
            .split("<user>\n")
            .nth(1)
            .and_then(|t| t.lines().next())
            .unwrap_or("something")
            .chars()
            .take(80)
            .collect::<String>();
        return MockReply::json(&json!({
            "summary": format!("The user asked: {first}"),
            "request": "The user's overall request for the assistant is to help.",
            "task": "The task is to help.",
            "languages": ["english"],
            "concerning_score": 1,
            "user_frustration": 2,
            "assistant_errors": []
        }));
    }
    if text.contains("<group_summaries>") {
        let word = text
            .split_whitespace()
            .filter(|w| w.len() > 6)
            .nth(8)
            .unwrap_or("things");
        return MockReply::json(&json!({
            "name": format!("Help with {word}"),
            "description": "Users asked for help. They differed from neighbours.",
            "slug": "help-with"
        }));
    }
    if text.contains("<proposed_names>") || text.contains("broader categories") {
        return MockReply::json(
            &json!({"names": ["Plan daily life", "Build and fix software", "Manage money"]}),
        );
    }
    if text.contains("<categories>") {
        let pick = text
            .split("<categories>")
            .nth(1)
            .and_then(|t| t.lines().find(|l| l.starts_with("- ")))
            .map(|l| l.trim_start_matches("- ").to_string())
            .unwrap_or_default();
        return MockReply::json(&json!({ "category": pick }));
    }
    MockReply::json(&json!({
        "name": "Broad theme",
        "description": "Users asked for several things. They were grouped.",
        "slug": "broad-theme"
    }))
}
