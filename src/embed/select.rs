//! Choosing the local embedder for a run.

use std::sync::Arc;

use super::install::{ModelSpec, files_present, install_instructions, model_dir};
use super::{Embedder, LexicalEmbedder, MiniLmEmbedder};
use crate::config::{Config, EmbedderKind, EnvSource};
use crate::error::{Error, Result};

/// The local embedder for `kind`, and a notice for the user when the choice
/// was a fallback.
///
/// - `Lexical`: the built-in lexical embedder.
/// - `Minilm`, `Multilingual`: that model; an error with install
///   instructions if it is missing.
/// - `Auto` (offline runs): the multilingual model when installed, else
///   all-MiniLM-L6-v2 when installed, else the lexical embedder with a
///   notice saying how to install a model.
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
    let load = |spec: &ModelSpec| -> Result<Arc<dyn Embedder>> {
        let dir = model_dir(env, spec);
        match dir.as_deref() {
            Some(d) if files_present(d) => Ok(Arc::new(MiniLmEmbedder::load(
                d,
                spec,
                config.embedding.batch_size,
            )?)),
            _ => Err(Error::Model(install_instructions(spec, dir.as_deref()))),
        }
    };
    let installed = |spec: &ModelSpec| model_dir(env, spec).as_deref().is_some_and(files_present);
    match kind {
        EmbedderKind::Lexical => Ok((lexical()?, None)),
        EmbedderKind::Minilm => Ok((load(&ModelSpec::minilm())?, None)),
        EmbedderKind::Multilingual => Ok((load(&ModelSpec::multilingual())?, None)),
        EmbedderKind::Auto => {
            let Some(spec) = [ModelSpec::multilingual(), ModelSpec::minilm()]
                .into_iter()
                .find(|s| installed(s))
            else {
                let embedder = lexical()?;
                let notice = format!(
                    "offline embeddings use the built-in {} embedder; for better clusters install \
                     MiniLM with `kura-tui model install` or, without huggingface.co, {}",
                    embedder.name(),
                    ModelSpec::minilm().offline_hint
                );
                return Ok((embedder, Some(notice)));
            };
            match load(&spec) {
                Ok(e) => Ok((e, None)),
                Err(e) => Ok((
                    lexical()?,
                    Some(format!(
                        "using the built-in lexical embedder because {} failed to load: {e}; \
                         reinstall it with `kura-tui model install {}`",
                        spec.name, spec.name
                    )),
                )),
            }
        }
        EmbedderKind::Api => Err(Error::param(
            "embedding.embedder",
            "`api` is not a local embedder; choose minilm, multilingual, lexical or auto",
        )),
    }
}
