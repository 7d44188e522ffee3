//! How informative a sentence is against the corpus it comes from.
//!
//! [`CorpusStats`] counts, for every word, in how many conversations the
//! users wrote it (hashed into a fixed table, so memory stays at 4 MiB
//! whatever the vocabulary). A sentence's salience is the sum, over its
//! distinct words, of how much rarer each word is than "common": words
//! that a large share of conversations use (greetings, thanks, "I've been",
//! "hope you're well", the frames of a product's templates) add nothing,
//! so the sentences that carry a request outrank the pleasantries around
//! it. Scripts written without spaces (Chinese, Japanese) count character
//! pairs instead of words.

use super::extract::is_filler_word;
use super::script::unspaced;
use crate::model::{Conversation, Role};

const BUCKET_BITS: u32 = 20;
const BUCKETS: usize = 1 << BUCKET_BITS;
/// Below this many conversations the counts say nothing; salience then
/// falls back to counting content words.
const MIN_DOCS: u32 = 20;
/// A word used in this share of conversations or more adds nothing.
const COMMON_SHARE: f32 = 0.12;
/// Only this much of each user message is counted.
const CHARS_PER_MESSAGE: usize = 2000;

/// Document frequencies of the words users write, over a corpus.
#[derive(Debug, Clone)]
pub struct CorpusStats {
    docs: u32,
    df: Vec<u32>,
}

impl Default for CorpusStats {
    fn default() -> Self {
        CorpusStats::empty()
    }
}

impl CorpusStats {
    /// No corpus: salience counts content words.
    pub fn empty() -> Self {
        CorpusStats {
            docs: 0,
            df: Vec::new(),
        }
    }

    /// Counts the user turns of `conversations`.
    pub fn build<'a>(conversations: impl IntoIterator<Item = &'a Conversation>) -> Self {
        let mut stats = CorpusStats::empty();
        for conv in conversations {
            stats.add(conv);
        }
        stats
    }

    /// Counts the user turns of one more conversation.
    pub fn add(&mut self, conv: &Conversation) {
        if self.df.is_empty() {
            self.df = vec![0; BUCKETS];
        }
        let mut seen: Vec<u32> = Vec::with_capacity(256);
        for m in conv.messages.iter().filter(|m| m.role == Role::User) {
            let text = prefix(&m.content, CHARS_PER_MESSAGE);
            for_each_token(text, |h| seen.push(bucket(h)));
        }
        seen.sort_unstable();
        seen.dedup();
        for &b in &seen {
            self.df[b as usize] += 1;
        }
        self.docs += 1;
    }

    /// Conversations counted.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    fn informative(&self) -> bool {
        self.docs >= MIN_DOCS && !self.df.is_empty()
    }

    /// Share of conversations whose users wrote `word` (lower-case).
    pub fn share(&self, word: &str) -> f32 {
        if !self.informative() {
            return 0.0;
        }
        let mut share = 0.0f32;
        for_each_token(word, |h| {
            share = share.max(self.df[bucket(h) as usize] as f32 / self.docs as f32);
        });
        share
    }

    /// Salience of `sentence`: the sum over its distinct words of
    /// `ln(common share / share)`, floored at zero. Without a corpus, the
    /// number of distinct words of three or more letters that are not
    /// greetings or filler.
    pub fn salience(&self, sentence: &str) -> f32 {
        let mut ids: Vec<(u32, bool)> = Vec::with_capacity(24);
        let informative = self.informative();
        for_each_word(sentence, |word, h| {
            let content = word.chars().count() >= 3 && !is_filler_word(word);
            ids.push((bucket(h), content));
        });
        ids.sort_unstable();
        ids.dedup_by_key(|(b, _)| *b);
        if !informative {
            return ids.iter().filter(|(_, content)| *content).count() as f32;
        }
        let n = self.docs as f32;
        ids.iter()
            .map(|&(b, _)| {
                let share = (self.df[b as usize].max(1) as f32) / n;
                (COMMON_SHARE / share).ln().max(0.0)
            })
            .sum()
    }
}

fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn bucket(h: u64) -> u32 {
    (h & (BUCKETS as u64 - 1)) as u32
}

fn hash_str(s: &str) -> u64 {
    // FNV-1a, then a finalising mix.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 31;
    h = h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

/// Calls `f` with each lower-cased word of `text` and its hash; runs of an
/// unspaced script give their character pairs (one character alone when
/// the run is that short).
pub(crate) fn for_each_word(text: &str, mut f: impl FnMut(&str, u64)) {
    let mut word = String::new();
    let mut run: Vec<char> = Vec::new();
    let flush_run = |run: &mut Vec<char>, f: &mut dyn FnMut(&str, u64)| {
        if run.len() == 1 {
            let s: String = run.iter().collect();
            f(&s, hash_str(&s));
        }
        for pair in run.windows(2) {
            let s: String = pair.iter().collect();
            f(&s, hash_str(&s));
        }
        run.clear();
    };
    for c in text.chars() {
        if unspaced(c) {
            if !word.is_empty() {
                f(&word, hash_str(&word));
                word.clear();
            }
            run.push(c);
        } else if c.is_alphanumeric() || (c == '\'' || c == '’') && !word.is_empty() {
            if !run.is_empty() {
                flush_run(&mut run, &mut f);
            }
            if c == '’' {
                word.push('\'');
            } else {
                word.extend(c.to_lowercase());
            }
        } else {
            if !word.is_empty() {
                let w = word.trim_end_matches('\'');
                f(w, hash_str(w));
                word.clear();
            }
            if !run.is_empty() {
                flush_run(&mut run, &mut f);
            }
        }
    }
    if !word.is_empty() {
        let w = word.trim_end_matches('\'');
        f(w, hash_str(w));
    }
    if !run.is_empty() {
        flush_run(&mut run, &mut f);
    }
}

fn for_each_token(text: &str, mut f: impl FnMut(u64)) {
    for_each_word(text, |_, h| f(h));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Message;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, |w, _| out.push(w.to_string()));
        out
    }

    #[test]
    fn splits_words_and_unspaced_scripts() {
        assert_eq!(
            words("I've been stuck, OK?"),
            ["i've", "been", "stuck", "ok"]
        );
        assert_eq!(words("请帮我 fix"), ["请帮", "帮我", "fix"]);
    }

    #[test]
    fn common_words_add_nothing() {
        let convs: Vec<Conversation> = (0..40)
            .map(|i| {
                let text =
                    format!("Hi there, hope you're well. Please help with topic{i} widgets.");
                Conversation::new(format!("c{i}"), vec![Message::new(Role::User, text)])
            })
            .collect();
        let stats = CorpusStats::build(&convs);
        assert_eq!(stats.docs(), 40);
        assert_eq!(stats.salience("Hi there, hope you're well."), 0.0);
        assert!(stats.salience("Please help with topic3 widgets.") > 1.0);
        assert!(stats.share("widgets") > 0.99);
        assert_eq!(CorpusStats::empty().salience("Hi there, big widgets!"), 2.0);
    }
}
