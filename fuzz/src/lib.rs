//! kura-tui's input code compiled on its own for fuzzing, plus the checks
//! the fuzz targets run.
//!
//! The modules below are the main tree's files, included by path: the
//! loaders, the conversation model, the error type and the store writer
//! have no other dependencies inside kura-tui, so the fuzzers build without
//! the numeric, ML, network and UI crates (which would take most of an hour
//! to build with coverage instrumentation). If the ingest code starts using
//! another module of the crate, include it here too.

#![allow(dead_code, unused_imports)]

#[path = "../../src/error.rs"]
pub mod error;
#[path = "../../src/ingest/mod.rs"]
pub mod ingest;
#[path = "../../src/model/mod.rs"]
pub mod model;

pub mod project;

pub mod harness;

pub use error::{Error, Result};
