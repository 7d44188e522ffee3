//! Two phrases a cluster's members write together, named as they wrote
//! them. A name that joins two phrases with "and" ("Set and alarms",
//! "Ride and cab", "Pick and rental") reads as a list of keywords when the
//! members actually used the two in one request: here such a name becomes
//! the commonest stretch of a member's clause that runs from one phrase to
//! the other ("Set an alarm", "Cab for a shared ride", "Pick up the
//! rental"). Two phrases the members never write together keep "and":
//! there the cluster really holds two things ("Lost and stolen").

use std::collections::{HashMap, HashSet};

use super::naming::{Candidate, MAX_NAME_WORDS, Member, spaced_clauses};
use super::options::same_word;
use super::phrases::{self, Word};

/// The clauses of one cluster's members, read once for every pair.
pub(super) struct Clauses<'a> {
    members: Vec<Vec<Vec<Word<'a>>>>,
}

impl<'a> Clauses<'a> {
    /// The spaced clauses of cluster `g`'s members.
    pub(super) fn of(members: &[Member<'a>], g: usize) -> Clauses<'a> {
        Clauses {
            members: spaced_clauses(members, g).collect(),
        }
    }

    /// The name (not capitalised) for the pair `a` and `b`: the commonest
    /// stretch, counted once per member, that starts at one of them and
    /// ends at the other, at most [`MAX_NAME_WORDS`] words long, written by
    /// at least two members (the one member of a cluster of one). `None`
    /// when no stretch is that common.
    pub(super) fn bridge(&self, a: &Candidate, b: &Candidate) -> Option<String> {
        if a.norms.is_empty() || b.norms.is_empty() {
            return None;
        }
        let mut counts: HashMap<Vec<&str>, (usize, String)> = HashMap::new();
        for clauses in &self.members {
            let mut seen: HashSet<Vec<&str>> = HashSet::new();
            for clause in clauses {
                for (start, end) in stretches(clause, &a.norms, &b.norms) {
                    let run = &clause[start..end];
                    let key: Vec<&str> = run.iter().map(|w| &*w.norm).collect();
                    if seen.insert(key.clone()) {
                        counts
                            .entry(key)
                            .or_insert_with(|| (0, phrases::show(run)))
                            .0 += 1;
                    }
                }
            }
        }
        super::word_name::commonest(counts, self.members.len().min(2))
    }
}

/// Most words between the two phrases.
const MAX_GAP: usize = 5;

/// Words that, between the two phrases, mean the stretch crosses from one
/// part of a sentence into another ("long does a transfer", "currencies
/// do you support", "rental car I want to pick"): such a stretch reads as
/// a fragment, so the pair keeps its "and".
const CROSSING: &[&str] = &[
    "do", "does", "did", "is", "are", "was", "were", "am", "will", "would", "can", "could",
    "should", "i", "i'm", "you", "it", "me", "we", "they", "he", "she", "want", "need",
];

/// Where `phrase` (normalised words; a plural matches its singular)
/// starts in `clause`.
fn starts(clause: &[Word], phrase: &[String]) -> Vec<usize> {
    if phrase.len() > clause.len() {
        return Vec::new();
    }
    (0..=clause.len() - phrase.len())
        .filter(|&i| {
            phrase
                .iter()
                .zip(&clause[i..])
                .all(|(p, w)| same_word(p, &w.norm))
        })
        .collect()
}

/// Every `(start, end)` of `clause` that begins with one phrase and ends
/// with the other, the two not overlapping, at most [`MAX_NAME_WORDS`]
/// words long, with at most [`MAX_GAP`] words between them and none of
/// them [`CROSSING`] or one of the summariser's old template words
/// ([`super::TEMPLATE_WORDS`], which no name may hold).
fn stretches(clause: &[Word], a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (first, second) in [(a, b), (b, a)] {
        for i in starts(clause, first) {
            let gap_start = i + first.len();
            for j in starts(clause, second) {
                let end = j + second.len();
                if j >= gap_start
                    && j - gap_start <= MAX_GAP
                    && end - i <= MAX_NAME_WORDS
                    && !clause[gap_start..j].iter().any(|w| {
                        CROSSING.contains(&&*w.norm) || super::TEMPLATE_WORDS.contains(&&*w.norm)
                    })
                {
                    out.push((i, end));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::offline::naming::english_members as members;

    fn bridge(texts: &[&str], a: &str, b: &str) -> Option<String> {
        let m = members(texts);
        Clauses::of(&m, 0).bridge(
            &Candidate::one_word_for_test(a, 0.5),
            &Candidate::one_word_for_test(b, 0.4),
        )
    }

    #[test]
    fn two_words_written_together_are_named_as_written() {
        let texts = [
            "set an alarm for 7 am",
            "please set an alarm for tomorrow",
            "set my alarm to six",
            "wake me up",
        ];
        assert_eq!(
            bridge(&texts, "set", "alarm").as_deref(),
            Some("set an alarm")
        );
        // Either order, and a plural matches its singular.
        let texts = [
            "i need a cab for a shared ride",
            "a cab for a shared ride to soma",
        ];
        assert_eq!(
            bridge(&texts, "ride", "cabs").as_deref(),
            Some("cab for a shared ride")
        );
    }

    #[test]
    fn words_never_written_together_keep_their_and() {
        let texts = [
            "my card was stolen",
            "i lost my card",
            "lost it, maybe stolen",
        ];
        // Only one member writes both: not common enough.
        assert_eq!(bridge(&texts, "lost", "stolen"), None);
        let texts = ["flights to paris", "france in may"];
        assert_eq!(bridge(&texts, "paris", "france"), None);
    }

    #[test]
    fn a_long_gap_or_a_stretch_across_clauses_is_not_taken() {
        let texts = [
            "set the very first thing every morning alarm",
            "set the very first thing every morning alarm",
        ];
        assert_eq!(bridge(&texts, "set", "alarm"), None);
        let texts = [
            "how long does a transfer take",
            "how long does a transfer usually take",
        ];
        assert_eq!(bridge(&texts, "long", "transfer"), None);
    }

    #[test]
    fn a_template_word_between_the_phrases_is_not_taken() {
        let texts = [
            "in development mode the request fires twice",
            "development mode the request fires twice on mount",
        ];
        assert_eq!(bridge(&texts, "development", "fires"), None);
        let texts = [
            "in development mode the effect fires twice",
            "development mode the effect fires twice on mount",
        ];
        assert_eq!(
            bridge(&texts, "development", "fires").as_deref(),
            Some("development mode the effect fires")
        );
    }
}
