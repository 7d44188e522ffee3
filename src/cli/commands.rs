//! One function per verb. Each returns the process exit code.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::args::{Cli, Command, DemoArgs, InfoArgs, InitArgs};
use crate::config::ProcessEnv;
use crate::ingest::{self, ImportOptions};
use crate::project::Project;
use crate::project::store::StoreWriter;

pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Init(args)) => init(args),
        Some(Command::Demo(args)) => demo(args),
        Some(Command::Info(args)) => info(args),
        Some(Command::Model(cmd)) => super::model_cmd::model(cmd),
        Some(other) => bail!("`{}` is not available in this build yet", verb(&other)),
        None => match cli.path {
            Some(path) => bail!(
                "the explorer is not available in this build yet; try `kura-tui info {}`",
                path.display()
            ),
            None => bail!("no project given; try `kura-tui demo ./demo` then `kura-tui ./demo`"),
        },
    }
}

fn verb(c: &Command) -> &'static str {
    match c {
        Command::Init(_) => "init",
        Command::Demo(_) => "demo",
        Command::Info(_) => "info",
        Command::Run(_) => "run",
        Command::Tree(_) => "tree",
        Command::Eval(_) => "eval",
        Command::Export(_) => "export",
        Command::Model(_) => "model",
        Command::Cache(_) => "cache",
    }
}

fn init(args: InitArgs) -> Result<ExitCode> {
    if !args.input.is_file() {
        bail!("{}: no such file", args.input.display());
    }
    let options = ImportOptions {
        format: args.format,
        id_field: args.id_field,
        text_field: args.text_field,
        text_column: args.text_column,
        id_column: args.id_column,
        skip_invalid: args.skip_invalid,
    };
    let (layout, _lock) = Project::create(&args.path, args.force)?;
    let mut writer = StoreWriter::create(&layout.conversations(), &layout.conversations_index())?;
    let started = std::time::Instant::now();
    let report = ingest::import(&args.input, &options, &mut writer, &layout.rejected())?;
    let n = writer.finish()?;
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
    let info = crate::info::gather(&project)
        .with_context(|| format!("reading project {}", args.path.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info)?);
    } else {
        print!("{}", info.render());
    }
    Ok(ExitCode::SUCCESS)
}
