//! The LLM summariser: the summary's JSON schema (with the project's
//! custom facets), the checks on an answer, and the conversion to a
//! [`Summary`].

use serde::Deserialize;
use serde_json::{Value, json};

use super::{LlmParams, summariser_identity};
use crate::config::{FacetSpec, FacetType};
use crate::embed::BoxFuture;
use crate::error::Result;
use crate::llm::structured;
use crate::model::{Conversation, Summary};
use crate::pipeline::prompts::Prompt;
use crate::pipeline::summarise::Summariser;
use crate::pipeline::{Stage, truncate};

fn facet_schema(kind: FacetType) -> Value {
    match kind {
        FacetType::String => json!({"type": "string"}),
        FacetType::Integer => json!({"type": "integer"}),
        FacetType::Number => json!({"type": "number"}),
        FacetType::Boolean => json!({"type": "boolean"}),
        FacetType::List => json!({"type": "array", "items": {"type": "string"}}),
    }
}

/// The JSON schema of a summary, with the project's custom facets.
pub fn summary_schema(facets: &[FacetSpec]) -> Value {
    let mut props = json!({
        "summary": {"type": "string"},
        "request": {"type": "string"},
        "task": {"type": "string"},
        "languages": {"type": "array", "items": {"type": "string"}},
        "concerning_score": {"type": "integer", "minimum": 1, "maximum": 5},
        "user_frustration": {"type": "integer", "minimum": 1, "maximum": 5},
        "assistant_errors": {"type": "array", "items": {"type": "string"}},
    });
    let mut required: Vec<String> = [
        "summary",
        "request",
        "task",
        "languages",
        "concerning_score",
        "user_frustration",
        "assistant_errors",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(map) = props.as_object_mut() {
        for f in facets {
            map.insert(f.name.clone(), facet_schema(f.kind));
            required.push(f.name.clone());
        }
    }
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

#[derive(Deserialize)]
struct RawSummary {
    summary: String,
    #[serde(default)]
    request: Option<String>,
    #[serde(default)]
    task: Option<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    concerning_score: Option<i64>,
    #[serde(default)]
    user_frustration: Option<i64>,
    #[serde(default)]
    assistant_errors: Vec<String>,
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

fn check_score(name: &str, v: Option<i64>) -> std::result::Result<(), String> {
    match v {
        Some(s) if !(1..=5).contains(&s) => {
            Err(format!("`{name}` must be an integer from 1 to 5, got {s}"))
        }
        _ => Ok(()),
    }
}

fn check_custom(
    facets: &[FacetSpec],
    rest: &serde_json::Map<String, Value>,
) -> std::result::Result<(), String> {
    for f in facets {
        let Some(v) = rest.get(&f.name) else {
            return Err(format!("missing custom facet `{}`", f.name));
        };
        // Lenient parsing fills a missing number or flag with null.
        if v.is_null() {
            continue;
        }
        let ok = match f.kind {
            FacetType::String => v.is_string(),
            FacetType::Integer => v.is_i64() || v.is_u64(),
            FacetType::Number => v.is_number(),
            FacetType::Boolean => v.is_boolean(),
            FacetType::List => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        };
        if !ok {
            return Err(format!(
                "custom facet `{}` must be of type {:?}",
                f.name, f.kind
            ));
        }
    }
    Ok(())
}

/// Summaries from the LLM.
pub struct LlmSummariser {
    pub llm: LlmParams,
    pub prompt: Prompt,
    pub facets: Vec<FacetSpec>,
    pub max_chars: usize,
}

impl Summariser for LlmSummariser {
    fn identity(&self) -> String {
        summariser_identity(&self.llm.chat.identity(), &self.prompt, &self.facets)
    }

    fn summarise<'a>(&'a self, conversation: &'a Conversation) -> BoxFuture<'a, Result<Summary>> {
        Box::pin(async move {
            let custom: String = self
                .facets
                .iter()
                .map(|f| format!("- {}: {}\n", f.name, f.instruction))
                .collect();
            let text = self.prompt.render(&[
                (
                    "conversation",
                    &truncate::render(conversation, self.max_chars),
                ),
                ("custom_facets", &custom),
            ]);
            let req = self.llm.request(
                Stage::Summaries,
                text,
                "conversation_summary",
                summary_schema(&self.facets),
            );
            let facets = self.facets.clone();
            let out = structured::<RawSummary, _>(
                self.llm.chat.as_ref(),
                req,
                move |s: &RawSummary| {
                    if s.summary.trim().is_empty() {
                        return Err("`summary` must not be empty".into());
                    }
                    check_score("concerning_score", s.concerning_score)?;
                    check_score("user_frustration", s.user_frustration)?;
                    check_custom(&facets, &s.rest)
                },
                self.llm.repair_attempts,
            )
            .await?;
            let raw = out.value;
            let mut custom = serde_json::Map::new();
            for f in &self.facets {
                if let Some(v) = raw.rest.get(&f.name).filter(|v| !v.is_null()) {
                    custom.insert(f.name.clone(), v.clone());
                }
            }
            Ok(Summary {
                conversation_id: conversation.id.clone(),
                summary: raw.summary.trim().to_string(),
                request: raw.request.filter(|s| !s.trim().is_empty()),
                task: raw.task.filter(|s| !s.trim().is_empty()),
                languages: raw
                    .languages
                    .into_iter()
                    .map(|l| l.trim().to_lowercase())
                    .collect(),
                concerning_score: raw.concerning_score.map(|v| v as u8),
                user_frustration: raw.user_frustration.map(|v| v as u8),
                assistant_errors: raw.assistant_errors,
                custom,
            })
        })
    }
}
