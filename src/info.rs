//! Project statistics for `kura-tui info`.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::error::Result;
use crate::pipeline::Stage;
use crate::project::Project;
use crate::project::checkpoint;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnStats {
    pub min: usize,
    pub median: usize,
    pub max: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageStatus {
    pub done: usize,
    pub total: usize,
}

/// What `info --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectInfo {
    pub conversations: usize,
    pub messages: usize,
    pub turns: TurnStats,
    pub metadata_fields: Vec<String>,
    pub stages: serde_json::Map<String, serde_json::Value>,
    pub provider: String,
    pub embedder: String,
    pub offline: bool,
    /// Problems worth knowing before reading the clusters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Gathers a project's counts in one pass over its store.
pub fn gather(project: &Project) -> Result<ProjectInfo> {
    let store = project.store()?;
    let mut turns = Vec::with_capacity(store.len());
    let mut fields = BTreeSet::new();
    let mut messages = 0usize;
    for conv in store.iter()? {
        let conv = conv?;
        messages += conv.messages.len();
        turns.push(conv.messages.len());
        for k in conv.metadata.keys() {
            if !fields.contains(k) {
                fields.insert(k.clone());
            }
        }
    }
    turns.sort_unstable();
    let turn_stats = TurnStats {
        min: turns.first().copied().unwrap_or(0),
        median: turns.get(turns.len() / 2).copied().unwrap_or(0),
        max: turns.last().copied().unwrap_or(0),
    };
    let cps = project.checkpoints();
    let mut stages = serde_json::Map::new();
    for stage in Stage::ALL {
        let status = stage_status(&cps, stage, store.len())?;
        stages.insert(
            stage.name().to_string(),
            serde_json::to_value(status).unwrap_or_default(),
        );
    }
    let config = &project.config;
    let offline = config.is_offline();
    let embedder = crate::pipeline::resolve_embedder_name(config, &crate::config::ProcessEnv);
    Ok(ProjectInfo {
        warnings: crate::offline::coverage::project_warning(project, &embedder)
            .into_iter()
            .collect(),
        conversations: store.len(),
        messages,
        turns: turn_stats,
        metadata_fields: fields.into_iter().collect(),
        stages,
        provider: if offline {
            "offline".into()
        } else {
            config.llm.provider.as_str().into()
        },
        embedder,
        offline,
    })
}

fn stage_status(
    cps: &dyn checkpoint::CheckpointStore,
    stage: Stage,
    conversations: usize,
) -> Result<StageStatus> {
    if let Some(h) = checkpoint::header(cps, stage.name())? {
        return Ok(StageStatus {
            done: h.count,
            total: h.count.max(if stage.per_conversation() {
                conversations
            } else {
                0
            }),
        });
    }
    let partial = cps.read_partial(stage.name())?.len();
    Ok(StageStatus {
        done: partial,
        total: if stage.per_conversation() {
            conversations
        } else {
            0
        },
    })
}

impl ProjectInfo {
    /// Human-readable rendering.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("conversations   {}\n", self.conversations));
        out.push_str(&format!("messages        {}\n", self.messages));
        out.push_str(&format!(
            "turns/conv      min {}  median {}  max {}\n",
            self.turns.min, self.turns.median, self.turns.max
        ));
        out.push_str(&format!(
            "metadata        {}\n",
            if self.metadata_fields.is_empty() {
                "(none)".to_string()
            } else {
                self.metadata_fields.join(", ")
            }
        ));
        out.push_str(&format!(
            "provider        {}{}\n",
            self.provider,
            if self.offline {
                " (offline mode: no LLM calls)"
            } else {
                ""
            }
        ));
        out.push_str(&format!("embedder        {}\n", self.embedder));
        out.push_str("stages\n");
        for (name, v) in &self.stages {
            let done = v["done"].as_u64().unwrap_or(0);
            let total = v["total"].as_u64().unwrap_or(0);
            let mark = if total > 0 && done >= total || (total == 0 && done > 0) {
                "done"
            } else if done > 0 {
                "partial"
            } else {
                "missing"
            };
            out.push_str(&format!("  {name:<12} {mark:<8} {done}/{total}\n"));
        }
        for w in &self.warnings {
            out.push_str(&format!("warning: {w}\n"));
        }
        out
    }
}
