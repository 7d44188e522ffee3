//! `kura-tui run` (headless) and `kura-tui PATH` (run, then explore).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};

use super::args::RunArgs;
use super::progress_bars;
use crate::analysis::Analysis;
use crate::config::ProcessEnv;
use crate::pipeline::{self, Cancel, RunOptions};
use crate::project::Project;

/// A project prepared for a run.
pub struct Prepared {
    pub project: Project,
    pub offline: bool,
    pub options: RunOptions,
}

/// Opens and locks the project and applies the run flags.
pub fn prepare(path: &Path, args: &RunArgs) -> Result<Prepared> {
    let mut prepared = prepare_unlocked(path, args)?;
    prepared.project.lock()?;
    Ok(prepared)
}

/// Opens the project (without its lock) and applies the run flags.
fn prepare_unlocked(path: &Path, args: &RunArgs) -> Result<Prepared> {
    let mut project = Project::open(path, &ProcessEnv)?;
    if let Some(e) = args.embedder {
        project.config.embedding.embedder = e.into();
    }
    if let Some(seed) = args.seed {
        project.config.cluster.seed = seed;
    }
    if let Some(k) = args.k {
        if k == 0 {
            bail!("--k must be at least 1");
        }
        project.config.cluster.k = k;
    }
    let offline = args.offline || project.config.is_offline();
    Ok(Prepared {
        offline,
        options: RunOptions {
            max_conversations: args.max_conversations,
            k: args.k,
            seed: args.seed,
            log: None,
        },
        project,
    })
}

impl Prepared {
    /// What is current for this run's settings, as the explorer shows it.
    fn analysis(&self) -> crate::Result<Analysis> {
        Analysis::load_for_run(
            &self.project.layout,
            &self.project.config,
            self.offline,
            &self.options,
            &ProcessEnv,
        )
    }
}

/// The cost estimate, when the run may make paid calls above
/// `max_cost_usd` and so must ask first; `None` when no question is needed.
fn costly_estimate(p: &Prepared, args: &RunArgs) -> Result<Option<crate::llm::Estimate>> {
    if p.offline || args.yes {
        return Ok(None);
    }
    let est = estimate(p)?;
    Ok(crate::llm::needs_confirmation(&est, p.project.config.llm.max_cost_usd).then_some(est))
}

/// The project's store and how many of its conversations the run covers
/// (all, or `--max-conversations`).
fn run_size(p: &Prepared) -> Result<(crate::project::store::Store, usize)> {
    let store = p.project.store()?;
    let n = p
        .options
        .max_conversations
        .map_or(store.len(), |m| m.min(store.len()));
    Ok((store, n))
}

/// The estimate of the run's LLM calls (reads every conversation it covers).
fn estimate(p: &Prepared) -> Result<crate::llm::Estimate> {
    let (store, n) = run_size(p)?;
    Ok(pipeline::estimate::run_estimate(
        &p.project.config,
        &store,
        n,
    )?)
}

/// The question for the run screen's confirmation: short lines that fit a
/// dialog at 80 columns.
fn cost_question(est: &crate::llm::Estimate, max_cost_usd: f64) -> String {
    let mut text = format!(
        "This run may make {} LLM calls (cached ones are free):\n",
        est.calls
    );
    for (tag, t) in &est.by_tag {
        text.push_str(&format!(
            "  {tag:<11} {:>7} calls {:>11} tokens in\n",
            t.calls, t.input_tokens
        ));
    }
    text.push_str(&format!(
        "Estimated cost with {}: about ${:.2},\nabove llm.max_cost_usd (${max_cost_usd:.2}). Continue?",
        est.models.join(", "),
        est.cost_usd.unwrap_or(0.0)
    ));
    text
}

/// Asks on stdin before paid calls above `max_cost_usd`; false means "do
/// not run".
fn confirm_cost(p: &Prepared, args: &RunArgs) -> Result<bool> {
    let Some(est) = costly_estimate(p, args)? else {
        return Ok(true);
    };
    let max = p.project.config.llm.max_cost_usd;
    eprintln!(
        "This run may make these LLM calls (cached ones are free):\n{}above llm.max_cost_usd ({max})",
        est.render()
    );
    if !std::io::stdin().is_terminal() {
        bail!("the estimated cost is above llm.max_cost_usd ({max}); pass --yes to run anyway");
    }
    eprint!("Continue? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn dry_run(p: &Prepared) -> Result<ExitCode> {
    let (store, n) = run_size(p)?;
    if p.offline {
        println!("offline run over {n} conversations: no LLM calls, no cost");
        return Ok(ExitCode::SUCCESS);
    }
    let est = pipeline::estimate::run_estimate(&p.project.config, &store, n)?;
    println!("estimate for {n} conversations (an upper bound: cached calls are free):");
    print!("{}", est.render());
    Ok(ExitCode::SUCCESS)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// `kura-tui run PATH`: runs the missing stages with progress bars.
///
/// Exit status: 0 when every stage finished; [`EXIT_INCOMPLETE`] when the
/// run finished but some LLM work fell back (the results are explorable and
/// the next run redoes that part); 130 when cancelled; 1 on failure. The
/// last line names the run's log.
pub fn run(path: &Path, args: &RunArgs) -> Result<ExitCode> {
    let mut prepared = prepare(path, args)?;
    if args.dry_run {
        return dry_run(&prepared);
    }
    if !confirm_cost(&prepared, args)? {
        eprintln!("nothing was run");
        return Ok(ExitCode::FAILURE);
    }
    let log = pipeline::run_log::new_path(&prepared.project.layout);
    prepared.options.log = Some(log.clone());
    let started = Instant::now();
    let rt = runtime()?;
    let result = rt.block_on(run_headless(&prepared));
    let secs = started.elapsed().as_secs_f64();
    let log_line = if log.exists() {
        format!("log: {}", log.display())
    } else {
        "no log was written".to_string()
    };
    let p = path.display();
    match result {
        Ok(out) if out.incomplete.is_empty() => {
            eprintln!(
                "done in {secs:.1}s; explore with `kura-tui {p}` or print the tree with `kura-tui tree {p}`; {log_line}"
            );
            Ok(ExitCode::SUCCESS)
        }
        Ok(out) => {
            eprintln!(
                "finished in {secs:.1}s, but the hierarchy is incomplete: {}. The results can be explored; \
                 `kura-tui run {p}` redoes the missing part (answers already received come from the cache); {log_line}",
                out.incomplete.join("; ")
            );
            Ok(ExitCode::from(EXIT_INCOMPLETE))
        }
        Err(crate::Error::Cancelled) => {
            eprintln!("cancelled; finished work is saved, rerun to resume; {log_line}");
            Ok(ExitCode::from(130))
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("{log_line}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The exit status of a run that finished with an incomplete stage.
pub const EXIT_INCOMPLETE: u8 = 3;

async fn run_headless(p: &Prepared) -> crate::Result<pipeline::RunOutput> {
    let (tx, rx) = pipeline::events::channel();
    let cancel = Cancel::new();
    {
        let c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                c.cancel();
            }
        });
    }
    let printer = tokio::spawn(progress_bars::show(rx, std::io::stderr().is_terminal()));
    let result = pipeline::run_project(
        &p.project.layout,
        &p.project.config,
        p.offline,
        &p.options,
        tx,
        cancel,
        &ProcessEnv,
    )
    .await;
    let _ = printer.await;
    result
}

/// `kura-tui PATH`: runs whatever the plan says is not done (missing,
/// outdated, corrupt or incomplete), then opens the explorer. On a terminal
/// the run shows in the TUI's run screen; otherwise (or with `--headless`)
/// as progress bars.
pub fn run_and_explore(path: &Path, args: &RunArgs) -> Result<ExitCode> {
    let prepared = prepare_unlocked(path, args)?;
    let (plan, _) = pipeline::plan::for_project(
        &prepared.project.layout,
        &prepared.project.config,
        prepared.offline,
        &prepared.options,
        &ProcessEnv,
    )?;
    if plan.is_done() && !args.dry_run {
        return explore(path, &prepared);
    }
    drop(prepared);
    let tty = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if args.headless || args.dry_run || !tty {
        let code = run(path, args)?;
        let explorable = code == ExitCode::SUCCESS || code == ExitCode::from(EXIT_INCOMPLETE);
        if !explorable || args.dry_run {
            return Ok(code);
        }
        let shown = explore(path, &prepare_unlocked(path, args)?)?;
        return Ok(if shown == ExitCode::SUCCESS {
            code
        } else {
            shown
        });
    }
    let prepared = prepare(path, args)?;
    // Above max_cost_usd the run screen asks first; the pipeline waits for
    // the answer and does not start on "no".
    let (prompt, approved) = match costly_estimate(&prepared, args)? {
        Some(est) => {
            let (tx, rx) = tokio::sync::oneshot::channel::<bool>();
            let prompt = crate::tui::ConfirmPrompt {
                title: "Confirm the cost".into(),
                text: cost_question(&est, prepared.project.config.llm.max_cost_usd),
                answer: Box::new(move |yes| {
                    let _ = tx.send(yes);
                }),
            };
            (Some(prompt), Some(rx))
        }
        None => (None, None),
    };
    let rt = runtime()?;
    let (tx, rx) = pipeline::events::channel();
    let cancel = Cancel::new();
    let (layout, config, offline, options) = (
        prepared.project.layout.clone(),
        prepared.project.config.clone(),
        prepared.offline,
        prepared.options.clone(),
    );
    let run_cancel = cancel.clone();
    let task = rt.spawn(async move {
        if let Some(approved) = approved {
            // A dropped sender (the UI quit) counts as "no".
            if !approved.await.unwrap_or(false) {
                return Ok(None);
            }
        }
        pipeline::run_project(
            &layout,
            &config,
            offline,
            &options,
            tx,
            run_cancel,
            &ProcessEnv,
        )
        .await
        .map(Some)
    });
    let (layout, config, offline, options) = (
        prepared.project.layout.clone(),
        prepared.project.config.clone(),
        prepared.offline,
        prepared.options.clone(),
    );
    let load =
        Box::new(move || Analysis::load_for_run(&layout, &config, offline, &options, &ProcessEnv));
    let c = cancel.clone();
    let shown = crate::tui::run_and_explore_with(
        &prepared.project,
        rx,
        std::sync::Arc::new(move || c.cancel()),
        load,
        prompt,
    );
    cancel.cancel();
    let result = rt.block_on(task);
    shown?;
    match result {
        Ok(Ok(None)) => {
            eprintln!("nothing was run");
            Ok(ExitCode::FAILURE)
        }
        Ok(Ok(Some(out))) if !out.incomplete.is_empty() => Ok(ExitCode::from(EXIT_INCOMPLETE)),
        Ok(Ok(Some(_))) | Ok(Err(crate::Error::Cancelled)) => Ok(ExitCode::SUCCESS),
        Ok(Err(e)) => Err(e.into()),
        Err(e) => Err(anyhow::anyhow!("pipeline task failed: {e}")),
    }
}

/// Opens the explorer on what is current for `p`'s settings; without a
/// terminal, prints the tree instead (and its warnings on stderr).
fn explore(path: &Path, p: &Prepared) -> Result<ExitCode> {
    let project = Project::open_locked(path, &ProcessEnv)?;
    let analysis = p.analysis()?;
    if !std::io::stdout().is_terminal() {
        // No terminal to draw on: print the tree instead.
        print_warnings(path, &analysis);
        let nodes = crate::tree::build(&analysis.hierarchy, Some(2));
        print!("{}", crate::tree::render(&nodes));
        return Ok(ExitCode::SUCCESS);
    }
    crate::tui::explore(&project, analysis)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints an analysis's warnings on stderr, with the hint to run when a
/// run would change something.
pub fn print_warnings(path: &Path, analysis: &Analysis) {
    for w in &analysis.warnings {
        eprintln!("warning: {w}");
    }
    if !analysis.warnings.is_empty() && analysis.needs_run {
        eprintln!("{}", pipeline::plan::run_hint(path));
    }
}
