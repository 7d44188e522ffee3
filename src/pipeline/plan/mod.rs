//! One plan, checked on read: from the settings, the model identities, the
//! store and the checkpoints on disk, each stage's expected inputs and its
//! status. `info`, `tree`, the explorer and `run` all read results through
//! a plan, so a stage counts as done only when its checkpoint was built from
//! exactly the inputs the current settings give.

mod identity;
mod inputs;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use identity::{Identities, KEYWORD_NAMER, OFFLINE_HIERARCHY, chat_name, embedder_identity};
pub use inputs::{
    Digests, IMPORTED, Settings, StageInputs, imported_upstream, is_imported, upstream,
};

use super::{RunOptions, Stage};
use crate::config::{Config, EnvSource};
use crate::error::Result;
use crate::project::Layout;
use crate::project::checkpoint::{self, CHECKPOINT_VERSION, CheckpointStore, Header, Unusable};
use crate::project::store::Store;

/// Where a stage stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// Its checkpoint was built from the expected inputs.
    Done,
    /// Its checkpoint was built from other inputs (or in an older format).
    Outdated { why: Vec<String> },
    /// No checkpoint.
    Missing,
    /// Its checkpoint cannot be read or fails its checksum; it will be
    /// recomputed.
    Corrupt { reason: String },
    /// Built from the expected inputs, but some LLM work fell back; the next
    /// run redoes it.
    Incomplete { items: Vec<String> },
}

impl Status {
    /// The stage's content can be shown and can feed later stages.
    pub fn usable(&self) -> bool {
        matches!(self, Status::Done | Status::Incomplete { .. })
    }

    pub fn word(&self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Outdated { .. } => "outdated",
            Status::Missing => "missing",
            Status::Corrupt { .. } => "corrupt",
            Status::Incomplete { .. } => "incomplete",
        }
    }

    /// The word with its reasons: `outdated (cluster.k 0 → 5)`.
    pub fn describe(&self) -> String {
        match self {
            Status::Outdated { why } => format!("outdated ({})", why.join("; ")),
            Status::Corrupt { reason } => format!("corrupt ({reason})"),
            Status::Incomplete { items } => format!("incomplete ({})", items.join("; ")),
            other => other.word().to_string(),
        }
    }
}

/// One stage of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct StagePlan {
    pub stage: Stage,
    pub status: Status,
    /// The inputs a checkpoint must have been built from; known once every
    /// upstream stage is usable.
    pub expected: Option<StageInputs>,
    /// The checkpoint's header, when it is readable and in this format.
    pub header: Option<Header>,
    /// The checkpoint file, for messages.
    pub path: PathBuf,
    /// The upstream stage that is not usable, if any.
    pub blocked_by: Option<Stage>,
    /// Records in the stage's partial file made under the expected key.
    pub partial: usize,
}

/// Every stage's plan, in pipeline order, and notices met on the way (a
/// rebuilt store index, unreadable partial lines).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub stages: Vec<StagePlan>,
    pub notices: Vec<String>,
}

/// Just enough of a partial record to check its key (any version).
#[derive(Deserialize)]
struct KeyOnly {
    #[serde(alias = "k")]
    key: String,
}

impl Plan {
    /// Checks every checkpoint against the inputs `settings` give.
    pub fn compute(cps: &dyn CheckpointStore, settings: &Settings) -> Result<Plan> {
        let mut digests = Digests::new();
        let mut stages: Vec<StagePlan> = Vec::with_capacity(Stage::ALL.len());
        let mut notices = Vec::new();
        for stage in Stage::ALL {
            let path = checkpoint::describe(cps, stage.name(), stage == Stage::Embeddings);
            let file = checkpoint::verify(cps, stage.name())?;
            // An imported checkpoint reads only the upstream stages it names.
            let reads = match &file {
                Ok(h) if is_imported(&h.inputs) => imported_upstream(&h.inputs),
                _ => upstream(stage).to_vec(),
            };
            let blocked_by = reads.iter().copied().find(|u| {
                stages
                    .iter()
                    .find(|p| p.stage == *u)
                    .is_none_or(|p| !p.status.usable())
            });
            let expected = blocked_by
                .is_none()
                .then(|| settings.inputs(stage, &digests));
            let blocker = blocked_by.map(|up| {
                let word = stages
                    .iter()
                    .find(|p| p.stage == up)
                    .map_or("missing", |p| p.status.word());
                (up, word)
            });
            let status = judge(file.as_ref(), blocker, expected.as_ref());
            let header = file.ok();
            if status.usable()
                && let Some(h) = &header
            {
                digests.insert(stage, h.digest.clone());
            }
            let mut partial = 0;
            if let Some(exp) = &expected
                && !status.usable()
                && matches!(stage, Stage::Summaries | Stage::Names)
            {
                let lines = checkpoint::read_partial::<KeyOnly>(cps, stage.name())?;
                let key = exp.key();
                partial = lines.records.iter().filter(|r| r.key == key).count();
                notices.extend(
                    lines.problem(&cps.describe(&format!("{}.partial.jsonl", stage.name()))),
                );
            }
            stages.push(StagePlan {
                stage,
                status,
                expected,
                header,
                path,
                blocked_by,
                partial,
            });
        }
        Ok(Plan { stages, notices })
    }

    pub fn stage(&self, stage: Stage) -> Option<&StagePlan> {
        self.stages.iter().find(|p| p.stage == stage)
    }

    /// True when every stage is done (none outdated, missing, corrupt or
    /// incomplete).
    pub fn is_done(&self) -> bool {
        self.stages.iter().all(|p| p.status == Status::Done)
    }

    /// Lines worth telling a user who looks at the results: notices, then
    /// each stage whose own checkpoint is outdated, corrupt or incomplete
    /// (stages that only wait for an upstream one are left out).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = self.notices.clone();
        for p in &self.stages {
            let name = p.stage.name();
            match &p.status {
                Status::Outdated { .. } if p.blocked_by.is_some() => {}
                Status::Outdated { why } => {
                    out.push(format!("{name} is outdated ({})", why.join("; ")));
                }
                Status::Corrupt { reason } => out.push(format!(
                    "{} is corrupt ({reason}); a run recomputes {name}",
                    p.path.display()
                )),
                Status::Incomplete { items } => {
                    out.push(format!("{name} is incomplete: {}", items.join("; ")));
                }
                _ => {}
            }
        }
        out
    }
}

/// A stage's status from its checkpoint (header or why it is unusable),
/// the upstream stage that is not usable (with its status word), and the
/// inputs it should have been built from.
pub fn judge(
    file: std::result::Result<&Header, &Unusable>,
    blocked_by: Option<(Stage, &str)>,
    expected: Option<&StageInputs>,
) -> Status {
    match (file, blocked_by, expected) {
        (Err(Unusable::Missing), ..) => Status::Missing,
        (Err(Unusable::Corrupt { reason }), ..) => Status::Corrupt {
            reason: reason.clone(),
        },
        (Err(Unusable::Format { found }), ..) => Status::Outdated {
            why: vec![format!("checkpoint format {found} → {CHECKPOINT_VERSION}")],
        },
        (Ok(_), Some((up, word)), _) => Status::Outdated {
            why: vec![format!("upstream {} is {word}", up.name())],
        },
        (Ok(h), None, Some(exp)) if is_imported(&h.inputs) => {
            let why = exp.why_imported(&h.inputs);
            if why.is_empty() {
                Status::Done
            } else {
                Status::Outdated { why }
            }
        }
        (Ok(h), None, Some(exp)) if h.key != exp.key() => Status::Outdated {
            why: exp.why(&h.inputs),
        },
        (Ok(h), ..) if !h.incomplete.is_empty() => Status::Incomplete {
            items: h.incomplete.clone(),
        },
        (Ok(_), ..) => Status::Done,
    }
}

/// Opens the project's store and computes the plan of a run with `config`
/// and `options` (offline when `offline` or the config says so), without
/// building any client.
pub fn for_project(
    layout: &Layout,
    config: &Config,
    offline: bool,
    options: &RunOptions,
    env: &dyn EnvSource,
) -> Result<(Plan, Settings)> {
    let store = Store::open(&layout.conversations(), &layout.conversations_index())?;
    for_store(layout, &store, config, offline, options, env)
}

/// [`for_project`] with the store already open.
pub fn for_store(
    layout: &Layout,
    store: &Store,
    config: &Config,
    offline: bool,
    options: &RunOptions,
    env: &dyn EnvSource,
) -> Result<(Plan, Settings)> {
    let offline = offline || config.is_offline();
    let identities = Identities::from_config(config, layout, offline, env)?;
    let settings = Settings::new(config, options, identities, store.fingerprint());
    let cps = checkpoint::FileCheckpoints::new(layout.checkpoints());
    let mut plan = Plan::compute(&cps, &settings)?;
    if let Some(n) = store.notice() {
        plan.notices.insert(0, n.to_string());
    }
    Ok((plan, settings))
}

/// The hint users get with warnings.
pub fn run_hint(project: &Path) -> String {
    format!(
        "run `kura-tui run {}` to bring the results up to date",
        project.display()
    )
}

#[cfg(test)]
mod tests;
