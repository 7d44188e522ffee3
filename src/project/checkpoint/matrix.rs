//! Matrix checkpoints (`embeddings.bin`): a header line, then rows × dims
//! little-endian `f32`s, covered by the header's digest like any other.

use ndarray::{Array2, ArrayView2};

use super::header::{Checked, Header, Meta, Unusable, corrupt, split};
use super::{CheckpointStore, matrix_file};
use crate::error::{Error, Result};

/// Stores a matrix atomically; returns the body's digest.
pub fn save_matrix(
    store: &dyn CheckpointStore,
    stage: &str,
    meta: &Meta,
    matrix: ArrayView2<f32>,
) -> Result<String> {
    let mut body = Vec::with_capacity(matrix.len() * 4);
    for x in matrix.iter() {
        body.extend_from_slice(&x.to_le_bytes());
    }
    let header = meta.header(stage, matrix.nrows(), Some(matrix.ncols()), &body);
    let mut line = serde_json::to_vec(&header).map_err(|e| Error::Other(e.to_string()))?;
    line.push(b'\n');
    store.write_parts(&matrix_file(stage), &[&line, &body])?;
    Ok(header.digest)
}

/// Reads a matrix checkpoint, or why it cannot be used.
pub fn read_matrix(
    store: &dyn CheckpointStore,
    stage: &str,
) -> Result<Checked<(Header, Array2<f32>)>> {
    let Some(bytes) = store.read(&matrix_file(stage))? else {
        return Ok(Err(Unusable::Missing));
    };
    Ok(parse(&bytes))
}

/// Checks the header, the digest and the size of a matrix file.
fn check(bytes: &[u8]) -> Checked<(Header, &[u8], usize)> {
    let (header, body) = split(bytes)?;
    let Some(dims) = header.dims else {
        return corrupt("line 1: the header has no `dims`");
    };
    let expected = header
        .count
        .checked_mul(dims)
        .and_then(|n| n.checked_mul(4));
    if expected != Some(body.len()) {
        return corrupt(format!(
            "expected {} × {dims} floats, found {} bytes",
            header.count,
            body.len()
        ));
    }
    Ok((header, body, dims))
}

/// Parses a whole matrix file (exposed for fuzzing).
pub fn parse(bytes: &[u8]) -> Checked<(Header, Array2<f32>)> {
    let (header, body, dims) = check(bytes)?;
    let data: Vec<f32> = body
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    match Array2::from_shape_vec((header.count, dims), data) {
        Ok(m) => Ok((header, m)),
        Err(e) => corrupt(e.to_string()),
    }
}

/// The header of a valid matrix file, without decoding the floats.
pub(super) fn verify(bytes: &[u8]) -> Checked<Header> {
    check(bytes).map(|(h, _, _)| h)
}
