//! Clusters held together by their language alone.
//!
//! An embedder that does not match meanings across languages (the lexical
//! one, the English-only MiniLM) puts a minority language's conversations
//! together whatever they ask about. The phrases such a cluster shares are
//! then that language's ways of asking ("komme nicht weiter", "peux
//! m'expliquer comment"), and naming it by them, or by the one topic a
//! few of its members share, says something the cluster does not have.
//! Such a cluster is named for what it is: "German: Mixed topics
//! (Jahre Berufserfahrung, Abo-Abbuchung)" (its most specific phrases as
//! examples, to tell it apart), or "Conversations in French, Spanish and
//! Portuguese" when no one
//! language makes up [`LANGUAGE_SHARE`] of it, and its description says
//! why and what groups such conversations by topic.
//!
//! A cluster counts as grouped by language when all of these hold:
//! - at least [`LANGUAGE_SHARE`] of it is in languages other than English;
//! - it holds at least [`MIN_LIFT`] times more of the corpus's conversations
//!   in those languages than of the corpus as a whole (so in a German
//!   corpus, or one where German is half, German clusters are not);
//! - none of its candidate phrases (the ones most distinctive of it, from
//!   [`super::naming`]'s scoring) is used by [`TOPIC_SHARE`] of it or more
//!   (a cluster of one language and one topic keeps its topic's name).

use std::collections::HashMap;

use super::describe::join_and;
use super::naming::{Candidate, LANGUAGE_SHARE, MAX_NAME_WORDS, Member, capitalise};
use super::phrases::content_word;
use super::script::starts_unspaced;

/// How much more of its languages' conversations than of the corpus a
/// cluster must hold.
pub const MIN_LIFT: f64 = 3.0;
/// A phrase used by this share of a cluster makes it a topic.
pub const TOPIC_SHARE: f64 = 0.5;
/// A language listed in a cluster's name makes up at least this share.
const LISTED_SHARE: f64 = 0.1;
/// Most languages named; with more, the first two "and others".
const MAX_LISTED: usize = 3;
/// Most phrases quoted in a one-language name.
const MAX_PHRASES: usize = 3;
/// Longest phrase quoted, in words.
const MAX_QUOTED_WORDS: usize = 3;

/// A cluster grouped by language (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LanguageGroup {
    /// Its languages other than English, largest first, with their counts.
    languages: Vec<(String, usize)>,
    /// Its conversations in those languages.
    held: usize,
    /// The corpus's conversations in those languages.
    of: usize,
    /// The largest share of it that one of its candidate phrases has.
    top_share: f64,
}

/// For each of `groups` clusters, whether it is grouped by language.
/// `members` is the whole corpus; `candidates[g]` are cluster `g`'s phrases.
pub(super) fn language_groups(
    members: &[Member<'_>],
    sizes: &[usize],
    candidates: &[Vec<Candidate>],
) -> Vec<Option<LanguageGroup>> {
    let mut corpus: HashMap<&str, usize> = HashMap::new();
    let mut per_group: Vec<HashMap<&str, usize>> = vec![HashMap::new(); sizes.len()];
    for m in members {
        let Some(l) = m.language.filter(|l| *l != "english") else {
            continue;
        };
        *corpus.entry(l).or_default() += 1;
        if let Some(counts) = per_group.get_mut(m.group) {
            *counts.entry(l).or_default() += 1;
        }
    }
    let total = members.len();
    per_group
        .into_iter()
        .zip(sizes)
        .enumerate()
        .map(|(g, (counts, &size))| {
            let top_share = candidates
                .get(g)
                .into_iter()
                .flatten()
                .filter(|c| could_name(c))
                .map(|c| c.share)
                .fold(0.0, f64::max);
            detect(counts, size, total, &corpus, top_share)
        })
        .collect()
}

/// Whether a phrase could name a cluster alone: any spaced phrase (one
/// word such as "Rust" is a topic), but in an unspaced script two
/// characters or more (one katakana is not).
fn could_name(c: &Candidate) -> bool {
    !starts_unspaced(&c.shown) || c.shown.chars().count() >= 2
}

/// Phrases of two or more content words (or unspaced runs of three or more
/// characters) say more about a topic than one word does ("Jahre
/// Berufserfahrung" before "etwa").
fn specific(c: &Candidate) -> bool {
    if starts_unspaced(&c.shown) {
        c.shown.chars().count() >= 3
    } else {
        c.norms.iter().filter(|w| content_word(w)).count() >= 2
    }
}

fn detect(
    counts: HashMap<&str, usize>,
    size: usize,
    total: usize,
    corpus: &HashMap<&str, usize>,
    top_share: f64,
) -> Option<LanguageGroup> {
    let held: usize = counts.values().sum();
    if size == 0 || total == 0 || (held as f64) < LANGUAGE_SHARE * size as f64 {
        return None;
    }
    if top_share >= TOPIC_SHARE {
        return None;
    }
    let of: usize = counts.keys().filter_map(|l| corpus.get(l)).sum();
    let lift = (held as f64 / of.max(1) as f64) / (size as f64 / total as f64);
    if lift < MIN_LIFT {
        return None;
    }
    let mut languages: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(l, n)| (l.to_string(), n))
        .collect();
    languages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(LanguageGroup {
        languages,
        held,
        of,
        top_share,
    })
}

impl LanguageGroup {
    /// Its possible names, best first, without the "German: " prefix the
    /// caller adds when one language makes up [`LANGUAGE_SHARE`] of the
    /// cluster (`prefixed`). Phrases are quoted as examples in `cands`'
    /// order, only the [`specific`] ones when it has any; each further
    /// option starts one phrase later, so that a parent made mostly of one
    /// child can still quote other phrases than the child does.
    pub(super) fn names(&self, cands: &[Candidate], prefixed: bool) -> Vec<String> {
        if !prefixed {
            return vec![format!("Conversations in {}", self.listed())];
        }
        let short = |c: &&Candidate| c.words <= MAX_QUOTED_WORDS;
        let mut ordered: Vec<&Candidate> =
            cands.iter().filter(|c| specific(c)).filter(short).collect();
        if ordered.is_empty() {
            ordered = cands
                .iter()
                .filter(|c| could_name(c))
                .filter(short)
                .collect();
        }
        let mut out: Vec<String> = Vec::new();
        for skip in 0..=MAX_PHRASES.min(ordered.len()) {
            let name = quoted(&ordered[skip..]);
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// The languages the name lists, largest first: those that make up
    /// [`LISTED_SHARE`] of it ("French, Spanish and Portuguese"); when more
    /// than [`MAX_LISTED`] do, the first two "and others".
    fn listed(&self) -> String {
        let total: usize = self.languages.iter().map(|(_, n)| n).sum();
        let mut names: Vec<String> = self
            .languages
            .iter()
            .filter(|(_, n)| *n as f64 >= LISTED_SHARE * total as f64)
            .map(|(l, _)| capitalise(l))
            .collect();
        if names.is_empty() {
            return format!("{} languages", self.languages.len());
        }
        if names.len() > MAX_LISTED {
            names.truncate(2);
            names.push("others".into());
        }
        join_and(&names)
    }

    /// The sentence a description starts with: why the cluster is named as
    /// it is, and what would group its conversations by topic.
    pub(super) fn note(&self) -> String {
        format!(
            "Grouped by language, not by topic: it holds {} of the corpus's {} conversations in {}, \
             and none of its distinctive phrases is used by half of it (at most {:.0}%). An \
             embedder that matches meanings across languages (`kura-tui model install \
             multilingual`) or an LLM provider (its summaries are in English) groups them by topic.",
            self.held,
            self.of,
            self.listed_plain(),
            100.0 * self.top_share
        )
    }

    /// All its languages, for the description.
    fn listed_plain(&self) -> String {
        let names: Vec<String> = self.languages.iter().map(|(l, _)| capitalise(l)).collect();
        join_and(&names)
    }
}

/// "Mixed topics (a, b, c)": up to [`MAX_PHRASES`] of `phrases` that
/// share no word and fit in [`MAX_NAME_WORDS`].
fn quoted(phrases: &[&Candidate]) -> String {
    let mut words = 2;
    let mut quoted: Vec<&Candidate> = Vec::new();
    for c in phrases {
        if quoted.len() == MAX_PHRASES {
            break;
        }
        let clash = quoted
            .iter()
            .any(|q| q.norms.iter().any(|w| c.norms.contains(w)));
        if clash || words + c.words > MAX_NAME_WORDS {
            continue;
        }
        words += c.words;
        quoted.push(c);
    }
    if quoted.is_empty() {
        return "Mixed topics".into();
    }
    let shown: Vec<&str> = quoted.iter().map(|c| c.shown.as_str()).collect();
    format!("Mixed topics ({})", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(group: usize, language: &'static str) -> Member<'static> {
        Member {
            group,
            text: "",
            language: Some(language),
        }
    }

    /// 90 English conversations over clusters 0..3 and 10 German ones in
    /// cluster 3.
    fn corpus() -> (Vec<Member<'static>>, Vec<usize>) {
        let mut members: Vec<Member> = (0..90).map(|i| member(i % 3, "english")).collect();
        members.extend((0..10).map(|_| member(3, "german")));
        (members, vec![30, 30, 30, 10])
    }

    #[test]
    fn a_minority_language_without_a_shared_phrase_is_a_language_group() {
        let (members, sizes) = corpus();
        let weak = vec![Candidate::for_test(1, 0.1, 0.3)];
        let cands = vec![Vec::new(), Vec::new(), Vec::new(), weak];
        let groups = language_groups(&members, &sizes, &cands);
        assert_eq!(groups[..3], [None, None, None]);
        let g = groups[3].as_ref().expect("German is grouped by language");
        assert_eq!((g.held, g.of), (10, 10));
        assert!(g.note().starts_with("Grouped by language, not by topic: it holds 10 of the corpus's 10 conversations in German"), "{}", g.note());
    }

    #[test]
    fn a_shared_topic_or_a_majority_language_keeps_the_phrase_name() {
        let (members, sizes) = corpus();
        let topic = vec![Candidate::for_test(1, 0.5, 0.6)];
        let cands = vec![Vec::new(), Vec::new(), Vec::new(), topic];
        assert_eq!(language_groups(&members, &sizes, &cands)[3], None);
        // A German corpus: German clusters are German by nature.
        let members: Vec<Member> = (0..40).map(|i| member(i % 4, "german")).collect();
        let groups = language_groups(&members, &[10, 10, 10, 10], &[]);
        assert!(groups.iter().all(Option::is_none));
    }

    #[test]
    fn german_asking_about_everything_is_named_as_such_not_by_its_phrasing() {
        let mut texts: Vec<(usize, String, &str)> = Vec::new();
        for i in 0..20 {
            texts.push((
                0,
                format!("set an alarm for {} am tomorrow", i % 9 + 1),
                "english",
            ));
            texts.push((
                1,
                format!("will it rain in city {i} this weekend"),
                "english",
            ));
        }
        let asks = [
            "einen Lebenslauf für den Vertrieb schreiben",
            "unser Budget für den Urlaub planen",
            "eine Zugverbindung nach Wien buchen",
            "einen Blogartikel über Sauerteig gliedern",
            "eine Excel-Tabelle nach Monat summieren",
        ];
        for (i, ask) in asks.iter().cycle().take(10).enumerate() {
            let frame = if i % 2 == 0 {
                format!("Ich versuche, {ask}, und komme nicht weiter.")
            } else {
                format!("Kannst du mir helfen, {ask}?")
            };
            texts.push((2, frame, "german"));
        }
        let members: Vec<Member> = texts
            .iter()
            .map(|(g, t, l)| Member {
                group: *g,
                text: t,
                language: Some(l),
            })
            .collect();
        let names = super::super::naming::name_groups(&members, 3, &[]);
        let german = &names[2];
        assert!(
            german.name.starts_with("German: Mixed topics ("),
            "{}",
            german.name
        );
        assert!(
            !german.name.to_lowercase().contains("komme"),
            "{}",
            german.name
        );
        assert!(
            german
                .description
                .starts_with("Grouped by language, not by topic: it holds 10 of the corpus's 10"),
            "{}",
            german.description
        );
        assert!(!names[0].name.contains("Mixed"), "{}", names[0].name);
    }

    #[test]
    fn names_quote_distinct_phrases_or_list_languages() {
        let group = |langs: &[(&str, usize)]| LanguageGroup {
            languages: langs.iter().map(|(l, n)| (l.to_string(), *n)).collect(),
            held: langs.iter().map(|(_, n)| n).sum(),
            of: 100,
            top_share: 0.2,
        };
        let shown = |word: &str, shown: &str, score: f64| {
            let mut c = Candidate::one_word_for_test(word, score);
            c.shown = shown.into();
            c
        };
        let german = group(&[("german", 9)]);
        let cands = [
            shown("anschreiben", "Anschreiben", 0.3),
            shown("anschreiben", "anschreiben", 0.2),
            shown("budget", "Budget", 0.1),
        ];
        // The second "anschreiben" repeats a word already quoted.
        assert_eq!(
            german.names(&cands, true),
            [
                "Mixed topics (Anschreiben, Budget)",
                "Mixed topics (anschreiben, Budget)",
                "Mixed topics (Budget)",
                "Mixed topics"
            ]
        );
        assert_eq!(german.names(&[], true), ["Mixed topics"]);
        let three = group(&[
            ("portuguese", 34),
            ("french", 30),
            ("spanish", 26),
            ("italian", 2),
        ]);
        // Italian, under a tenth, is left to the description.
        assert_eq!(
            three.names(&[], false)[0],
            "Conversations in Portuguese, French and Spanish"
        );
        assert!(
            three
                .note()
                .contains("in Portuguese, French, Spanish and Italian,")
        );
        let five = group(&[
            ("french", 10),
            ("spanish", 10),
            ("german", 10),
            ("italian", 10),
            ("dutch", 10),
        ]);
        assert_eq!(
            five.names(&[], false),
            ["Conversations in French, Spanish and others"]
        );
    }
}
