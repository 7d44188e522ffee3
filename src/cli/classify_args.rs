//! Arguments of `kura-tui classify ...`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum ClassifyCommand {
    /// Write classifiers/NAME.toml from clusters (categories, descriptions,
    /// few-shot examples from each cluster's most central conversations).
    New(NewArgs),
    /// Import labelled examples (CSV or JSONL: `id` or `text`, plus `label` or `labels`).
    Label(LabelArgs),
    /// Train on the train split and report on the validation or test split.
    Eval(ClassifyEvalArgs),
    /// Label every conversation (or the rows of --input) and store the labels.
    Apply(ApplyArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    pub path: PathBuf,
    /// Classifier name (letters, digits, `-`, `_`).
    pub name: String,
    /// Cluster ids (e.g. L0-3) or slugs, one category each.
    #[arg(long = "from-cluster", required = true, num_args = 1..)]
    pub from_cluster: Vec<String>,
    /// Few-shot examples per category.
    #[arg(long, default_value_t = 5)]
    pub examples: usize,
    /// Any number of categories per conversation.
    #[arg(long)]
    pub multi_label: bool,
    /// Replace an existing definition.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct LabelArgs {
    pub path: PathBuf,
    pub name: String,
    /// CSV or JSONL file of labels.
    #[arg(long, short)]
    pub input: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    Val,
    Test,
}

#[derive(Debug, Args)]
pub struct ClassifyEvalArgs {
    pub path: PathBuf,
    pub name: String,
    #[arg(long, value_enum, default_value_t = SplitArg::Val)]
    pub split: SplitArg,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Show the stored evaluations instead of running one.
    #[arg(long)]
    pub history: bool,
    /// LLM judge: do not ask before paid calls.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    pub path: PathBuf,
    pub name: String,
    /// Label the rows of this file (`id` or `text`, CSV or JSONL) instead
    /// of the project's conversations.
    #[arg(long, short)]
    pub input: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
    /// LLM judge: do not ask before paid calls.
    #[arg(long, short = 'y')]
    pub yes: bool,
}
