//! The OpenAI-compatible chat client (`POST <base>/chat/completions`): OpenAI,
//! Ollama, vLLM, llama.cpp, LM Studio, OpenRouter.
//!
//! Structured output: with `structured_output = "auto"` a request with a
//! schema is sent with `response_format: {type: "json_schema"}`; a server
//! that rejects that gets `{type: "json_object"}` plus the schema in the
//! prompt, and one that rejects that too gets plain text with the schema in
//! the prompt. The mode that works is remembered for the client's lifetime.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use serde_json::{Value, json};

use super::base_url::{endpoint, openai_base};
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

const MODE_SCHEMA: u8 = 0;
const MODE_OBJECT: u8 = 1;
const MODE_TEXT: u8 = 2;

/// A chat client for any OpenAI-compatible server.
pub struct OpenAiChat {
    core: ChatCore,
    mode: AtomicU8,
    /// False when the structured-output mode was forced in config.
    fallback: bool,
    /// Some newer models want `max_completion_tokens` instead.
    completion_tokens_field: AtomicBool,
}

impl OpenAiChat {
    pub fn new(settings: &ClientSettings, hooks: ClientHooks) -> Result<Self> {
        let base = openai_base(&settings.base_url, "llm.base_url")?;
        let auth: Vec<(&'static str, String)> = settings
            .api_key
            .iter()
            .map(|k| ("authorization", format!("Bearer {}", k.expose())))
            .collect();
        let (mode, fallback) = match settings.structured_output {
            StructuredOutput::Auto => (MODE_SCHEMA, true),
            StructuredOutput::JsonSchema => (MODE_SCHEMA, false),
            StructuredOutput::JsonObject => (MODE_OBJECT, false),
            StructuredOutput::Text => (MODE_TEXT, false),
        };
        Ok(OpenAiChat {
            core: ChatCore {
                transport: Transport::new(settings, &auth, hooks)?,
                cache: settings.cache_dir.as_ref().map(Cache::new),
                provider: "openai",
                model: settings.model.clone(),
                url: endpoint(&base, "chat/completions")?,
            },
            mode: AtomicU8::new(mode),
            fallback,
            completion_tokens_field: AtomicBool::new(false),
        })
    }

    /// The structured-output mode in use now (after any fallback).
    pub fn structured_mode(&self) -> StructuredOutput {
        match self.mode.load(Ordering::Relaxed) {
            MODE_SCHEMA => StructuredOutput::JsonSchema,
            MODE_OBJECT => StructuredOutput::JsonObject,
            _ => StructuredOutput::Text,
        }
    }

    fn body(&self, req: &ChatRequest, mode: u8) -> Value {
        let mut messages: Vec<Value> = req
            .messages
            .iter()
            .map(|m| json!({ "role": m.role.as_str(), "content": m.content }))
            .collect();
        let mut body = json!({ "model": self.core.model, "temperature": req.temperature });
        if let Some(spec) = &req.schema {
            if mode == MODE_SCHEMA {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": { "name": spec.name, "schema": spec.schema, "strict": spec.strict },
                });
            } else {
                if mode == MODE_OBJECT {
                    body["response_format"] = json!({ "type": "json_object" });
                }
                add_system(&mut messages, &schema_instruction(spec), req);
            }
        }
        body["messages"] = Value::Array(messages);
        let field = if self.completion_tokens_field.load(Ordering::Relaxed) {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body[field] = json!(req.max_tokens);
        body
    }

    async fn send(&self, req: &ChatRequest) -> Result<(String, Option<Usage>)> {
        let est = estimate_tokens(req.input_chars());
        loop {
            let mode = self.mode.load(Ordering::Relaxed);
            let body = self.body(req, mode);
            let reply = self
                .core
                .transport
                .post_json(&req.tag, &self.core.url, &body, est)
                .await;
            match reply {
                Ok(v) => return self.parse(&req.tag, &v),
                Err(Failure::Status {
                    code,
                    body,
                    retries,
                }) if code >= 400 => {
                    let lower = body.to_ascii_lowercase();
                    if req.schema.is_some()
                        && self.fallback
                        && mode < MODE_TEXT
                        && rejects_format(&lower)
                    {
                        let next = mode + 1;
                        // Another request may have moved on already; never go back.
                        let _ = self.mode.compare_exchange(
                            mode,
                            next,
                            Ordering::Relaxed,
                            Ordering::Relaxed,
                        );
                        tracing::info!(
                            model = %self.core.model,
                            "server rejected {}; falling back to {}",
                            mode_name(mode),
                            mode_name(next)
                        );
                        continue;
                    }
                    if lower.contains("max_completion_tokens")
                        && !self.completion_tokens_field.swap(true, Ordering::Relaxed)
                    {
                        tracing::info!(model = %self.core.model, "using max_completion_tokens");
                        continue;
                    }
                    return Err(Failure::Status {
                        code,
                        body,
                        retries,
                    }
                    .into_error(&self.core.what(&req.tag)));
                }
                Err(f) => return Err(f.into_error(&self.core.what(&req.tag))),
            }
        }
    }

    fn parse(&self, tag: &str, v: &Value) -> Result<(String, Option<Usage>)> {
        let message = v.pointer("/choices/0/message");
        let content = message
            .and_then(|m| m.get("content"))
            .and_then(Value::as_str);
        let content = match content {
            Some(c) => c.to_string(),
            None => {
                let refusal = message
                    .and_then(|m| m.get("refusal"))
                    .and_then(Value::as_str);
                let problem = match refusal {
                    Some(r) => format!("the model refused: {r}"),
                    None => "no choices[0].message.content".into(),
                };
                return Err(self.core.bad_answer(tag, &problem, v));
            }
        };
        let usage = v.get("usage").and_then(|u| {
            Some(Usage {
                input_tokens: u.get("prompt_tokens")?.as_u64()?,
                output_tokens: u
                    .get("completion_tokens")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
            })
        });
        Ok((content, usage))
    }
}

impl ChatModel for OpenAiChat {
    fn name(&self) -> String {
        format!("openai:{}", self.core.model)
    }

    fn chat<'a>(&'a self, req: ChatRequest) -> BoxFuture<'a, Result<ChatResponse>> {
        Box::pin(async move { self.core.call(&req, |r| self.send(r)).await })
    }
}

/// True when an error body says the structured-output request was the
/// problem.
fn rejects_format(lower_body: &str) -> bool {
    [
        "response_format",
        "json_schema",
        "json_object",
        "structured output",
    ]
    .iter()
    .any(|w| lower_body.contains(w))
}

fn mode_name(mode: u8) -> &'static str {
    match mode {
        MODE_SCHEMA => "json_schema",
        MODE_OBJECT => "json_object",
        _ => "plain text",
    }
}

/// Appends `text` to the first system message, or adds one at the front.
fn add_system(messages: &mut Vec<Value>, text: &str, req: &ChatRequest) {
    match req.messages.iter().position(|m| m.role == ChatRole::System) {
        Some(i) => {
            let old = req
                .messages
                .get(i)
                .map(|m| m.content.as_str())
                .unwrap_or("");
            if let Some(m) = messages.get_mut(i) {
                m["content"] = json!(format!("{old}\n\n{text}"));
            }
        }
        None => messages.insert(0, json!({ "role": "system", "content": text })),
    }
}
