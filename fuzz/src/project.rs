//! The store writer, which the importer writes into.

#[path = "../../src/project/store/mod.rs"]
pub mod store;

#[path = "../../src/project/atomic.rs"]
pub mod atomic;
