//! Word-piece vectors: what a corpus cannot teach about itself.
//!
//! TF-IDF and its SVD only know that two requests share words. "I lost my
//! card" and "my wallet was stolen" share none. This table gives each of
//! all-MiniLM-L6-v2's 30,522 word pieces the vector the model makes of it
//! alone, reduced to 64 directions and stored in one byte per value
//! (`assets/word_vectors/make.py` builds it). A text's vector is the
//! IDF-weighted sum of its pieces' vectors, so it costs a table lookup per
//! piece and needs no model at run time.
//!
//! Pieces are found as the model's tokenizer finds them (lower case, accents
//! stripped, punctuation and CJK ideographs split off, then the longest
//! known piece first); a word with no split into known pieces is skipped.
//! Punctuation counts: a question mark tells a question from a command
//! (leaving it out lowered hwu64's top-level NMI from 0.610 to 0.585 over
//! three seeds).

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use rayon::prelude::*;

use super::{CHUNK, idf, scale_to};
use crate::error::{Error, Result};

const TABLE: &[u8] = include_bytes!("../../../assets/word_vectors/minilm-l6-64.kwv");
const MAGIC: &[u8; 4] = b"KWV1";
/// Values per piece vector in the built-in table.
pub const DIMS: usize = 64;
/// Longer words are skipped, as the model's tokenizer maps them to unknown.
const MAX_WORD_CHARS: usize = 100;

/// The table: one scale and `dims` signed bytes per piece, and each piece's
/// id by its text ("##" marks a piece that continues a word).
pub struct PieceTable {
    dims: usize,
    scales: Vec<f32>,
    values: Vec<i8>,
    index: FxHashMap<String, u32>,
    /// Bytes of the longest piece (without "##"): no longer probe can match.
    longest: usize,
}

impl PieceTable {
    /// The table compiled into the binary.
    pub fn builtin() -> Result<&'static PieceTable> {
        static PARSED: OnceLock<std::result::Result<PieceTable, String>> = OnceLock::new();
        PARSED
            .get_or_init(|| PieceTable::parse(TABLE))
            .as_ref()
            .map_err(|e| Error::Internal(format!("built-in word-piece table: {e}")))
            .and_then(|t| {
                if t.dims == DIMS {
                    Ok(t)
                } else {
                    Err(Error::Internal(format!(
                        "built-in word-piece table has {} values per piece, expected {DIMS}",
                        t.dims
                    )))
                }
            })
    }

    fn parse(bytes: &[u8]) -> std::result::Result<PieceTable, String> {
        let header = bytes.get(..12).ok_or("shorter than its header")?;
        if &header[..4] != MAGIC {
            return Err("not a KWV1 table".into());
        }
        let word = |at: usize| {
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        let (rows, dims) = (word(4) as usize, word(8) as usize);
        let row_bytes = dims.checked_add(4).ok_or("too many values per piece")?;
        let body_end = rows
            .checked_mul(row_bytes)
            .and_then(|b| b.checked_add(12))
            .ok_or("too many pieces")?;
        let body = bytes.get(12..body_end).ok_or("vectors cut short")?;
        let mut scales = Vec::with_capacity(rows);
        let mut values = Vec::with_capacity(rows * dims);
        for row in body.chunks_exact(row_bytes) {
            scales.push(f32::from_le_bytes([row[0], row[1], row[2], row[3]]));
            values.extend(row[4..].iter().map(|&b| b as i8));
        }
        let vocab = std::str::from_utf8(&bytes[body_end..]).map_err(|e| e.to_string())?;
        let pieces = vocab.split('\n').count();
        if pieces != rows {
            return Err(format!("{rows} vectors for {pieces} pieces"));
        }
        let index: FxHashMap<String, u32> = vocab
            .split('\n')
            .enumerate()
            .map(|(i, piece)| (piece.to_string(), i as u32))
            .collect();
        let longest = index
            .keys()
            .map(|p| p.strip_prefix("##").unwrap_or(p).len())
            .max()
            .unwrap_or(0);
        Ok(PieceTable {
            dims,
            scales,
            values,
            index,
            longest,
        })
    }

    /// Values per piece vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Number of pieces.
    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Adds `weight` × the vector of piece `id` to `acc` (`dims` long).
    pub fn add_scaled(&self, id: u32, weight: f32, acc: &mut [f32]) {
        let id = id as usize;
        let w = weight * self.scales[id];
        let row = &self.values[id * self.dims..(id + 1) * self.dims];
        for (a, &v) in acc.iter_mut().zip(row) {
            *a += w * f32::from(v);
        }
    }

    /// The ids of `text`'s word pieces, in order, appended to `out`.
    pub fn pieces(&self, text: &str, out: &mut Vec<u32>) {
        let mut word = String::new();
        let mut probe = String::new();
        for c in text.chars() {
            if c.is_whitespace() || c.is_control() || c == '\u{fffd}' {
                self.word_pieces(&word, &mut probe, out);
                word.clear();
            } else if is_cjk(c) || is_punctuation(c) {
                self.word_pieces(&word, &mut probe, out);
                word.clear();
                word.push(c);
                self.word_pieces(&word, &mut probe, out);
                word.clear();
            } else {
                for l in c.to_lowercase() {
                    word.extend(l.nfd().filter(|&m| !is_combining_mark(m)));
                }
            }
        }
        self.word_pieces(&word, &mut probe, out);
    }

    /// Longest known piece first; the whole word is skipped when some part
    /// of it has no piece.
    fn word_pieces(&self, word: &str, probe: &mut String, out: &mut Vec<u32>) {
        if word.is_empty() || word.chars().count() > MAX_WORD_CHARS {
            return;
        }
        let kept = out.len();
        let mut start = 0;
        while start < word.len() {
            // Longest first, but never longer than the longest piece.
            let mut end = word.len().min(start + self.longest);
            while !word.is_char_boundary(end) {
                end -= 1;
            }
            let mut found = None;
            while end > start {
                probe.clear();
                if start > 0 {
                    probe.push_str("##");
                }
                probe.push_str(&word[start..end]);
                if let Some(&id) = self.index.get(probe.as_str()) {
                    found = Some(id);
                    break;
                }
                end = word[..end]
                    .char_indices()
                    .next_back()
                    .map_or(start, |(i, _)| i);
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    out.truncate(kept);
                    return;
                }
            }
        }
    }
}

/// The word-piece block fitted on a corpus: each piece's IDF over all its
/// texts, and the mean of the fit texts' unit vectors, which is taken off
/// every vector (what all texts share says nothing about any one).
pub(crate) struct PieceFit {
    table: &'static PieceTable,
    idf: Vec<f32>,
    mean: Vec<f32>,
}

impl PieceFit {
    /// `df[p]`: in how many of the corpus's `n` texts piece `p` occurs;
    /// `fit_texts`: the texts the mean is taken over.
    pub fn new(table: &'static PieceTable, df: &[u32], n: usize, fit_texts: Vec<&str>) -> PieceFit {
        let idf: Vec<f32> = df.iter().map(|&d| idf(n, d)).collect();
        let dims = table.dims();
        // Fixed chunks summed in order: the same texts give the same mean
        // whatever the number of threads.
        let partial: Vec<Vec<f64>> = fit_texts
            .par_chunks(CHUNK)
            .map(|chunk| {
                let (mut sum, mut v, mut ids) =
                    (vec![0.0f64; dims], vec![0.0f32; dims], Vec::new());
                for text in chunk {
                    unit_vector(table, &idf, text, &mut ids, &mut v);
                    sum.iter_mut()
                        .zip(&v)
                        .for_each(|(s, x)| *s += f64::from(*x));
                }
                sum
            })
            .collect();
        let mut mean = vec![0.0f64; dims];
        for sum in &partial {
            mean.iter_mut().zip(sum).for_each(|(m, s)| *m += s);
        }
        let count = fit_texts.len().max(1) as f64;
        let mean = mean.iter().map(|m| (m / count) as f32).collect();
        PieceFit { table, idf, mean }
    }

    /// `text`'s unit vector less the corpus mean in `out` (zero when the
    /// text has no known piece). `ids` is scratch space.
    pub fn centred(&self, text: &str, ids: &mut Vec<u32>, out: &mut [f32]) {
        if unit_vector(self.table, &self.idf, text, ids, out) {
            out.iter_mut().zip(&self.mean).for_each(|(v, m)| *v -= m);
        }
    }
}

/// The unit-length, IDF-weighted sum of `text`'s piece vectors in `out`;
/// `false` (and zeros) when it has no known piece.
fn unit_vector(
    table: &PieceTable,
    idf: &[f32],
    text: &str,
    ids: &mut Vec<u32>,
    out: &mut [f32],
) -> bool {
    out.iter_mut().for_each(|v| *v = 0.0);
    ids.clear();
    table.pieces(text, ids);
    for &id in ids.iter() {
        table.add_scaled(id, idf[id as usize], out);
    }
    scale_to(out, 1.0);
    !ids.is_empty()
}

/// The CJK ideograph blocks that the model's tokenizer splits into single
/// characters.
fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0x20000..=0x2A6DF
        | 0x2A700..=0x2CEAF
        | 0xF900..=0xFAFF
        | 0x2F800..=0x2FA1F)
}

/// ASCII symbols and every other character that is neither a letter, a
/// digit nor a combining mark.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || !(c.is_alphanumeric() || is_combining_mark(c) || c.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<String> {
        let table = PieceTable::builtin().unwrap();
        let names: std::collections::HashMap<u32, &String> =
            table.index.iter().map(|(k, &v)| (v, k)).collect();
        let mut ids = Vec::new();
        table.pieces(text, &mut ids);
        ids.iter().map(|id| names[id].to_string()).collect()
    }

    #[test]
    fn table_parses_with_the_models_vocabulary() {
        let table = PieceTable::builtin().unwrap();
        assert_eq!((table.len(), table.dims()), (30_522, 64));
        assert_eq!(table.index["[CLS]"], 101);
        assert_eq!(table.index["the"], 1996);
    }

    #[test]
    fn splits_as_the_models_tokenizer_does() {
        assert_eq!(
            pieces("How do I RESET my password?"),
            ["how", "do", "i", "reset", "my", "password", "?"]
        );
        assert_eq!(pieces("Café déjà-vu"), ["cafe", "de", "##ja", "-", "vu"]);
        assert_eq!(
            pieces("l'année 2024 — ok…"),
            ["l", "'", "anne", "##e", "202", "##4", "—", "ok", "…"]
        );
        assert_eq!(pieces("unaffordable"), ["una", "##ff", "##ord", "##able"]);
        assert_eq!(pieces("東京"), ["東", "京"]);
        // A long word is still split longest piece first.
        assert_eq!(
            pieces("internationalisation"),
            ["international", "##isation"]
        );
        // No piece for an emoji: skipped, as the model maps it to unknown.
        assert_eq!(pieces("ok \u{1f600}\u{1f600}"), ["ok"]);
    }

    #[test]
    fn damaged_tables_are_refused() {
        assert!(PieceTable::parse(b"KWV").is_err());
        assert!(PieceTable::parse(b"XXXX\x01\0\0\0\x02\0\0\0").is_err());
        // A header claiming more than memory can hold is refused, not trusted.
        assert!(PieceTable::parse(b"KWV1\xff\xff\xff\xff\xff\xff\xff\xff").is_err());
        let mut one = b"KWV1\x01\0\0\0\x02\0\0\0".to_vec();
        one.extend(1.0f32.to_le_bytes());
        one.extend([1u8, 2]);
        one.extend(b"a\nb");
        assert!(PieceTable::parse(&one).is_err());
        one.truncate(one.len() - 2);
        let t = PieceTable::parse(&one).unwrap();
        let mut acc = [0.0f32; 2];
        t.add_scaled(0, 2.0, &mut acc);
        assert_eq!(acc, [2.0, 4.0]);
    }
}
