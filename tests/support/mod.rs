//! Shared helpers for integration tests: the mock server and client
//! settings suited to it.

#![allow(dead_code)]

pub mod cli;
pub mod mock_openai;
pub mod pipeline;

use std::time::Duration;

use kura_tui::config::Secret;
use kura_tui::llm::ClientSettings;

/// The API key tests send; it must never show up in logs, errors or caches.
pub use pipeline::PIPELINE_KEY as TEST_KEY;

/// Settings for a mock server: a test key, quick backoff, three retries and
/// a generous timeout (tests that need a timeout set a short one).
pub fn settings(base_url: &str, model: &str) -> ClientSettings {
    let mut s = ClientSettings::new(base_url, model);
    s.api_key = Some(Secret::new(TEST_KEY));
    s.timeout = Duration::from_secs(20);
    s.backoff_base = Duration::from_millis(5);
    s.backoff_max = Duration::from_millis(20);
    s.max_retries = 3;
    s
}
