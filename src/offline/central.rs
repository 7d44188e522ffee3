//! A name for a cluster that has no shared phrase of two or more words:
//! its most central request, quoted. Short single-turn requests ("taxi to
//! the airport", "book a taxi for two") often share one distinctive word
//! and nothing longer, so neither a phrase nor a run around the word
//! (`word_name.rs`) names them; the cluster would be called "Other
//! conversations".
//!
//! Candidates are the cluster's own clauses of two to seven words, with
//! leading and trailing filler ("please", "okay", a greeting) trimmed.
//! A clause scores by the summed scores of the cluster's one-word
//! candidate phrases it contains (recall times precision over the corpus,
//! [`super::naming`]), so a clause that uses the words most of the
//! cluster shares, and other clusters do not, wins. A clause with none of
//! them is never a name: a cluster whose members share no distinctive
//! word is not named after one arbitrary member. It is named by the
//! wording at least half of it shares ("What is …", "Give me …"), which is
//! what grouped it ([`shared_runs`]), or else stays "Other conversations".

use std::collections::{HashMap, HashSet};

use super::naming::{Candidate, MAX_NAME_WORDS, Member, spaced_clauses};
use super::phrases::{self, Word};

/// Options returned.
const OPTIONS: usize = 3;
/// Longest shared run, in words ([`shared_runs`]).
const MAX_RUN: usize = 4;

/// Words trimmed from either end of a clause: fillers and greetings that
/// carry nothing of the request.
const TRIM: &[&str] = &[
    "please", "pls", "plz", "hey", "hi", "hello", "ok", "okay", "so", "and", "but", "well", "um",
    "uh", "oh", "now", "thanks", "thx", "yes", "yeah", "no", "also", "then",
];

/// Up to [`OPTIONS`] names (not capitalised), best first, for cluster `g`
/// from the one-word phrases among its candidates `cands`.
pub(super) fn central_requests(
    members: &[Member<'_>],
    g: usize,
    cands: &[Candidate],
) -> Vec<String> {
    let words: Vec<(&str, f64)> = cands
        .iter()
        .filter(|c| c.norms.len() == 1)
        .map(|c| (c.norms[0].as_str(), c.score))
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    // (score, distance from four words, first seen, shown), one per
    // distinct clause.
    let mut found: Vec<(f64, usize, usize, String)> = Vec::new();
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    for clause in spaced_clauses(members, g).flatten() {
        let Some(c) = usable(&clause, true) else {
            continue;
        };
        let norms: Vec<String> = c.iter().map(|w| w.norm.to_string()).collect();
        if !seen.insert(norms.clone()) {
            continue;
        }
        let mut used: Vec<&str> = Vec::new();
        let mut score = 0.0;
        for n in &norms {
            if used.contains(&n.as_str()) {
                continue;
            }
            if let Some((w, s)) = words.iter().find(|(w, _)| *w == n) {
                used.push(w);
                score += s;
            }
        }
        if score > 0.0 {
            let order = found.len();
            found.push((score, c.len().abs_diff(4), order, phrases::show(c)));
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    found
        .into_iter()
        .take(OPTIONS)
        .map(|(_, _, _, shown)| shown)
        .collect()
}

/// Words at least half of a cluster shares ([`shared_runs`]).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SharedRun {
    /// As first written in the cluster.
    pub shown: String,
    /// Members that use it.
    pub count: usize,
    /// Share of the cluster's members that use it.
    pub share: f64,
    /// Ends on a function word, so a name shows it as unfinished.
    open: bool,
}

impl SharedRun {
    /// As a name (not capitalised): "what is …", "one plus one".
    pub(super) fn name(&self) -> String {
        if self.open {
            format!("{} …", self.shown)
        } else {
            self.shown.clone()
        }
    }
}

/// The cluster's literal common ground when no distinctive word is
/// shared: the commonest runs of two to four words, counted once per
/// conversation, that at least half of cluster `g` uses (at least two
/// members), up to [`OPTIONS`] of them, best first. Named with "…" when
/// a run ends on a function word ("What is …", "Give me …"); a cluster of
/// one is named by its own first clause of two to seven words. Short
/// single-turn requests are grouped this way when what they share is
/// phrasing rather than a subject. Empty when nothing is shared.
pub(super) fn shared_runs(members: &[Member<'_>], g: usize) -> Vec<SharedRun> {
    let mut counts: HashMap<Vec<String>, (usize, usize, String, bool)> = HashMap::new();
    let mut size = 0usize;
    let mut only: Option<String> = None;
    for clauses in spaced_clauses(members, g) {
        size += 1;
        let mut seen: HashSet<Vec<String>> = HashSet::new();
        for clause in clauses {
            if only.is_none()
                && let Some(c) = usable(&clause, false)
            {
                only = Some(phrases::show(c));
            }
            for len in 2..=MAX_RUN.min(clause.len()) {
                for run in clause.windows(len) {
                    let norms: Vec<String> = run.iter().map(|w| w.norm.to_string()).collect();
                    if norms
                        .iter()
                        .any(|n| super::TEMPLATE_WORDS.contains(&n.as_str()))
                        || !seen.insert(norms.clone())
                    {
                        continue;
                    }
                    let order = counts.len();
                    let open = !run[len - 1].content;
                    counts
                        .entry(norms)
                        .or_insert_with(|| (0, order, phrases::show(run), open))
                        .0 += 1;
                }
            }
        }
    }
    if size == 1 {
        return only
            .into_iter()
            .map(|shown| SharedRun {
                shown,
                count: 1,
                share: 1.0,
                open: false,
            })
            .collect();
    }
    let support = size.div_ceil(2).max(2);
    let mut runs: Vec<(usize, usize, usize, String, bool)> = counts
        .into_iter()
        .filter(|(_, (n, ..))| *n >= support)
        .map(|(norms, (n, order, shown, open))| (n, norms.len(), order, shown, open))
        .collect();
    runs.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    runs.into_iter()
        .take(OPTIONS)
        .map(|(count, _, _, shown, open)| SharedRun {
            shown,
            count,
            share: count as f64 / size as f64,
            open,
        })
        .collect()
}

/// `clause` trimmed of filler at both ends, when what is left is two to
/// [`MAX_NAME_WORDS`] spaced words with no word of the summariser's
/// templates and, when `content` is asked for, a content word.
fn usable<'c, 'a>(clause: &'c [Word<'a>], content: bool) -> Option<&'c [Word<'a>]> {
    let filler = |w: &Word| TRIM.contains(&&*w.norm) || phrases::edge_stop(&w.norm);
    let start = clause.iter().position(|w| !filler(w))?;
    let end = clause.iter().rposition(|w| !filler(w))? + 1;
    let c = &clause[start..end];
    let fits = (2..=MAX_NAME_WORDS).contains(&c.len())
        && (!content || c.iter().any(|w| w.content))
        && !c
            .iter()
            .any(|w| super::TEMPLATE_WORDS.contains(&&*w.norm) || w.norm.chars().count() > 24);
    fits.then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::offline::naming::english_members as members;

    #[test]
    fn the_clause_with_the_clusters_distinctive_words_wins() {
        let texts = [
            "please get me a taxi",
            "is a taxi available to the airport",
            "okay, taxi to the airport now please",
            "what is the weather",
        ];
        let cands = [
            Candidate::one_word_for_test("taxi", 0.6),
            Candidate::one_word_for_test("airport", 0.3),
        ];
        let names = central_requests(&members(&texts), 0, &cands);
        assert_eq!(
            names,
            [
                "taxi to the airport",
                "is a taxi available to the airport",
                "get me a taxi"
            ]
        );
    }

    #[test]
    fn no_distinctive_word_gives_no_name() {
        let texts = ["what is love", "what is a trebuchet"];
        assert!(central_requests(&members(&texts), 0, &[]).is_empty());
        let cands = [Candidate::one_word_for_test("lava", 0.5)];
        assert!(central_requests(&members(&texts), 0, &cands).is_empty());
    }

    #[test]
    fn template_words_and_one_word_clauses_are_never_names() {
        let texts = ["the user's request is about taxi", "taxi!", "taxi rides"];
        let cands = [Candidate::one_word_for_test("taxi", 0.6)];
        assert_eq!(
            central_requests(&members(&texts), 0, &cands),
            ["taxi rides"]
        );
    }

    #[test]
    fn shared_phrasing_names_a_cluster_without_a_shared_subject() {
        let texts = [
            "what is love",
            "what is a trebuchet",
            "what is photosynthesis",
            "tell me a joke",
        ];
        let runs = shared_runs(&members(&texts), 0);
        assert_eq!(runs[0].name(), "what is …");
        assert_eq!((runs[0].shown.as_str(), runs[0].count), ("what is", 3));
        assert!((runs[0].share - 0.75).abs() < 1e-9);
        let texts = ["what is one plus one", "solve one plus one", "hello there"];
        assert_eq!(shared_runs(&members(&texts), 0)[0].name(), "one plus one …");
        let texts = ["anything is fine", "play anything", "i can't see"];
        assert!(shared_runs(&members(&texts), 0).is_empty());
        let texts = ["okay, how much is one plus one"];
        let runs = shared_runs(&members(&texts), 0);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].name(), "how much is one plus one");
    }
}
