//! The settings structs, with their defaults. `kura.toml` and the user-wide
//! `config.toml` both deserialise into [`Config`]; unknown keys are errors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A secret (an API key). Its `Debug` and `Display` never show the value,
/// and it is never serialised.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The value, for an `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Every setting a project has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub llm: LlmConfig,
    pub embedding: EmbeddingConfig,
    pub summarise: SummariseConfig,
    pub cluster: ClusterConfig,
    pub naming: NamingConfig,
    pub hierarchy: HierarchyConfig,
    pub projection: ProjectionConfig,
    /// Price per million tokens, by model name.
    pub prices: BTreeMap<String, Price>,
    pub ui: UiConfig,
    /// Key → action overrides for the explorer, e.g. `"x" = "export"`.
    pub keymap: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Any OpenAI-compatible chat API (OpenAI, Ollama, vLLM, llama.cpp, LM Studio, OpenRouter).
    #[default]
    Openai,
    /// Anthropic's native Messages API.
    Anthropic,
    /// No LLM at all: extractive summaries and keyword names.
    Offline,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Openai => "openai",
            Provider::Anthropic => "anthropic",
            Provider::Offline => "offline",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StructuredOutput {
    /// Try `json_schema`, fall back to `json_object`, then to plain text.
    #[default]
    Auto,
    JsonSchema,
    JsonObject,
    Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    pub provider: Provider,
    /// e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// Accepted for completeness; prefer the environment. Never written back.
    #[serde(skip_serializing)]
    pub api_key: Option<Secret>,
    pub temperature: f32,
    pub max_tokens: u32,
    pub max_concurrency: usize,
    /// 0 means no limit.
    pub requests_per_minute: u32,
    /// 0 means no limit.
    pub tokens_per_minute: u32,
    /// How long one attempt may go unanswered before it is retried. Long,
    /// because local servers on a CPU can take minutes per answer; the
    /// adaptive concurrency limit keeps their queue short, and a request
    /// waits longer still while the server's recent answers take longer.
    pub timeout_secs: u64,
    pub max_retries: u32,
    pub repair_attempts: u32,
    pub structured_output: StructuredOutput,
    /// Ask before a run whose estimated cost is above this.
    pub max_cost_usd: f64,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            provider: Provider::Openai,
            base_url: None,
            model: None,
            api_key: None,
            temperature: 0.2,
            max_tokens: 1024,
            max_concurrency: 32,
            requests_per_minute: 0,
            tokens_per_minute: 0,
            timeout_secs: 600,
            max_retries: 6,
            repair_attempts: 3,
            structured_output: StructuredOutput::Auto,
            max_cost_usd: 5.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EmbedderKind {
    /// The API's embeddings when an endpoint is set, else the best local one.
    #[default]
    Auto,
    Api,
    Minilm,
    /// paraphrase-multilingual-MiniLM-L12-v2, else multilingual-e5-small:
    /// many languages in one space.
    Multilingual,
    Lexical,
}

impl EmbedderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EmbedderKind::Auto => "auto",
            EmbedderKind::Api => "api",
            EmbedderKind::Minilm => "minilm",
            EmbedderKind::Multilingual => "multilingual",
            EmbedderKind::Lexical => "lexical",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbeddingConfig {
    pub embedder: EmbedderKind,
    pub base_url: Option<String>,
    pub model: Option<String>,
    #[serde(skip_serializing)]
    pub api_key: Option<Secret>,
    pub batch_size: usize,
    /// The lexical embedder's SVD dimensions (its vectors carry the
    /// word-piece block's 64 more).
    pub lexical_dimensions: usize,
}

impl Default for EmbeddingConfig {
    fn default() -> Self {
        EmbeddingConfig {
            embedder: EmbedderKind::Auto,
            base_url: None,
            model: None,
            api_key: None,
            batch_size: 64,
            lexical_dimensions: 256,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FacetType {
    String,
    Integer,
    Number,
    Boolean,
    List,
}

/// A project-defined facet added to the summary schema and prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacetSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FacetType,
    pub instruction: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummariseConfig {
    /// Conversations longer than this many characters are truncated for the
    /// LLM: tool output goes first, then the middle; start and end are kept.
    pub max_chars: usize,
    pub facets: Vec<FacetSpec>,
}

impl Default for SummariseConfig {
    fn default() -> Self {
        SummariseConfig {
            max_chars: 24_000,
            facets: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ClusterAlgorithm {
    #[default]
    Kmeans,
    Hdbscan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    pub algorithm: ClusterAlgorithm,
    /// Number of base clusters; 0 means ceil(n / per_cluster).
    pub k: usize,
    pub per_cluster: usize,
    /// Use mini-batch k-means above this many conversations.
    pub minibatch_above: usize,
    pub seed: u64,
    pub hdbscan_min_cluster_size: usize,
    /// 0 means the same as the minimum cluster size.
    pub hdbscan_min_samples: usize,
    /// Neighbours each vector is pulled towards before k-means; 0 turns it
    /// off. Unset: [`DEFAULT_SMOOTH_NEIGHBOURS`] for the in-process
    /// sentence models, 0 for the lexical embedder (which smooths its own
    /// vectors) and for API embedders (not measured). The run resolves it
    /// ([`ClusterConfig::resolve_for_embedder`]) before keying the stage; left
    /// unset it stays out of the key, so projects clustered before it
    /// existed keep their checkpoints when nothing changes for them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smooth_neighbours: Option<usize>,
    /// Dimensions of the discriminant projection k-means also sees
    /// ([`crate::cluster::discriminant_projection`]); 0 is off. Unset:
    /// [`DEFAULT_DISCRIMINANT_DIMS`] for the lexical embedder, off for the
    /// others (resolved like `smooth_neighbours`, and keyed only when on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discriminant_dims: Option<usize>,
}

/// Neighbours used for smoothing sentence-model vectors before k-means
/// when `smooth_neighbours` is unset. Measured with MiniLM
/// (`benches/RESULTS.md`): base NMI rose on all four data sets.
pub const DEFAULT_SMOOTH_NEIGHBOURS: usize = 10;

/// Dimensions of the discriminant projection for the lexical embedder when
/// `discriminant_dims` is unset. Measured over three seeds on four data
/// sets (`benches/RESULTS.md`): NMI rose at the base and at the top level,
/// and base names stayed identifiable.
pub const DEFAULT_DISCRIMINANT_DIMS: usize = 32;

impl ClusterConfig {
    /// The discriminant projection's dimensions when it is on (set above 0).
    pub fn discriminant(&self) -> Option<usize> {
        self.discriminant_dims.filter(|d| *d > 0)
    }

    /// Fills the unset settings whose default depends on the embedder whose
    /// identity is `embedder`: `minilm:…` gets neighbour smoothing, the
    /// lexical embedder the discriminant projection; everything else stays
    /// unset, which means off.
    pub fn resolve_for_embedder(&mut self, embedder: &str) {
        if self.smooth_neighbours.is_none() && embedder.starts_with("minilm:") {
            self.smooth_neighbours = Some(DEFAULT_SMOOTH_NEIGHBOURS);
        }
        if self.discriminant_dims.is_none() && embedder.starts_with("lexical") {
            self.discriminant_dims = Some(DEFAULT_DISCRIMINANT_DIMS);
        }
    }
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            algorithm: ClusterAlgorithm::Kmeans,
            k: 0,
            per_cluster: 10,
            minibatch_above: 20_000,
            seed: 42,
            hdbscan_min_cluster_size: 10,
            hdbscan_min_samples: 0,
            smooth_neighbours: None,
            discriminant_dims: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NamingConfig {
    /// Summaries shown from inside a cluster.
    pub max_examples: usize,
    /// Summaries shown from the nearest other clusters.
    pub contrastive_examples: usize,
}

impl Default for NamingConfig {
    fn default() -> Self {
        NamingConfig {
            max_examples: 15,
            contrastive_examples: 10,
        }
    }
}

/// Who decides which clusters share a parent when an LLM builds the
/// hierarchy. Offline, the embeddings always do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum HierarchyGrouping {
    /// Clio's method: per level, the model proposes parent categories,
    /// merges them, assigns every child and renames each parent (four
    /// dependent rounds of calls).
    #[default]
    Llm,
    /// The parents are grouped from the embeddings exactly as offline
    /// (deterministic, sizes follow the level targets); the model only
    /// names each parent from its children (one round per level).
    Embeddings,
}

impl HierarchyGrouping {
    fn is_llm(&self) -> bool {
        *self == HierarchyGrouping::Llm
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HierarchyConfig {
    pub max_top_level: usize,
    /// Clusters per neighbourhood when proposing parents.
    pub neighbourhood_size: usize,
    pub max_levels: usize,
    /// Left at its default it stays out of the stage key, so projects
    /// built before the setting existed keep their checkpoints.
    #[serde(skip_serializing_if = "HierarchyGrouping::is_llm")]
    pub grouping: HierarchyGrouping,
}

impl HierarchyConfig {
    /// Offline there is one way to group, so the setting is reset and kept
    /// out of the stage key (`offline` is true when no LLM builds the
    /// hierarchy).
    pub fn resolve_grouping(&mut self, offline: bool) {
        if offline {
            self.grouping = HierarchyGrouping::Llm;
        }
    }

    /// True when the model proposes and assigns the parents (Clio's
    /// method) rather than only naming groups found in the embeddings.
    pub fn llm_groups(&self) -> bool {
        self.grouping.is_llm()
    }
}

impl Default for HierarchyConfig {
    fn default() -> Self {
        HierarchyConfig {
            max_top_level: 10,
            neighbourhood_size: 40,
            max_levels: 4,
            grouping: HierarchyGrouping::Llm,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProjectionConfig {
    pub n_neighbors: usize,
    pub min_dist: f32,
    pub epochs: usize,
}

impl Default for ProjectionConfig {
    fn default() -> Self {
        ProjectionConfig {
            n_neighbors: 15,
            min_dist: 0.1,
            epochs: 200,
        }
    }
}

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub input: f64,
    pub output: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiConfig {
    /// `dark`, `light` or `mono`.
    pub theme: String,
    pub mouse: bool,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            theme: "dark".into(),
            mouse: true,
        }
    }
}
