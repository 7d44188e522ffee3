//! The calls a run will make, for `run --dry-run` and the cost question.
//! Cached calls are not free to know in advance, so this is an upper bound.

use crate::config::Config;
use crate::error::Result;
use crate::llm::{Estimate, EstimatedCall, estimate};
use crate::project::store::Store;

/// Estimates an LLM run over the first `n` conversations of `store`.
pub fn run_estimate(config: &Config, store: &Store, n: usize) -> Result<Estimate> {
    let mut calls = Vec::with_capacity(n + n / 5);
    let prompt_overhead = 2_200;
    for conv in store.iter()?.take(n) {
        let conv = conv?;
        let chars = conv.content_len().min(config.summarise.max_chars) + prompt_overhead;
        calls.push(EstimatedCall {
            tag: "summaries".into(),
            input_chars: chars,
            expected_output_tokens: 250,
        });
    }
    let k = if config.cluster.k > 0 {
        config.cluster.k
    } else {
        n.div_ceil(config.cluster.per_cluster.max(1))
    };
    let naming_chars =
        (config.naming.max_examples + config.naming.contrastive_examples) * 220 + 1_500;
    for _ in 0..k {
        calls.push(EstimatedCall {
            tag: "names".into(),
            input_chars: naming_chars,
            expected_output_tokens: 120,
        });
    }
    // Hierarchy: about one assignment and a share of proposals and renames
    // per cluster per level.
    let mut m = k;
    while m > config.hierarchy.max_top_level {
        for _ in 0..m + m / 3 {
            calls.push(EstimatedCall {
                tag: "hierarchy".into(),
                input_chars: 1_800,
                expected_output_tokens: 60,
            });
        }
        m /= 6;
    }
    Ok(estimate(&calls, &config.chat_model(), config))
}
