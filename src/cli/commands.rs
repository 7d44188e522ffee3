//! One function per verb. Each returns the process exit code.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::args::{Cli, Command, DemoArgs, EvalArgs, ExportArgs, InfoArgs, InitArgs, TreeArgs};
use super::guards::{Skeleton, check_input, ensure_conversations, nothing_imported, place_rejects};
use crate::analysis::Analysis;
use crate::config::ProcessEnv;
use crate::ingest;
use crate::project::store::StoreWriter;
use crate::project::{Layout, Project};

pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Init(args)) => init(args),
        Some(Command::Demo(args)) => demo(args),
        Some(Command::Info(args)) => info(args),
        Some(Command::Add(args)) => super::add_cmd::add(args),
        Some(Command::Tree(args)) => tree(args),
        Some(Command::Export(args)) => export(args),
        Some(Command::ImportKura(args)) => super::import_kura_cmd::import_kura(args),
        Some(Command::Eval(args)) => eval(args),
        Some(Command::Run(args)) => {
            ensure_conversations(&args.path)?;
            super::run_cmd::run(&args.path, &args.run)
        }
        Some(Command::Report(args)) => super::report_cmd::report(args),
        Some(Command::ExportSql(args)) => super::report_cmd::export_sql(args),
        Some(Command::Cache(args)) => super::cache_cmd::run(args),
        Some(Command::Model(cmd)) => super::model_cmd::model(cmd),
        Some(Command::Classify(cmd)) => super::classify_cmd::run(cmd),
        None => match cli.path {
            Some(path) => {
                ensure_conversations(&path)?;
                super::run_cmd::run_and_explore(&path, &cli.run)
            }
            None => bail!("no project given; try `kura-tui demo ./demo` then `kura-tui ./demo`"),
        },
    }
}

fn init(args: InitArgs) -> Result<ExitCode> {
    check_input(&args.input)?;
    let options = args.reading.options(args.skip_invalid);
    let was_project = Layout::new(&args.path).is_project();
    let before = Skeleton::before_create(&args.path);
    let (layout, lock) = Project::create(&args.path, args.force)?;
    // Rejects are staged and moved into place only with a new store, so a
    // failed import leaves an existing project exactly as it was.
    let staged_rejects = layout.root().join(".rejected.jsonl.new");
    let started = std::time::Instant::now();
    let imported = (|| -> crate::Result<_> {
        let mut writer =
            StoreWriter::create(&layout.conversations(), &layout.conversations_index())?;
        let report = ingest::import(&args.input, &options, &mut writer, &staged_rejects)?;
        if report.imported == 0 {
            return Err(crate::Error::Other(nothing_imported(
                &args.input,
                &report,
                was_project,
            )));
        }
        Ok((writer.finish()?, report))
    })();
    let (n, mut report) = match imported {
        Ok(r) => r,
        Err(e) => {
            drop(lock);
            // Leave nothing half-made behind: what this command created
            // goes away; an existing project keeps its old store (the new
            // one was never renamed into place) and its old rejects.
            let _ = std::fs::remove_file(&staged_rejects);
            let _ = std::fs::remove_file(layout.conversations().with_extension("jsonl.tmp"));
            let _ = std::fs::remove_file(layout.conversations_index().with_extension("idx.tmp"));
            if !was_project {
                before.undo(&layout);
            }
            return Err(e.into());
        }
    };
    report.rejected_file = place_rejects(&staged_rejects, &layout.rejected())?;
    if was_project {
        Project::clear_checkpoints(&layout)?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "imported {n} conversations from {} ({}) into {} in {secs:.1}s",
        args.input.display(),
        report
            .format
            .map(|f| format!("{f:?}").to_lowercase())
            .unwrap_or_else(|| "?".into()),
        args.path.display()
    );
    if report.duplicate_ids > 0 {
        println!(
            "  {} duplicate ids were given a ~N suffix",
            report.duplicate_ids
        );
    }
    if report.empty > 0 {
        println!("  {} conversations have no messages", report.empty);
    }
    if report.lossy_utf8 > 0 {
        println!(
            "  {} texts held invalid UTF-8 (replaced with U+FFFD)",
            report.lossy_utf8
        );
    }
    if report.skipped > 0 {
        println!(
            "  skipped {} invalid records (see {}):",
            report.skipped,
            layout.rejected().display()
        );
        for (reason, count) in &report.skip_reasons {
            println!("    {count:>6}  {reason}");
        }
    }
    println!("next: kura-tui {}", args.path.display());
    Ok(ExitCode::SUCCESS)
}

fn demo(args: DemoArgs) -> Result<ExitCode> {
    if args.conversations == 0 {
        bail!("--conversations must be at least 1");
    }
    let (layout, _lock) = Project::create(&args.path, args.force)?;
    let mut writer = StoreWriter::create(&layout.conversations(), &layout.conversations_index())?;
    for conv in crate::demo::generate(args.conversations, args.seed) {
        writer.push(&conv)?;
    }
    let n = writer.finish()?;
    if args.force {
        Project::clear_checkpoints(&layout)?;
    }
    println!(
        "created demo project {} with {n} synthetic conversations (seed {})",
        args.path.display(),
        args.seed
    );
    println!("next: kura-tui {}", args.path.display());
    Ok(ExitCode::SUCCESS)
}

fn info(args: InfoArgs) -> Result<ExitCode> {
    let project = Project::open(&args.path, &ProcessEnv)?;
    ensure_conversations(&args.path)?;
    let info = crate::info::gather(&project)
        .with_context(|| format!("reading project {}", args.path.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info)?);
    } else {
        print!("{}", info.render());
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads a project's analysis, failing clearly when no clusters exist yet.
pub(super) fn load_clusters(path: &std::path::Path) -> Result<(Project, Analysis)> {
    let project = Project::open(path, &ProcessEnv)?;
    ensure_conversations(path)?;
    let analysis = Analysis::load(&project)?;
    super::run_cmd::print_warnings(path, &analysis);
    if analysis.hierarchy.is_empty() {
        bail!("{}", Analysis::no_clusters_message(&project.layout));
    }
    Ok((project, analysis))
}

fn tree(args: TreeArgs) -> Result<ExitCode> {
    if args.depth == Some(0) {
        bail!("--depth must be at least 1");
    }
    let (_project, analysis) = load_clusters(&args.path)?;
    let nodes = crate::tree::build(&analysis.hierarchy, args.depth);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&nodes)?);
    } else {
        print!("{}", crate::tree::render(&nodes));
    }
    Ok(ExitCode::SUCCESS)
}

fn export(args: ExportArgs) -> Result<ExitCode> {
    let (project, analysis) = load_clusters(&args.path)?;
    let store = project.store()?;
    let report = crate::export::export_cluster(
        &analysis,
        &store,
        &project.layout,
        &args.cluster,
        args.out.as_deref(),
    )?;
    let line = format!(
        "exported {} conversations of {} to {}",
        report.conversations,
        report.cluster_id,
        report.path.display()
    );
    // With `--out -` (or `/dev/stdout`) standard output holds the JSONL alone.
    if crate::export::sink::may_be_stdout(&report.path) {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

fn eval(args: EvalArgs) -> Result<ExitCode> {
    let (project, analysis) = load_clusters(&args.path)?;
    let mut report = crate::evaluate::evaluate(&analysis, &project.store()?, &args.labels)?;
    report.names =
        crate::evaluate::name_quality(&project, &analysis, args.embedder.map(Into::into))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render());
    }
    Ok(ExitCode::SUCCESS)
}
