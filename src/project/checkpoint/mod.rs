//! Checkpoints: one file per finished stage, written atomically, whose
//! header line carries the format version, the key and inputs that built it,
//! what it was built with and the SHA-256 of its body; plus append-only
//! `<stage>.partial.jsonl` files for stages that run per record.
//!
//! Reading never fails on a bad file: a missing, old-format or corrupt
//! checkpoint comes back as an [`Unusable`] reason, and the stage is
//! recomputed. `Err` is kept for I/O failures.

mod header;
mod matrix;
mod partial;
mod records;
mod store;

pub use header::{CHECKPOINT_VERSION, Checked, Header, Meta, Unusable, content_digest, digest_hex};
pub use matrix::{read_matrix, save_matrix};
pub use partial::{PARTIAL_VERSION, PartialRecords, append_partial, parse_partial, read_partial};
pub use records::{describe, parse, read, save, verify};
pub use store::{CheckpointStore, FileCheckpoints, MemoryCheckpoints};

/// Parses a whole matrix file (for fuzzing and tests).
pub fn parse_matrix(bytes: &[u8]) -> Checked<(Header, ndarray::Array2<f32>)> {
    matrix::parse(bytes)
}

pub(crate) fn stage_file(stage: &str) -> String {
    format!("{stage}.jsonl")
}

pub(crate) fn matrix_file(stage: &str) -> String {
    format!("{stage}.bin")
}

pub(crate) fn partial_file(stage: &str) -> String {
    format!("{stage}.partial.jsonl")
}

/// A stable hex hash of anything serialisable, for checkpoint keys.
pub fn hash_key<T: serde::Serialize + ?Sized>(value: &T) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..16])
}

#[cfg(test)]
mod tests;
