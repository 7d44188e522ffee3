//! Choosing the local embedder for a run.

use std::sync::Arc;

use super::install::{ModelSpec, WHEEL_HINT, files_present, install_instructions, minilm_dir};
use super::{Embedder, LexicalEmbedder, MiniLmEmbedder};
use crate::config::{Config, EmbedderKind, EnvSource};
use crate::error::{Error, Result};

/// The local embedder for `kind`, and a notice for the user when the choice
/// was a fallback.
///
/// - `Lexical`: the built-in lexical embedder.
/// - `Minilm`: MiniLM; an error with install instructions if it is missing.
/// - `Auto` (offline runs): MiniLM when installed, else the lexical
///   embedder with a notice saying how to install MiniLM.
/// - `Api` is not local: an error.
pub fn local_embedder(
    kind: EmbedderKind,
    config: &Config,
    env: &dyn EnvSource,
) -> Result<(Arc<dyn Embedder>, Option<String>)> {
    let lexical = || -> Result<Arc<dyn Embedder>> {
        Ok(Arc::new(LexicalEmbedder::new(
            config.embedding.lexical_dimensions,
            config.cluster.seed,
        )?))
    };
    let dir = minilm_dir(env);
    let installed = dir.as_deref().is_some_and(files_present);
    let load = || -> Result<Arc<dyn Embedder>> {
        let dir = dir
            .as_deref()
            .ok_or_else(|| Error::Model(install_instructions(None)))?;
        Ok(Arc::new(MiniLmEmbedder::load(
            dir,
            &ModelSpec::minilm(),
            config.embedding.batch_size,
        )?))
    };
    match kind {
        EmbedderKind::Lexical => Ok((lexical()?, None)),
        EmbedderKind::Minilm => {
            if !installed {
                return Err(Error::Model(install_instructions(dir.as_deref())));
            }
            Ok((load()?, None))
        }
        EmbedderKind::Auto => {
            if !installed {
                let embedder = lexical()?;
                let notice = format!(
                    "offline embeddings use the built-in {} embedder; for better clusters install \
                     MiniLM with `kura-tui model install` or, without huggingface.co, `{WHEEL_HINT}`",
                    embedder.name()
                );
                return Ok((embedder, Some(notice)));
            }
            match load() {
                Ok(e) => Ok((e, None)),
                Err(e) => Ok((
                    lexical()?,
                    Some(format!(
                        "using the built-in lexical embedder because MiniLM failed to load: {e}; \
                         reinstall it with `kura-tui model install`"
                    )),
                )),
            }
        }
        EmbedderKind::Api => Err(Error::param(
            "embedding.embedder",
            "`api` is not a local embedder; choose minilm, lexical or auto",
        )),
    }
}
