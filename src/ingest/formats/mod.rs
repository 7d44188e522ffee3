//! One converter per JSON format: a parsed record (`serde_json::Value`) in,
//! a [`Conversation`] out, or a [`FieldError`] naming the bad field.

mod chatgpt;
mod claude;
mod messages;
mod sharegpt;
mod turns;

use serde_json::{Map, Value};

use super::Format;
use super::fields::{self, FieldResult};
use crate::model::Conversation;

/// Field-name overrides from the command line.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ctx<'a> {
    pub id_field: Option<&'a str>,
    pub text_field: Option<&'a str>,
}

/// Converts one JSON record of `format`. The id is empty when the record
/// has none; the importer fills it in.
pub(crate) fn convert(format: Format, record: Value, ctx: &Ctx<'_>) -> FieldResult<Conversation> {
    let map = fields::record_object(record)?;
    match format {
        Format::Kura => messages::convert(map, ctx, messages::KURA_IDS),
        Format::Openai => messages::convert(map, ctx, messages::OPENAI_IDS),
        Format::Sharegpt => sharegpt::convert(map, ctx),
        Format::Claude => claude::convert(map, ctx),
        Format::Chatgpt => chatgpt::convert(map, ctx),
        Format::Turns => turns::convert(map, ctx),
        Format::Csv => Err(fields::FieldError::record(
            fields::Reason::NotAnObject,
            "CSV is not a JSON format",
        )),
    }
}

/// Recognises a JSON format from one record's fields.
pub(crate) fn recognise(record: &Map<String, Value>) -> Option<Format> {
    let has_array = |key: &str| matches!(record.get(key), Some(Value::Array(_)));
    if record.contains_key("mapping") {
        return Some(Format::Chatgpt);
    }
    if has_array("chat_messages") {
        return Some(Format::Claude);
    }
    if has_array("conversations") {
        return Some(Format::Sharegpt);
    }
    if has_array("turns") {
        return Some(Format::Turns);
    }
    if record.contains_key("messages") {
        return Some(if record.contains_key("chat_id") {
            Format::Kura
        } else {
            Format::Openai
        });
    }
    None
}
