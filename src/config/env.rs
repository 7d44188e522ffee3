//! Environment overrides. Only these variables are read, and keys read here
//! are kept in memory only.

use std::collections::HashMap;

use super::{Config, EmbedderKind, Provider, Secret};
use crate::error::{Error, Result};

/// A source of environment variables (the process, or a map in tests).
pub trait EnvSource {
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl EnvSource for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned().filter(|v| !v.trim().is_empty())
    }
}

/// Applies `KURA_*`, `OPENAI_*` and `ANTHROPIC_API_KEY` to `config`.
pub fn apply_env(config: &mut Config, env: &dyn EnvSource) -> Result<()> {
    if let Some(p) = env.var("KURA_PROVIDER") {
        config.llm.provider = match p.to_ascii_lowercase().as_str() {
            "openai" => Provider::Openai,
            "anthropic" => Provider::Anthropic,
            "offline" => Provider::Offline,
            other => {
                return Err(Error::param(
                    "KURA_PROVIDER",
                    format!("`{other}` is not one of openai, anthropic, offline"),
                ));
            }
        };
    }
    let anthropic = config.llm.provider == Provider::Anthropic;
    let base = env.var("KURA_BASE_URL").or_else(|| {
        if anthropic {
            env.var("ANTHROPIC_BASE_URL")
        } else {
            env.var("OPENAI_BASE_URL")
        }
    });
    if base.is_some() {
        config.llm.base_url = base;
    }
    let key = env.var("KURA_API_KEY").or_else(|| {
        if anthropic {
            env.var("ANTHROPIC_API_KEY")
        } else {
            env.var("OPENAI_API_KEY")
        }
    });
    if key.is_some() {
        config.llm.api_key = key.map(Secret::new);
    }
    if let Some(m) = env.var("KURA_MODEL") {
        config.llm.model = Some(m);
    }
    if let Some(e) = env.var("KURA_EMBEDDER") {
        config.embedding.embedder = match e.to_ascii_lowercase().as_str() {
            "auto" => EmbedderKind::Auto,
            "api" => EmbedderKind::Api,
            "minilm" => EmbedderKind::Minilm,
            "multilingual" => EmbedderKind::Multilingual,
            "lexical" => EmbedderKind::Lexical,
            other => {
                return Err(Error::param(
                    "KURA_EMBEDDER",
                    format!("`{other}` is not one of auto, api, minilm, lexical"),
                ));
            }
        };
    }
    if let Some(u) = env.var("KURA_EMBEDDING_BASE_URL") {
        config.embedding.base_url = Some(u);
    }
    if let Some(m) = env.var("KURA_EMBEDDING_MODEL") {
        config.embedding.model = Some(m);
    }
    if let Some(k) = env.var("KURA_EMBEDDING_API_KEY") {
        config.embedding.api_key = Some(Secret::new(k));
    }
    // The OpenAI key also serves OpenAI embeddings when no other key is set.
    if config.embedding.api_key.is_none()
        && config.embedding.base_url.is_none()
        && let Some(k) = env.var("OPENAI_API_KEY")
    {
        config.embedding.api_key = Some(Secret::new(k));
    }
    if env
        .var("KURA_OFFLINE")
        .is_some_and(|v| v != "0" && v != "false")
    {
        config.llm.provider = Provider::Offline;
    }
    Ok(())
}
