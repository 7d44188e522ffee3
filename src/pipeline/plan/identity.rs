//! Who does each model-driven stage's work, by a stable name that is part
//! of the stage's key. Computed from the built models during a run, or from
//! the configuration alone (no HTTP client is built) for `info`, `tree` and
//! the explorer; the two agree whenever the configured models load.

use serde::Serialize;

use super::super::llm_models::{hierarchy_identity, namer_identity, summariser_identity};
use super::super::models::{OFFLINE_SUMMARISER, resolve_embedder};
use super::super::prompts::{Prompt, PromptKind};
use super::super::runner::Models;
use crate::config::{Config, EmbedderKind, EnvSource};
use crate::embed::{Embedder, LexicalEmbedder, MINILM_BUILT, ModelSpec};
use crate::error::Result;
use crate::project::Layout;

/// The namer's identity offline.
pub const KEYWORD_NAMER: &str = crate::offline::naming::IDENTITY;
/// The hierarchy's identity offline.
pub const OFFLINE_HIERARCHY: &str = crate::offline::hierarchy::IDENTITY;

/// The identity of every model a run uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identities {
    pub summariser: String,
    pub embedder: String,
    pub namer: String,
    pub hierarchy: String,
}

impl Identities {
    /// Whether the clusters stage centres each language before clustering
    /// ([`crate::cluster::centre_languages`]): offline summaries keep each
    /// conversation's language, and a sentence model then gains from it.
    /// The lexical embedder is left out: its vectors of different languages
    /// share few features, so centred rows of another language join topic
    /// clusters only loosely, and `add`'s distance thresholds then let
    /// off-topic conversations in (measured: every one of twelve).
    pub fn centres_languages(&self) -> bool {
        use crate::offline::coverage::{Coverage, coverage};
        self.summariser == crate::offline::OFFLINE_SUMMARISER
            && coverage(&self.embedder) != Coverage::MainLanguage
    }

    /// The identities of models already built.
    pub fn from_models(models: &Models) -> Identities {
        Identities {
            summariser: models.summariser.identity(),
            embedder: models.embedder.identity(),
            namer: models
                .namer
                .as_ref()
                .map_or_else(|| KEYWORD_NAMER.to_string(), |m| m.identity()),
            hierarchy: models
                .hierarchy
                .as_ref()
                .map_or_else(|| OFFLINE_HIERARCHY.to_string(), |m| m.identity()),
        }
    }

    /// The identities a run with `config` would use, without building any
    /// client or loading any model.
    pub fn from_config(
        config: &Config,
        layout: &Layout,
        offline: bool,
        env: &dyn EnvSource,
    ) -> Result<Identities> {
        let embedder = embedder_identity(config, offline, env)?;
        if offline {
            return Ok(Identities {
                summariser: OFFLINE_SUMMARISER.into(),
                embedder,
                namer: KEYWORD_NAMER.into(),
                hierarchy: OFFLINE_HIERARCHY.into(),
            });
        }
        let chat = chat_name(config);
        let dir = layout.prompts();
        let load = |k| Prompt::load(k, Some(&dir));
        Ok(Identities {
            summariser: summariser_identity(
                &chat,
                &load(PromptKind::Summarise)?,
                &config.summarise.facets,
            ),
            embedder,
            namer: namer_identity(&chat, &load(PromptKind::NameCluster)?),
            hierarchy: hierarchy_identity(
                &chat,
                [
                    &load(PromptKind::ProposeParents)?,
                    &load(PromptKind::DedupeParents)?,
                    &load(PromptKind::AssignParent)?,
                    &load(PromptKind::RenameParent)?,
                ],
            ),
        })
    }
}

/// The chat model's name as its client reports it (`openai:gpt-4o-mini`).
pub fn chat_name(config: &Config) -> String {
    format!("{}:{}", config.llm.provider.as_str(), config.chat_model())
}

/// The embedder's name as the embedder reports it.
pub fn embedder_identity(config: &Config, offline: bool, env: &dyn EnvSource) -> Result<String> {
    let lexical = || -> Result<String> {
        Ok(
            LexicalEmbedder::new(config.embedding.lexical_dimensions, config.cluster.seed)?
                .identity(),
        )
    };
    match resolve_embedder(config, offline) {
        EmbedderKind::Api => {
            let model = crate::llm::ClientSettings::embedding(config)
                .map(|s| s.model)
                .unwrap_or_else(|_| {
                    config
                        .embedding
                        .model
                        .clone()
                        .unwrap_or_else(|| crate::llm::DEFAULT_EMBEDDING_MODEL.into())
                });
            Ok(format!("api:{model}"))
        }
        EmbedderKind::Minilm | EmbedderKind::Multilingual if !MINILM_BUILT => {
            Err(crate::embed::minilm_not_built())
        }
        EmbedderKind::Minilm => Ok(ModelSpec::minilm().embedder_name()),
        EmbedderKind::Multilingual => Ok(ModelSpec::multilingual_models()
            .into_iter()
            .find(|s| crate::embed::install::installed(env, s))
            .unwrap_or_else(ModelSpec::multilingual)
            .embedder_name()),
        EmbedderKind::Lexical => lexical(),
        // As `crate::embed::local_embedder` chooses: the first installed of
        // `ModelSpec::auto_order`, then the lexical embedder (always, without the
        // minilm feature).
        EmbedderKind::Auto => ModelSpec::auto_order()
            .into_iter()
            .find(|s| MINILM_BUILT && crate::embed::install::installed(env, s))
            .map_or_else(lexical, |s| Ok(s.embedder_name())),
    }
}
