//! The hierarchy's LLM calls: propose, merge, assign and rename.

use serde::Deserialize;
use serde_json::json;

use super::{LlmParams, bullet, hierarchy_identity};
use crate::embed::BoxFuture;
use crate::error::Result;
use crate::llm::structured;
use crate::pipeline::Stage;
use crate::pipeline::hierarchy_llm::HierarchyLlm;
use crate::pipeline::naming::GeneratedName;
use crate::pipeline::prompts::Prompt;

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
            &self.llm.chat.identity(),
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
            self.llm.generated_name(Stage::Hierarchy, text).await
        })
    }
}
