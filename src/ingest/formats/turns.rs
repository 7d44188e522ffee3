//! `{id?, turns: [{speaker, text}]}`. Speakers `user`/`USER`/`human` are the
//! user; `assistant`/`system`/`bot` are the assistant (in this shape
//! "system" is the dialogue system answering, not a system prompt).
//! `{role, content}` turns are accepted too. Top-level fields other than
//! the id, `turns` and `metadata` are moved into metadata.

use serde_json::{Map, Value};

use super::Ctx;
use crate::ingest::fields::{self, FieldResult};
use crate::model::{Conversation, Message, Role};

pub(crate) const IDS: &[&str] = &["id", "dialogue_id", "conversation_id"];

/// Maps a turn's speaker; "system" answers as the assistant here.
pub(crate) fn speaker_role(name: &str) -> Option<Role> {
    match Role::from_speaker(name)? {
        Role::System => Some(Role::Assistant),
        role => Some(role),
    }
}

pub(crate) fn convert(mut record: Map<String, Value>, ctx: &Ctx<'_>) -> FieldResult<Conversation> {
    let id = fields::id(&record, ctx.id_field, IDS)?;
    let created_at = fields::timestamp(record.get("created_at"), "created_at")?;
    let items = fields::take_array(&mut record, "turns", "an array of {speaker, text}")?;
    let text_fields: Vec<&str> = match ctx.text_field {
        Some(f) => vec![f],
        None => vec!["text", "utterance", "content"],
    };
    let mut messages = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let message =
            message(item, &text_fields).map_err(|e| e.within(format_args!("turns[{i}]")))?;
        messages.push(message);
    }
    let mut metadata = fields::metadata(record.shift_remove("metadata"))?;
    let id_field = ctx.id_field.unwrap_or("id");
    fields::merge_extras(
        &mut metadata,
        record,
        &[
            id_field,
            "id",
            "dialogue_id",
            "conversation_id",
            "created_at",
        ],
    );
    Ok(Conversation {
        id,
        created_at,
        messages,
        metadata,
    })
}

fn message(item: Value, text_fields: &[&str]) -> FieldResult<Message> {
    let map = fields::element_object(item)?;
    let (speaker_field, speaker) = fields::first_present(&map, &["speaker", "role"])
        .map(|(f, v)| (f, Some(v)))
        .unwrap_or(("speaker", None));
    let role = fields::role(speaker, speaker_field, speaker_role)?;
    let content = fields::text(&map, text_fields, "the turn's text; see --text-field")?;
    Ok(Message {
        role,
        content,
        created_at: fields::timestamp(map.get("created_at"), "created_at")?,
    })
}
