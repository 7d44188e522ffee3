//! Stage checkpoints of records: a header line, then one JSON record a line.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::header::{Checked, Header, Meta, Unusable, corrupt, split};
use super::{CheckpointStore, matrix_file, stage_file};
use crate::error::{Error, Result};

/// Serialises `records` under a header and stores them as `stage`
/// atomically; returns the body's digest.
pub fn save<T: Serialize>(
    store: &dyn CheckpointStore,
    stage: &str,
    meta: &Meta,
    records: &[T],
) -> Result<String> {
    let mut body = Vec::new();
    for r in records {
        serde_json::to_writer(&mut body, r).map_err(|e| Error::Other(e.to_string()))?;
        body.push(b'\n');
    }
    let header = meta.header(stage, records.len(), None, &body);
    let mut line = serde_json::to_vec(&header).map_err(|e| Error::Other(e.to_string()))?;
    line.push(b'\n');
    store.write_parts(&stage_file(stage), &[&line, &body])?;
    Ok(header.digest)
}

/// Reads a stage checkpoint: its header and records, or why it cannot be
/// used. `Err` is left for I/O failures.
pub fn read<T: DeserializeOwned>(
    store: &dyn CheckpointStore,
    stage: &str,
) -> Result<Checked<(Header, Vec<T>)>> {
    let Some(bytes) = store.read(&stage_file(stage))? else {
        return Ok(Err(Unusable::Missing));
    };
    Ok(parse(&bytes))
}

/// Parses a whole records checkpoint (exposed for fuzzing).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Checked<(Header, Vec<T>)> {
    let (header, body) = split(bytes)?;
    if header.dims.is_some() {
        return corrupt("line 1: a matrix header in a records file");
    }
    let mut out = Vec::with_capacity(header.count.min(1 << 20));
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice(line) {
            Ok(r) => out.push(r),
            Err(e) => return corrupt(format!("line {}: {e}", i + 2)),
        }
    }
    if out.len() != header.count {
        return corrupt(format!(
            "the header says {} records, the file holds {}",
            header.count,
            out.len()
        ));
    }
    Ok((header, out))
}

/// Checks a stage checkpoint (records or matrix) without decoding its
/// records: header, version, digest and size.
pub fn verify(store: &dyn CheckpointStore, stage: &str) -> Result<Checked<Header>> {
    if let Some(bytes) = store.read(&stage_file(stage))? {
        return Ok(split(&bytes).and_then(|(h, body)| {
            let lines = body.split(|b| *b == b'\n').filter(|l| !l.is_empty());
            if h.dims.is_some() || lines.count() != h.count {
                return corrupt(format!("the header says {} records", h.count));
            }
            Ok(h)
        }));
    }
    if let Some(bytes) = store.read(&matrix_file(stage))? {
        return Ok(super::matrix::verify(&bytes));
    }
    Ok(Err(Unusable::Missing))
}

/// The path of a stage's checkpoint, for messages (the records file when
/// neither exists).
pub fn describe(store: &dyn CheckpointStore, stage: &str, matrix: bool) -> std::path::PathBuf {
    if matrix {
        store.describe(&matrix_file(stage))
    } else {
        store.describe(&stage_file(stage))
    }
}
