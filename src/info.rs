//! Project statistics for `kura-tui info`: counts, and where each stage
//! stands under the current settings (done, outdated and why, missing,
//! corrupt, incomplete) with what its checkpoint was built with.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::ProcessEnv;
use crate::error::Result;
use crate::pipeline::plan::{self, Plan, StagePlan, Status};
use crate::pipeline::{RunOptions, Stage};
use crate::project::Project;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnStats {
    pub min: usize,
    pub median: usize,
    pub max: usize,
}

/// One stage in `info`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageInfo {
    /// `status` (done, outdated, missing, corrupt, incomplete) and its
    /// details (`why`, `reason`, `items`).
    #[serde(flatten)]
    pub status: Status,
    /// Records in the checkpoint, or saved so far in the partial file.
    pub done: usize,
    /// Records expected (conversations for per-conversation stages).
    pub total: usize,
    /// What the checkpoint was built with (embedder, model, k...).
    pub built_with: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_at: Option<String>,
}

/// What `info --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectInfo {
    pub conversations: usize,
    pub messages: usize,
    pub turns: TurnStats,
    pub metadata_fields: Vec<String>,
    pub stages: Map<String, Value>,
    pub provider: String,
    /// The embedder the current settings choose.
    pub embedder: String,
    /// The embedder the embeddings checkpoint was built with, if any.
    pub embedder_built: Option<String>,
    pub offline: bool,
    /// The structured-output mode learned per server and model
    /// (`cache/capabilities.json`).
    pub learned_modes: Vec<crate::llm::LearnedMode>,
    /// The concurrency a run settled at per server and model (same file);
    /// the next run starts there.
    pub learned_limits: Vec<crate::llm::LearnedLimit>,
    /// What `kura-tui add` appended since the clusters were computed
    /// (`added.json`, when it describes the current hierarchy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<AddedInfo>,
    /// Notices (a rebuilt index, unreadable partial lines) and stages
    /// needing a run, one line each.
    pub warnings: Vec<String>,
    /// The notices alone.
    #[serde(skip)]
    pub notices: Vec<String>,
    /// The warning that the embedder does not cover the summaries'
    /// languages (offline projects), also among `warnings`.
    #[serde(skip)]
    pub languages: Option<String>,
}

/// Conversations `kura-tui add` placed into the existing clusters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddedInfo {
    pub conversations: usize,
    pub batches: usize,
    /// Of them, beyond every cluster's threshold.
    pub unassigned: usize,
    pub last_added_at: Option<String>,
}

/// The add record, when it describes the hierarchy checkpoint the plan
/// found (a rerun that rebuilt the hierarchy makes it stale).
fn added(project: &Project, plan: &Plan) -> Result<Option<AddedInfo>> {
    let digest = plan
        .stage(Stage::Hierarchy)
        .and_then(|p| p.header.as_ref())
        .map(|h| h.digest.as_str());
    let log = crate::grow::AddLog::load(&crate::grow::record::path(&project.layout))?;
    Ok(log
        .filter(|l| l.describes(digest) && !l.batches.is_empty())
        .map(|l| AddedInfo {
            conversations: l.added(),
            batches: l.batches.len(),
            unassigned: l.batches.iter().map(|b| b.unassigned).sum(),
            last_added_at: l.batches.last().map(|b| b.added_at.clone()),
        }))
}

/// Gathers a project's counts in one pass over its store.
pub fn gather(project: &Project) -> Result<ProjectInfo> {
    let config = &project.config;
    let offline = config.is_offline();
    let store = project.store()?;
    let (plan, settings) = plan::for_store(
        &project.layout,
        &store,
        config,
        offline,
        &RunOptions::default(),
        &ProcessEnv,
    )?;
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
    let mut stages = Map::new();
    for p in &plan.stages {
        let info = stage_info(p, settings.conversations);
        stages.insert(
            p.stage.name().to_string(),
            serde_json::to_value(info).unwrap_or_default(),
        );
    }
    let languages =
        crate::offline::coverage::project_warning(project, &settings.identities.embedder);
    let mut warnings = plan.warnings();
    warnings.extend(languages.clone());
    // Like the explorer, `info` reports an unreadable add record and goes
    // on: the record only annotates the clusters (`add` itself refuses it).
    let added = match added(project, &plan) {
        Ok(a) => a,
        Err(e) => {
            warnings.push(format!("added conversations not counted: {e}"));
            None
        }
    };
    Ok(ProjectInfo {
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
        embedder: settings.identities.embedder.clone(),
        embedder_built: built_embedder(&plan),
        offline,
        learned_modes: crate::llm::learned_modes(&project.layout.cache()),
        learned_limits: crate::llm::learned_limits(&project.layout.cache()),
        added,
        warnings,
        notices: plan.notices.clone(),
        languages,
    })
}

fn built_embedder(plan: &Plan) -> Option<String> {
    let header = plan.stage(Stage::Embeddings)?.header.as_ref()?;
    header
        .built_with
        .get("embedder")?
        .as_str()
        .map(str::to_string)
}

fn stage_info(p: &StagePlan, conversations: usize) -> StageInfo {
    let per_conversation = p.stage.per_conversation();
    let (done, built_with, built_at) = match &p.header {
        Some(h) => (h.count, h.built_with.clone(), Some(h.created_at.clone())),
        None => (p.partial, Map::new(), None),
    };
    StageInfo {
        status: p.status.clone(),
        done,
        total: if per_conversation {
            conversations
        } else {
            done
        },
        built_with,
        built_at,
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
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
        match &self.embedder_built {
            Some(built) if *built != self.embedder => out.push_str(&format!(
                "embedder        {} (the embeddings were built with {built})\n",
                self.embedder
            )),
            _ => out.push_str(&format!("embedder        {}\n", self.embedder)),
        }
        for m in &self.learned_modes {
            let mode = serde_json::to_value(m.structured_output)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            out.push_str(&format!(
                "server mode     {mode} for {} at {} ({}, learned {})\n",
                m.model, m.endpoint, m.provider, m.learned_at
            ));
        }
        for l in &self.learned_limits {
            out.push_str(&format!(
                "server limit    {} in flight (of {}), round trip {:.1} s, for {} at {} ({}, learned {})\n",
                l.limit,
                l.max_concurrency,
                l.baseline_ms as f64 / 1000.0,
                l.model,
                l.endpoint,
                l.provider,
                l.learned_at
            ));
        }
        if let Some(a) = &self.added {
            out.push_str(&format!(
                "added           {} conversations in {} batch{} since the clusters were computed \
                 ({} unassigned{}); the tree was not rebuilt\n",
                a.conversations,
                a.batches,
                if a.batches == 1 { "" } else { "es" },
                a.unassigned,
                a.last_added_at
                    .as_deref()
                    .map(|t| format!(", last {t}"))
                    .unwrap_or_default()
            ));
        }
        out.push_str("stages\n");
        for (name, v) in &self.stages {
            out.push_str(&render_stage(name, v));
        }
        for n in &self.notices {
            out.push_str(&format!("note: {n}\n"));
        }
        if let Some(w) = &self.languages {
            out.push_str(&format!("warning: {w}\n"));
        }
        out
    }
}

fn render_stage(name: &str, v: &Value) -> String {
    let word = v["status"].as_str().unwrap_or("?");
    let done = v["done"].as_u64().unwrap_or(0);
    let total = v["total"].as_u64().unwrap_or(0);
    let count = match word {
        "done" | "incomplete" => format!("{done}/{total}"),
        "missing" if done > 0 => format!("{done}/{total} saved"),
        _ => String::new(),
    };
    let list = |key: &str| -> String {
        v[key]
            .as_array()
            .map(|a| a.iter().map(show).collect::<Vec<_>>().join("; "))
            .unwrap_or_default()
    };
    let built: Vec<String> = v["built_with"]
        .as_object()
        .map(|m| m.iter().map(|(k, x)| format!("{k} {}", show(x))).collect())
        .unwrap_or_default();
    let detail = match word {
        "outdated" => list("why"),
        "corrupt" => format!("{}; `kura-tui run` recomputes it", show(&v["reason"])),
        "incomplete" => format!("{}; built with {}", list("items"), built.join(", ")),
        "done" => format!("built with {}", built.join(", ")),
        _ => String::new(),
    };
    format!("  {name:<12} {word:<11} {count:<14} {detail}")
        .trim_end()
        .to_string()
        + "\n"
}
