//! `kura-tui import-kura KURA_DIR PATH`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::ImportKuraArgs;

pub fn import_kura(args: ImportKuraArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let done = crate::kura_import::import(&args.kura_dir, &args.path)?;
    println!(
        "imported {} conversations, {} base clusters and {} clusters in all ({} at the top) from Kura's {} into {} in {:.1}s",
        done.conversations,
        done.base_clusters,
        done.clusters,
        done.top_level,
        args.kura_dir.display(),
        args.path.display(),
        started.elapsed().as_secs_f64()
    );
    for note in &done.notes {
        println!("  {note}");
    }
    println!("next: kura-tui {}", args.path.display());
    Ok(ExitCode::SUCCESS)
}
