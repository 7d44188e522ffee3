//! Anthropic's native Messages API (`POST <root>/v1/messages`).
//!
//! System messages go in the top-level `system` field. A request with a
//! schema is sent as a forced tool call whose `input_schema` is the schema,
//! and the tool input is the answer. With `structured_output` set to
//! `json_object` or `text` (or when a compatible server rejects tools under
//! `auto`) the schema goes into the system prompt instead; the rejection
//! is negotiated and remembered as for OpenAI (see [`super::capability`]).

use serde_json::{Value, json};

use super::base_url::{anthropic_base, endpoint};
use super::cache::Cache;
use super::capability::{Negotiator, mode_name};
use super::core::{ChatCore, schema_instruction};
use super::events::{ClientEvent, ClientHooks};
use super::http::{Failure, Transport};
use super::learned::Memory;
use super::settings::ClientSettings;
use super::types::{
    BoxFuture, ChatModel, ChatRequest, ChatResponse, ChatRole, Usage, estimate_tokens,
};
use crate::config::StructuredOutput;
use crate::error::Result;

pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// A forced tool call, then the schema in the prompt.
const LADDER: &[StructuredOutput] = &[StructuredOutput::JsonSchema, StructuredOutput::Text];

/// A chat client for the Anthropic Messages API.
pub struct AnthropicChat {
    core: ChatCore,
    /// Rung 0 asks for structured answers through a forced tool call.
    modes: Negotiator,
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
        let url = endpoint(&root, "v1/messages")?;
        let memory = settings.cache_dir.as_ref().map(|dir| Memory {
            cache_dir: dir.clone(),
            provider: "anthropic",
            url: url.clone(),
            model: settings.model.clone(),
        });
        let transport = match &memory {
            Some(m) => transport.remembering_limits(m.clone()),
            None => transport,
        };
        Ok(AnthropicChat {
            core: ChatCore {
                transport,
                cache: settings.cache_dir.as_ref().map(Cache::new),
                provider: "anthropic",
                model: settings.model.clone(),
                url,
            },
            modes: Negotiator::new(LADDER, settings.structured_output, memory),
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
        let structured = req.schema.is_some();
        loop {
            let _gate = match structured {
                true => self.modes.enter().await,
                false => None,
            };
            let level = self.modes.level();
            let use_tool = level == 0;
            let body = self.body(req, use_tool);
            let may_fall_back = structured && self.modes.can_fall_back(level);
            let capability = move |lower: &str| may_fall_back && lower.contains("tool");
            let reply = self
                .core
                .transport
                .post_json(&req.tag, &self.core.url, &body, est, Some(&capability))
                .await;
            match reply {
                Ok(v) => {
                    if structured {
                        self.modes.succeeded(level);
                    }
                    return self.parse(&req.tag, &v, use_tool && structured);
                }
                Err(Failure::Status { code, body, .. })
                    if code >= 400 && capability(&body.to_ascii_lowercase()) =>
                {
                    if let Some((from, to)) = self.modes.rejected(level) {
                        tracing::info!(model = %self.core.model, status = code, "server rejected tools; asking for JSON in the prompt");
                        self.core
                            .transport
                            .hooks
                            .events
                            .emit(ClientEvent::Negotiated {
                                tag: req.tag.clone(),
                                from: mode_name(from).into(),
                                to: mode_name(to).into(),
                                status: code,
                            });
                    }
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
    fn identity(&self) -> String {
        format!("anthropic:{}", self.core.model)
    }

    fn chat<'a>(&'a self, req: ChatRequest) -> BoxFuture<'a, Result<ChatResponse>> {
        Box::pin(async move { self.core.call(&req, |r| self.send(r)).await })
    }

    fn report(&self, event: ClientEvent) {
        self.core.transport.hooks.events.emit(event);
    }
}
