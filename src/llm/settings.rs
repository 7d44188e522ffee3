//! Everything one client needs, resolved from [`Config`] (or written out by
//! hand in tests).

use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Config, LlmConfig, Provider, Secret, StructuredOutput};
use crate::error::{Error, Result};

pub const DEFAULT_OPENAI_BASE: &str = "https://api.openai.com/v1";
pub const DEFAULT_ANTHROPIC_BASE: &str = "https://api.anthropic.com";
pub const DEFAULT_EMBEDDING_MODEL: &str = "text-embedding-3-small";

/// Endpoint, credentials and limits of one client.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// As the user wrote it; normalised by the client (see
    /// [`openai_base`](super::openai_base)).
    pub base_url: String,
    pub api_key: Option<Secret>,
    pub model: String,
    /// Per attempt, from connecting to the last byte of the answer.
    pub timeout: Duration,
    pub max_retries: u32,
    /// First backoff wait; doubles each retry up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub max_concurrency: usize,
    /// 0 means no limit.
    pub requests_per_minute: u32,
    /// 0 means no limit.
    pub tokens_per_minute: u32,
    pub structured_output: StructuredOutput,
    /// Seeds the backoff jitter.
    pub seed: u64,
    /// The response cache directory; `None` disables caching.
    pub cache_dir: Option<PathBuf>,
}

impl ClientSettings {
    /// Settings with the default limits of `[llm]`, no key and no cache.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        let mut s = Self::with_limits(&LlmConfig::default(), 0);
        s.base_url = base_url.into();
        s.model = model.into();
        s
    }

    fn with_limits(llm: &LlmConfig, seed: u64) -> Self {
        ClientSettings {
            base_url: String::new(),
            api_key: None,
            model: String::new(),
            timeout: Duration::from_secs(llm.timeout_secs.max(1)),
            max_retries: llm.max_retries,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_concurrency: llm.max_concurrency.max(1),
            requests_per_minute: llm.requests_per_minute,
            tokens_per_minute: llm.tokens_per_minute,
            structured_output: llm.structured_output,
            seed,
            cache_dir: None,
        }
    }

    /// The chat client's settings. Errors when no LLM is configured.
    pub fn chat(config: &Config) -> Result<Self> {
        if config.is_offline() {
            return Err(Error::Llm(
                "no LLM is configured (offline mode): set llm.base_url in kura.toml, \
                 or OPENAI_API_KEY / ANTHROPIC_API_KEY / KURA_BASE_URL in the environment"
                    .into(),
            ));
        }
        let mut s = Self::with_limits(&config.llm, config.cluster.seed);
        s.base_url = config.llm.base_url.clone().unwrap_or_else(|| {
            match config.llm.provider {
                Provider::Anthropic => DEFAULT_ANTHROPIC_BASE,
                _ => DEFAULT_OPENAI_BASE,
            }
            .to_string()
        });
        s.api_key = config.llm.api_key.clone();
        s.model = config.chat_model();
        Ok(s)
    }

    /// The embedding client's settings: `[embedding]` endpoint and key, else
    /// the chat endpoint and key when the chat provider is OpenAI-compatible.
    /// The chat key also serves an `[embedding]` endpoint that is the chat
    /// endpoint itself (never another host). Limits come from `[llm]`.
    pub fn embedding(config: &Config) -> Result<Self> {
        let emb = &config.embedding;
        let llm_is_openai = config.llm.provider == Provider::Openai && !config.is_offline();
        let (base_url, api_key) = match &emb.base_url {
            Some(url) => {
                let same_endpoint = llm_is_openai
                    && config
                        .llm
                        .base_url
                        .as_deref()
                        .map(|u| u.trim_end_matches('/'))
                        == Some(url.trim_end_matches('/'));
                let key = match &emb.api_key {
                    Some(k) => Some(k.clone()),
                    None if same_endpoint => config.llm.api_key.clone(),
                    None => None,
                };
                (url.clone(), key)
            }
            None if llm_is_openai => (
                config
                    .llm
                    .base_url
                    .clone()
                    .unwrap_or_else(|| DEFAULT_OPENAI_BASE.into()),
                emb.api_key.clone().or_else(|| config.llm.api_key.clone()),
            ),
            None => {
                return Err(Error::Llm(
                    "no embedding endpoint is configured: set [embedding] base_url (and \
                     KURA_EMBEDDING_API_KEY), or use the minilm or lexical embedder"
                        .into(),
                ));
            }
        };
        let mut s = Self::with_limits(&config.llm, config.cluster.seed);
        s.base_url = base_url;
        s.api_key = api_key;
        s.model = emb
            .model
            .clone()
            .unwrap_or_else(|| DEFAULT_EMBEDDING_MODEL.into());
        Ok(s)
    }

    pub fn with_cache(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_needs_an_endpoint() {
        let config = Config::default();
        let err = ClientSettings::chat(&config).unwrap_err().to_string();
        assert!(err.contains("offline"), "{err}");
    }

    #[test]
    fn embedding_falls_back_to_openai_chat_endpoint() {
        let mut config = Config::default();
        config.llm.base_url = Some("http://127.0.0.1:9/v1".into());
        config.llm.api_key = Some(Secret::new("k"));
        let s = ClientSettings::embedding(&config).unwrap();
        assert_eq!(s.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(s.model, DEFAULT_EMBEDDING_MODEL);
        assert_eq!(s.api_key, Some(Secret::new("k")));

        config.llm.provider = Provider::Anthropic;
        assert!(ClientSettings::embedding(&config).is_err());
        config.embedding.base_url = Some("http://127.0.0.1:8/v1".into());
        let s = ClientSettings::embedding(&config).unwrap();
        assert_eq!(s.base_url, "http://127.0.0.1:8/v1");
        assert_eq!(s.api_key, None);
    }

    #[test]
    fn chat_key_serves_the_same_endpoint_only() {
        let mut config = Config::default();
        config.llm.base_url = Some("http://127.0.0.1:9/v1".into());
        config.llm.api_key = Some(Secret::new("k"));
        config.embedding.base_url = Some("http://127.0.0.1:9/v1/".into());
        let s = ClientSettings::embedding(&config).unwrap();
        assert_eq!(s.api_key, Some(Secret::new("k")));
        config.embedding.base_url = Some("http://other.example/v1".into());
        let s = ClientSettings::embedding(&config).unwrap();
        assert_eq!(s.api_key, None, "a key never goes to another host");
    }

    #[test]
    fn chat_defaults_per_provider() {
        let mut config = Config::default();
        config.llm.api_key = Some(Secret::new("k"));
        let s = ClientSettings::chat(&config).unwrap();
        assert_eq!(s.base_url, DEFAULT_OPENAI_BASE);
        assert_eq!(s.model, "gpt-4o-mini");
        config.llm.provider = Provider::Anthropic;
        let s = ClientSettings::chat(&config).unwrap();
        assert_eq!(s.base_url, DEFAULT_ANTHROPIC_BASE);
    }
}
