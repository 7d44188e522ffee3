//! LLM and embedding clients.
//!
//! The pipeline holds an `Arc<dyn ChatModel>` and an `Arc<dyn Embedder>`,
//! made by [`chat_from_config`] and [`api_embedder_from_config`]:
//!
//! - [`OpenAiChat`]: any OpenAI-compatible `/chat/completions` server.
//! - [`AnthropicChat`]: Anthropic's native Messages API.
//! - [`ApiEmbedder`]: any OpenAI-compatible `/embeddings` server.
//! - [`ScriptedChat`]: answers from a closure, for tests.
//!
//! Typed answers go through [`structured()`], which reads small models'
//! near-JSON leniently ([`lenient`]). Every call goes through the on-disk
//! [`Cache`], the client's adaptive concurrency limit and rate limits, and
//! its retry policy; it reports [`ClientEvent`]s and stops on a
//! [`CancelToken`]. How to ask for structured output is negotiated once
//! per server and remembered ([`capability`]).
//! [`accounting`] turns events into per-stage tokens and cost, and
//! estimates a run's cost up front.

pub mod accounting;
mod anthropic;
mod base_url;
pub mod cache;
pub mod capability;
mod codec;
mod core;
mod cut_off;
mod embeddings;
mod events;
mod gradient;
mod http;
mod json_scan;
pub mod learned;
pub mod lenient;
mod limiter;
mod openai;
mod redact;
mod retry;
mod scripted;
mod settings;
mod shape;
pub mod structured;
mod types;

use std::path::Path;
use std::sync::Arc;

pub use accounting::{Accounting, Estimate, EstimatedCall, TagUsage, estimate, needs_confirmation};
pub use anthropic::{ANTHROPIC_VERSION, AnthropicChat};
pub use base_url::{anthropic_base, openai_base};
pub use cache::{Cache, CacheStats};
pub use embeddings::{ApiEmbedder, EMBEDDING_TAG};
pub use events::{CancelToken, ClientEvent, ClientHooks, Events, RetryCause};
pub use http::shared_client;
pub use learned::{LearnedLimit, LearnedMode, learned_limits, learned_modes};
pub use lenient::ParseFixes;
pub use openai::OpenAiChat;
pub use redact::Redactor;
pub use scripted::ScriptedChat;
pub use settings::{
    ClientSettings, DEFAULT_ANTHROPIC_BASE, DEFAULT_EMBEDDING_MODEL, DEFAULT_OPENAI_BASE,
};
pub use structured::{Structured, extract_json, parse_lenient, structured};
pub use types::{
    BoxFuture, ChatMessage, ChatModel, ChatRequest, ChatResponse, ChatRole, JsonSchemaSpec, Usage,
    estimate_tokens,
};

use crate::config::{Config, Provider};
use crate::embed::Embedder;
use crate::error::Result;

/// The chat model the configuration asks for, caching in `cache_dir`.
/// Errors when no LLM is configured (see [`Config::is_offline`]).
pub fn chat_from_config(
    config: &Config,
    cache_dir: &Path,
    hooks: &ClientHooks,
) -> Result<Arc<dyn ChatModel>> {
    let settings = ClientSettings::chat(config)?.with_cache(cache_dir);
    Ok(match config.llm.provider {
        Provider::Anthropic => Arc::new(AnthropicChat::new(&settings, hooks.clone())?),
        _ => Arc::new(OpenAiChat::new(&settings, hooks.clone())?),
    })
}

/// The API embedder for `[embedding]` (or the OpenAI-compatible chat
/// endpoint), caching in `cache_dir`. Errors when no endpoint is known.
pub fn api_embedder_from_config(
    config: &Config,
    cache_dir: &Path,
    hooks: &ClientHooks,
) -> Result<Arc<dyn Embedder>> {
    let settings = ClientSettings::embedding(config)?.with_cache(cache_dir);
    Ok(Arc::new(ApiEmbedder::new(
        &settings,
        config.embedding.batch_size,
        hooks.clone(),
    )?))
}
