//! The local sentence encoders (all-MiniLM-L6-v2, and the multilingual
//! paraphrase-multilingual-MiniLM-L12-v2 and multilingual-e5-small) run
//! in-process with candle:
//! BERT, mean pooling over the attention mask, L2 normalisation. Inputs are sorted by token length into
//! batches so little compute goes to padding; candle's CPU matrix products
//! use every core (rayon). Rows come back in input order.

use std::path::Path;
use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config as BertConfig};
use ndarray::Array2;
use rayon::prelude::*;
use tokenizers::{Tokenizer, TruncationParams};

use super::install::{MODEL_FILES, ModelSpec, check_sha256};
use super::{BoxFuture, Embedder, ProgressFn, SyncProgress, run_blocking};
use crate::error::{Error, IoContext, Result};

/// Longest input in tokens (the model was trained with 256), or the
/// model's `max_position_embeddings` when smaller; longer texts are
/// truncated.
pub const MAX_TOKENS: usize = 256;
/// Upper bound on padded tokens in one batch (bounds attention memory).
const MAX_BATCH_TOKENS: usize = 8192;

struct Inner {
    model: BertModel,
    tokenizer: Tokenizer,
    hidden: usize,
    name: String,
    /// Put before every text (e5's "query: "); empty for MiniLM.
    prefix: String,
}

/// The MiniLM sentence embedder. Cheap to clone (the model is shared).
#[derive(Clone)]
pub struct MiniLmEmbedder {
    inner: Arc<Inner>,
    batch_size: usize,
}

impl std::fmt::Debug for MiniLmEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiniLmEmbedder")
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

fn model_err(path: &Path, what: &str, e: impl std::fmt::Display) -> Error {
    Error::Model(format!("{}: {what}: {e}", path.display()))
}

fn candle_err(e: candle_core::Error) -> Error {
    Error::Model(format!("MiniLM inference failed: {e}"))
}

impl MiniLmEmbedder {
    /// The embedder's name.
    pub const NAME: &'static str = super::MINILM_EMBEDDER_NAME;

    /// Loads the model from `dir`, checking the weights' sha256 against
    /// `spec` first. `batch_size` is the most texts run at once.
    pub fn load(dir: &Path, spec: &ModelSpec, batch_size: usize) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::param("embedding.batch_size", "must be at least 1"));
        }
        let [weights_path, tokenizer_path, config_path] = MODEL_FILES.map(|f| dir.join(f));
        let weights = std::fs::read(&weights_path).at(&weights_path)?;
        let sha = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&weights))
        };
        check_sha256(&weights_path, &sha, spec)?;

        let config_text = std::fs::read(&config_path).at(&config_path)?;
        let config: BertConfig = serde_json::from_slice(&config_text)
            .map_err(|e| model_err(&config_path, "not a BERT config", e))?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
            .map_err(|e| model_err(&weights_path, "unreadable weights", e))?;
        let model = BertModel::load(vb, &config)
            .map_err(|e| model_err(&weights_path, "weights do not fit the config", e))?;

        let mut tokenizer = Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| model_err(&tokenizer_path, "unreadable tokenizer", e))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                // A model with fewer positions would fail on long texts.
                max_length: MAX_TOKENS.min(config.max_position_embeddings.max(2)),
                ..Default::default()
            }))
            .map_err(|e| model_err(&tokenizer_path, "truncation", e))?;
        Ok(MiniLmEmbedder {
            inner: Arc::new(Inner {
                model,
                tokenizer,
                hidden: config.hidden_size,
                name: spec.embedder_name(),
                prefix: spec.text_prefix.clone(),
            }),
            batch_size,
        })
    }

    /// Output dimensions (384 for both known models).
    pub fn dimensions(&self) -> usize {
        self.inner.hidden
    }

    /// Embeds `texts` on the calling thread. `progress` gets the number of
    /// texts done; returning `false` stops with [`Error::Cancelled`].
    pub fn embed_texts(&self, texts: &[String], progress: SyncProgress<'_>) -> Result<Array2<f32>> {
        let hidden = self.inner.hidden;
        let mut out = Array2::<f32>::zeros((texts.len(), hidden));
        if texts.is_empty() {
            return Ok(out);
        }
        let prefixed: Vec<String>;
        let inputs: Vec<&str> = if self.inner.prefix.is_empty() {
            texts.iter().map(String::as_str).collect()
        } else {
            let prefix = &self.inner.prefix;
            prefixed = texts.iter().map(|t| format!("{prefix}{t}")).collect();
            prefixed.iter().map(String::as_str).collect()
        };
        let encodings = self
            .inner
            .tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| Error::Model(format!("MiniLM tokenizer failed: {e}")))?;
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| (encodings[i].len(), i));

        // Batches run side by side on the rayon pool: candle runs the
        // element-wise layers (GELU, softmax, layer norm) on the calling
        // thread and only the matrix products on the pool, so one batch at a
        // time leaves the other cores idle most of the time.
        let done = Mutex::new(0usize);
        let results: Vec<(&[usize], Array2<f32>)> = self
            .batches(&order, |i| encodings[i].len())
            .into_par_iter()
            .with_max_len(1)
            .map(|batch| {
                let ids: Vec<&[u32]> = batch.iter().map(|&i| encodings[i].get_ids()).collect();
                let rows = self.run_batch(&ids)?;
                let mut done = done.lock().map_err(|_| Error::Cancelled)?;
                *done += batch.len();
                if !progress(*done) {
                    return Err(Error::Cancelled);
                }
                Ok((batch, rows))
            })
            .collect::<Result<_>>()?;
        for (batch, rows) in results {
            for (&i, row) in batch.iter().zip(rows.outer_iter()) {
                out.row_mut(i).assign(&row);
            }
        }
        Ok(out)
    }

    /// Splits the length-sorted `order` into batches of at most
    /// `batch_size` texts and [`MAX_BATCH_TOKENS`] padded tokens.
    fn batches<'o>(&self, order: &'o [usize], len: impl Fn(usize) -> usize) -> Vec<&'o [usize]> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len()
                && end - start < self.batch_size
                && (end - start + 1) * len(order[end]).max(1) <= MAX_BATCH_TOKENS
            {
                end += 1;
            }
            out.push(&order[start..end]);
            start = end;
        }
        out
    }

    /// Runs one batch of token ids; returns unit-length mean-pooled rows.
    fn run_batch(&self, ids: &[&[u32]]) -> Result<Array2<f32>> {
        let b = ids.len();
        let width = ids.iter().map(|s| s.len()).max().unwrap_or(0).max(1);
        let mut flat_ids = vec![0u32; b * width];
        let mut mask = vec![0u32; b * width];
        for (r, seq) in ids.iter().enumerate() {
            flat_ids[r * width..r * width + seq.len()].copy_from_slice(seq);
            mask[r * width..r * width + seq.len()].fill(1);
        }
        let device = Device::Cpu;
        let input = Tensor::from_vec(flat_ids, (b, width), &device).map_err(candle_err)?;
        let mask = Tensor::from_vec(mask, (b, width), &device).map_err(candle_err)?;
        let types = input.zeros_like().map_err(candle_err)?;
        let hidden = self
            .inner
            .model
            .forward(&input, &types, Some(&mask))
            .map_err(candle_err)?;
        let pooled = (|| -> candle_core::Result<Tensor> {
            let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&m)?.sum(1)?;
            let counts = m.sum(1)?.clamp(1e-9f32, f32::MAX)?;
            let mean = summed.broadcast_div(&counts)?;
            let norms = mean
                .sqr()?
                .sum_keepdim(1)?
                .sqrt()?
                .clamp(1e-12f32, f32::MAX)?;
            mean.broadcast_div(&norms)
        })()
        .map_err(candle_err)?;
        let rows: Vec<f32> = pooled
            .flatten_all()
            .and_then(|t| t.to_vec1())
            .map_err(candle_err)?;
        Array2::from_shape_vec((b, self.inner.hidden), rows)
            .map_err(|e| Error::Model(format!("MiniLM output has an unexpected shape: {e}")))
    }
}

impl Embedder for MiniLmEmbedder {
    fn identity(&self) -> String {
        self.inner.name.clone()
    }

    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        progress: ProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Array2<f32>>> {
        let this = self.clone();
        let texts = texts.to_vec();
        run_blocking(move |report| this.embed_texts(&texts, report), progress)
    }
}
