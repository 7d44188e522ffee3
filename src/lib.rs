//! kura-tui: map what users ask an LLM product for.
//!
//! The library holds all the work: loading conversations ([`ingest`]), the
//! project directory ([`project`]), configuration ([`config`]), the LLM and
//! embedding clients ([`llm`]), the numeric code ([`cluster`]), the analysis
//! pipeline ([`pipeline`]) and quality metrics ([`eval`]). The terminal
//! explorer ([`tui`]) only draws what these produce; the pipeline never
//! imports the UI.

// Nothing outside tests may panic on user data: no unwrap, expect or panic!
// (unit tests, compiled with cfg(test), may use them).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analysis;
pub mod classify;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod embed;
pub mod error;
pub mod eval;
pub mod evaluate;
pub mod export;
pub mod grow;
pub mod info;
pub mod ingest;
pub mod kura_import;
pub mod llm;
pub mod model;
pub mod offline;
pub mod pipeline;
pub mod project;
pub mod report;
pub mod sql;
pub mod tree;
pub mod tui;

pub use error::{Error, Result};
