//! ShareGPT: `{id, conversations: [{from: human|gpt|system, value}]}`.
//! Messages written as `{role, content}` are accepted too. Top-level fields
//! other than the id, `conversations` and `metadata` (a dataset's labels,
//! say) are moved into metadata.

use serde_json::{Map, Value};

use super::Ctx;
use crate::ingest::fields::{self, FieldResult};
use crate::model::{Conversation, Message, Role};

pub(crate) const IDS: &[&str] = &["id", "conversation_id"];

pub(crate) fn convert(mut record: Map<String, Value>, ctx: &Ctx<'_>) -> FieldResult<Conversation> {
    let id = fields::id(&record, ctx.id_field, IDS)?;
    let created_at = fields::timestamp(record.get("created_at"), "created_at")?;
    let items = fields::take_array(&mut record, "conversations", "an array of {from, value}")?;
    let text_fields: Vec<&str> = match ctx.text_field {
        Some(f) => vec![f],
        None => vec!["value", "content", "text"],
    };
    let mut messages = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let message = message(item, &text_fields)
            .map_err(|e| e.within(format_args!("conversations[{i}]")))?;
        messages.push(message);
    }
    let mut metadata = fields::metadata(record.shift_remove("metadata"))?;
    let id_field = ctx.id_field.unwrap_or("id");
    fields::merge_extras(&mut metadata, record, &[id_field, "id", "created_at"]);
    Ok(Conversation {
        id,
        created_at,
        messages,
        metadata,
    })
}

fn message(item: Value, text_fields: &[&str]) -> FieldResult<Message> {
    let map = fields::element_object(item)?;
    let (speaker_field, speaker) = fields::first_present(&map, &["from", "role"])
        .map(|(f, v)| (f, Some(v)))
        .unwrap_or(("from", None));
    let role = fields::role(speaker, speaker_field, Role::from_speaker)?;
    let content = fields::text(&map, text_fields, "the message text; see --text-field")?;
    Ok(Message {
        role,
        content,
        created_at: None,
    })
}
