//! `kura-tui report` and `kura-tui export-sql`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{ExportSqlArgs, ReportArgs};
use super::commands::load_clusters;
use crate::report::ReportOptions;

pub fn report(args: ReportArgs) -> Result<ExitCode> {
    if args.growth.growth {
        return super::add_cmd::growth_report(&args);
    }
    let (project, analysis) = load_clusters(&args.path)?;
    let options = ReportOptions {
        level: args.level,
        by: args.by,
        sort: args.sort,
        top_values: args.top,
    };
    let report = crate::report::build(&analysis, &project.store()?, &options)?;
    print!("{}", report.render(args.format)?);
    Ok(ExitCode::SUCCESS)
}

pub fn export_sql(args: ExportSqlArgs) -> Result<ExitCode> {
    let (project, analysis) = load_clusters(&args.path)?;
    let started = std::time::Instant::now();
    let done = crate::sql::export(&analysis, &project.store()?, &args.out)?;
    println!(
        "wrote {} ({} conversations, {} clusters, {} memberships, {} metadata rows) in {:.1}s",
        done.path.display(),
        done.conversations,
        done.clusters,
        done.memberships,
        done.metadata_rows,
        started.elapsed().as_secs_f64()
    );
    if !done.numeric_fields.is_empty() {
        println!(
            "  metadata_numeric columns: {}",
            done.numeric_fields.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
