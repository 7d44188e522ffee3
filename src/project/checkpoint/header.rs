//! The first line of every stage checkpoint: what the file is, the key of
//! the inputs that built it (and those inputs, so a reader can say which one
//! changed), what it was built with, and the digest of everything after it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The checkpoint format this build reads and writes. Version 1 had no
/// digest, inputs or `built_with`; its files read as outdated.
pub const CHECKPOINT_VERSION: u32 = 2;
pub(super) const MAGIC: &str = "kura-tui-checkpoint";

/// First line of every stage checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub stage: String,
    /// Hash of `inputs`.
    pub key: String,
    pub count: usize,
    /// Columns, for matrix checkpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dims: Option<usize>,
    #[serde(default)]
    pub created_at: String,
    /// SHA-256 (hex) of the shape (`count`, `dims`) and every byte after
    /// the header line; see [`content_digest`].
    #[serde(default)]
    pub digest: String,
    /// The settings, model identities and upstream digests the key hashes.
    #[serde(default)]
    pub inputs: Map<String, Value>,
    /// What the stage was built with, for `info` (embedder, model, k...).
    #[serde(default)]
    pub built_with: Map<String, Value>,
    /// LLM work that fell back to a substitute; a non-empty list makes the
    /// stage incomplete, so the next run redoes it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
}

/// What a stage writes beside its records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub key: String,
    pub inputs: Map<String, Value>,
    pub built_with: Map<String, Value>,
    pub incomplete: Vec<String>,
}

impl Meta {
    pub(super) fn header(
        &self,
        stage: &str,
        count: usize,
        dims: Option<usize>,
        body: &[u8],
    ) -> Header {
        Header {
            format: MAGIC.into(),
            version: CHECKPOINT_VERSION,
            stage: stage.into(),
            key: self.key.clone(),
            count,
            dims,
            created_at: chrono::Utc::now().to_rfc3339(),
            digest: content_digest(count, dims, body),
            inputs: self.inputs.clone(),
            built_with: self.built_with.clone(),
            incomplete: self.incomplete.clone(),
        }
    }
}

/// Why a checkpoint cannot be used as it is. None of these blocks a
/// project: the stage is recomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// No file.
    Missing,
    /// Written in another checkpoint format (an older or newer build).
    Format { found: u32 },
    /// Unreadable or not what its header promises.
    Corrupt { reason: String },
}

/// A checkpoint's content, or why it cannot be used.
pub type Checked<T> = std::result::Result<T, Unusable>;

pub(super) fn corrupt<T>(reason: impl Into<String>) -> Checked<T> {
    Err(Unusable::Corrupt {
        reason: reason.into(),
    })
}

/// SHA-256 of `bytes`, in hex.
pub fn digest_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The digest a header carries: of its shape as well as of the body, so a
/// damaged `count` or `dims` is caught even when the body still fits it
/// (an empty matrix has the same empty body at any width).
pub fn content_digest(count: usize, dims: Option<usize>, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("{count}x{}\n", dims.unwrap_or(0)).as_bytes());
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// Splits a file into its parsed header and its body, checking the header's
/// format and version and the body's digest.
pub(super) fn split(bytes: &[u8]) -> Checked<(Header, &[u8])> {
    let Some(newline) = bytes.iter().position(|b| *b == b'\n') else {
        return corrupt("line 1: no complete header line");
    };
    let header: Header = match serde_json::from_slice(&bytes[..newline]) {
        Ok(h) => h,
        Err(e) => return corrupt(format!("line 1: bad header: {e}")),
    };
    if header.format != MAGIC {
        return corrupt(format!("line 1: field `format` is `{}`", header.format));
    }
    if header.version != CHECKPOINT_VERSION {
        return Err(Unusable::Format {
            found: header.version,
        });
    }
    let body = &bytes[newline + 1..];
    if content_digest(header.count, header.dims, body) != header.digest {
        return Err(mismatch(&header, body));
    }
    Ok((header, body))
}

/// The reason for a digest mismatch: the first line that is not JSON, when
/// there is one (JSONL bodies), else a plain statement.
fn mismatch(header: &Header, body: &[u8]) -> Unusable {
    if header.dims.is_none() {
        for (i, line) in body.split(|b| *b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(line) {
                return Unusable::Corrupt {
                    reason: format!("line {}: {e}", i + 2),
                };
            }
        }
    }
    Unusable::Corrupt {
        reason: "its content does not match its checksum (changed or damaged on disk)".into(),
    }
}
