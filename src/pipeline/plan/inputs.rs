//! What each stage's key hashes: a format version for the stage, the
//! settings that matter to it (flattened to `section.field` names so a
//! change can be named), the identity of its model, and the content digest
//! of every upstream checkpoint. Hashing upstream *content* rather than
//! upstream keys means a recomputed stage that produced different output
//! outdates everything after it, and one that produced the same output
//! outdates nothing.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::identity::Identities;
use crate::config::{
    ClusterConfig, Config, HierarchyConfig, NamingConfig, ProjectionConfig, SummariseConfig,
};
use crate::pipeline::{RunOptions, Stage};
use crate::project::checkpoint::{Meta, hash_key};
use crate::project::store::StoreFingerprint;

/// Bumped when a stage's algorithm changes what it writes.
fn stage_version(stage: Stage) -> u32 {
    match stage {
        Stage::Summaries
        | Stage::Embeddings
        | Stage::Clusters
        | Stage::Names
        | Stage::Projection => 2,
        // 3: parents with one child are folded into it.
        Stage::Hierarchy => 3,
    }
}

/// The stages whose content a stage reads.
pub fn upstream(stage: Stage) -> &'static [Stage] {
    match stage {
        Stage::Summaries => &[],
        Stage::Embeddings => &[Stage::Summaries],
        Stage::Clusters => &[Stage::Summaries, Stage::Embeddings],
        Stage::Names | Stage::Projection => &[Stage::Summaries, Stage::Embeddings, Stage::Clusters],
        Stage::Hierarchy => &[Stage::Summaries, Stage::Embeddings, Stage::Names],
    }
}

/// Content digests of finished stages.
pub type Digests = BTreeMap<Stage, String>;

/// Everything the keys depend on besides upstream content: the effective
/// settings (with a run's `--k` and `--seed` applied), the model
/// identities and the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub summarise: SummariseConfig,
    pub cluster: ClusterConfig,
    pub naming: NamingConfig,
    pub hierarchy: HierarchyConfig,
    pub projection: ProjectionConfig,
    pub identities: Identities,
    /// Conversations the run covers (all, or `--max-conversations`).
    pub conversations: usize,
    pub store: StoreFingerprint,
}

impl Settings {
    pub fn new(
        config: &Config,
        options: &RunOptions,
        identities: Identities,
        store: StoreFingerprint,
    ) -> Settings {
        let mut cluster = config.cluster.clone();
        if let Some(seed) = options.seed {
            cluster.seed = seed;
        }
        if let Some(k) = options.k.filter(|k| *k > 0) {
            cluster.k = k;
        }
        cluster.resolve_for_embedder(&identities.embedder);
        let mut hierarchy = config.hierarchy.clone();
        hierarchy.resolve_grouping(identities.hierarchy == super::OFFLINE_HIERARCHY);
        let conversations = options
            .max_conversations
            .map_or(store.conversations, |m| m.min(store.conversations));
        Settings {
            summarise: config.summarise.clone(),
            cluster,
            naming: config.naming.clone(),
            hierarchy,
            projection: config.projection.clone(),
            identities,
            conversations,
            store,
        }
    }

    /// The inputs of `stage`, given the digests of its upstream stages.
    pub fn inputs(&self, stage: Stage, digests: &Digests) -> StageInputs {
        let mut map = BTreeMap::new();
        map.insert(
            "stage_version".to_string(),
            Value::from(stage_version(stage)),
        );
        let ids = &self.identities;
        match stage {
            Stage::Summaries => {
                map.insert("summariser".into(), ids.summariser.clone().into());
                flatten(&mut map, "summarise", &self.summarise);
                map.insert("conversations".into(), self.conversations.into());
                map.insert("store".into(), self.store.digest.clone().into());
            }
            Stage::Embeddings => {
                map.insert("embedder".into(), ids.embedder.clone().into());
            }
            Stage::Clusters => {
                flatten(&mut map, "cluster", &self.cluster);
                // Only when on, so that keys made before it existed still
                // hold where it does not apply.
                if ids.centres_languages() {
                    map.insert("cluster.centre_languages".into(), true.into());
                }
            }
            Stage::Names => {
                map.insert("namer".into(), ids.namer.clone().into());
                flatten(&mut map, "naming", &self.naming);
            }
            Stage::Hierarchy => {
                map.insert("hierarchy_model".into(), ids.hierarchy.clone().into());
                // Offline, the hierarchy names its parents (and names base
                // clusters again among their siblings) with the namer's
                // code, so a change to it must outdate the hierarchy too,
                // even when the names stage's own output is unchanged.
                if ids.hierarchy == super::OFFLINE_HIERARCHY {
                    map.insert("namer".into(), ids.namer.clone().into());
                }
                flatten(&mut map, "hierarchy", &self.hierarchy);
                map.insert("cluster.seed".into(), self.cluster.seed.into());
            }
            Stage::Projection => {
                flatten(&mut map, "projection", &self.projection);
                map.insert("cluster.seed".into(), self.cluster.seed.into());
            }
        }
        for up in upstream(stage) {
            let digest = digests.get(up).cloned().unwrap_or_default();
            map.insert(format!("upstream.{}", up.name()), digest.into());
        }
        StageInputs { stage, map }
    }
}

fn flatten<T: Serialize>(map: &mut BTreeMap<String, Value>, section: &str, value: &T) {
    if let Ok(Value::Object(fields)) = serde_json::to_value(value) {
        for (k, v) in fields {
            map.insert(format!("{section}.{k}"), v);
        }
    }
}

/// The key in a checkpoint's inputs that marks it as imported from another
/// tool (`kura-tui import-kura`). Such a checkpoint was not built from this
/// project's settings or models, so those cannot outdate it: it stays done
/// while the upstream content it names (`upstream.*`, `store`) is
/// unchanged, and a run keeps it instead of recomputing it.
pub const IMPORTED: &str = "imported";

/// True when a checkpoint's inputs mark it as imported.
pub fn is_imported(inputs: &Map<String, Value>) -> bool {
    inputs.contains_key(IMPORTED)
}

/// The upstream stages an imported checkpoint names in its inputs.
pub fn imported_upstream(inputs: &Map<String, Value>) -> Vec<Stage> {
    Stage::ALL
        .into_iter()
        .filter(|s| inputs.contains_key(&format!("upstream.{}", s.name())))
        .collect()
}

/// One stage's inputs: what its key hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct StageInputs {
    pub stage: Stage,
    map: BTreeMap<String, Value>,
}

impl StageInputs {
    pub fn key(&self) -> String {
        hash_key(&self.map)
    }

    pub fn map(&self) -> Map<String, Value> {
        self.map
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The checkpoint metadata for a stage built from these inputs.
    pub fn meta(&self, built_with: Map<String, Value>, incomplete: Vec<String>) -> Meta {
        Meta {
            key: self.key(),
            inputs: self.map(),
            built_with,
            incomplete,
        }
    }

    /// Why an imported checkpoint with inputs `old` no longer fits: the
    /// upstream content or the store it names changed. Empty when it fits.
    pub fn why_imported(&self, old: &Map<String, Value>) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in old {
            if k != "store" && !k.starts_with("upstream.") {
                continue;
            }
            if self.map.get(k) != Some(v) {
                if k == "store" {
                    out.push("the conversations changed".into());
                } else {
                    out.push(format!("upstream {} changed", &k["upstream.".len()..]));
                }
            }
        }
        out
    }

    /// Why a checkpoint built from `old` inputs does not fit these: one line
    /// per difference, e.g. `hierarchy.max_top_level 10 → 4` or `upstream
    /// clusters changed`.
    pub fn why(&self, old: &Map<String, Value>) -> Vec<String> {
        let mut out = Vec::new();
        for (k, new) in &self.map {
            match old.get(k) {
                Some(v) if v == new => {}
                _ if k == "store" => out.push("the conversations changed".into()),
                _ if k.starts_with("upstream.") => {
                    out.push(format!("upstream {} changed", &k["upstream.".len()..]));
                }
                Some(v) => out.push(format!("{k} {} → {}", show(v), show(new))),
                None => out.push(format!("{k} is new ({})", show(new))),
            }
        }
        for k in old.keys().filter(|k| !self.map.contains_key(*k)) {
            out.push(format!("{k} is no longer used"));
        }
        if out.is_empty() {
            // Same inputs, different hash: only a hashing change does that.
            out.push("its key was computed differently".into());
        }
        out
    }
}

/// A short rendering of a setting's value.
fn show(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 48 {
        let head: String = s.chars().take(45).collect();
        format!("{head}...")
    } else {
        s
    }
}
