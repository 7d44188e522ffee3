//! Typed answers: ask with a schema, pull the JSON out of whatever came back,
//! read it leniently (see [`super::lenient`]), check it against the Rust
//! type and the caller's rules, and re-ask with the problem spelled out
//! when it still does not fit.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::cut_off::close_cut_off;
use super::events::ClientEvent;
use super::json_scan::JsonScan;
use super::lenient::{ParseFixes, coerce, relax};
use super::types::{ChatMessage, ChatModel, ChatRequest, Usage};
use crate::error::{Error, Result};

/// A checked answer and what it took to get it.
#[derive(Debug, Clone, PartialEq)]
pub struct Structured<T> {
    pub value: T,
    /// Summed over all attempts.
    pub usage: Usage,
    /// 1 when the first answer was good.
    pub attempts: u32,
    /// True when every answer came from the cache.
    pub cached: bool,
    /// What lenient parsing fixed in the answer used, and whether it took
    /// a re-ask (`reasked`).
    pub fixes: ParseFixes,
}

/// Asks `chat` until the answer parses as `T` and passes `validate`, with up
/// to `repair_attempts` re-asks. Each answer is read leniently against the
/// request's schema first; only one that is still unusable is re-asked,
/// repeating the conversation with the bad answer and the reason it was
/// rejected appended. Transport errors are returned at once (the client
/// has already retried them). Fixes are reported to the model's events as
/// [`ClientEvent::Lenient`].
pub async fn structured<T, V>(
    chat: &dyn ChatModel,
    mut req: ChatRequest,
    validate: V,
    repair_attempts: u32,
) -> Result<Structured<T>>
where
    T: DeserializeOwned,
    V: Fn(&T) -> std::result::Result<(), String>,
{
    let total = repair_attempts.saturating_add(1);
    let mut usage = Usage::default();
    let mut all_cached = true;
    let mut last_problem = String::new();
    let mut last_answer = String::new();
    for attempt in 1..=total {
        let resp = chat.chat(req.clone()).await?;
        usage += resp.usage;
        all_cached &= resp.cached;
        let schema = req.schema.as_ref().map(|s| &s.schema);
        match parse_lenient::<T, V>(&resp.content, schema, &validate) {
            Ok((value, mut fixes)) => {
                fixes.reasked = u32::from(attempt > 1);
                if !fixes.is_empty() {
                    tracing::debug!(tag = %req.tag, fixes = %fixes.render(), "answer fixed");
                    chat.report(ClientEvent::Lenient {
                        tag: req.tag.clone(),
                        fixes,
                    });
                }
                return Ok(Structured {
                    value,
                    usage,
                    attempts: attempt,
                    cached: all_cached,
                    fixes,
                });
            }
            Err(problem) => {
                tracing::debug!(tag = %req.tag, attempt, %problem, "answer rejected");
                if attempt < total {
                    req.messages
                        .push(ChatMessage::assistant(resp.content.clone()));
                    req.messages
                        .push(ChatMessage::user(repair_prompt(&problem)));
                }
                last_problem = problem;
                last_answer = resp.content;
            }
        }
    }
    let snippet: String = last_answer.chars().take(200).collect();
    Err(Error::Llm(format!(
        "{} gave no usable answer for `{}` after {total} attempt(s): {last_problem}; the last answer began: {snippet:?}",
        chat.identity(),
        req.tag,
    )))
}

/// The follow-up message of a repair attempt.
pub fn repair_prompt(problem: &str) -> String {
    format!(
        "Your previous answer could not be used: {problem}. \
         Reply again with only the corrected JSON object."
    )
}

/// Extracts, deserialises and validates one answer, strictly: no fixes.
pub fn parse_answer<T, V>(content: &str, validate: &V) -> std::result::Result<T, String>
where
    T: DeserializeOwned,
    V: Fn(&T) -> std::result::Result<(), String>,
{
    let json = locate(content)?.0;
    let value: T = serde_json::from_str(json)
        .map_err(|e| format!("the JSON does not match the expected structure: {e}"))?;
    validate(&value).map_err(|e| format!("the JSON failed validation: {e}"))?;
    Ok(value)
}

/// Like [`parse_answer`], but fixes what small models predictably get
/// wrong first (see [`super::lenient`]); `schema` guides the fixes of
/// types and missing or extra properties. An answer that stops inside its
/// object is closed where it stops, or cut back to an earlier comma, and
/// the first version that passes is kept. Returns what was fixed.
pub fn parse_lenient<T, V>(
    content: &str,
    schema: Option<&Value>,
    validate: &V,
) -> std::result::Result<(T, ParseFixes), String>
where
    T: DeserializeOwned,
    V: Fn(&T) -> std::result::Result<(), String>,
{
    let problem = match locate(content) {
        Ok((json, extracted)) => {
            let mut fixes = ParseFixes {
                extracted: u32::from(extracted),
                ..ParseFixes::default()
            };
            return read(json, schema, validate, &mut fixes).map(|v| (v, fixes));
        }
        Err(problem) => problem,
    };
    let bare = strip_think(content).trim();
    let Some(start) = bare.find('{') else {
        return Err(problem);
    };
    for candidate in close_cut_off(&bare[start..]) {
        let mut fixes = ParseFixes {
            extracted: u32::from(!bare[..start].trim().is_empty()),
            cut_off: 1,
            ..ParseFixes::default()
        };
        if let Ok(v) = read(&candidate, schema, validate, &mut fixes) {
            return Ok((v, fixes));
        }
    }
    Err(problem)
}

/// Parses (relaxing near-JSON), fits to `schema`, deserialises and
/// validates one JSON text, adding what it fixed to `fixes`.
fn read<T, V>(
    json: &str,
    schema: Option<&Value>,
    validate: &V,
    fixes: &mut ParseFixes,
) -> std::result::Result<T, String>
where
    T: DeserializeOwned,
    V: Fn(&T) -> std::result::Result<(), String>,
{
    let mut value: Value = match serde_json::from_str(json) {
        Ok(v) => v,
        Err(strict) => serde_json::from_str(&relax(json, fixes))
            .map_err(|_| format!("the answer is not valid JSON ({strict})"))?,
    };
    let given: Option<Vec<String>> = value.as_object().map(|m| m.keys().cloned().collect());
    if let Some(schema) = schema {
        coerce(&mut value, schema, fixes);
    }
    let value: T = match T::deserialize(&value) {
        Ok(v) => v,
        Err(e) => {
            // Name a missing field as missing, not by the null it got.
            if let (Some(given), Value::Object(map)) = (&given, &mut value) {
                map.retain(|k, v| given.contains(k) || !v.is_null());
            }
            let e = T::deserialize(&value).err().unwrap_or(e);
            return Err(format!(
                "the JSON does not match the expected structure: {e}"
            ));
        }
    };
    validate(&value).map_err(|e| format!("the JSON failed validation: {e}"))?;
    Ok(value)
}

/// The JSON object of an answer, and whether prose or a fence had to be
/// cut away to find it.
fn locate(content: &str) -> std::result::Result<(&str, bool), String> {
    let json = extract_json(content).ok_or_else(|| {
        if content.contains('{') {
            "the answer holds no complete JSON object (was it cut off?)".to_string()
        } else {
            "the answer holds no JSON object".to_string()
        }
    })?;
    let bare = strip_think(content).trim();
    Ok((json, json.len() != bare.len()))
}

/// The answer without a leading `<think>…</think>` block.
fn strip_think(text: &str) -> &str {
    match text.find("</think>") {
        Some(end) if text.trim_start().starts_with("<think>") => &text[end + "</think>".len()..],
        _ => text,
    }
}

/// Finds the JSON object in a model's answer: the whole answer if it is
/// one, else the inside of the first ``` fence, else the first balanced
/// `{…}`. A leading `<think>…</think>` block is skipped.
pub fn extract_json(text: &str) -> Option<&str> {
    let trimmed = strip_think(text).trim();
    if trimmed.starts_with('{') && serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok() {
        return Some(trimmed);
    }
    if let Some(start) = trimmed.find("```") {
        let after = &trimmed[start + 3..];
        // Skip a language tag such as `json`.
        let body_start = after.find('\n').map_or(0, |i| i + 1);
        let after = &after[body_start..];
        if let Some(end) = after.find("```")
            && let Some(obj) = balanced_object(&after[..end])
        {
            return Some(obj);
        }
    }
    balanced_object(trimmed)
}

/// The first `{…}` whose braces balance, ignoring braces inside strings
/// (double-quoted, or single-quoted where a string may start).
fn balanced_object(s: &str) -> Option<&str> {
    let start = s.find('{')?;
    let mut depth = 0usize;
    let mut scan = JsonScan::default();
    for (i, c) in s[start..].char_indices() {
        if !scan.outside(c) {
            continue;
        }
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(&s[start..=start + i]);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_from_plain_fenced_and_chatty_answers() {
        assert_eq!(extract_json(r#" {"a": 1} "#), Some(r#"{"a": 1}"#));
        assert_eq!(
            extract_json("Sure!\n```json\n{\"a\": \"}\"}\n```\nHope that helps"),
            Some("{\"a\": \"}\"}")
        );
        assert_eq!(
            extract_json(r#"Here you go: {"a": {"b": "x\"}"}} and more {"c": 2}"#),
            Some(r#"{"a": {"b": "x\"}"}}"#)
        );
        assert_eq!(
            extract_json("<think>maybe {this}</think>\n{\"a\": 2}"),
            Some("{\"a\": 2}")
        );
        assert_eq!(extract_json(r#"{"a": [1, 2"#), None);
        assert_eq!(extract_json("no json here"), None);
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Named {
        name: String,
    }

    #[test]
    fn parse_answer_reports_each_problem() {
        let ok = |_: &Named| Ok(());
        assert_eq!(
            parse_answer::<Named, _>(r#"{"name": "x"}"#, &ok).unwrap(),
            Named { name: "x".into() }
        );
        let err = parse_answer::<Named, _>(r#"{"title": "x"}"#, &ok).unwrap_err();
        assert!(err.contains("missing field `name`"), "{err}");
        let err = parse_answer::<Named, _>(r#"{"name": "x""#, &ok).unwrap_err();
        assert!(err.contains("cut off"), "{err}");
        let short = |n: &Named| {
            if n.name.len() < 3 {
                Err("name must be at least 3 characters".to_string())
            } else {
                Ok(())
            }
        };
        let err = parse_answer::<Named, _>(r#"{"name": "x"}"#, &short).unwrap_err();
        assert!(err.contains("at least 3 characters"), "{err}");
    }
}
