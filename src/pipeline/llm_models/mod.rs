//! The pipeline's LLM seams implemented over a [`ChatModel`]: summaries,
//! cluster names and the hierarchy calls, each a structured JSON answer
//! validated against its Rust type (with the client's repair loop).

mod hierarchy;
mod summary;

use std::sync::Arc;

use serde_json::{Value, json};

use super::Stage;
use super::naming::{ClusterNamer, GeneratedName, NamingInput};
use super::prompts::Prompt;
use crate::config::{Config, FacetSpec};
use crate::embed::BoxFuture;
use crate::error::Result;
use crate::llm::{ChatModel, ChatRequest, structured};
use crate::project::checkpoint::hash_key;

pub use hierarchy::LlmHierarchy;
pub use summary::{LlmSummariser, summary_schema};

/// The version of the hierarchy algorithm around the prompts, part of the
/// LLM hierarchy's identity: v2 repairs collapsed levels, so a tree built
/// before is rebuilt (its answers mostly come from the cache).
const HIERARCHY_ALGORITHM: &str = "clio-v2";

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
        hash_key(&(HIERARCHY_ALGORITHM, &p.text, &d.text, &a.text, &r.text))
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

    pub(super) fn request(
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

    /// Asks for a cluster name (name, description, slug) and checks it:
    /// what naming a base cluster and renaming a parent share.
    pub(super) async fn generated_name(&self, stage: Stage, text: String) -> Result<GeneratedName> {
        let req = self.request(stage, text, "cluster_name", name_schema());
        Ok(structured::<GeneratedName, _>(
            self.chat.as_ref(),
            req,
            check_name,
            self.repair_attempts,
        )
        .await?
        .value)
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
        return Err("`name` must be at most 16 words".into());
    }
    Ok(())
}

pub(super) fn bullet(items: &[String]) -> String {
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
        namer_identity(&self.llm.chat.identity(), &self.prompt)
    }

    fn name<'a>(&'a self, input: NamingInput) -> BoxFuture<'a, Result<GeneratedName>> {
        Box::pin(async move {
            let text = self.prompt.render(&[
                ("examples", &bullet(&input.examples)),
                ("contrastive", &bullet(&input.contrastive)),
            ]);
            self.llm.generated_name(Stage::Names, text).await
        })
    }
}
