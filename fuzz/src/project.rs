//! The store writer, which the importer writes into.

#[path = "../../src/project/store.rs"]
pub mod store;
