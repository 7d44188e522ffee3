//! The chat seam: requests, responses and the [`ChatModel`] trait that every
//! provider (and the scripted test double) implements.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::embed::BoxFuture;
use crate::error::Result;

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    System,
    User,
    Assistant,
}

impl ChatRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRole::System => "system",
            ChatRole::User => "user",
            ChatRole::Assistant => "assistant",
        }
    }
}

/// One message of a chat request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
}

impl ChatMessage {
    pub fn system(content: impl Into<String>) -> Self {
        ChatMessage {
            role: ChatRole::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage {
            role: ChatRole::User,
            content: content.into(),
        }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        ChatMessage {
            role: ChatRole::Assistant,
            content: content.into(),
        }
    }
}

/// A JSON schema the answer must follow. The caller writes the schema; the
/// client decides how to ask for it (`json_schema`, `json_object`, a tool,
/// or an instruction in the prompt).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JsonSchemaSpec {
    /// Letters, digits, `_` and `-` only (other characters become `_`).
    pub name: String,
    pub schema: Value,
    /// Ask for strict schema adherence where the server supports it.
    pub strict: bool,
}

impl JsonSchemaSpec {
    pub fn new(name: &str, schema: Value) -> Self {
        let mut clean: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(64)
            .collect();
        if clean.is_empty() {
            clean = "answer".into();
        }
        JsonSchemaSpec {
            name: clean,
            schema,
            strict: true,
        }
    }
}

/// One chat call.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub messages: Vec<ChatMessage>,
    pub schema: Option<JsonSchemaSpec>,
    pub temperature: f32,
    pub max_tokens: u32,
    /// The stage asking (`summaries`, `names`, ...), for accounting and
    /// events. Not part of the cache key.
    pub tag: String,
}

impl ChatRequest {
    /// An empty request with the default temperature (0.2) and a
    /// 1024-token answer limit.
    pub fn new(tag: impl Into<String>) -> Self {
        ChatRequest {
            messages: Vec::new(),
            schema: None,
            temperature: 0.2,
            max_tokens: 1024,
            tag: tag.into(),
        }
    }

    /// An empty request with the temperature and answer limit of `[llm]`.
    pub fn from_config(tag: impl Into<String>, llm: &crate::config::LlmConfig) -> Self {
        ChatRequest::new(tag)
            .temperature(llm.temperature)
            .max_tokens(llm.max_tokens)
    }

    pub fn system(mut self, content: impl Into<String>) -> Self {
        self.messages.push(ChatMessage::system(content));
        self
    }

    pub fn user(mut self, content: impl Into<String>) -> Self {
        self.messages.push(ChatMessage::user(content));
        self
    }

    pub fn schema(mut self, name: &str, schema: Value) -> Self {
        self.schema = Some(JsonSchemaSpec::new(name, schema));
        self
    }

    pub fn temperature(mut self, t: f32) -> Self {
        self.temperature = t;
        self
    }

    pub fn max_tokens(mut self, n: u32) -> Self {
        self.max_tokens = n;
        self
    }

    /// Characters across all messages (the basis of token estimates).
    pub fn input_chars(&self) -> usize {
        self.messages.iter().map(|m| m.content.len()).sum()
    }
}

/// Tokens used by one call, from the provider's `usage` fields (estimated
/// from characters when a server leaves them out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Usage {
    pub fn total(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
    }
}

/// The answer to one chat call.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    pub content: String,
    pub usage: Usage,
    /// True when the answer came from the on-disk cache (no request made).
    pub cached: bool,
}

/// A chat model. Object-safe: the pipeline holds `Arc<dyn ChatModel>`.
pub trait ChatModel: Send + Sync {
    /// A stable name including provider and model, e.g. `openai:gpt-4o-mini`.
    /// Part of checkpoint keys, like every model seam's `identity()`.
    fn identity(&self) -> String;

    /// Sends one request (or answers it from the cache).
    fn chat<'a>(&'a self, req: ChatRequest) -> BoxFuture<'a, Result<ChatResponse>>;

    /// Passes an event about this model's answers (e.g. what lenient
    /// parsing fixed) to whoever listens to its requests. Does nothing
    /// unless the model has listeners.
    fn report(&self, event: super::events::ClientEvent) {
        let _ = event;
    }
}

/// The rough token count of `chars` characters of text (chars / 4, rounded
/// up), used before a call for rate limits and cost estimates.
pub fn estimate_tokens(chars: usize) -> u64 {
    chars.div_ceil(4) as u64
}
