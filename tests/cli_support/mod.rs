//! Running the real `kura-tui` binary in tests: the helpers live in
//! `tests/support/cli.rs`; this module lets a test include them without the
//! mock server.

#![allow(dead_code)]

#[path = "../support/cli.rs"]
mod cli;

pub use cli::*;
