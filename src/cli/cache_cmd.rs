//! `kura-tui cache stats|clear PATH`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{CacheAction, CacheArgs};
use crate::config::ProcessEnv;
use crate::llm::Cache;
use crate::project::Project;

pub fn run(args: CacheArgs) -> Result<ExitCode> {
    let project = match args.action {
        CacheAction::Stats => Project::open(&args.path, &ProcessEnv)?,
        // Clearing under a running pipeline would lose its answers.
        CacheAction::Clear => Project::open_locked(&args.path, &ProcessEnv)?,
    };
    let cache = Cache::new(project.layout.cache());
    match args.action {
        CacheAction::Stats => {
            let s = cache.stats()?;
            println!(
                "{}: {} cached responses, {}",
                cache.root().display(),
                s.entries,
                human_bytes(s.bytes)
            );
        }
        CacheAction::Clear => {
            let s = cache.clear()?;
            println!(
                "removed {} cached responses ({}) from {}",
                s.entries,
                human_bytes(s.bytes),
                cache.root().display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(0), "0 bytes");
        assert_eq!(human_bytes(1023), "1023 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}
