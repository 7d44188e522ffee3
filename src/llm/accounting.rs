//! Tokens and money: per-stage usage folded from client events, and the
//! up-front estimate a run shows before paid calls start.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

use super::events::{ClientEvent, RetryCause};
use super::types::estimate_tokens;
use crate::config::{Config, Price};

/// What one tag (stage) has used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TagUsage {
    /// Requests sent (cache misses) that finished.
    pub requests: u64,
    /// Answers served from the cache.
    pub cached: u64,
    /// Billed tokens (cache hits excluded).
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub retries: u64,
    /// Retries after a request got no answer in time.
    pub timeouts: u64,
    /// Requests a server refused for a structured-output mode it lacks.
    pub rejected: u64,
    pub failures: u64,
}

impl TagUsage {
    fn add(&mut self, o: &TagUsage) {
        self.requests += o.requests;
        self.cached += o.cached;
        self.input_tokens += o.input_tokens;
        self.output_tokens += o.output_tokens;
        self.retries += o.retries;
        self.timeouts += o.timeouts;
        self.rejected += o.rejected;
        self.failures += o.failures;
    }
}

/// Usage per tag. Feed it every [`ClientEvent`].
#[derive(Debug, Default)]
pub struct Accounting {
    by_tag: Mutex<BTreeMap<String, TagUsage>>,
}

impl Accounting {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn record(&self, event: &ClientEvent) {
        let mut map = self.by_tag.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(event.tag().to_string()).or_default();
        match event {
            ClientEvent::RequestStarted { .. } => {}
            ClientEvent::RequestFinished {
                usage,
                cached: true,
                ..
            } => {
                let _ = usage;
                entry.cached += 1;
            }
            ClientEvent::RequestFinished { usage, .. } => {
                entry.requests += 1;
                entry.input_tokens += usage.input_tokens;
                entry.output_tokens += usage.output_tokens;
            }
            ClientEvent::Retry { cause, .. } => {
                entry.retries += 1;
                if *cause == RetryCause::Timeout {
                    entry.timeouts += 1;
                }
            }
            ClientEvent::Negotiated { .. } => entry.rejected += 1,
            ClientEvent::Concurrency { .. } | ClientEvent::Lenient { .. } => {}
            ClientEvent::Failed { .. } => entry.failures += 1,
        }
    }

    pub fn by_tag(&self) -> BTreeMap<String, TagUsage> {
        self.by_tag
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn total(&self) -> TagUsage {
        let mut t = TagUsage::default();
        for u in self.by_tag().values() {
            t.add(u);
        }
        t
    }
}

/// USD for the given tokens at `price` (USD per million tokens).
pub fn cost_usd(price: Price, input_tokens: u64, output_tokens: u64) -> f64 {
    (input_tokens as f64 * price.input + output_tokens as f64 * price.output) / 1_000_000.0
}

/// One call a run expects to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstimatedCall {
    pub tag: String,
    /// Characters of prompt (system and user text together).
    pub input_chars: usize,
    pub expected_output_tokens: u64,
}

/// Calls and tokens of one tag in an estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TagEstimate {
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// What a run will cost, before it runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Estimate {
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// `None` when a model has no known price (e.g. a local server).
    pub cost_usd: Option<f64>,
    pub by_tag: BTreeMap<String, TagEstimate>,
    /// Models priced in (or lacking a price).
    pub models: Vec<String>,
}

/// Estimates `calls` to `model`: input tokens are characters / 4, output
/// tokens as given, cost from [`Config::price`].
pub fn estimate(calls: &[EstimatedCall], model: &str, config: &Config) -> Estimate {
    let mut e = Estimate {
        models: vec![model.to_string()],
        ..Default::default()
    };
    for call in calls {
        let input = estimate_tokens(call.input_chars);
        let t = e.by_tag.entry(call.tag.clone()).or_default();
        t.calls += 1;
        t.input_tokens += input;
        t.output_tokens += call.expected_output_tokens;
        e.calls += 1;
        e.input_tokens += input;
        e.output_tokens += call.expected_output_tokens;
    }
    e.cost_usd = match config.price(model) {
        Some(p) => Some(cost_usd(p, e.input_tokens, e.output_tokens)),
        None if calls.is_empty() => Some(0.0),
        None => None,
    };
    e
}

impl Estimate {
    /// Adds another estimate (e.g. embeddings to chat). The cost stays
    /// known only if both are known.
    pub fn merge(mut self, other: Estimate) -> Estimate {
        self.calls += other.calls;
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cost_usd = match (self.cost_usd, other.cost_usd) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        for (tag, t) in other.by_tag {
            let mine = self.by_tag.entry(tag).or_default();
            mine.calls += t.calls;
            mine.input_tokens += t.input_tokens;
            mine.output_tokens += t.output_tokens;
        }
        for m in other.models {
            if !self.models.contains(&m) {
                self.models.push(m);
            }
        }
        self
    }

    /// A few lines for `run --dry-run` and the confirmation question.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (tag, t) in &self.by_tag {
            out.push_str(&format!(
                "  {tag:<12} {:>8} calls  {:>11} tokens in  {:>10} tokens out\n",
                t.calls, t.input_tokens, t.output_tokens
            ));
        }
        let cost = match self.cost_usd {
            Some(c) => format!("about ${c:.2}"),
            None => "unknown (no price for this model; add one under [prices])".into(),
        };
        out.push_str(&format!(
            "  total        {:>8} calls  {:>11} tokens in  {:>10} tokens out\n  estimated cost ({}): {cost}\n",
            self.calls,
            self.input_tokens,
            self.output_tokens,
            self.models.join(", ")
        ));
        out
    }
}

/// True when a run should ask before starting: its estimated cost is above
/// `max_cost_usd`. An unknown cost (a model with no price, usually a local
/// server) does not ask.
pub fn needs_confirmation(estimate: &Estimate, max_cost_usd: f64) -> bool {
    estimate.cost_usd.is_some_and(|c| c > max_cost_usd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::types::Usage;

    fn call(tag: &str, chars: usize, out: u64) -> EstimatedCall {
        EstimatedCall {
            tag: tag.into(),
            input_chars: chars,
            expected_output_tokens: out,
        }
    }

    #[test]
    fn estimate_counts_tokens_and_prices() {
        let config = Config::default();
        let calls: Vec<_> = (0..1000).map(|_| call("summaries", 4000, 200)).collect();
        let e = estimate(&calls, "gpt-4o-mini", &config);
        assert_eq!(e.calls, 1000);
        assert_eq!(e.input_tokens, 1_000_000);
        assert_eq!(e.output_tokens, 200_000);
        // 1M in at $0.15 + 0.2M out at $0.60.
        let cost = e.cost_usd.unwrap();
        assert!((cost - 0.27).abs() < 1e-9, "{cost}");
        assert!(!needs_confirmation(&e, 5.0));
        assert!(needs_confirmation(&e, 0.1));

        let local = estimate(&calls, "llama3.2", &config);
        assert_eq!(local.cost_usd, None);
        assert!(!needs_confirmation(&local, 0.0));
        assert!(local.render().contains("unknown"));

        let merged = e
            .clone()
            .merge(estimate(&[call("names", 8, 10)], "gpt-4o-mini", &config));
        assert_eq!(merged.calls, 1001);
        assert_eq!(merged.by_tag["names"].input_tokens, 2);
        assert!(merged.render().contains("names"));
    }

    #[test]
    fn config_prices_override_defaults() {
        let mut config = Config::default();
        config.prices.insert(
            "gpt-4o-mini".into(),
            Price {
                input: 1.0,
                output: 0.0,
            },
        );
        let e = estimate(&[call("s", 4_000_000, 5)], "gpt-4o-mini", &config);
        assert_eq!(e.cost_usd, Some(1.0));
    }

    #[test]
    fn accounting_folds_events_per_tag() {
        let acc = Accounting::new();
        let usage = Usage {
            input_tokens: 10,
            output_tokens: 5,
        };
        let tag = |t: &str| t.to_string();
        for e in [
            ClientEvent::RequestStarted { tag: tag("a") },
            ClientEvent::Retry {
                tag: tag("a"),
                attempt: 1,
                reason: "HTTP 429".into(),
                wait: std::time::Duration::ZERO,
                cause: RetryCause::RateLimited,
            },
            ClientEvent::RequestFinished {
                tag: tag("a"),
                usage,
                cached: false,
            },
            ClientEvent::RequestFinished {
                tag: tag("a"),
                usage,
                cached: true,
            },
            ClientEvent::Failed {
                tag: tag("b"),
                error: "x".into(),
            },
        ] {
            acc.record(&e);
        }
        let a = acc.by_tag()["a"];
        assert_eq!((a.requests, a.cached, a.retries), (1, 1, 1));
        assert_eq!((a.input_tokens, a.output_tokens), (10, 5));
        assert_eq!(acc.total().failures, 1);
    }
}
