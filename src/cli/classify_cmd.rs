//! `kura-tui classify ...`: a thin layer over [`crate::classify::ops`].

use std::process::ExitCode;

use anyhow::Result;

use super::classify_args::{
    ApplyArgs, ClassifyCommand, ClassifyEvalArgs, LabelArgs, NewArgs, SplitArg,
};
use super::guards::ensure_conversations;
use crate::classify::create::{NewClassifier, create_from_clusters};
use crate::classify::evaluation;
use crate::classify::ops;
use crate::classify::{ClassifierFiles, LabelMode, Split};
use crate::config::ProcessEnv;
use crate::project::Project;

pub fn run(cmd: ClassifyCommand) -> Result<ExitCode> {
    match cmd {
        ClassifyCommand::New(a) => new(a),
        ClassifyCommand::Label(a) => label(a),
        ClassifyCommand::Eval(a) => eval(a),
        ClassifyCommand::Apply(a) => apply(a),
    }
}

/// Opens the project and takes its lock (as `run` does), so two writers
/// of a classifier's files never race.
fn open(path: &std::path::Path, name: &str) -> Result<(Project, ClassifierFiles)> {
    let files = ClassifierFiles::new(path, name)?;
    let project = Project::open_locked(path, &ProcessEnv)?;
    ensure_conversations(path)?;
    Ok((project, files))
}

fn new(a: NewArgs) -> Result<ExitCode> {
    let (project, _) = open(&a.path, &a.name)?;
    let new = NewClassifier {
        name: a.name.clone(),
        clusters: a.from_cluster.clone(),
        examples: a.examples,
        mode: if a.multi_label {
            LabelMode::Multi
        } else {
            LabelMode::Single
        },
        force: a.force,
    };
    let (files, def) = create_from_clusters(&project, &new)?;
    println!(
        "wrote {} with {} categories{}",
        files.definition().display(),
        def.categories.len(),
        if def.other { " (plus `other`)" } else { "" }
    );
    for c in &def.categories {
        println!(
            "  {:<32} {} examples  (from {})",
            c.name.get_ref(),
            c.examples.len(),
            c.from_cluster.as_deref().unwrap_or("-")
        );
    }
    println!(
        "next: kura-tui classify label {} {} --input LABELS.csv",
        a.path.display(),
        a.name
    );
    Ok(ExitCode::SUCCESS)
}

fn label(a: LabelArgs) -> Result<ExitCode> {
    let (project, files) = open(&a.path, &a.name)?;
    let s = ops::import_labels(&project, &files, &a.input)?;
    println!(
        "imported {} labels from {} ({} replaced earlier ones); {} labelled in all: {} train, {} validation, {} test",
        s.imported,
        a.input.display(),
        s.replaced,
        s.total,
        s.train,
        s.validation,
        s.test
    );
    Ok(ExitCode::SUCCESS)
}

fn eval(a: ClassifyEvalArgs) -> Result<ExitCode> {
    let (project, files) = open(&a.path, &a.name)?;
    if a.history {
        files.require()?;
        let records = evaluation::history(&files.evals())?;
        if a.json {
            println!("{}", serde_json::to_string_pretty(&records)?);
        } else if records.is_empty() {
            println!("no evaluations of `{}` yet", a.name);
        } else {
            print!("{}", evaluation::render_history(&records));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let loaded = ops::load(&project, &files)?;
    let split = match a.split {
        SplitArg::Val => Split::Validation,
        SplitArg::Test => Split::Test,
    };
    let judge = judge_for(&project, &loaded, a.yes)?;
    let rec = ops::evaluate(&files, &loaded, split, judge.as_ref())?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&rec)?);
    } else {
        print!("{}", rec.render());
    }
    Ok(ExitCode::SUCCESS)
}

fn apply(a: ApplyArgs) -> Result<ExitCode> {
    let (project, files) = open(&a.path, &a.name)?;
    let loaded = ops::load(&project, &files)?;
    let judge = judge_for(&project, &loaded, a.yes)?;
    let s = ops::apply(&files, &loaded, a.input.as_deref(), judge.as_ref())?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "labelled {} with classifier {} version {} into {}",
        s.header.count,
        a.name,
        s.header.version,
        s.path.display()
    );
    for (name, n) in &s.counts {
        println!("  {n:>7}  {name}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The LLM judge, when the definition asks for it; it asks on the
/// terminal before paid calls above `llm.max_cost_usd` unless `yes`.
fn judge_for(project: &Project, loaded: &ops::Loaded, yes: bool) -> Result<Option<ops::LlmJudge>> {
    if loaded.def.engine != crate::classify::EngineKind::Llm {
        return Ok(None);
    }
    let confirm: Option<ops::ConfirmCost> = if yes { None } else { Some(Box::new(ask_cost)) };
    Ok(Some(ops::LlmJudge::for_project(
        project,
        &loaded.def,
        confirm,
    )?))
}

fn ask_cost(est: &crate::llm::Estimate, max: f64) -> crate::Result<bool> {
    use std::io::{IsTerminal, Write};
    eprintln!(
        "The classifier may make these LLM calls (cached ones are free):\n{}above llm.max_cost_usd ({max})",
        est.render()
    );
    if !std::io::stdin().is_terminal() {
        return Err(crate::Error::Other(format!(
            "the estimated cost is above llm.max_cost_usd ({max}); pass --yes to run anyway"
        )));
    }
    eprint!("Continue? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| crate::Error::Other(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
