//! The command-line interface: argument parsing ([`args`]) and one function
//! per verb ([`commands`]).

pub mod add_args;
mod add_cmd;
pub mod args;
mod cache_cmd;
mod classify_args;
mod classify_cmd;
mod commands;
mod failure;
mod guards;
mod import_kura_cmd;
mod model_cmd;
mod progress_bars;
mod report_cmd;
mod run_cmd;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// Entry point of the binary. Failures print one `error:` line; a closed
/// standard output (`| head`) ends the process quietly with status 0.
pub fn main() -> ExitCode {
    failure::quiet_closed_stdout();
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(e) => failure::exit(&e),
    }
}

fn init_logging(verbose: bool) {
    let default = if verbose {
        "kura_tui=debug"
    } else {
        "kura_tui=warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KURA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
