//! What pipeline stages report while they run. The pipeline sends these on a
//! channel and knows nothing about who listens: the headless progress bars
//! and the TUI run screen both fold them with [`super::RunProgress`].

use serde::{Deserialize, Serialize};

use super::Stage;
use crate::llm::ParseFixes;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Completed,
    Cancelled,
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogLevel {
    Info,
    Warn,
    Error,
}

/// One thing that happened in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// A stage began; `resumed` items were already done by an earlier run.
    Started {
        stage: Stage,
        total: u64,
        resumed: u64,
    },
    /// `n` more items of a stage are done.
    Advanced {
        stage: Stage,
        n: u64,
    },
    /// Tokens used by one LLM call (and its estimated cost, if priced).
    Usage {
        stage: Stage,
        input_tokens: u64,
        output_tokens: u64,
        cost_usd: f64,
        cached: bool,
    },
    /// A request is being retried.
    Retry {
        stage: Stage,
        reason: String,
    },
    /// The LLM client's adaptive concurrency limit and its requests in
    /// flight, after a request of `stage` took or gave back a slot.
    Concurrency {
        stage: Stage,
        limit: u32,
        in_flight: u32,
    },
    /// A request of `stage` timed out (it is retried; also sent as `Retry`).
    Timeout {
        stage: Stage,
    },
    /// One answer of `stage` was usable only after lenient parsing.
    Fixed {
        stage: Stage,
        fixes: ParseFixes,
    },
    /// One item failed (the stage goes on).
    ItemFailed {
        stage: Stage,
        error: String,
    },
    /// The latest result worth showing (a summary, a cluster name).
    Preview {
        stage: Stage,
        text: String,
    },
    Log {
        level: LogLevel,
        message: String,
    },
    /// A stage ended; `cached` means it was loaded from its checkpoint.
    Finished {
        stage: Stage,
        cached: bool,
    },
    /// The whole run ended.
    Done(Outcome),
}

/// Where stages send events.
pub type EventSender = tokio::sync::mpsc::UnboundedSender<Event>;
pub type EventReceiver = tokio::sync::mpsc::UnboundedReceiver<Event>;

/// Makes an event channel.
pub fn channel() -> (EventSender, EventReceiver) {
    tokio::sync::mpsc::unbounded_channel()
}
