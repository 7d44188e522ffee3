//! The `tokenizer.json` of a packed e5 model ([`super::packed`]): XLM-R's
//! Unigram pieces with their scores, `<s> … </s>` around each text, and
//! the normalisation the pieces were trained with. The packed map is NFKC
//! per code point except for control characters (dropped) and unusual
//! spaces (made a plain space); the tokenizer applies those two rules, then
//! NFKC, then collapses runs of spaces, as XLM-R's own tokenizer does.

use serde_json::{Value, json};

use super::packed::{Packed, bad};
use crate::error::Result;

/// Special pieces, by the role the packed header gives their ids.
const SPECIAL_NAMES: [&str; 4] = ["<s>", "</s>", "<pad>", "<unk>"];
/// XLM-R's mask piece, special when the vocabulary has it.
const MASK: &str = "<mask>";

impl Packed<'_> {
    /// The tokenizer, as the JSON the `tokenizers` crate reads.
    pub fn tokenizer_json(&self) -> Result<Vec<u8>> {
        let mut special: Vec<(usize, &str)> =
            self.specials.iter().copied().zip(SPECIAL_NAMES).collect();
        if let Some(id) = self.pieces.iter().position(|(p, _)| p == MASK) {
            special.push((id, MASK));
        }
        special.sort_unstable();
        let vocab: Vec<Value> = self
            .pieces
            .iter()
            .enumerate()
            .map(
                |(id, (piece, score))| match special.iter().find(|(s, _)| *s == id) {
                    Some((_, name)) => json!([name, 0.0]),
                    None => json!([piece, score]),
                },
            )
            .collect();
        let added: Vec<Value> = special
            .iter()
            .map(|(id, name)| {
                json!({"id": id, "content": name, "single_word": false, "lstrip": false,
                       "rstrip": false, "normalized": false, "special": true})
            })
            .collect();
        let [bos, eos, _, unk] = self.specials;
        let (dropped, spaces) = self.special_normal();
        let mut normalizers = Vec::new();
        for (chars, with) in [(dropped, ""), (spaces, " ")] {
            if !chars.is_empty() {
                normalizers.push(replace(&char_class(&chars), with));
            }
        }
        normalizers.push(json!({"type": "NFKC"}));
        normalizers.push(replace(" {2,}", " "));
        let metaspace = json!({"type": "Metaspace", "replacement": "\u{2581}",
                               "prepend_scheme": "always", "split": true});
        let token = |name: &str| json!({"SpecialToken": {"id": name, "type_id": 0}});
        let text = |id: &str| json!({"Sequence": {"id": id, "type_id": 0}});
        let tokenizer = json!({
            "version": "1.0",
            "truncation": null,
            "padding": null,
            "added_tokens": added,
            "normalizer": {"type": "Sequence", "normalizers": normalizers},
            "pre_tokenizer": metaspace,
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [token("<s>"), text("A"), token("</s>")],
                "pair": [token("<s>"), text("A"), token("</s>"), token("</s>"), text("B"), token("</s>")],
                "special_tokens": {
                    "<s>": {"id": "<s>", "ids": [bos], "tokens": ["<s>"]},
                    "</s>": {"id": "</s>", "ids": [eos], "tokens": ["</s>"]}
                }
            },
            "decoder": metaspace,
            "model": {"type": "Unigram", "unk_id": unk, "vocab": vocab, "byte_fallback": false}
        });
        serde_json::to_vec(&tokenizer).map_err(|e| bad(self.origin, "tokenizer", e.to_string()))
    }

    /// Code points the map drops, and those it makes a plain space.
    fn special_normal(&self) -> (Vec<u32>, Vec<u32>) {
        let mut dropped = Vec::new();
        let mut spaces = Vec::new();
        for (from, to) in &self.normal {
            match to.as_slice() {
                [] => dropped.push(*from),
                [0x20] if *from != 0x20 => spaces.push(*from),
                _ => {}
            }
        }
        (dropped, spaces)
    }
}

fn replace(pattern: &str, with: &str) -> Value {
    json!({"type": "Replace", "pattern": {"Regex": pattern}, "content": with})
}

/// An Oniguruma character class matching exactly `chars`.
fn char_class(chars: &[u32]) -> String {
    let mut out = String::from("[");
    for c in chars {
        out.push_str(&format!("\\x{{{c:x}}}"));
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_escape_every_code_point() {
        assert_eq!(char_class(&[0x1, 0x200b]), "[\\x{1}\\x{200b}]");
    }
}
