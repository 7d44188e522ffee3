//! Anthropic's native Messages API (`POST <root>/v1/messages`).
//!
//! System messages go in the top-level `system` field. A request with a
//! schema is sent as a forced tool call whose `input_schema` is the schema,
//! and the tool input is the answer. With `structured_output` set to
//! `json_object` or `text` (or when a compatible server rejects tools under
//! `auto`) the schema goes into the system prompt instead.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use super::base_url::{anthropic_base, endpoint};
use super::cache::Cache;
use super::core::{ChatCore, schema_instruction};
use super::events::ClientHooks;
use super::http::{Failure, Transport};
use super::settings::ClientSettings;
use super::types::{
    BoxFuture, ChatModel, ChatRequest, ChatResponse, ChatRole, Usage, estimate_tokens,
};
use crate::config::StructuredOutput;
use crate::error::Result;

pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// A chat client for the Anthropic Messages API.
pub struct AnthropicChat {
    core: ChatCore,
    /// Ask for structured answers through a forced tool call.
    use_tool: AtomicBool,
    fallback: bool,
}

impl AnthropicChat {
    pub fn new(settings: &ClientSettings, hooks: ClientHooks) -> Result<Self> {
        let root = anthropic_base(&settings.base_url, "llm.base_url")?;
        let auth: Vec<(&'static str, String)> = settings
            .api_key
            .iter()
            .map(|k| ("x-api-key", k.expose().to_string()))
            .collect();
        let transport = Transport::new(settings, &auth, hooks)?
            .with_header("anthropic-version", ANTHROPIC_VERSION);
        let (use_tool, fallback) = match settings.structured_output {
            StructuredOutput::Auto => (true, true),
            StructuredOutput::JsonSchema => (true, false),
            StructuredOutput::JsonObject | StructuredOutput::Text => (false, false),
        };
        Ok(AnthropicChat {
            core: ChatCore {
                transport,
                cache: settings.cache_dir.as_ref().map(Cache::new),
                provider: "anthropic",
                model: settings.model.clone(),
                url: endpoint(&root, "v1/messages")?,
            },
            use_tool: AtomicBool::new(use_tool),
            fallback,
        })
    }

    fn body(&self, req: &ChatRequest, use_tool: bool) -> Value {
        let mut system: Vec<&str> = req
            .messages
            .iter()
            .filter(|m| m.role == ChatRole::System)
            .map(|m| m.content.as_str())
            .collect();
        let instruction = req.schema.as_ref().map(schema_instruction);
        if !use_tool && let Some(i) = &instruction {
            system.push(i);
        }
        let messages: Vec<Value> = req
            .messages
            .iter()
            .filter(|m| m.role != ChatRole::System)
            .map(|m| json!({ "role": m.role.as_str(), "content": m.content }))
            .collect();
        let mut body = json!({
            "model": self.core.model,
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
        });
        if !system.is_empty() {
            body["system"] = json!(system.join("\n\n"));
        }
        body["messages"] = Value::Array(messages);
        if let (Some(spec), true) = (&req.schema, use_tool) {
            body["tools"] = json!([{
                "name": spec.name,
                "description": "Record the answer in this structure.",
                "input_schema": spec.schema,
            }]);
            body["tool_choice"] = json!({ "type": "tool", "name": spec.name });
        }
        body
    }

    async fn send(&self, req: &ChatRequest) -> Result<(String, Option<Usage>)> {
        let est = estimate_tokens(req.input_chars());
        loop {
            let use_tool = self.use_tool.load(Ordering::Relaxed);
            let body = self.body(req, use_tool);
            let reply = self
                .core
                .transport
                .post_json(&req.tag, &self.core.url, &body, est)
                .await;
            match reply {
                Ok(v) => return self.parse(&req.tag, &v, use_tool && req.schema.is_some()),
                Err(Failure::Status { code, body, .. })
                    if (400..500).contains(&code)
                        && use_tool
                        && self.fallback
                        && req.schema.is_some()
                        && body.to_ascii_lowercase().contains("tool") =>
                {
                    self.use_tool.store(false, Ordering::Relaxed);
                    tracing::info!(model = %self.core.model, "server rejected tools; asking for JSON in the prompt");
                }
                Err(f) => return Err(f.into_error(&self.core.what(&req.tag))),
            }
        }
    }

    fn parse(&self, tag: &str, v: &Value, want_tool: bool) -> Result<(String, Option<Usage>)> {
        let blocks = match v.get("content").and_then(Value::as_array) {
            Some(b) => b,
            None => return Err(self.core.bad_answer(tag, "no content blocks", v)),
        };
        let tool_input = blocks
            .iter()
            .find(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
            .and_then(|b| b.get("input"));
        let content = match tool_input {
            Some(input) if want_tool => input.to_string(),
            _ => blocks
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(""),
        };
        let usage = v.get("usage").and_then(|u| {
            Some(Usage {
                input_tokens: u.get("input_tokens")?.as_u64()?,
                output_tokens: u.get("output_tokens").and_then(Value::as_u64).unwrap_or(0),
            })
        });
        Ok((content, usage))
    }
}

impl ChatModel for AnthropicChat {
    fn name(&self) -> String {
        format!("anthropic:{}", self.core.model)
    }

    fn chat<'a>(&'a self, req: ChatRequest) -> BoxFuture<'a, Result<ChatResponse>> {
        Box::pin(async move { self.core.call(&req, |r| self.send(r)).await })
    }
}
