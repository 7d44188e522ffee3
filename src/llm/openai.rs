//! The OpenAI-compatible chat client (`POST <base>/chat/completions`): OpenAI,
//! Ollama, vLLM, llama.cpp, LM Studio, OpenRouter.
//!
//! Structured output: with `structured_output = "auto"` a request with a
//! schema is sent with `response_format: {type: "json_schema"}`; a server
//! that rejects that gets `{type: "json_object", schema}` (the schema as
//! llama-cpp-python, Together and Fireworks take it) plus the answer's
//! shape in the prompt, and one that rejects that too gets plain text with
//! the shape in the prompt (see [`super::shape`]). A rejection of either is answered at once, without retries,
//! and the mode that works is shared by every request and remembered for
//! the next run (see [`super::capability`]).

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use super::base_url::{endpoint, openai_base};
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

const MODE_SCHEMA: usize = 0;
const MODE_OBJECT: usize = 1;
const LADDER: &[StructuredOutput] = &[
    StructuredOutput::JsonSchema,
    StructuredOutput::JsonObject,
    StructuredOutput::Text,
];

/// A chat client for any OpenAI-compatible server.
pub struct OpenAiChat {
    core: ChatCore,
    modes: Negotiator,
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
        let url = endpoint(&base, "chat/completions")?;
        let memory = settings.cache_dir.as_ref().map(|dir| Memory {
            cache_dir: dir.clone(),
            provider: "openai",
            url: url.clone(),
            model: settings.model.clone(),
        });
        let mut transport = Transport::new(settings, &auth, hooks)?;
        if let Some(m) = &memory {
            transport = transport.remembering_limits(m.clone());
        }
        Ok(OpenAiChat {
            core: ChatCore {
                transport,
                cache: settings.cache_dir.as_ref().map(Cache::new),
                provider: "openai",
                model: settings.model.clone(),
                url,
            },
            modes: Negotiator::new(LADDER, settings.structured_output, memory),
            completion_tokens_field: AtomicBool::new(false),
        })
    }

    /// The structured-output mode in use now (after any fallback).
    pub fn structured_mode(&self) -> StructuredOutput {
        self.modes.mode()
    }

    fn body(&self, req: &ChatRequest, mode: usize) -> Value {
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
                    // The schema rides along as `schema`, the convention of
                    // llama-cpp-python, Together and Fireworks, which then
                    // constrain the answer to it; servers that do not know
                    // the field ignore it.
                    body["response_format"] =
                        json!({ "type": "json_object", "schema": spec.schema });
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
        let structured = req.schema.is_some();
        loop {
            // Until the mode is known, structured requests go one at a time.
            let _gate = match structured {
                true => self.modes.enter().await,
                false => None,
            };
            let mode = self.modes.level();
            let body = self.body(req, mode);
            let may_fall_back = structured && self.modes.can_fall_back(mode);
            let tokens_field_known = self.completion_tokens_field.load(Ordering::Relaxed);
            let capability = move |lower: &str| {
                (may_fall_back && rejects_format(lower))
                    || (!tokens_field_known && lower.contains("max_completion_tokens"))
            };
            let reply = self
                .core
                .transport
                .post_json(&req.tag, &self.core.url, &body, est, Some(&capability))
                .await;
            match reply {
                Ok(v) => {
                    if structured {
                        self.modes.succeeded(mode);
                    }
                    return self.parse(&req.tag, &v);
                }
                Err(Failure::Status {
                    code,
                    body,
                    retries,
                }) if code >= 400 => {
                    let lower = body.to_ascii_lowercase();
                    if may_fall_back && rejects_format(&lower) {
                        if let Some((from, to)) = self.modes.rejected(mode) {
                            tracing::info!(
                                model = %self.core.model,
                                status = code,
                                "server rejected {}; using {} from now on",
                                mode_name(from),
                                mode_name(to)
                            );
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
    fn identity(&self) -> String {
        format!("openai:{}", self.core.model)
    }

    fn chat<'a>(&'a self, req: ChatRequest) -> BoxFuture<'a, Result<ChatResponse>> {
        Box::pin(async move { self.core.call(&req, |r| self.send(r)).await })
    }

    fn report(&self, event: ClientEvent) {
        self.core.transport.hooks.events.emit(event);
    }
}

/// True when an error body says the structured-output request was the
/// problem: a capability answer, whatever its status.
pub(crate) fn rejects_format(lower_body: &str) -> bool {
    [
        "response_format",
        "json_schema",
        "json_object",
        "structured output",
        "tools",
    ]
    .iter()
    .any(|w| lower_body.contains(w))
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
