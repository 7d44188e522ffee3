//! Embedding added summaries in the project's space. Per-text embedders
//! (MiniLM, the API) embed the new texts alone. The lexical embedder is
//! fitted on its corpus, so it is fitted again on the texts it was fitted
//! on (the first `fitted_on` summaries) and the new texts are projected
//! with that fit, never refitted ([`LexicalEmbedder::extend`]).

use std::sync::Arc;

use ndarray::{Array2, ArrayView2};

use crate::config::Config;
use crate::embed::{Embedder, LexicalEmbedder, run_blocking};
use crate::error::{Error, Result};
use crate::model::Summary;

/// How the new vectors were made, for the report.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Embedded one by one by a per-text embedder.
    PerText,
    /// Projected with the lexical fit on this many summaries; the lowest
    /// agreement of recomputed base rows with the stored ones.
    LexicalRefit { fitted_on: usize, agreement: f32 },
}

/// Embeds `new` summaries with `embedder` in the space of `stored` (the
/// project's embeddings, a row per summary of `base`).
pub async fn embed_new(
    config: &Config,
    embedder: Arc<dyn Embedder>,
    base: &[Summary],
    stored: ArrayView2<'_, f32>,
    fitted_on: usize,
    new: &[Summary],
) -> Result<(Array2<f32>, Method)> {
    let texts: Vec<String> = new.iter().map(Summary::embedding_text).collect();
    let identity = embedder.identity();
    if identity.starts_with("lexical") {
        let lexical =
            LexicalEmbedder::new(config.embedding.lexical_dimensions, config.cluster.seed)?;
        if lexical.identity() != identity {
            return Err(Error::Internal(format!(
                "lexical embedder {} is not the project's {identity}",
                lexical.identity()
            )));
        }
        let fitted_on = fitted_on.min(base.len());
        let base_texts: Vec<String> = base[..fitted_on]
            .iter()
            .map(Summary::embedding_text)
            .collect();
        let base_rows = stored.slice(ndarray::s![..fitted_on, ..]).to_owned();
        let cell = std::sync::Mutex::new(0.0f32);
        let agreement = std::sync::Arc::new(cell);
        let out = agreement.clone();
        let matrix = run_blocking(
            move |report| {
                let ext = lexical.extend(&base_texts, base_rows.view(), &texts, report)?;
                if let Ok(mut a) = out.lock() {
                    *a = ext.agreement;
                }
                Ok(ext.vectors)
            },
            &|_: usize| {},
        )
        .await?;
        let agreement = agreement.lock().map(|a| *a).unwrap_or(0.0);
        return Ok((
            matrix,
            Method::LexicalRefit {
                fitted_on,
                agreement,
            },
        ));
    }
    let matrix = embedder.embed(&texts, &|_: usize| {}).await?;
    if matrix.nrows() != texts.len() || matrix.ncols() != stored.ncols() {
        return Err(Error::Internal(format!(
            "embedder {identity} returned a {}×{} matrix for {} texts of width {}",
            matrix.nrows(),
            matrix.ncols(),
            texts.len(),
            stored.ncols()
        )));
    }
    Ok((matrix, Method::PerText))
}
