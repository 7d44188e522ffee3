//! Offline cluster names: short phrases from the cluster's own text.
//!
//! Every phrase of one to six words that starts and ends on a content
//! word ([`super::phrases`]) is counted once per conversation. A phrase
//! scores by how much of the cluster uses it (recall) times how much of its
//! use falls inside the cluster (precision), with a bonus per content word:
//! template phrases that every cluster shares ("what's the best way",
//! "hope you're well") have low precision and never win. The name is the
//! best phrase of two to seven words (or the best two phrases, written as
//! the members wrote them together, `bridge.rs`, or joined by "and"),
//! unique among the clusters named together and different from the names
//! in `avoid` (a parent never repeats a child's name; `choose.rs`); a cluster
//! whose phrases are all one word long is named by a run of words around
//! its best word (`word_name.rs`) or, failing that, by its most central
//! request (`central.rs`). Offline, the base clusters are
//! named again against their siblings once the first level exists
//! ([`super::siblings`]). When at
//! least 80% of a cluster is one language other than English the name
//! says so ("German: Anschreiben"), and a cluster held together by its
//! language alone is named for that ("German: Mixed topics (…)",
//! `language_group.rs`). The description is one sentence: the
//! phrases with their shares and a typical request, all quoted from the
//! conversations, never a template about them (`describe.rs`).

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use rayon::prelude::*;

use super::phrases::{self, Word};
use crate::model::{Summary, slugify};
use crate::pipeline::naming::GeneratedName;

pub(super) use super::choose::choose;
pub use super::choose::{Banned, normal, overlaps};
use super::taken::Taken;

/// Part of checkpoint keys: changes whenever offline names would.
pub const IDENTITY: &str = "offline-phrases-v15-no-template-word-in-a-bridge";
/// Share of a cluster in one non-English language that puts the language
/// in its name.
pub const LANGUAGE_SHARE: f64 = 0.8;
/// The name of a cluster that shares nothing the rules can name.
pub const OTHER: &str = "Other conversations";
/// Longest name, in words (language prefix not counted).
pub const MAX_NAME_WORDS: usize = 7;
/// Candidate phrases kept per cluster.
const CANDIDATES: usize = 24;
/// Bonus per content word beyond the first.
const CONTENT_BONUS: f64 = 0.3;

/// One conversation to name from.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// Its cluster, `0..groups`.
    pub group: usize,
    /// Its summary (or other facet text).
    pub text: &'a str,
    /// Its main natural language, when known (`"german"`).
    pub language: Option<&'a str>,
}

/// Each member of cluster `g` in turn, as its clauses written with
/// spaces (clauses of unspaced scripts left out).
pub(super) fn spaced_clauses<'m, 'a>(
    members: &'m [Member<'a>],
    g: usize,
) -> impl Iterator<Item = Vec<Vec<Word<'a>>>> + 'm {
    members.iter().filter(move |m| m.group == g).map(|m| {
        let mut clauses = phrases::clauses(m.text);
        clauses.retain(|c| !c.iter().any(|w| w.glued));
        clauses
    })
}

/// Members of cluster 0 in English, one per text, for tests.
#[cfg(test)]
pub(super) fn english_members<'a>(texts: &'a [&'a str]) -> Vec<Member<'a>> {
    texts
        .iter()
        .map(|t| Member {
            group: 0,
            text: t,
            language: Some("english"),
        })
        .collect()
}

#[cfg(test)]
impl Candidate {
    /// A candidate with only a key, score and share, for tests.
    pub(super) fn for_test(key: u64, score: f64, share: f64) -> Candidate {
        Candidate {
            key,
            score,
            share,
            words: 2,
            norms: Vec::new(),
            shown: String::new(),
        }
    }

    /// A one-word candidate, for tests.
    pub(super) fn one_word_for_test(word: &str, score: f64) -> Candidate {
        Candidate {
            key: phrases::key(&phrases::clauses(word)[0]),
            score,
            share: score,
            words: 1,
            norms: vec![word.to_string()],
            shown: word.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct PhraseInfo {
    df: u32,
    content: u8,
    words: u8,
}

/// A phrase of one cluster with its score.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub key: u64,
    pub score: f64,
    /// Share of the cluster's members that use it.
    pub share: f64,
    /// Words it counts as in a name.
    pub words: usize,
    /// Its words, normalised.
    pub norms: Vec<String>,
    /// As first written in the cluster.
    pub shown: String,
}

/// Every cluster's phrases, scored against all the members given.
pub(super) struct Scored {
    /// Each member's phrases: (key, content words, words), sorted by key.
    pub doc_phrases: Vec<Vec<(u64, u8, u8)>>,
    /// Members per cluster.
    pub sizes: Vec<usize>,
    /// Each cluster's candidates, best first.
    pub candidates: Vec<Vec<Candidate>>,
}

/// Counts and ranks every cluster's phrases (see the module doc).
pub(super) fn score(members: &[Member<'_>], groups: usize) -> Scored {
    let doc_phrases: Vec<Vec<(u64, u8, u8)>> = members
        .par_iter()
        .map(|m| {
            let mut keys = Vec::new();
            for clause in phrases::clauses(m.text) {
                phrases::for_each_phrase(&clause, |p| {
                    let content = p.iter().filter(|w| w.content).count().min(255) as u8;
                    let words = phrases::word_count(p).min(255) as u8;
                    keys.push((phrases::key(p), content, words));
                });
            }
            keys.sort_unstable_by_key(|k| k.0);
            keys.dedup_by_key(|k| k.0);
            keys
        })
        .collect();
    let mut total: FxHashMap<u64, PhraseInfo> = FxHashMap::default();
    for keys in &doc_phrases {
        for &(k, content, words) in keys {
            total
                .entry(k)
                .or_insert(PhraseInfo {
                    df: 0,
                    content,
                    words,
                })
                .df += 1;
        }
    }
    let mut sizes = vec![0usize; groups];
    let mut per_group: Vec<FxHashMap<u64, u32>> = vec![FxHashMap::default(); groups];
    for (m, keys) in members.iter().zip(&doc_phrases) {
        let Some(counts) = per_group.get_mut(m.group) else {
            continue;
        };
        sizes[m.group] += 1;
        for &(k, _, _) in keys {
            *counts.entry(k).or_insert(0) += 1;
        }
    }
    let mut candidates: Vec<Vec<Candidate>> = per_group
        .par_iter()
        .zip(&sizes)
        .map(|(counts, &n)| ranked(counts, n, &total))
        .collect();
    fill_shown(members, &mut candidates);
    Scored {
        doc_phrases,
        sizes,
        candidates,
    }
}

/// Names `groups` clusters from their members. `avoid[g]` (when present)
/// holds the names cluster `g` must not take.
pub fn name_groups(members: &[Member<'_>], groups: usize, avoid: &[Banned]) -> Vec<GeneratedName> {
    let Scored {
        doc_phrases,
        sizes,
        candidates,
    } = score(members, groups);
    let mut order: Vec<usize> = (0..groups).collect();
    order.sort_by(|a, b| sizes[*b].cmp(&sizes[*a]).then(a.cmp(b)));
    let by_language = super::language_group::language_groups(members, &sizes, &candidates);
    let mut taken = Taken::default();
    let mut out: Vec<Option<GeneratedName>> = vec![None; groups];
    for g in order {
        let prefix = language_prefix(members, g, sizes[g]);
        let none = Banned::default();
        let banned = avoid.get(g).unwrap_or(&none);
        let group = by_language[g].as_ref();
        let name = super::options::pick(members, g, &candidates[g], &prefix, group, &taken, banned);
        taken.insert(&name);
        let mut description =
            super::describe::describe(members, &doc_phrases, g, &candidates[g], &prefix);
        if let Some(group) = group {
            description = format!("{} {description}", group.note());
        }
        out[g] = Some(GeneratedName {
            slug: slugify(&name, 5),
            name,
            description,
        });
    }
    out.into_iter()
        .map(|n| {
            n.unwrap_or_else(|| GeneratedName {
                name: OTHER.into(),
                description: String::new(),
                slug: "other-conversations".into(),
            })
        })
        .collect()
}

/// Names base clusters: `rows[g]` are the positions in `summaries` of
/// cluster `g`'s conversations.
pub fn name_clusters(summaries: &[Summary], rows: &[Vec<usize>]) -> Vec<GeneratedName> {
    let texts = member_texts(summaries, rows);
    name_groups(&members(&texts), rows.len(), &[])
}

/// Each conversation of the clusters as (cluster, text to name from, main
/// language), in cluster order; [`members`] borrows them.
pub(super) fn member_texts<'a>(
    summaries: &'a [Summary],
    rows: &[Vec<usize>],
) -> Vec<(usize, String, Option<&'a str>)> {
    rows.iter()
        .enumerate()
        .flat_map(|(g, rs)| rs.iter().map(move |r| (g, *r)))
        .filter_map(|(g, r)| summaries.get(r).map(|s| (g, s)))
        .map(|(g, s)| (g, s.embedding_text(), main_language(s)))
        .collect()
}

/// The members to name from, borrowing [`member_texts`]' output.
pub(super) fn members<'a>(texts: &'a [(usize, String, Option<&'a str>)]) -> Vec<Member<'a>> {
    texts
        .iter()
        .map(|(g, t, l)| Member {
            group: *g,
            text: t,
            language: *l,
        })
        .collect()
}

pub(super) fn main_language(s: &Summary) -> Option<&str> {
    super::coverage::main_languages(std::slice::from_ref(s))
        .next()
        .flatten()
}

fn ranked(
    counts: &FxHashMap<u64, u32>,
    n: usize,
    total: &FxHashMap<u64, PhraseInfo>,
) -> Vec<Candidate> {
    if n == 0 {
        return Vec::new();
    }
    let support = ((n as f64 * 0.05).ceil() as u32).max(n.min(2) as u32);
    let mut out: Vec<Candidate> = counts
        .iter()
        .filter(|(_, c)| **c >= support)
        .filter_map(|(k, &c)| {
            let info = total.get(k)?;
            let recall = f64::from(c) / n as f64;
            let precision = f64::from(c) / f64::from(info.df.max(1));
            let bonus = 1.0 + CONTENT_BONUS * f64::from(info.content.clamp(1, 4) - 1);
            Some(Candidate {
                key: *k,
                score: recall * precision * bonus,
                share: recall,
                words: usize::from(info.words),
                norms: Vec::new(),
                shown: String::new(),
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
    out.truncate(CANDIDATES);
    out
}

/// Finds how each candidate phrase is written (its first occurrence).
fn fill_shown(members: &[Member<'_>], candidates: &mut [Vec<Candidate>]) {
    let mut wanted: Vec<FxHashMap<u64, usize>> = candidates
        .iter()
        .map(|cs| cs.iter().enumerate().map(|(i, c)| (c.key, i)).collect())
        .collect();
    for m in members {
        let Some(want) = wanted.get_mut(m.group) else {
            continue;
        };
        if want.is_empty() {
            continue;
        }
        for clause in phrases::clauses(m.text) {
            phrases::for_each_phrase(&clause, |p| {
                if let Some(i) = want.remove(&phrases::key(p)) {
                    let c = &mut candidates[m.group][i];
                    c.shown = phrases::show(p);
                    c.norms = p.iter().map(|w: &Word| w.norm.to_string()).collect();
                }
            });
        }
    }
    for cs in candidates.iter_mut() {
        cs.retain(|c| !c.shown.is_empty());
    }
}

pub(super) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "German: " when at least [`LANGUAGE_SHARE`] of the group is one
/// language other than English.
pub(super) fn language_prefix(members: &[Member<'_>], g: usize, size: usize) -> String {
    if size == 0 {
        return String::new();
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for m in members.iter().filter(|m| m.group == g) {
        if let Some(l) = m.language {
            *counts.entry(l).or_default() += 1;
        }
    }
    match counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
    {
        Some((lang, n)) if lang != "english" && n as f64 >= LANGUAGE_SHARE * size as f64 => {
            format!("{}: ", capitalise(lang))
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_sharing_nothing_quotes_a_sentence_not_a_fragment() {
        let texts = [(0, "up"), (0, "play the radio in the kitchen"), (0, "lamp")];
        let names = name_groups(&members(&texts), 1, &[]);
        assert!(
            names[0]
                .description
                .ends_with("for example: “play the radio in the kitchen”."),
            "{}",
            names[0].description
        );
    }

    #[test]
    fn a_cluster_sharing_only_wording_says_so() {
        let texts = [
            (0, "what is love"),
            (0, "what is a trebuchet"),
            (0, "what is photosynthesis"),
            (1, "set an alarm for seven"),
            (1, "set an alarm for six"),
        ];
        let names = name_groups(&members(&texts), 2, &[]);
        assert_eq!(names[0].name, "What is …");
        assert!(
            names[0].description.starts_with(
                "Conversations that share the wording “what is” (100%) but no subject"
            ),
            "{}",
            names[0].description
        );
    }

    fn members<'a>(texts: &'a [(usize, &'a str)]) -> Vec<Member<'a>> {
        texts
            .iter()
            .map(|(g, t)| Member {
                group: *g,
                text: t,
                language: Some("english"),
            })
            .collect()
    }

    #[test]
    fn names_are_distinctive_phrases_not_templates() {
        let texts = [
            (
                0,
                "What's the best way to write a cover letter for a designer job?",
            ),
            (0, "I've been struggling to write a cover letter all day."),
            (0, "Can you help me write a cover letter quickly?"),
            (
                1,
                "What's the best way to rebook a missed connecting flight?",
            ),
            (
                1,
                "I've been struggling to rebook a missed connecting flight all day.",
            ),
            (1, "How do I rebook a missed connecting flight?"),
        ];
        let names = name_groups(&members(&texts), 2, &[]);
        assert_eq!(names[0].name, "Write a cover letter");
        assert_eq!(names[1].name, "Rebook a missed connecting flight");
        assert!(
            names[0]
                .description
                .contains("“write a cover letter” (100%)"),
            "{}",
            names[0].description
        );
        assert!(!names[0].description.contains('\n'));
    }

    #[test]
    fn avoids_taken_and_forbidden_names() {
        let texts = [
            (0, "rust borrow checker error"),
            (0, "rust borrow checker lifetimes"),
            (1, "python pandas dataframe merge"),
            (1, "python pandas dataframe filter"),
        ];
        let avoid = vec![
            Banned::children(&["Rust borrow checker".to_string()]),
            Banned::default(),
        ];
        let names = name_groups(&members(&texts), 2, &avoid);
        // Every phrase of group 0 overlaps the forbidden name, so it takes
        // one that at least differs from it.
        assert_ne!(normal(&names[0].name), "rust borrow checker");
        assert_ne!(names[0].name, names[1].name);
    }

    #[test]
    fn a_parent_avoids_names_that_hold_a_childs() {
        let texts = [
            (0, "fix the rust borrow checker error in my parser"),
            (0, "rust borrow checker error when I fix lifetimes"),
            (0, "rust borrow checker error again, fix please"),
        ];
        let avoid = vec![Banned::children(&["Rust borrow checker".to_string()])];
        let names = name_groups(&members(&texts), 1, &avoid);
        assert!(
            !overlaps(&normal(&names[0].name), "rust borrow checker"),
            "{}",
            names[0].name
        );
    }

    #[test]
    fn language_prefix_when_most_members_share_it() {
        let texts = [
            (0, "Anschreiben für eine Stelle schreiben"),
            (0, "Anschreiben kürzer machen"),
        ];
        let ms: Vec<Member<'_>> = texts
            .iter()
            .map(|(g, t)| Member {
                group: *g,
                text: t,
                language: Some("german"),
            })
            .collect();
        let names = name_groups(&ms, 1, &[]);
        assert!(names[0].name.starts_with("German: "), "{}", names[0].name);
        assert!(
            names[0].description.starts_with("In German, "),
            "{}",
            names[0].description
        );
    }
}
