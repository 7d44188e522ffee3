//! A deterministic LLM for whole-pipeline tests, and projects wired to
//! the mock.

#![allow(dead_code)]

use std::collections::HashMap;

use kura_tui::config::{ProcessEnv, Secret};
use kura_tui::model::Conversation;
use kura_tui::pipeline::{self, Cancel, RunOptions};
use kura_tui::project::Project;
use kura_tui::project::store::StoreWriter;
use serde_json::json;

use super::mock_openai::{MockReply, MockRequest, embeddings_reply};

/// The key every mock-backed project sends.
pub const PIPELINE_KEY: &str = "sk-test-0123456789abcdefSECRETKEY";

/// A project of `conversations` in a fresh temporary directory, with its
/// chat and embeddings pointed at a mock's `base_url` (8 requests in
/// flight, 2 retries).
pub struct MockProject {
    pub dir: tempfile::TempDir,
    pub project: Project,
}

impl MockProject {
    pub fn new(base_url: &str, conversations: impl IntoIterator<Item = Conversation>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        let (layout, lock) = Project::create(&root, false).unwrap();
        let mut w =
            StoreWriter::create(&layout.conversations(), &layout.conversations_index()).unwrap();
        for c in conversations {
            w.push(&c).unwrap();
        }
        w.finish().unwrap();
        drop(lock);
        let env = HashMap::from([("KURA_CONFIG_DIR".to_string(), "/nonexistent".to_string())]);
        let mut project = Project::open(&root, &env).unwrap();
        let c = &mut project.config;
        c.llm.base_url = Some(base_url.to_string());
        c.llm.api_key = Some(Secret::new(PIPELINE_KEY));
        c.llm.model = Some("mock-model".into());
        c.llm.max_retries = 2;
        c.llm.max_concurrency = 8;
        c.embedding.base_url = Some(base_url.to_string());
        c.embedding.api_key = Some(Secret::new(PIPELINE_KEY));
        c.embedding.model = Some("mock-embed".into());
        MockProject { dir, project }
    }

    /// Runs the missing stages (not offline), discarding the events.
    pub async fn run(&self) -> kura_tui::Result<pipeline::RunOutput> {
        self.run_with_events().await.0
    }

    /// Runs the missing stages (not offline); returns the events too.
    pub async fn run_with_events(
        &self,
    ) -> (kura_tui::Result<pipeline::RunOutput>, Vec<pipeline::Event>) {
        let (tx, mut rx) = pipeline::events::channel();
        let drain = tokio::spawn(async move {
            let mut events = Vec::new();
            while let Some(e) = rx.recv().await {
                events.push(e);
            }
            events
        });
        let out = self.run_sending(tx).await;
        let events = drain.await.unwrap_or_default();
        (out, events)
    }

    /// Runs the missing stages (not offline), sending events on `tx`.
    pub async fn run_sending(
        &self,
        tx: pipeline::EventSender,
    ) -> kura_tui::Result<pipeline::RunOutput> {
        pipeline::run_project(
            &self.project.layout,
            &self.project.config,
            false,
            &RunOptions::default(),
            tx,
            Cancel::new(),
            &ProcessEnv,
        )
        .await
    }
}

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
