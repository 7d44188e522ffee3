//! Hashed text features: word unigrams and bigrams, and character n-grams
//! inside words. Every feature is hashed into a fixed space of buckets with
//! a portable hash, so the same text gives the same features everywhere.

/// Number of hash buckets (2^20).
pub const BUCKETS: usize = 1 << BUCKET_BITS;
const BUCKET_BITS: u32 = 20;

/// Character n-gram lengths taken inside each word.
const CHAR_MIN: usize = 3;
const CHAR_MAX: usize = 5;
/// Only this many characters of a very long token give character n-grams.
const CHAR_WORD_CAP: usize = 40;

const TAG_UNIGRAM: u64 = 0x75;
const TAG_BIGRAM: u64 = 0x62;
const TAG_CHAR: u64 = 0x63;

/// The features of one text: `(bucket, count)` pairs sorted by bucket, in
/// two blocks that are weighted separately.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TextFeatures {
    pub words: Vec<(u32, f32)>,
    pub chars: Vec<(u32, f32)>,
}

/// A finalising mix (splitmix64) so that every output bit depends on every
/// input bit.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over a sequence of 32-bit units, seeded with a tag.
pub(crate) fn hash_units(tag: u64, units: impl Iterator<Item = u32>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ tag;
    for u in units {
        for b in u.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    mix(h)
}

fn bucket(h: u64) -> u32 {
    // The mask keeps the value below 2^20, so it always fits in u32.
    (h & (BUCKETS as u64 - 1)) as u32
}

/// Sorts bucket ids and turns them into `(bucket, count)` pairs.
fn count(mut ids: Vec<u32>) -> Vec<(u32, f32)> {
    ids.sort_unstable();
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(ids.len());
    for id in ids {
        match out.last_mut() {
            Some((last, c)) if *last == id => *c += 1.0,
            _ => out.push((id, 1.0)),
        }
    }
    out
}

/// Splits `text` into lower-cased words (maximal runs of letters and digits).
pub(crate) fn words(text: &str) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut cur: Vec<char> = Vec::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Extracts the hashed features of one text.
pub fn extract(text: &str) -> TextFeatures {
    let words = words(text);
    let mut word_ids = Vec::with_capacity(words.len() * 2);
    let mut char_ids = Vec::with_capacity(words.len() * 8);
    let mut padded: Vec<u32> = Vec::with_capacity(CHAR_WORD_CAP + 2);
    let mut prev: Option<u64> = None;
    for w in &words {
        let h = hash_units(TAG_UNIGRAM, w.iter().map(|&c| u32::from(c)));
        word_ids.push(bucket(h));
        if let Some(p) = prev {
            word_ids.push(bucket(hash_units(
                TAG_BIGRAM,
                [p as u32, (p >> 32) as u32, h as u32, (h >> 32) as u32].into_iter(),
            )));
        }
        prev = Some(h);

        padded.clear();
        padded.push(u32::from(' '));
        padded.extend(w.iter().take(CHAR_WORD_CAP).map(|&c| u32::from(c)));
        padded.push(u32::from(' '));
        for n in CHAR_MIN..=CHAR_MAX {
            for gram in padded.windows(n) {
                char_ids.push(bucket(hash_units(TAG_CHAR, gram.iter().copied())));
            }
        }
    }
    TextFeatures {
        words: count(word_ids),
        chars: count(char_ids),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_alphanumeric_runs() {
        let w: Vec<String> = words("Hello, WORLD! it's 42")
            .into_iter()
            .map(|w| w.into_iter().collect())
            .collect();
        assert_eq!(w, ["hello", "world", "it", "s", "42"]);
    }

    #[test]
    fn counts_repeat_features() {
        let f = extract("pin pin pin");
        // One unigram bucket seen three times, one bigram bucket seen twice.
        let mut counts: Vec<f32> = f.words.iter().map(|&(_, c)| c).collect();
        counts.sort_by(f32::total_cmp);
        assert_eq!(counts, [2.0, 3.0]);
        assert!(!f.chars.is_empty());
    }

    #[test]
    fn empty_text_has_no_features() {
        assert_eq!(extract("  ... !"), TextFeatures::default());
    }

    #[test]
    fn same_text_same_features() {
        assert_eq!(extract("Reset my card PIN"), extract("reset my card pin"));
    }
}
