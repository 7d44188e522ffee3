//! Records with a `messages: [{role, content, created_at?}]` list: Kura's
//! own conversations (`chat_id`) and OpenAI-style chat logs (`id`), which
//! includes kura-tui's own export lines (their extra fields are ignored).
//!
//! Flat records without a `messages` list (`{query_id, query, label}`, say)
//! are read when `--text-field` names their top-level text field: each
//! becomes a one-message user conversation and every other top-level field
//! goes to metadata, as for CSV rows.

use serde_json::{Map, Value};

use super::Ctx;
use crate::ingest::fields::{self, FieldResult};
use crate::model::{Conversation, Message, Role};

/// Default id fields, in order of preference.
pub(crate) const KURA_IDS: &[&str] = &["chat_id", "id"];
pub(crate) const OPENAI_IDS: &[&str] = &["id", "conversation_id", "chat_id"];

pub(crate) fn convert(
    mut record: Map<String, Value>,
    ctx: &Ctx<'_>,
    id_fields: &[&str],
) -> FieldResult<Conversation> {
    let id = fields::id(&record, ctx.id_field, id_fields)?;
    let created_at = fields::timestamp(record.get("created_at"), "created_at")?;
    if let Some(field) = ctx.text_field
        && !record.contains_key("messages")
        && record.contains_key(field)
    {
        return flat(record, field, id, created_at, ctx.id_field.unwrap_or("id"));
    }
    let items = fields::take_array(&mut record, "messages", "an array of {role, content}")?;
    let text_field = ctx.text_field.unwrap_or("content");
    let mut messages = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let message =
            message(item, text_field).map_err(|e| e.within(format_args!("messages[{i}]")))?;
        messages.push(message);
    }
    let metadata = fields::metadata(record.shift_remove("metadata"))?;
    Ok(Conversation {
        id,
        created_at,
        messages,
        metadata,
    })
}

/// A flat record: one user message from `field`, the rest as metadata.
fn flat(
    mut record: Map<String, Value>,
    field: &str,
    id: String,
    created_at: Option<String>,
    id_field: &str,
) -> FieldResult<Conversation> {
    let text = record.shift_remove(field).unwrap_or(Value::Null);
    let content = fields::content(&text, field)?;
    let mut metadata = fields::metadata(record.shift_remove("metadata"))?;
    fields::merge_extras(&mut metadata, record, &[id_field, "id", "created_at"]);
    let messages = if content.is_empty() {
        Vec::new()
    } else {
        vec![Message::new(Role::User, content)]
    };
    Ok(Conversation {
        id,
        created_at,
        messages,
        metadata,
    })
}

fn message(item: Value, text_field: &str) -> FieldResult<Message> {
    let map = fields::element_object(item)?;
    let role = fields::role(map.get("role"), "role", Role::from_speaker)?;
    let content = fields::text(&map, &[text_field], "the message text; see --text-field")?;
    let created_at = fields::timestamp(map.get("created_at"), "created_at")?;
    Ok(Message {
        role,
        content,
        created_at,
    })
}
