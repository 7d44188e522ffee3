//! Records with a `messages: [{role, content, created_at?}]` list: Kura's
//! own conversations (`chat_id`) and OpenAI-style chat logs (`id`), which
//! includes kura-tui's own export lines (their extra fields are ignored).

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
