//! Claude.ai data export (`conversations.json`): an array of
//! `{uuid, name?, created_at, chat_messages: [{sender, text, content, created_at}]}`.
//!
//! - `sender` human → user, assistant → assistant.
//! - The text is the `type: "text"` items of `content`, joined with newlines;
//!   without any, the message's `text`. `--text-field` names another field.
//! - Messages with no text (tool use only, attachments only) are dropped.
//! - Messages are sorted by `created_at` when every message has a
//!   parseable RFC 3339 timestamp; otherwise the file's order is kept.
//! - `name` goes to metadata as `title` (unless the record's own
//!   `metadata` already has a `title`).

use chrono::DateTime;
use serde_json::{Map, Value};

use super::Ctx;
use crate::ingest::fields::{self, FieldError, FieldResult, Reason};
use crate::model::{Conversation, Message, Role};

pub(crate) const IDS: &[&str] = &["uuid", "id"];

pub(crate) fn convert(mut record: Map<String, Value>, ctx: &Ctx<'_>) -> FieldResult<Conversation> {
    let id = fields::id(&record, ctx.id_field, IDS)?;
    let created_at = fields::timestamp(record.get("created_at"), "created_at")?;
    let items = fields::take_array(&mut record, "chat_messages", "an array of {sender, text}")?;
    let mut messages = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let message =
            message(item, ctx).map_err(|e| e.within(format_args!("chat_messages[{i}]")))?;
        if let Some(message) = message {
            messages.push(message);
        }
    }
    sort_by_time(&mut messages);
    let mut metadata = fields::metadata(record.shift_remove("metadata"))?;
    if let Some(Value::String(name)) = record.get("name")
        && !name.trim().is_empty()
        && !metadata.contains_key("title")
    {
        metadata.insert("title".into(), Value::String(name.clone()));
    }
    Ok(Conversation {
        id,
        created_at,
        messages,
        metadata,
    })
}

fn message(item: Value, ctx: &Ctx<'_>) -> FieldResult<Option<Message>> {
    let map = fields::element_object(item)?;
    let role = fields::role(map.get("sender"), "sender", Role::from_speaker)?;
    let content = match ctx.text_field {
        Some(field) => fields::text(&map, &[field], "the message text")?,
        None => text_of(&map)?,
    };
    if content.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(Message {
        role,
        content,
        created_at: fields::timestamp(map.get("created_at"), "created_at")?,
    }))
}

/// The text items of `content`, else `text`.
fn text_of(map: &Map<String, Value>) -> FieldResult<String> {
    let mut out = String::new();
    match map.get("content") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let Some(obj) = item.as_object() else {
                    continue;
                };
                if obj.get("type").and_then(Value::as_str) != Some("text") {
                    continue;
                }
                match obj.get("text") {
                    Some(Value::String(s)) => {
                        if !out.is_empty() {
                            out.push('\n');
                        }
                        out.push_str(s);
                    }
                    None | Some(Value::Null) => {}
                    Some(other) => {
                        return Err(FieldError::new(
                            format!("content[{i}].text"),
                            Reason::WrongType,
                            format!(
                                "`content[{i}].text` should be a string, found {}",
                                fields::kind(other)
                            ),
                        ));
                    }
                }
            }
        }
        Some(other) => {
            return Err(FieldError::new(
                "content",
                Reason::WrongType,
                format!(
                    "`content` should be an array, found {}",
                    fields::kind(other)
                ),
            ));
        }
    }
    if out.trim().is_empty() {
        return match map.get("text") {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => Ok(out),
            Some(other) => Err(FieldError::new(
                "text",
                Reason::WrongType,
                format!("`text` should be a string, found {}", fields::kind(other)),
            )),
        };
    }
    Ok(out)
}

fn sort_by_time(messages: &mut [Message]) {
    let times: Option<Vec<i64>> = messages
        .iter()
        .map(|m| {
            let t = m.created_at.as_deref()?;
            DateTime::parse_from_rfc3339(t)
                .ok()
                .and_then(|d| d.timestamp_nanos_opt())
        })
        .collect();
    let Some(times) = times else {
        return;
    };
    if times.is_sorted() {
        return;
    }
    let mut keyed: Vec<(i64, Message)> = times.into_iter().zip(messages.iter().cloned()).collect();
    keyed.sort_by_key(|(t, _)| *t);
    for (slot, (_, m)) in messages.iter_mut().zip(keyed) {
        *slot = m;
    }
}
