//! The analysis pipeline. (Stub: stages are being written.)

mod stage;

pub use stage::Stage;

use crate::config::{Config, EmbedderKind};

/// The embedder a run will use, by name, for `info` and the UI.
pub fn resolve_embedder_name(config: &Config) -> String {
    match config.embedding.embedder {
        EmbedderKind::Auto => {
            if config.embedding.base_url.is_some()
                || (!config.is_offline() && config.llm.provider == crate::config::Provider::Openai)
            {
                "api".into()
            } else {
                "lexical".into()
            }
        }
        other => other.as_str().into(),
    }
}
