//! ChatGPT data export (`conversations.json`): an array of
//! `{id | conversation_id, title, create_time, current_node, mapping}` where
//! `mapping` is a tree of `{id, message, parent, children}` nodes.
//!
//! - The active branch is `current_node` followed back to the root; without
//!   a usable `current_node`, the last child is followed down from the root.
//! - Nodes with a null message, system messages, hidden messages and
//!   messages with no text are skipped.
//! - Text is the string `parts` (objects with a `text` are used, other parts
//!   such as images are noted as `[<content_type>]`), else `text`/`result`.
//! - `create_time` (unix seconds) becomes RFC 3339. `title` goes to metadata
//!   as `title`, `default_model_slug` as `model`.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::Ctx;
use crate::ingest::fields::{self, FieldError, FieldResult, Reason};
use crate::model::{Conversation, Message, Role};

pub(crate) const IDS: &[&str] = &["conversation_id", "id"];

pub(crate) fn convert(mut record: Map<String, Value>, ctx: &Ctx<'_>) -> FieldResult<Conversation> {
    let id = fields::id(&record, ctx.id_field, IDS)?;
    let created_at = fields::timestamp(record.get("create_time"), "create_time")?;
    let mapping = match record.get("mapping") {
        None => {
            return Err(FieldError::new(
                "mapping",
                Reason::MissingField,
                "missing field `mapping` (the tree of message nodes)",
            ));
        }
        Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(other) => {
            return Err(FieldError::new(
                "mapping",
                Reason::WrongType,
                format!(
                    "`mapping` should be an object, found {}",
                    fields::kind(other)
                ),
            ));
        }
    };
    let mut messages = Vec::new();
    if let Some(mapping) = mapping {
        let current = record.get("current_node").and_then(Value::as_str);
        for node_id in active_branch(mapping, current) {
            let Some(node) = mapping.get(node_id) else {
                continue;
            };
            if let Some(m) =
                node_message(node).map_err(|e| e.within(format_args!("mapping[\"{node_id}\"]")))?
            {
                messages.push(m);
            }
        }
    }
    let mut metadata = fields::metadata(record.shift_remove("metadata"))?;
    for (from, to) in [("title", "title"), ("default_model_slug", "model")] {
        if let Some(Value::String(s)) = record.get(from)
            && !s.trim().is_empty()
            && !metadata.contains_key(to)
        {
            metadata.insert(to.into(), Value::String(s.clone()));
        }
    }
    Ok(Conversation {
        id,
        created_at,
        messages,
        metadata,
    })
}

fn parent_of<'a>(mapping: &'a Map<String, Value>, id: &str) -> Option<&'a str> {
    mapping.get(id)?.get("parent")?.as_str()
}

/// Node ids from the root to the active leaf.
fn active_branch<'a>(mapping: &'a Map<String, Value>, current: Option<&'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    let mut path = Vec::new();
    if let Some(leaf) = current.filter(|c| mapping.contains_key(*c)) {
        let mut cur = Some(leaf);
        while let Some(id) = cur {
            if !mapping.contains_key(id) || !seen.insert(id) {
                break;
            }
            path.push(id);
            cur = parent_of(mapping, id);
        }
        path.reverse();
        return path;
    }
    // No usable current node: walk down from the root taking the last child.
    let root = mapping.iter().find_map(|(id, node)| {
        let parent = node.get("parent").and_then(Value::as_str);
        match parent {
            Some(p) if mapping.contains_key(p) => None,
            _ => Some(id.as_str()),
        }
    });
    let mut cur = root;
    while let Some(id) = cur {
        if !seen.insert(id) {
            break;
        }
        path.push(id);
        cur = mapping
            .get(id)
            .and_then(|n| n.get("children"))
            .and_then(Value::as_array)
            .and_then(|children| {
                children
                    .iter()
                    .rev()
                    .filter_map(Value::as_str)
                    .find(|c| mapping.contains_key(*c))
            });
    }
    path
}

fn node_message(node: &Value) -> FieldResult<Option<Message>> {
    let Some(node) = node.as_object() else {
        return Err(FieldError::record(
            Reason::WrongType,
            format!(
                "a mapping node should be an object, found {}",
                fields::kind(node)
            ),
        ));
    };
    let message = match node.get("message") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(FieldError::new(
                "message",
                Reason::WrongType,
                format!(
                    "`message` should be an object, found {}",
                    fields::kind(other)
                ),
            ));
        }
    };
    let hidden = message
        .get("metadata")
        .and_then(|m| m.get("is_visually_hidden_from_conversation"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let role_value = message.get("author").and_then(|a| a.get("role"));
    let role = fields::role(role_value, "message.author.role", Role::from_speaker)?;
    if role == Role::System || hidden {
        return Ok(None);
    }
    let content = message_text(message.get("content")).map_err(|e| e.within("message"))?;
    if content.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(Message {
        role,
        content,
        created_at: fields::timestamp(message.get("create_time"), "message.create_time")?,
    }))
}

fn message_text(content: Option<&Value>) -> FieldResult<String> {
    let Some(content) = content.and_then(Value::as_object) else {
        return match content {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(FieldError::new(
                "content",
                Reason::WrongType,
                format!(
                    "`content` should be an object, found {}",
                    fields::kind(other)
                ),
            )),
        };
    };
    if let Some(parts) = content.get("parts").and_then(Value::as_array) {
        let mut out = String::new();
        for part in parts {
            let piece = match part {
                Value::String(s) => s.clone(),
                Value::Object(p) => match p.get("text").and_then(Value::as_str) {
                    Some(t) => t.to_string(),
                    None => {
                        let kind = p
                            .get("content_type")
                            .and_then(Value::as_str)
                            .unwrap_or("attachment");
                        format!("[{kind}]")
                    }
                },
                _ => continue,
            };
            if piece.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&piece);
        }
        return Ok(out);
    }
    for key in ["text", "result"] {
        if let Some(Value::String(s)) = content.get(key) {
            return Ok(s.clone());
        }
    }
    Ok(String::new())
}
