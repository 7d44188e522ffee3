//! Choosing the local embedder for a run.

use std::sync::Arc;

use super::install::{ModelSpec, files_present, install_instructions, model_dir};
use super::{Embedder, LexicalEmbedder};
use crate::config::{Config, EmbedderKind, EnvSource};
use crate::error::{Error, Result};

/// The local embedder for `kind`, and a notice for the user when the choice
/// was a fallback.
///
/// - `Lexical`: the built-in lexical embedder.
/// - `Minilm`: that model; an error with install instructions if it is
///   missing.
/// - `Multilingual`: paraphrase-multilingual-MiniLM-L12-v2, else
///   multilingual-e5-small; the same error if neither is installed.
/// - `Auto` (offline runs): the first installed of
///   [`ModelSpec::auto_order`], else the lexical embedder with a notice
///   saying how to install a model.
/// - `Api` is not local: an error.
///
/// In a build without the `minilm` feature, `Minilm` and `Multilingual` are
/// an error saying so and `Auto` is always the lexical embedder.
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
            Some(d) if files_present(d) => load_model(d, spec, config.embedding.batch_size),
            _ => Err(Error::Model(install_instructions(spec, dir.as_deref()))),
        }
    };
    let installed = |spec: &ModelSpec| model_dir(env, spec).as_deref().is_some_and(files_present);
    match kind {
        EmbedderKind::Lexical => Ok((lexical()?, None)),
        EmbedderKind::Minilm | EmbedderKind::Multilingual if !super::MINILM_BUILT => {
            Err(super::minilm_not_built())
        }
        EmbedderKind::Auto if !super::MINILM_BUILT => {
            let embedder = lexical()?;
            let notice = format!(
                "offline embeddings use the built-in {} embedder (this kura-tui was built \
                 without the minilm feature)",
                embedder.identity()
            );
            Ok((embedder, Some(notice)))
        }
        EmbedderKind::Minilm => Ok((load(&ModelSpec::minilm())?, None)),
        EmbedderKind::Multilingual => {
            let spec = ModelSpec::multilingual_models()
                .into_iter()
                .find(|s| installed(s))
                .unwrap_or_else(ModelSpec::multilingual);
            Ok((load(&spec)?, None))
        }
        EmbedderKind::Auto => {
            let Some(spec) = ModelSpec::auto_order().into_iter().find(|s| installed(s)) else {
                let embedder = lexical()?;
                let notice = format!(
                    "offline embeddings use the built-in {} embedder; for better clusters install \
                     MiniLM with `kura-tui model install` or, without huggingface.co, {}",
                    embedder.identity(),
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

#[cfg(feature = "minilm")]
fn load_model(dir: &std::path::Path, spec: &ModelSpec, batch: usize) -> Result<Arc<dyn Embedder>> {
    Ok(Arc::new(super::MiniLmEmbedder::load(dir, spec, batch)?))
}

#[cfg(not(feature = "minilm"))]
fn load_model(
    _dir: &std::path::Path,
    _spec: &ModelSpec,
    _batch: usize,
) -> Result<Arc<dyn Embedder>> {
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
