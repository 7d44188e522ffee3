//! The analysis pipeline: summaries → embeddings → clusters → names →
//! hierarchy → 2D map. Stages report through [`events`]; nothing here knows
//! about the terminal.

pub mod events;
mod progress;
mod stage;

pub use events::{Event, EventReceiver, EventSender, LogLevel, Outcome};
pub use progress::{RunProgress, StageProgress};
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
