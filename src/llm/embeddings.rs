//! The API embedder: any OpenAI-compatible `POST <base>/embeddings`.
//!
//! Texts are looked up in the cache one by one; the misses are sent in
//! batches of `batch_size`, all batches concurrently under the client's
//! limits. Vectors come back in input order, L2-normalised. Empty (or
//! whitespace-only) texts are not sent (servers reject them) and get a zero
//! row.

use std::sync::Arc;

use ndarray::Array2;
use reqwest::Url;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::base_url::{endpoint, openai_base};
use super::cache::Cache;
use super::codec::{decode_f32, encode_f32};
use super::events::{ClientEvent, ClientHooks};
use super::http::Transport;
use super::learned::Memory;
use super::settings::ClientSettings;
use super::types::{BoxFuture, Usage, estimate_tokens};
use crate::embed::{Embedder, ProgressFn, l2_normalise};
use crate::error::{Error, Result};

/// The tag embedding requests report in events.
pub const EMBEDDING_TAG: &str = "embeddings";

/// Embeddings from an OpenAI-compatible API.
#[derive(Clone)]
pub struct ApiEmbedder {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    cache: Option<Cache>,
    model: String,
    url: Url,
    batch_size: usize,
}

impl ApiEmbedder {
    pub fn new(settings: &ClientSettings, batch_size: usize, hooks: ClientHooks) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::param("embedding.batch_size", "must be at least 1"));
        }
        let base = openai_base(&settings.base_url, "embedding.base_url")?;
        let auth: Vec<(&'static str, String)> = settings
            .api_key
            .iter()
            .map(|k| ("authorization", format!("Bearer {}", k.expose())))
            .collect();
        let url = endpoint(&base, "embeddings")?;
        let mut transport = Transport::new(settings, &auth, hooks)?;
        if let Some(dir) = &settings.cache_dir {
            transport = transport.remembering_limits(Memory {
                cache_dir: dir.clone(),
                provider: "openai",
                url: url.clone(),
                model: settings.model.clone(),
            });
        }
        Ok(ApiEmbedder {
            inner: Arc::new(Inner {
                transport,
                cache: settings.cache_dir.as_ref().map(Cache::new),
                model: settings.model.clone(),
                url,
                batch_size,
            }),
        })
    }
}

impl Embedder for ApiEmbedder {
    fn identity(&self) -> String {
        format!("api:{}", self.inner.model)
    }

    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        progress: ProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Array2<f32>>> {
        Box::pin(embed_all(self.inner.clone(), texts, progress))
    }
}

async fn embed_all(
    inner: Arc<Inner>,
    texts: &[String],
    progress: ProgressFn<'_>,
) -> Result<Array2<f32>> {
    let n = texts.len();
    let mut rows: Vec<Option<Vec<f32>>> = vec![None; n];
    let wanted: Vec<usize> = (0..n).filter(|&i| !texts[i].trim().is_empty()).collect();
    let mut done = n - wanted.len();
    if let Some(cache) = &inner.cache {
        let keys = wanted.iter().map(|&i| inner.key(&texts[i])).collect();
        for (&i, hit) in wanted.iter().zip(cache.load_many(keys).await) {
            if let Some(v) = hit
                .as_ref()
                .and_then(|h| h.get("f32")?.as_str())
                .and_then(decode_f32)
            {
                rows[i] = Some(v);
                done += 1;
            }
        }
    }
    progress(done);

    let missing: Vec<usize> = wanted.into_iter().filter(|&i| rows[i].is_none()).collect();
    let mut tasks = JoinSet::new();
    for chunk in missing.chunks(inner.batch_size) {
        let idx = chunk.to_vec();
        let batch: Vec<String> = idx.iter().map(|&i| texts[i].clone()).collect();
        let inner = inner.clone();
        tasks.spawn(async move {
            let vectors = inner.embed_batch(batch).await;
            (idx, vectors)
        });
    }
    // Dropping `tasks` on an early return aborts the batches still running.
    while let Some(joined) = tasks.join_next().await {
        let (idx, vectors) =
            joined.map_err(|e| Error::Llm(format!("an embedding batch stopped: {e}")))?;
        let vectors = vectors?;
        done += idx.len();
        for (i, v) in idx.into_iter().zip(vectors) {
            rows[i] = Some(v);
        }
        progress(done);
    }
    assemble(rows, &inner.model)
}

/// Stacks the rows (zeros for empty texts) and normalises them.
fn assemble(rows: Vec<Option<Vec<f32>>>, model: &str) -> Result<Array2<f32>> {
    let n = rows.len();
    let dims = rows.iter().flatten().map(Vec::len).next().unwrap_or(0);
    if let Some(bad) = rows.iter().flatten().find(|v| v.len() != dims) {
        return Err(Error::Llm(format!(
            "embedding model {model} returned vectors of different sizes ({dims} and {}); \
             if the model changed, clear the cache with `kura-tui cache clear`",
            bad.len()
        )));
    }
    let mut flat = Vec::with_capacity(n * dims);
    for row in rows {
        match row {
            Some(v) => flat.extend(v),
            None => flat.extend(std::iter::repeat_n(0.0, dims)),
        }
    }
    let mut m = Array2::from_shape_vec((n, dims), flat)
        .map_err(|e| Error::Llm(format!("embedding matrix: {e}")))?;
    l2_normalise(&mut m);
    Ok(m)
}

impl Inner {
    fn key(&self, text: &str) -> String {
        Cache::key("openai", &self.model, &json!({ "input": text }))
    }

    fn what(&self) -> String {
        format!("openai embeddings ({}) at {}", self.model, self.url)
    }

    async fn embed_batch(&self, batch: Vec<String>) -> Result<Vec<Vec<f32>>> {
        let hooks = &self.transport.hooks;
        if hooks.cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        hooks.events.emit(ClientEvent::RequestStarted {
            tag: EMBEDDING_TAG.into(),
        });
        let result = self.request(&batch).await;
        match result {
            Ok((vectors, usage)) => {
                if let Some(cache) = &self.cache {
                    let entries = batch
                        .iter()
                        .zip(&vectors)
                        .map(|(t, v)| {
                            (
                                self.key(t),
                                json!({ "dims": v.len(), "f32": encode_f32(v) }),
                            )
                        })
                        .collect();
                    cache.store(entries, "openai", &self.model).await;
                }
                hooks.events.emit(ClientEvent::RequestFinished {
                    tag: EMBEDDING_TAG.into(),
                    usage,
                    cached: false,
                });
                Ok(vectors)
            }
            Err(e) => {
                hooks.events.emit(ClientEvent::Failed {
                    tag: EMBEDDING_TAG.into(),
                    error: e.to_string(),
                });
                Err(e)
            }
        }
    }

    async fn request(&self, batch: &[String]) -> Result<(Vec<Vec<f32>>, Usage)> {
        let chars: usize = batch.iter().map(String::len).sum();
        let est = estimate_tokens(chars);
        let body = json!({ "model": self.model, "input": batch });
        let v = self
            .transport
            .post_json(EMBEDDING_TAG, &self.url, &body, est, None)
            .await
            .map_err(|f| f.into_error(&self.what()))?;
        let vectors = self.parse(&v, batch.len())?;
        let input_tokens = v
            .pointer("/usage/prompt_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(est);
        self.transport.settle(est, input_tokens);
        Ok((
            vectors,
            Usage {
                input_tokens,
                output_tokens: 0,
            },
        ))
    }

    fn parse(&self, v: &Value, expected: usize) -> Result<Vec<Vec<f32>>> {
        let bad =
            |problem: String| Error::Llm(format!("{}: unexpected answer: {problem}", self.what()));
        let data = v
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no `data` array".into()))?;
        if data.len() != expected {
            return Err(bad(format!("{} vectors for {expected} texts", data.len())));
        }
        let mut out: Vec<Option<Vec<f32>>> = vec![None; expected];
        for (pos, item) in data.iter().enumerate() {
            let index = item
                .get("index")
                .and_then(Value::as_u64)
                .map_or(pos, |i| i as usize);
            let numbers = item
                .get("embedding")
                .and_then(Value::as_array)
                .ok_or_else(|| bad(format!("data[{pos}] has no `embedding` array")))?;
            let vector: Option<Vec<f32>> = numbers
                .iter()
                .map(|x| x.as_f64().map(|f| f as f32))
                .collect();
            let vector =
                vector.ok_or_else(|| bad(format!("data[{pos}].embedding holds a non-number")))?;
            let slot = out
                .get_mut(index)
                .ok_or_else(|| bad(format!("data[{pos}].index {index} is out of range")))?;
            if slot.replace(vector).is_some() {
                return Err(bad(format!("index {index} appears twice")));
            }
        }
        out.into_iter()
            .enumerate()
            .map(|(i, v)| v.ok_or_else(|| bad(format!("no vector for index {i}"))))
            .collect()
    }
}
