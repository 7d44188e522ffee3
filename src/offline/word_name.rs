//! A name for a cluster whose shared phrases are all one word long (short
//! single-turn requests such as "please make coffee" or "i want to hear
//! this podcast", where the only content word the members share is
//! "coffee" or "hear"). Without it such a cluster would be called "Other
//! conversations".
//!
//! The name is the commonest run of two to four words, counted once per
//! conversation, that starts or ends on the cluster's best word and whose
//! other end is a word of three or more letters that is not glue (an
//! article, pronoun, preposition or auxiliary) nor a template word:
//! "Make coffee", "Want to hear", "Tell me a joke". A verb such as "make" may end a run
//! here although it never ends a phrase of [`super::phrases`].

use std::collections::{HashMap, HashSet};

use super::naming::{Member, spaced_clauses};
use super::phrases::{self, Word};

/// Longest run, in words.
const MAX_RUN: usize = 4;

/// Words that never end a run: they read as a fragment ("the world",
/// "hear it").
pub(super) const GLUE: &[&str] = &[
    "the", "and", "for", "with", "from", "this", "that", "these", "those", "your", "you", "our",
    "their", "his", "her", "its", "are", "was", "were", "been", "has", "had", "have", "can",
    "could", "would", "should", "will", "what", "whats", "what's", "how", "when", "where", "which",
    "who", "why", "there", "here", "them", "they", "she", "him", "some", "any", "all", "not",
    "but", "than", "then", "also", "very", "just", "please", "into", "about", "out", "off", "over",
    "does", "did", "doing", "yes", "okay", "hey", "really", "let", "today", "now",
];

/// The name (not capitalised) for cluster `g` around its best one-word
/// phrase `word` (normalised), used by at least two of its members (one
/// when it has one), or `None`.
pub(super) fn around_word(members: &[Member<'_>], g: usize, word: &str) -> Option<String> {
    let mut counts: HashMap<Vec<String>, (usize, String)> = HashMap::new();
    let mut size = 0usize;
    for clauses in spaced_clauses(members, g) {
        size += 1;
        let mut seen: HashSet<Vec<String>> = HashSet::new();
        for clause in clauses {
            for (i, w) in clause.iter().enumerate() {
                if w.norm != word {
                    continue;
                }
                for run in runs(&clause, i) {
                    let norms: Vec<String> = run.iter().map(|w| w.norm.to_string()).collect();
                    if seen.insert(norms.clone()) {
                        counts
                            .entry(norms)
                            .or_insert_with(|| (0, phrases::show(run)))
                            .0 += 1;
                    }
                }
            }
        }
    }
    commonest(counts, size.min(2))
}

/// The run (normalised words → (members using it, as shown)) used by the
/// most members and by at least `support`; ties go to the shorter, then
/// to the first in word order. Shown as written.
pub(super) fn commonest<K: Ord>(
    counts: HashMap<Vec<K>, (usize, String)>,
    support: usize,
) -> Option<String> {
    counts
        .into_iter()
        .filter(|(_, (n, _))| *n >= support)
        .max_by(|a, b| {
            (a.1.0, std::cmp::Reverse(a.0.len()), &b.0).cmp(&(
                b.1.0,
                std::cmp::Reverse(b.0.len()),
                &a.0,
            ))
        })
        .map(|(_, (_, shown))| shown)
}

/// The runs of two to [`MAX_RUN`] words that start or end at `clause[i]` and
/// whose other end may end a name.
fn runs<'c, 'a>(clause: &'c [Word<'a>], i: usize) -> Vec<&'c [Word<'a>]> {
    let mut out = Vec::new();
    for len in 2..=MAX_RUN {
        if i + 1 >= len && may_end(&clause[i + 1 - len]) {
            out.push(&clause[i + 1 - len..=i]);
        }
        if i + len <= clause.len() && may_end(&clause[i + len - 1]) {
            out.push(&clause[i..i + len]);
        }
    }
    out
}

fn may_end(w: &Word) -> bool {
    let n: &str = &w.norm;
    (w.content || n.chars().count() >= 3)
        && !n.chars().all(|c| c.is_numeric())
        && !GLUE.contains(&n)
        && !phrases::edge_stop(n)
        && !super::TEMPLATE_WORDS.contains(&n)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::offline::naming::english_members as members;

    #[test]
    fn a_single_shared_word_is_named_with_its_commonest_neighbour() {
        let texts = [
            "please make coffee at seven am",
            "please make a coffee",
            "please make coffee",
            "can you turn on the coffee pot",
        ];
        let name = around_word(&members(&texts), 0, "coffee");
        assert_eq!(name.as_deref(), Some("make coffee"));
        let texts = ["i want to hear this podcast", "i want to hear surfin usa"];
        let name = around_word(&members(&texts), 0, "hear");
        assert_eq!(name.as_deref(), Some("want to hear"));
        let texts = ["tell me a joke about birds", "tell me a joke about aliens"];
        let name = around_word(&members(&texts), 0, "joke");
        assert_eq!(name.as_deref(), Some("tell me a joke"));
    }

    #[test]
    fn glue_never_ends_the_run() {
        let texts = ["what is the world", "how big is the world"];
        assert_eq!(around_word(&members(&texts), 0, "world"), None);
    }
}
