//! The pipeline's LLM seams implemented over a [`ChatModel`]: summaries,
//! cluster names and the hierarchy calls, each a structured JSON answer
//! validated against its Rust type (with the client's repair loop).

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::hierarchy_llm::HierarchyLlm;
use super::naming::{ClusterNamer, GeneratedName, NamingInput};
use super::prompts::Prompt;
use super::summarise::Summariser;
use super::{Stage, truncate};
use crate::config::{Config, FacetSpec, FacetType};
use crate::embed::BoxFuture;
use crate::error::Result;
use crate::llm::{ChatModel, ChatRequest, structured};
use crate::model::{Conversation, Summary};
use crate::project::checkpoint::hash_key;

/// The identity of the LLM summariser (part of the summaries' key):
/// the chat model's name, the prompt and the custom facets.
pub fn summariser_identity(chat: &str, prompt: &Prompt, facets: &[FacetSpec]) -> String {
    format!("llm:{chat}:{}", hash_key(&(&prompt.text, facets)))
}

/// The identity of the LLM cluster namer.
pub fn namer_identity(chat: &str, prompt: &Prompt) -> String {
    format!("llm:{chat}:{}", hash_key(&prompt.text))
}

/// The identity of the LLM hierarchy (propose, dedupe, assign, rename).
pub fn hierarchy_identity(chat: &str, prompts: [&Prompt; 4]) -> String {
    let [p, d, a, r] = prompts;
    format!(
        "llm:{chat}:{}",
        hash_key(&(&p.text, &d.text, &a.text, &r.text))
    )
}

/// Settings every LLM seam shares.
#[derive(Clone)]
pub struct LlmParams {
    pub chat: Arc<dyn ChatModel>,
    pub temperature: f32,
    pub max_tokens: u32,
    pub repair_attempts: u32,
}

impl LlmParams {
    pub fn new(chat: Arc<dyn ChatModel>, config: &Config) -> Self {
        LlmParams {
            chat,
            temperature: config.llm.temperature,
            max_tokens: config.llm.max_tokens,
            repair_attempts: config.llm.repair_attempts,
        }
    }

    fn request(
        &self,
        stage: Stage,
        prompt: String,
        schema_name: &str,
        schema: Value,
    ) -> ChatRequest {
        let mut r = ChatRequest::new(stage.name())
            .user(prompt)
            .schema(schema_name, schema)
            .temperature(self.temperature);
        r.max_tokens = self.max_tokens;
        r
    }
}

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
        summariser_identity(&self.llm.chat.name(), &self.prompt, &self.facets)
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

fn name_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "description": {"type": "string"},
            "slug": {"type": "string"}
        },
        "required": ["name", "description", "slug"],
        "additionalProperties": false
    })
}

fn check_name(n: &GeneratedName) -> std::result::Result<(), String> {
    if n.name.trim().is_empty() {
        return Err("`name` must not be empty".into());
    }
    if n.name.split_whitespace().count() > 16 {
        return Err("`name` must be at most ten words".into());
    }
    Ok(())
}

fn bullet(items: &[String]) -> String {
    if items.is_empty() {
        return "(none)".into();
    }
    items
        .iter()
        .map(|s| format!("- {}\n", s.replace('\n', " ")))
        .collect()
}

/// Cluster names from the LLM.
pub struct LlmNamer {
    pub llm: LlmParams,
    pub prompt: Prompt,
}

impl ClusterNamer for LlmNamer {
    fn identity(&self) -> String {
        namer_identity(&self.llm.chat.name(), &self.prompt)
    }

    fn name<'a>(&'a self, input: NamingInput) -> BoxFuture<'a, Result<GeneratedName>> {
        Box::pin(async move {
            let text = self.prompt.render(&[
                ("examples", &bullet(&input.examples)),
                ("contrastive", &bullet(&input.contrastive)),
            ]);
            let req = self
                .llm
                .request(Stage::Names, text, "cluster_name", name_schema());
            Ok(structured::<GeneratedName, _>(
                self.llm.chat.as_ref(),
                req,
                check_name,
                self.llm.repair_attempts,
            )
            .await?
            .value)
        })
    }
}

#[derive(Deserialize)]
struct Names {
    names: Vec<String>,
}

#[derive(Deserialize)]
struct Category {
    category: String,
}

/// The hierarchy's LLM calls.
pub struct LlmHierarchy {
    pub llm: LlmParams,
    pub propose: Prompt,
    pub dedupe: Prompt,
    pub assign: Prompt,
    pub rename: Prompt,
}

impl LlmHierarchy {
    async fn names(&self, text: String, max: usize) -> Result<Vec<String>> {
        let schema = json!({
            "type": "object",
            "properties": {"names": {"type": "array", "items": {"type": "string"}}},
            "required": ["names"],
            "additionalProperties": false
        });
        let req = self
            .llm
            .request(Stage::Hierarchy, text, "category_names", schema);
        let check = move |n: &Names| {
            if n.names.iter().all(|s| s.trim().is_empty()) {
                Err("`names` must hold at least one name".to_string())
            } else if n.names.len() > max * 2 {
                Err(format!("give at most {max} names"))
            } else {
                Ok(())
            }
        };
        Ok(
            structured::<Names, _>(self.llm.chat.as_ref(), req, check, self.llm.repair_attempts)
                .await?
                .value
                .names,
        )
    }
}

impl HierarchyLlm for LlmHierarchy {
    fn identity(&self) -> String {
        hierarchy_identity(
            &self.llm.chat.name(),
            [&self.propose, &self.dedupe, &self.assign, &self.rename],
        )
    }

    fn propose<'a>(
        &'a self,
        clusters: Vec<String>,
        nearby: Vec<String>,
        target: usize,
        max: usize,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(async move {
            let text = self.propose.render(&[
                ("clusters", &bullet(&clusters)),
                ("nearby", &bullet(&nearby)),
                ("target", &target.to_string()),
                ("max", &max.to_string()),
            ]);
            self.names(text, max).await
        })
    }

    fn dedupe<'a>(
        &'a self,
        names: Vec<String>,
        target: usize,
        max: usize,
    ) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(async move {
            let text = self.dedupe.render(&[
                ("names", &bullet(&names)),
                ("target", &target.to_string()),
                ("max", &max.to_string()),
            ]);
            self.names(text, max).await
        })
    }

    fn assign<'a>(
        &'a self,
        cluster: String,
        parents: Vec<String>,
    ) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            let text = self
                .assign
                .render(&[("cluster", &cluster), ("parents", &bullet(&parents))]);
            let schema = json!({
                "type": "object",
                "properties": {"category": {"type": "string", "enum": parents}},
                "required": ["category"],
                "additionalProperties": false
            });
            let req = self
                .llm
                .request(Stage::Hierarchy, text, "category_choice", schema);
            Ok(
                structured::<Category, _>(self.llm.chat.as_ref(), req, |_| Ok(()), 0)
                    .await?
                    .value
                    .category,
            )
        })
    }

    fn rename<'a>(&'a self, children: Vec<String>) -> BoxFuture<'a, Result<GeneratedName>> {
        Box::pin(async move {
            let text = self.rename.render(&[("children", &bullet(&children))]);
            let req = self
                .llm
                .request(Stage::Hierarchy, text, "cluster_name", name_schema());
            Ok(structured::<GeneratedName, _>(
                self.llm.chat.as_ref(),
                req,
                check_name,
                self.llm.repair_attempts,
            )
            .await?
            .value)
        })
    }
}
