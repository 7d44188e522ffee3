//! Arguments of `kura-tui add` and of the growth report (`report --growth`).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use super::args::ReadingArgs;
use crate::report::growth::Period;

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Project directory (its analysis must be complete).
    pub path: PathBuf,
    /// Conversation file to add (any format `init` reads).
    #[arg(long, short)]
    pub input: PathBuf,
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Leave out invalid records (counted) instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Skip conversations whose id is already in the project (counted)
    /// instead of refusing the whole file.
    #[arg(long)]
    pub skip_duplicates: bool,
    /// Cosine distance beyond which a conversation goes to "unassigned"
    /// (default: the 99th percentile of each cluster's member distances).
    #[arg(long, value_name = "DISTANCE", value_parser = distance)]
    pub threshold: Option<f32>,
    /// Use no LLM (chosen anyway when the project was analysed offline).
    #[arg(long)]
    pub offline: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

fn distance(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(d) if (0.0..=2.0).contains(&d) => Ok(d),
        Ok(d) => Err(format!("{d} is not a cosine distance (0 to 2)")),
        Err(e) => Err(e.to_string()),
    }
}

/// `report --growth`: compare two periods.
#[derive(Debug, Clone, Args, Default)]
pub struct GrowthArgs {
    /// Per-cluster growth between two periods (by conversation date)
    /// instead of the metadata report.
    #[arg(long)]
    pub growth: bool,
    /// With --growth: the current period starts on DATE (YYYY-MM-DD) and is
    /// compared with the period of the same length just before it.
    #[arg(
        long,
        value_name = "DATE",
        requires = "growth",
        conflicts_with = "period"
    )]
    pub since: Option<NaiveDate>,
    /// With --since: the last day of the current period (default: the
    /// latest conversation's date).
    #[arg(long, value_name = "DATE", requires = "since")]
    pub until: Option<NaiveDate>,
    /// With --growth: the current period, FROM..TO (inclusive).
    #[arg(long, value_name = "FROM..TO", requires_all = ["growth", "vs"])]
    pub period: Option<Period>,
    /// With --period: the period to compare with, FROM..TO.
    #[arg(long, value_name = "FROM..TO", requires = "period")]
    pub vs: Option<Period>,
}
