//! The calls a run will make, for `run --dry-run` and the cost question:
//! one summary per conversation, the embedding batches (when embeddings
//! come from an API), one name per base cluster, and per hierarchy level
//! the calls [`super::hierarchy_llm`] makes for that level's real target
//! ([`cluster::level_targets`]): a proposal per neighbourhood, one merge,
//! an assignment per child and a rename per parent (only the renames when
//! the embeddings group the levels). Cached calls are free
//! and not known in advance, and retries are not counted.

use crate::cluster;
use crate::config::{Config, EmbedderKind};
use crate::error::Result;
use crate::llm::{DEFAULT_EMBEDDING_MODEL, Estimate, EstimatedCall, estimate};
use crate::project::store::Store;

/// Characters of the prompt around a conversation.
const SUMMARY_PROMPT_CHARS: usize = 2_200;
/// Characters of one summary's embedding text, on average.
const EMBED_TEXT_CHARS: usize = 400;
/// Characters of one "name: description" line in hierarchy prompts.
const LINE_CHARS: usize = 160;

fn call(tag: &str, input_chars: usize, expected_output_tokens: u64) -> EstimatedCall {
    EstimatedCall {
        tag: tag.into(),
        input_chars,
        expected_output_tokens,
    }
}

/// The hierarchy's calls for `k` base clusters, level by level.
pub fn hierarchy_calls(config: &Config, k: usize) -> Vec<EstimatedCall> {
    let h = &config.hierarchy;
    let targets = cluster::level_targets(k, h.max_top_level);
    let levels = targets.len().saturating_sub(1).min(h.max_levels.max(1));
    let mut calls = Vec::new();
    let mut m = k;
    for &target in targets.iter().skip(1).take(levels) {
        if m <= h.max_top_level {
            break;
        }
        let t = target.clamp(1, m - 1);
        // Grouped from the embeddings, a level asks only for the renames.
        if h.llm_groups() {
            let hoods = m.div_ceil(h.neighbourhood_size.max(2)).clamp(1, m);
            let per_hood = m.div_ceil(hoods);
            for _ in 0..hoods {
                calls.push(call("hierarchy", (per_hood + 5) * LINE_CHARS + 1_500, 80));
            }
            calls.push(call("hierarchy", t * 2 * 40 + 1_200, 80));
            for _ in 0..m {
                calls.push(call("hierarchy", t * 40 + LINE_CHARS + 1_000, 20));
            }
        }
        for _ in 0..t {
            calls.push(call("hierarchy", m.div_ceil(t) * LINE_CHARS + 1_000, 80));
        }
        m = t;
    }
    calls
}

/// Estimates an LLM run over the first `n` conversations of `store`.
pub fn run_estimate(config: &Config, store: &Store, n: usize) -> Result<Estimate> {
    let mut calls = Vec::with_capacity(n + n / 5);
    for conv in store.iter()?.take(n) {
        let conv = conv?;
        let chars = conv.content_len().min(config.summarise.max_chars) + SUMMARY_PROMPT_CHARS;
        calls.push(call("summaries", chars, 250));
    }
    let k = if config.cluster.k > 0 {
        config.cluster.k.min(n.max(1))
    } else {
        cluster::default_k(n, config.cluster.per_cluster)
    };
    let naming_chars =
        (config.naming.max_examples + config.naming.contrastive_examples) * 220 + 1_500;
    for _ in 0..k {
        calls.push(call("names", naming_chars, 120));
    }
    calls.extend(hierarchy_calls(config, k));
    let chat = estimate(&calls, &config.chat_model(), config);
    if super::models::resolve_embedder(config, false) != EmbedderKind::Api || n == 0 {
        return Ok(chat);
    }
    let batch = config.embedding.batch_size.max(1);
    let embed_calls: Vec<EstimatedCall> = (0..n.div_ceil(batch))
        .map(|b| {
            let texts = batch.min(n - b * batch);
            call("embeddings", texts * EMBED_TEXT_CHARS, 0)
        })
        .collect();
    let model = config
        .embedding
        .model
        .clone()
        .unwrap_or_else(|| DEFAULT_EMBEDDING_MODEL.to_string());
    Ok(chat.merge(estimate(&embed_calls, &model, config)))
}
