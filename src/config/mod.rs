//! Configuration: built-in defaults, then the user-wide
//! `<config dir>/kura-tui/config.toml`, then the project's `kura.toml`, then
//! environment variables. Each file is validated on its own first, so an
//! error names the file, line and key.

mod env;
mod settings;

use std::path::{Path, PathBuf};

pub use env::{EnvSource, ProcessEnv, apply_env};
pub use settings::*;

use crate::error::{Error, Result};

/// The commented template written as a new project's `kura.toml`.
pub const TEMPLATE: &str = include_str!("../../assets/kura.toml");

/// Where the user-wide configuration lives: `$KURA_CONFIG_DIR/config.toml`
/// if set, else `<config dir>/kura-tui/config.toml`.
pub fn user_config_path(env: &dyn EnvSource) -> Option<PathBuf> {
    if let Some(dir) = env.var("KURA_CONFIG_DIR") {
        return Some(PathBuf::from(dir).join("config.toml"));
    }
    directories::BaseDirs::new().map(|b| b.config_dir().join("kura-tui").join("config.toml"))
}

/// Where downloaded models live: `$KURA_DATA_DIR` if set, else
/// `<data dir>/kura-tui`.
pub fn data_dir(env: &dyn EnvSource) -> Option<PathBuf> {
    if let Some(dir) = env.var("KURA_DATA_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::BaseDirs::new().map(|b| b.data_dir().join("kura-tui"))
}

fn read_table(path: &Path) -> Result<Option<toml::Table>> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: format!("not valid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    // Validate the file alone so errors carry its line and key.
    toml::from_str::<Config>(&text).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        message: describe_toml_error(&text, &e),
    })?;
    let table = toml::from_str::<toml::Table>(&text).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        message: describe_toml_error(&text, &e),
    })?;
    Ok(Some(table))
}

fn describe_toml_error(text: &str, err: &toml::de::Error) -> String {
    let msg = err.message().trim().to_string();
    match err.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {msg}")
        }
        None => msg,
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

impl Config {
    /// Loads the layered configuration for a project.
    pub fn load(project_config: Option<&Path>, env: &dyn EnvSource) -> Result<Config> {
        let mut table = toml::Table::new();
        if let Some(user) = user_config_path(env)
            && let Some(t) = read_table(&user)?
        {
            merge(&mut table, t);
        }
        if let Some(path) = project_config
            && let Some(t) = read_table(path)?
        {
            merge(&mut table, t);
        }
        let mut config: Config =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| Error::Config {
                    path: project_config.map(Path::to_path_buf).unwrap_or_default(),
                    message: e.message().to_string(),
                })?;
        apply_env(&mut config, env)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &str, message: &str| Err(Error::param(name, message));
        if self.llm.max_concurrency == 0 {
            return bad("llm.max_concurrency", "must be at least 1");
        }
        if !(0.0..=2.0).contains(&self.llm.temperature) {
            return bad("llm.temperature", "must be between 0 and 2");
        }
        if self.embedding.batch_size == 0 {
            return bad("embedding.batch_size", "must be at least 1");
        }
        if self.cluster.per_cluster == 0 {
            return bad("cluster.per_cluster", "must be at least 1");
        }
        if self.cluster.smooth_neighbours.is_some_and(|k| k > 200) {
            return bad(
                "cluster.smooth_neighbours",
                "must be at most 200 (0 turns smoothing off; 10 is the default for sentence models)",
            );
        }
        if self.cluster.discriminant_dims.is_some_and(|d| d > 1024) {
            return bad(
                "cluster.discriminant_dims",
                "must be at most 1024 (0 turns the projection off; 32 is the measured setting)",
            );
        }
        if self.hierarchy.max_top_level < 2 {
            return bad("hierarchy.max_top_level", "must be at least 2");
        }
        if self.projection.n_neighbors < 2 {
            return bad("projection.n_neighbors", "must be at least 2");
        }
        for f in &self.summarise.facets {
            if f.name.is_empty()
                || !f
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return bad(
                    "summarise.facets.name",
                    "must be non-empty letters, digits or _",
                );
            }
        }
        Ok(())
    }

    /// True when no LLM is configured: no base URL and no API key, or the
    /// provider is explicitly `offline`.
    pub fn is_offline(&self) -> bool {
        self.llm.provider == Provider::Offline
            || (self.llm.base_url.is_none() && self.llm.api_key.is_none())
    }

    /// The chat model name, with the provider's default.
    pub fn chat_model(&self) -> String {
        if self.is_offline() {
            return "offline".into();
        }
        self.llm
            .model
            .clone()
            .unwrap_or_else(|| match self.llm.provider {
                Provider::Anthropic => "claude-3-5-haiku-latest".into(),
                _ => "gpt-4o-mini".into(),
            })
    }

    /// Price for a model: the config's table first, then built-in defaults.
    pub fn price(&self, model: &str) -> Option<Price> {
        self.prices
            .get(model)
            .copied()
            .or_else(|| default_price(model))
    }
}

/// Built-in prices (USD per million tokens) for common models.
pub fn default_price(model: &str) -> Option<Price> {
    let (input, output) = match model {
        "gpt-4o-mini" => (0.15, 0.60),
        "gpt-4o" => (2.50, 10.0),
        "gpt-4.1-mini" => (0.40, 1.60),
        "gpt-4.1-nano" => (0.10, 0.40),
        "gpt-4.1" => (2.0, 8.0),
        "text-embedding-3-small" => (0.02, 0.0),
        "text-embedding-3-large" => (0.13, 0.0),
        "claude-3-5-haiku-latest" | "claude-3-5-haiku-20241022" => (0.80, 4.0),
        "claude-sonnet-4-0" | "claude-sonnet-4-20250514" => (3.0, 15.0),
        _ => return None,
    };
    Some(Price { input, output })
}

#[cfg(test)]
mod tests;
