//! Fetching the model files from the Hugging Face hub with reqwest. (The
//! `hf-hub` crate is not used: its rustls set-up pulls in aws-lc, a C
//! build this project avoids.)

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::{Installed, MODEL_FILES, ModelSpec, Staging};
use crate::error::{Error, IoContext, Result};

/// Progress of one file's download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub file: String,
    pub done: u64,
    pub total: Option<u64>,
}

/// An error and its causes, joined ("error sending request: dns error: ...").
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

fn unreachable(url: &str, why: impl std::fmt::Display, spec: &ModelSpec) -> Error {
    Error::Model(format!(
        "could not download {url}: {why}. Without access to huggingface.co: {}",
        spec.offline_hint
    ))
}

/// Downloads the model's files from `spec.hub_base` into
/// `models_dir/<spec.name>`, verifying the weights before they replace any
/// earlier install. `progress` is called as bytes arrive.
pub async fn install_from_hub(
    models_dir: &Path,
    spec: &ModelSpec,
    progress: &(dyn Fn(&Download) + Send + Sync),
) -> Result<Installed> {
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(600))
        .user_agent(concat!("kura-tui/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Model(format!("could not set up an HTTP client: {e}")))?;
    let mut stage = Staging::new(models_dir, &spec.name)?;
    let mut sources = Vec::new();
    let mut bytes = 0;
    for name in MODEL_FILES {
        let url = format!("{}/{name}", spec.hub_base.trim_end_matches('/'));
        let mut response = client
            .get(&url)
            .send()
            .await
            .map_err(|e| unreachable(&url, chain(&e), spec))?;
        if !response.status().is_success() {
            return Err(unreachable(
                &url,
                format!("HTTP {}", response.status()),
                spec,
            ));
        }
        let total = response.content_length();
        let (mut file, path) = stage.create(name)?;
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        let mut done = 0u64;
        progress(&Download {
            file: name.into(),
            done,
            total,
        });
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unreachable(&url, chain(&e), spec))?
        {
            sha2::Digest::update(&mut hasher, &chunk);
            file.write_all(&chunk).at(&path)?;
            done += chunk.len() as u64;
            progress(&Download {
                file: name.into(),
                done,
                total,
            });
        }
        file.sync_all().at(&path)?;
        if name == MODEL_FILES[0] {
            stage.weights_sha = Some(hex::encode(sha2::Digest::finalize(hasher)));
        }
        bytes += done;
        sources.push(url);
    }
    let dir = stage.commit(spec)?;
    Ok(Installed {
        dir,
        sources,
        bytes,
    })
}
