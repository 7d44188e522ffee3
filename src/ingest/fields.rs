//! Reading typed fields out of a JSON record, with errors that name the
//! field path (`messages[3].role`) and a short reason key.

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value};

use crate::model::{Metadata, Role};

/// Why a record was rejected; the short key counts rejects in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    InvalidJson,
    NotAnObject,
    MissingField,
    WrongType,
    UnknownRole,
    TooLarge,
    BadRow,
    Structure,
}

impl Reason {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Reason::InvalidJson => "invalid_json",
            Reason::NotAnObject => "not_an_object",
            Reason::MissingField => "missing_field",
            Reason::WrongType => "wrong_type",
            Reason::UnknownRole => "unknown_role",
            Reason::TooLarge => "too_large",
            Reason::BadRow => "bad_csv_row",
            Reason::Structure => "broken_structure",
        }
    }
}

/// A problem inside one record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldError {
    pub field: Option<String>,
    pub reason: Reason,
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(
        field: impl Into<String>,
        reason: Reason,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: Some(field.into()),
            reason,
            message: message.into(),
        }
    }

    pub(crate) fn record(reason: Reason, message: impl Into<String>) -> Self {
        FieldError {
            field: None,
            reason,
            message: message.into(),
        }
    }

    /// Puts the field inside `prefix` (`role` inside `messages[3]`).
    pub(crate) fn within(mut self, prefix: impl std::fmt::Display) -> Self {
        self.field = Some(match self.field.take() {
            Some(f) if f.starts_with('[') => format!("{prefix}{f}"),
            Some(f) => format!("{prefix}.{f}"),
            None => prefix.to_string(),
        });
        self
    }

    fn missing(field: &str, what: &str) -> Self {
        FieldError::new(
            field,
            Reason::MissingField,
            format!("missing field `{field}` ({what})"),
        )
    }

    fn wrong_type(field: &str, expected: &str, found: &Value) -> Self {
        FieldError::new(
            field,
            Reason::WrongType,
            format!("`{field}` should be {expected}, found {}", kind(found)),
        )
    }
}

pub(crate) type FieldResult<T> = Result<T, FieldError>;

/// "a string", "an array", ... for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The record as an object.
pub(crate) fn record_object(value: Value) -> FieldResult<Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(FieldError::record(
            Reason::NotAnObject,
            format!("expected a JSON object, found {}", kind(&other)),
        )),
    }
}

/// An element of an array that must be an object (`messages[3]`).
pub(crate) fn element_object(value: Value) -> FieldResult<Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(FieldError::record(
            Reason::WrongType,
            format!("should be an object, found {}", kind(&other)),
        )),
    }
}

/// Follows a dotted path (`meta.conv_id`) through nested objects.
pub(crate) fn get_path<'a>(map: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if let Some(v) = map.get(path) {
        return Some(v);
    }
    let mut parts = path.split('.');
    let mut cur = map.get(parts.next()?)?;
    for part in parts {
        cur = cur.as_object()?.get(part)?;
    }
    Some(cur)
}

/// The record's id: the `--id-field` override, else the first of
/// `defaults` present. Strings and integers are accepted; a missing, null
/// or blank id gives an empty string (the importer then names the record
/// `<file stem>:<index>`).
pub(crate) fn id(
    map: &Map<String, Value>,
    id_field: Option<&str>,
    defaults: &[&str],
) -> FieldResult<String> {
    let found = match id_field {
        Some(field) => get_path(map, field).map(|v| (field, v)),
        None => defaults
            .iter()
            .find_map(|f| map.get(*f).filter(|v| !v.is_null()).map(|v| (*f, v))),
    };
    match found {
        None | Some((_, Value::Null)) => Ok(String::new()),
        Some((_, Value::String(s))) => Ok(s.trim().to_string()),
        Some((_, Value::Number(n))) => Ok(n.to_string()),
        Some((field, other)) => Err(FieldError::wrong_type(field, "a string or number", other)),
    }
}

/// A timestamp: strings are kept as given; unix numbers become RFC 3339
/// (numbers above 10^11 are taken as milliseconds).
pub(crate) fn timestamp(value: Option<&Value>, field: &str) -> FieldResult<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => {
            let secs = n.as_f64().unwrap_or(f64::NAN);
            unix_to_rfc3339(secs).map(Some).ok_or_else(|| {
                FieldError::new(
                    field,
                    Reason::WrongType,
                    format!("`{field}` = {n} is not a usable unix timestamp"),
                )
            })
        }
        Some(other) => Err(FieldError::wrong_type(
            field,
            "a string or a unix timestamp",
            other,
        )),
    }
}

/// Unix seconds (or milliseconds, above 10^11) to RFC 3339 in UTC.
pub(crate) fn unix_to_rfc3339(value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    let secs = if value.abs() > 1e11 {
        value / 1000.0
    } else {
        value
    };
    let whole = secs.floor();
    // Microsecond precision is what exports carry; it also avoids float noise.
    let micros = ((secs - whole) * 1e6).round().clamp(0.0, 999_999.0) as u32;
    if whole < i64::MIN as f64 || whole > i64::MAX as f64 {
        return None;
    }
    let dt = DateTime::from_timestamp(whole as i64, micros * 1000)?;
    Some(dt.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// The user's `metadata` object (absent or null is empty).
pub(crate) fn metadata(value: Option<Value>) -> FieldResult<Metadata> {
    match value {
        None | Some(Value::Null) => Ok(Metadata::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(other) => Err(FieldError::wrong_type("metadata", "an object", &other)),
    }
}

/// Takes a required array field out of the record.
pub(crate) fn take_array(
    map: &mut Map<String, Value>,
    field: &str,
    what: &str,
) -> FieldResult<Vec<Value>> {
    match map.shift_remove(field) {
        None => Err(FieldError::missing(field, what)),
        Some(Value::Array(items)) => Ok(items),
        // `null` stands for "no messages" in some exports.
        Some(Value::Null) => Ok(Vec::new()),
        Some(other) => Err(FieldError::wrong_type(field, "an array", &other)),
    }
}

/// The first of `fields` present in `map`, with its name.
pub(crate) fn first_present<'a, 'm>(
    map: &'m Map<String, Value>,
    fields: &[&'a str],
) -> Option<(&'a str, &'m Value)> {
    fields.iter().find_map(|f| map.get(*f).map(|v| (*f, v)))
}

/// Message text: a string, null (empty), or an array of content parts —
/// strings and `{type: "text", text}` items are joined with newlines;
/// other parts (images, audio, files) are noted as `[<type>]`.
pub(crate) fn content(value: &Value, field: &str) -> FieldResult<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        Value::Array(parts) => {
            let mut out = String::new();
            for (i, part) in parts.iter().enumerate() {
                let piece = part_text(part).map_err(|e| e.within(format!("{field}[{i}]")))?;
                if let Some(piece) = piece {
                    if !out.is_empty() {
                        out.push('\n');
                    }
                    out.push_str(&piece);
                }
            }
            Ok(out)
        }
        other => Err(FieldError::wrong_type(
            field,
            "a string or an array of content parts",
            other,
        )),
    }
}

fn part_text(part: &Value) -> FieldResult<Option<String>> {
    match part {
        Value::String(s) => Ok(Some(s.clone())),
        Value::Null => Ok(None),
        Value::Object(map) => {
            let kind = map.get("type").and_then(Value::as_str).unwrap_or("text");
            match map.get("text") {
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Object(inner)) => Ok(inner
                    .get("value")
                    .and_then(Value::as_str)
                    .map(str::to_string)),
                Some(other) if !other.is_null() => {
                    Err(FieldError::wrong_type("text", "a string", other))
                }
                _ if kind.contains("text") => {
                    Err(FieldError::missing("text", "a text part needs its text"))
                }
                _ => Ok(Some(format!("[{kind}]"))),
            }
        }
        other => Err(FieldError::record(
            Reason::WrongType,
            format!(
                "a content part should be a string or an object, found {}",
                kind(other)
            ),
        )),
    }
}

/// A role: `role_of` maps the speaker name; unknown names are errors.
pub(crate) fn role(
    value: Option<&Value>,
    field: &str,
    role_of: fn(&str) -> Option<Role>,
) -> FieldResult<Role> {
    match value {
        None | Some(Value::Null) => Err(FieldError::missing(field, "who spoke the message")),
        Some(Value::String(s)) => role_of(s).ok_or_else(|| {
            FieldError::new(
                field,
                Reason::UnknownRole,
                format!(
                    "unknown role `{s}` (expected user, assistant, system or tool, or a usual alias such as human or gpt)"
                ),
            )
        }),
        Some(other) => Err(FieldError::wrong_type(field, "a string", other)),
    }
}

/// A required string field of a message.
pub(crate) fn text(map: &Map<String, Value>, fields: &[&str], what: &str) -> FieldResult<String> {
    match first_present(map, fields) {
        None => {
            let field = fields.first().copied().unwrap_or("text");
            Err(FieldError::missing(field, what))
        }
        Some((field, value)) => content(value, field),
    }
}

/// Moves the record's remaining top-level fields into `metadata`, except
/// `skip`, never overwriting what `metadata` already holds.
pub(crate) fn merge_extras(metadata: &mut Metadata, record: Map<String, Value>, skip: &[&str]) {
    for (key, value) in record {
        if skip.contains(&key.as_str()) || metadata.contains_key(&key) {
            continue;
        }
        metadata.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_accept_strings_and_numbers() {
        let m = json!({"id": 42, "x": {"y": "deep"}, "blank": "  "});
        let m = m.as_object().unwrap();
        assert_eq!(id(m, None, &["id"]).unwrap(), "42");
        assert_eq!(id(m, Some("x.y"), &["id"]).unwrap(), "deep");
        assert_eq!(id(m, Some("blank"), &["id"]).unwrap(), "");
        assert_eq!(id(m, None, &["nope"]).unwrap(), "");
        let err = id(m, Some("x"), &[]).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("x"));
        assert!(err.message.contains("found an object"));
    }

    #[test]
    fn unix_timestamps_become_rfc3339() {
        assert_eq!(
            unix_to_rfc3339(1_700_000_000.5).unwrap(),
            "2023-11-14T22:13:20.500Z"
        );
        assert_eq!(
            unix_to_rfc3339(1_700_000_000_000.0).unwrap(),
            "2023-11-14T22:13:20Z"
        );
        assert!(unix_to_rfc3339(f64::NAN).is_none());
        assert_eq!(
            timestamp(Some(&json!("2024-01-01")), "t").unwrap().unwrap(),
            "2024-01-01"
        );
        assert!(timestamp(Some(&json!([1])), "t").is_err());
    }

    #[test]
    fn content_parts_are_joined_and_noted() {
        let v = json!([
            {"type": "text", "text": "hello"},
            {"type": "image_url", "image_url": {"url": "x"}},
            "tail"
        ]);
        assert_eq!(content(&v, "content").unwrap(), "hello\n[image_url]\ntail");
        let err = content(&json!([{"type": "text"}]), "content").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("content[0].text"));
        let err = content(&json!(5), "content").unwrap_err();
        assert_eq!(err.reason, Reason::WrongType);
    }

    #[test]
    fn within_builds_paths() {
        let e = FieldError::new("role", Reason::UnknownRole, "x").within("messages[3]");
        assert_eq!(e.field.as_deref(), Some("messages[3].role"));
        let e = FieldError::record(Reason::WrongType, "x").within("messages[1]");
        assert_eq!(e.field.as_deref(), Some("messages[1]"));
    }
}
