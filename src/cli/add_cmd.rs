//! `kura-tui add` and `kura-tui report --growth`.

use std::process::ExitCode;

use anyhow::{Result, bail};

use super::add_args::AddArgs;
use super::args::ReportArgs;
use crate::config::ProcessEnv;
use crate::grow::{self, AddOptions, Threshold};
use crate::project::Project;
use crate::report::growth::{self, Period};

pub fn add(args: AddArgs) -> Result<ExitCode> {
    super::guards::check_input(&args.input)?;
    let options = AddOptions {
        input: args.input.clone(),
        import: args.reading.options(args.skip_invalid),
        skip_duplicates: args.skip_duplicates,
        threshold: args.threshold.map_or(
            Threshold::Auto {
                percentile: grow::assign::AUTO_PERCENTILE,
            },
            Threshold::Fixed,
        ),
        offline: args.offline,
    };
    let started = std::time::Instant::now();
    let mut project = Project::open(&args.path, &ProcessEnv)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(grow::add(&mut project, &options, &ProcessEnv))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "added {} conversations to {} ({} in all) in {:.1}s{}",
        report.added,
        args.path.display(),
        report.conversations,
        started.elapsed().as_secs_f64(),
        if report.offline { ", offline" } else { "" }
    );
    if report.skipped_duplicates > 0 {
        println!(
            "  skipped {} conversations already in the project",
            report.skipped_duplicates
        );
    }
    if report.import.skipped > 0 {
        println!(
            "  left out {} invalid records{}",
            report.import.skipped,
            report
                .import
                .rejected_file
                .as_ref()
                .map(|p| format!(" (appended to {})", p.display()))
                .unwrap_or_default()
        );
    }
    println!(
        "  {} joined {} existing clusters; {} unassigned{} (threshold: {})",
        report.assigned,
        report.grew.len(),
        report.unassigned,
        report
            .unassigned_cluster
            .as_ref()
            .map(|id| format!(" → {id}"))
            .unwrap_or_default(),
        report.threshold
    );
    println!("  embeddings: {}", report.embedding);
    println!(
        "  the tree was not rebuilt; `kura-tui run {}` keeps these results, delete \
         checkpoints/clusters.jsonl first to recluster everything",
        args.path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `report --growth`.
pub fn growth_report(args: &ReportArgs) -> Result<ExitCode> {
    let (project, analysis) = super::commands::load_clusters(&args.path)?;
    let store = project.store()?;
    let dates = grow::timeline::dates(&store)?;
    if dates.is_empty() {
        bail!(
            "no conversation in {} has a date (created_at, or a created_at/timestamp/date \
             metadata field); a growth report needs them",
            args.path.display()
        );
    }
    let g = &args.growth;
    let (current, previous) = match (g.since, g.period, g.vs) {
        (Some(since), _, _) => {
            let last = dates.values().max().copied().unwrap_or(since);
            Period::since(since, g.until.unwrap_or(last))?
        }
        (None, Some(p), Some(vs)) => (p, vs),
        _ => bail!("--growth needs --since DATE [--until DATE] or --period FROM..TO --vs FROM..TO"),
    };
    let h = &analysis.hierarchy;
    let clusters: Vec<_> = match args.level {
        None => h.roots().collect(),
        Some(level) if h.clusters().iter().any(|c| c.level >= level) => h.at_level(level),
        Some(_) => Vec::new(),
    };
    if clusters.is_empty() {
        bail!("no clusters at level {}", args.level.unwrap_or(0));
    }
    let report = growth::build(
        h,
        &clusters,
        &dates,
        store.len(),
        args.level,
        current,
        previous,
    );
    print!("{}", report.render(args.format)?);
    Ok(ExitCode::SUCCESS)
}
