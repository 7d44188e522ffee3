//! The LLM-judge engine: the definition's prompt, categories and few-shot
//! examples sent through the project's chat client (its cache, retries,
//! concurrency limit and structured-output negotiation), one request per
//! text, with the answer checked against the category names.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;

use super::corpus::cap;
use super::definition::{Definition, LabelMode};
use super::engine::Labelled;
use crate::error::{Error, Result};
use crate::llm::{ChatModel, ChatRequest, structured};
use crate::project::Layout;

/// The built-in prompt; a project overrides it with `prompts/<prompt>`.
pub const DEFAULT_PROMPT: &str = include_str!("../../assets/prompts/classify.md");

/// Longest text sent per conversation, in characters.
pub const MAX_CHARS: usize = 6000;

/// Texts judged per batch of concurrent requests (the client's own limit
/// decides how many are in flight).
const BATCH: usize = 256;

/// The prompt template of a definition: `prompts/<prompt>` in the project
/// when it exists, else the built-in one. Placeholders: `{{categories}}`,
/// `{{examples}}`, `{{instructions}}`.
pub fn template(layout: &Layout, def: &Definition) -> Result<String> {
    let path = layout.prompts().join(&def.prompt);
    match std::fs::read_to_string(&path) {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DEFAULT_PROMPT.to_string()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// The system prompt: the template with the categories, instructions and
/// examples filled in.
pub fn system_prompt(template: &str, def: &Definition) -> String {
    let names = def.class_names();
    let categories: Vec<String> = names
        .iter()
        .map(|n| {
            let description = def
                .categories
                .iter()
                .find(|c| c.name.get_ref().trim() == n)
                .map_or("none of the other categories fits", |c| {
                    c.description.as_str()
                });
            format!("- {n}: {description}")
        })
        .collect();
    let mut examples = Vec::new();
    for c in &def.categories {
        for e in &c.examples {
            examples.push(format!(
                "Conversation: {}\nAnswer: {}",
                cap(e.text.trim(), 600),
                json!({"labels": [c.name.get_ref().trim()]})
            ));
        }
    }
    if examples.is_empty() {
        examples.push("(none)".into());
    }
    let instructions = match def.mode {
        LabelMode::Single => "Choose exactly one category.",
        LabelMode::Multi => "Choose every category that applies; the list may be empty.",
    };
    let mut out = template
        .replace("{{categories}}", &categories.join("\n"))
        .replace("{{instructions}}", instructions)
        .replace("{{examples}}", &examples.join("\n\n"));
    if !def.description.trim().is_empty() {
        out = format!("{}\n\n{out}", def.description.trim());
    }
    out
}

#[derive(Deserialize)]
struct Answer {
    labels: Vec<String>,
}

/// Labels `texts` with the judge; answers come back in order.
pub async fn judge(
    chat: Arc<dyn ChatModel>,
    def: &Definition,
    system: &str,
    texts: &[String],
) -> Result<Vec<Labelled>> {
    let names = def.class_names();
    let schema = json!({
        "type": "object",
        "properties": {
            "labels": {"type": "array", "items": {"type": "string", "enum": names}}
        },
        "required": ["labels"],
        "additionalProperties": false
    });
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(BATCH) {
        let mut set = tokio::task::JoinSet::new();
        for (i, text) in chunk.iter().enumerate() {
            let req = ChatRequest::new("classify")
                .temperature(0.0)
                .max_tokens(200)
                .system(system)
                .user(format!("Conversation: {}", cap(text.trim(), MAX_CHARS)))
                .schema("classification", schema.clone());
            let (chat, def) = (chat.clone(), def.clone());
            set.spawn(async move {
                let names = def.class_names();
                let mode = def.mode;
                let check = |a: &Answer| {
                    if let Some(bad) = a.labels.iter().find(|l| def.class_of(l).is_none()) {
                        return Err(format!(
                            "`{bad}` is not a category; use one of: {}",
                            names.join(", ")
                        ));
                    }
                    if mode == LabelMode::Single && a.labels.len() != 1 {
                        return Err("give exactly one category".into());
                    }
                    Ok(())
                };
                let answer = structured::<Answer, _>(chat.as_ref(), req, check, 2).await?;
                let mut classes: Vec<usize> = Vec::new();
                for l in &answer.value.labels {
                    if let Some(c) = def.class_of(l)
                        && !classes.contains(&c)
                    {
                        classes.push(c);
                    }
                }
                Ok::<_, Error>((i, classes))
            });
        }
        let mut got: Vec<Option<Vec<usize>>> = vec![None; chunk.len()];
        while let Some(joined) = set.join_next().await {
            let (i, classes) =
                joined.map_err(|e| Error::Llm(format!("a classify request stopped: {e}")))??;
            got[i] = Some(classes);
        }
        for classes in got {
            let classes = classes.unwrap_or_default();
            out.push(Labelled {
                confidence: vec![1.0; classes.len()],
                classes,
            });
        }
    }
    Ok(out)
}
