//! `kura-tui model install [NAME] [--from PATH]` and `kura-tui model status`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use indicatif::{ProgressBar, ProgressStyle};

use super::args::ModelCommand;
use crate::config::{EnvSource, ProcessEnv};
use crate::embed::install::{self, Download, Installed, ModelSpec, files_present, sha256_file};

pub fn model(cmd: ModelCommand) -> Result<ExitCode> {
    match cmd {
        ModelCommand::Install { name, from } => {
            install(name.as_deref(), from.as_deref(), &ProcessEnv)
        }
        ModelCommand::Status => status(&ProcessEnv),
    }
}

fn models_dir(env: &dyn EnvSource) -> Result<std::path::PathBuf> {
    install::models_dir(env)
        .ok_or_else(|| anyhow!("no data directory could be found; set KURA_DATA_DIR"))
}

fn install(name: Option<&str>, from: Option<&Path>, env: &dyn EnvSource) -> Result<ExitCode> {
    if !crate::embed::MINILM_BUILT {
        return Err(crate::embed::minilm_not_built().into());
    }
    let dir = models_dir(env)?;
    let spec = match name {
        Some(n) => ModelSpec::by_name(n)?,
        None => ModelSpec::minilm(),
    };
    let installed = match from {
        Some(source) => {
            let spinner = ProgressBar::new_spinner();
            spinner.set_message(format!(
                "copying and verifying {} from {}",
                spec.name,
                source.display()
            ));
            spinner.enable_steady_tick(Duration::from_millis(120));
            let result = install::install_from(source, &dir, &spec);
            spinner.finish_and_clear();
            result.with_context(|| format!("installing {} from {}", spec.name, source.display()))?
        }
        None => from_hub(&dir, &spec)?,
    };
    report(&installed, &spec, env);
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
    println!("downloading {} from {}", spec.name, spec.hub_base);
    let result = runtime.block_on(install::install_from_hub(dir, spec, &progress));
    bar.finish_and_clear();
    Ok(result?)
}

fn report(installed: &Installed, spec: &ModelSpec, env: &dyn EnvSource) {
    let check = if spec.safetensors_sha256.is_some() {
        "sha256 of model.safetensors verified"
    } else {
        "shape checked, sha256 of model.safetensors recorded"
    };
    println!(
        "installed {} into {} ({:.1} MB, {check})",
        spec.name,
        installed.dir.display(),
        installed.bytes as f64 / 1e6
    );
    for source in &installed.sources {
        println!("  from {source}");
    }
    let auto = ModelSpec::auto_order()
        .into_iter()
        .find(|s| install::installed(env, s))
        .unwrap_or_else(|| spec.clone());
    if auto.name == spec.name {
        println!(
            "offline runs with the `auto` embedder now use {}",
            spec.embedder_name()
        );
    } else {
        let first = |specs: Vec<ModelSpec>| specs.into_iter().find(|s| install::installed(env, s));
        let flag = if spec.name == install::MINILM_NAME {
            Some("minilm")
        } else {
            first(ModelSpec::multilingual_models())
                .filter(|m| m.name == spec.name)
                .map(|_| "multilingual")
        };
        let how = flag.map_or_else(
            || "another installed model comes first for `--embedder multilingual`".to_string(),
            |f| format!("choose this one with `--embedder {f}`"),
        );
        println!(
            "offline runs with the `auto` embedder use {}; {how}",
            auto.embedder_name()
        );
    }
}

fn status(env: &dyn EnvSource) -> Result<ExitCode> {
    let models = models_dir(env)?;
    let mut any = false;
    for spec in ModelSpec::all() {
        let dir = models.join(&spec.name);
        if !files_present(&dir) {
            println!("{}: not installed (looked in {})", spec.name, dir.display());
            println!(
                "  install: kura-tui model install {}   (downloads from huggingface.co)",
                spec.name
            );
            println!("  offline: {}", spec.offline_hint);
            continue;
        }
        any = true;
        let weights = dir.join(install::MODEL_FILES[0]);
        let sha = sha256_file(&weights)?;
        let verdict = match install::check_sha256(&weights, &sha, &spec) {
            Ok(()) if spec.safetensors_sha256.is_some() => "verified".to_string(),
            Ok(()) => "matches the hash recorded at install".to_string(),
            Err(e) => format!(
                "DAMAGED ({e}); reinstall with `kura-tui model install {}`",
                spec.name
            ),
        };
        println!("{}: installed at {}", spec.name, dir.display());
        println!("  model.safetensors sha256 {sha}: {verdict}");
    }
    if !any {
        println!("offline runs use the built-in lexical embedder until a model is installed");
    }
    Ok(ExitCode::SUCCESS)
}
