//! Conversations and messages: the normalised shape every loader produces.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Metadata;

/// Who spoke a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
    System,
    Tool,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::System => "system",
            Role::Tool => "tool",
        }
    }

    /// Maps the speaker names found in the wild (`human`, `gpt`, `bot`, `USER`,
    /// `function`, ...) to a role. Returns `None` for names we do not know.
    pub fn from_speaker(name: &str) -> Option<Role> {
        let lower = name.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "user" | "human" | "customer" | "client" | "usr" | "prompter" => Role::User,
            "assistant" | "gpt" | "bot" | "ai" | "model" | "chatbot" | "agent" | "chatgpt"
            | "claude" => Role::Assistant,
            "system" | "developer" => Role::System,
            "tool" | "function" | "ipython" | "observation" => Role::Tool,
            _ => return None,
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::from_speaker(s).ok_or_else(|| format!("unknown role `{s}`"))
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Message {
            role,
            content: content.into(),
            created_at: None,
        }
    }
}

/// A conversation in the project's own store.
///
/// `metadata` is carried through every stage untouched; `created_at` is kept
/// as the string the source gave (RFC 3339 where the source used it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    pub messages: Vec<Message>,
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub metadata: Metadata,
}

impl Conversation {
    pub fn new(id: impl Into<String>, messages: Vec<Message>) -> Self {
        Conversation {
            id: id.into(),
            created_at: None,
            messages,
            metadata: Metadata::new(),
        }
    }

    /// Messages spoken by the user, in order.
    pub fn user_messages(&self) -> impl Iterator<Item = &Message> {
        self.messages.iter().filter(|m| m.role == Role::User)
    }

    /// Total characters of content, a cheap size measure.
    pub fn content_len(&self) -> usize {
        self.messages.iter().map(|m| m.content.len()).sum()
    }

    /// Looks up a metadata value by a dotted path (`a.b.c`).
    pub fn metadata_path(&self, path: &str) -> Option<&serde_json::Value> {
        let mut parts = path.split('.');
        let first = parts.next()?;
        let mut cur = self.metadata.get(first)?;
        for p in parts {
            cur = match cur {
                serde_json::Value::Object(map) => map.get(p)?,
                serde_json::Value::Array(items) => items.get(p.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }
}
