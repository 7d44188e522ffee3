//! What every chat client shares: the transport, the cache, the model name,
//! and the cache-then-send-then-store flow with its events.

use reqwest::Url;
use serde_json::{Value, json};

use super::cache::Cache;
use super::events::ClientEvent;
use super::http::Transport;
use super::types::{ChatRequest, ChatResponse, JsonSchemaSpec, Usage, estimate_tokens};
use crate::error::{Error, Result};

pub(crate) struct ChatCore {
    pub(crate) transport: Transport,
    pub(crate) cache: Option<Cache>,
    pub(crate) provider: &'static str,
    pub(crate) model: String,
    pub(crate) url: Url,
}

impl ChatCore {
    /// Names the call in errors: provider, model, endpoint and stage.
    pub(crate) fn what(&self, tag: &str) -> String {
        format!(
            "{} chat ({}) at {} for `{tag}`",
            self.provider, self.model, self.url
        )
    }

    /// The cache key. It hashes the provider-independent request (messages,
    /// schema, temperature, answer limit), not the bytes on the wire, so a
    /// structured-output fallback chosen on one run still hits the answers
    /// cached under another.
    pub(crate) fn key(&self, req: &ChatRequest) -> Option<String> {
        self.cache.as_ref()?;
        let body = json!({
            "messages": req.messages,
            "schema": req.schema,
            "temperature": req.temperature,
            "max_tokens": req.max_tokens,
        });
        Some(Cache::key(self.provider, &self.model, &body))
    }

    /// A cached answer, reported as a cached `RequestFinished`.
    pub(crate) async fn lookup(&self, key: &Option<String>, tag: &str) -> Option<ChatResponse> {
        let (cache, key) = (self.cache.as_ref()?, key.as_ref()?);
        let hit = cache.load(key.clone()).await?;
        let content = hit.get("content")?.as_str()?.to_string();
        let usage: Usage = serde_json::from_value(hit.get("usage")?.clone()).ok()?;
        self.transport
            .hooks
            .events
            .emit(ClientEvent::RequestFinished {
                tag: tag.to_string(),
                usage,
                cached: true,
            });
        Some(ChatResponse {
            content,
            usage,
            cached: true,
        })
    }

    /// Fails fast when cancelled, and reports the start of a real request.
    pub(crate) fn start(&self, tag: &str) -> Result<()> {
        if self.transport.hooks.cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        self.transport
            .hooks
            .events
            .emit(ClientEvent::RequestStarted {
                tag: tag.to_string(),
            });
        Ok(())
    }

    /// The life of one chat call, the same for every provider: a cache
    /// hit answers at once; otherwise the request is started, sent with
    /// `send`, and finished (cached and reported).
    pub(crate) async fn call<'r, F, Fut>(
        &self,
        req: &'r ChatRequest,
        send: F,
    ) -> Result<ChatResponse>
    where
        F: FnOnce(&'r ChatRequest) -> Fut,
        Fut: std::future::Future<Output = Result<(String, Option<Usage>)>>,
    {
        let key = self.key(req);
        if let Some(hit) = self.lookup(&key, &req.tag).await {
            return Ok(hit);
        }
        self.start(&req.tag)?;
        let result = send(req).await;
        self.finish(key, req, result).await
    }

    /// Caches a good answer and reports how the request ended.
    pub(crate) async fn finish(
        &self,
        key: Option<String>,
        req: &ChatRequest,
        result: Result<(String, Option<Usage>)>,
    ) -> Result<ChatResponse> {
        let events = &self.transport.hooks.events;
        let est = estimate_tokens(req.input_chars());
        match result {
            Ok((content, usage)) => {
                let usage = usage.unwrap_or(Usage {
                    input_tokens: est,
                    output_tokens: estimate_tokens(content.len()),
                });
                self.transport.settle(est, usage.total());
                if let (Some(cache), Some(key)) = (&self.cache, key) {
                    let value = json!({ "content": content, "usage": usage });
                    cache
                        .store(vec![(key, value)], self.provider, &self.model)
                        .await;
                }
                events.emit(ClientEvent::RequestFinished {
                    tag: req.tag.clone(),
                    usage,
                    cached: false,
                });
                Ok(ChatResponse {
                    content,
                    usage,
                    cached: false,
                })
            }
            Err(e) => {
                if !matches!(e, Error::Cancelled) {
                    tracing::debug!(tag = %req.tag, error = %e, "request failed");
                }
                events.emit(ClientEvent::Failed {
                    tag: req.tag.clone(),
                    error: e.to_string(),
                });
                Err(e)
            }
        }
    }

    /// A non-success answer whose shape we did not understand.
    pub(crate) fn bad_answer(&self, tag: &str, problem: &str, body: &Value) -> Error {
        let text = body.to_string();
        let snippet: String = text.chars().take(300).collect();
        Error::Llm(format!(
            "{}: unexpected answer ({problem}): {}",
            self.what(tag),
            self.transport.redactor.redact(&snippet)
        ))
    }
}

/// The instruction that asks for JSON when the server cannot be told the
/// schema directly (see [`super::shape`]).
pub(crate) fn schema_instruction(spec: &JsonSchemaSpec) -> String {
    super::shape::instruction(spec)
}
