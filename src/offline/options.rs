//! The possible names of one offline cluster, best first
//! ([`super::naming`]): its phrases of two to seven words and pairs of
//! phrases, written as the members wrote them together (`bridge.rs`) or
//! else joined by "and"; failing those, a run around its best word
//! (`word_name.rs`), its most central requests, or the wording half of it
//! shares (`central.rs`).

use std::cell::OnceCell;
use std::collections::HashSet;

use super::bridge::Clauses;
use super::naming::{Candidate, MAX_NAME_WORDS, Member, capitalise, normal};

/// Names a pair of candidates as the members wrote them together, or `None`.
pub(super) type Bridge<'b> = &'b dyn Fn(&Candidate, &Candidate) -> Option<String>;

/// Possible names for cluster `g` from its candidates, best first
/// ([`name_options`]); when there is none, a run of words around its best
/// one-word phrase (`word_name.rs`), then its most central requests, then
/// the phrasing at least half of it shares (both `central.rs`).
pub(super) fn options_for(
    members: &[Member<'_>],
    g: usize,
    cands: &[Candidate],
) -> Vec<(String, f64)> {
    let clauses = OnceCell::new();
    let bridge =
        |a: &Candidate, b: &Candidate| clauses.get_or_init(|| Clauses::of(members, g)).bridge(a, b);
    let mut options = name_options(cands, &bridge);
    if !options.is_empty() {
        return options;
    }
    if let Some(word) = cands.iter().find(|c| c.norms.len() == 1)
        && let Some(name) = super::word_name::around_word(members, g, &word.norms[0])
    {
        options.push((capitalise(&name), 0.0));
    }
    for name in super::central::central_requests(members, g, cands) {
        let name = capitalise(&name);
        if !options.iter().any(|(o, _)| normal(o) == normal(&name)) {
            options.push((name, 0.0));
        }
    }
    if options.is_empty() {
        for run in super::central::shared_runs(members, g) {
            options.push((capitalise(&run.name()), 0.0));
        }
    }
    options
}

/// Possible names, best first: phrases of two or more words (three or more
/// characters in an unspaced script), and pairs of phrases that share no
/// word (counting inflections as one word: never "Alarm and alarms" nor
/// "Verify and verifying") and are not two halves of one phrase. A pair
/// is named by `bridge` when it can be ("Set an alarm"), else joined by
/// "and" ("Lost and stolen").
pub(super) fn name_options(cands: &[Candidate], bridge: Bridge<'_>) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let long_enough = |c: &Candidate| {
        if is_unspaced(&c.shown) {
            c.shown.chars().count() >= 3
        } else {
            c.words >= 2
        }
    };
    for c in cands {
        if long_enough(c) && c.words <= MAX_NAME_WORDS {
            out.push((capitalise(&c.shown), c.score));
        }
    }
    let top: Vec<&Candidate> = cands
        .iter()
        .filter(|c| !is_unspaced(&c.shown) || c.shown.chars().count() >= 2)
        .take(6)
        .collect();
    let fragments = |a: &Candidate, b: &Candidate| {
        cands
            .iter()
            .any(|c| a.norms.iter().chain(&b.norms).all(|w| c.norms.contains(w)))
    };
    for (i, a) in top.iter().enumerate() {
        for b in top.iter().skip(i + 1) {
            if a.words + b.words + 1 > MAX_NAME_WORDS
                || a.norms
                    .iter()
                    .any(|w| b.norms.iter().any(|v| same_family(w, v)))
                || fragments(a, b)
            {
                continue;
            }
            let joined = if is_unspaced(&a.shown) {
                format!("{}・{}", a.shown, b.shown)
            } else if let Some(together) = bridge(a, b) {
                capitalise(&together)
            } else {
                format!("{} and {}", capitalise(&a.shown), b.shown)
            };
            out.push((joined, 0.45 * (a.score + b.score)));
        }
    }
    if out.is_empty()
        && let Some(name) = joined_fallback(cands)
    {
        out.push(name);
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut seen = HashSet::new();
    out.retain(|(n, _)| seen.insert(normal(n)));
    out
}

/// When no candidate is long enough alone and no two fit together: the
/// leading candidates joined (overlaps allowed) until the name is long
/// enough, or none at all (the caller then says "Other conversations").
/// Never a one-character name such as `解`.
fn joined_fallback(cands: &[Candidate]) -> Option<(String, f64)> {
    let first = cands.first()?;
    let unspaced = is_unspaced(&first.shown);
    let mut parts: Vec<&str> = Vec::new();
    let mut taken: Vec<&Candidate> = Vec::new();
    let mut score = 0.0;
    for c in cands.iter().take(6) {
        if is_unspaced(&c.shown) != unspaced
            || parts.iter().any(|p| p.contains(&*c.shown))
            || taken.iter().any(|t| same_phrase(t, c))
        {
            continue;
        }
        parts.push(&c.shown);
        taken.push(c);
        score += c.score;
        let enough = if unspaced {
            parts.iter().map(|p| p.chars().count()).sum::<usize>() >= 3
        } else {
            parts
                .iter()
                .map(|p| p.split_whitespace().count())
                .sum::<usize>()
                >= 2
        };
        if enough {
            let name = if unspaced {
                parts.join("・")
            } else {
                capitalise(&parts.join(" and "))
            };
            return Some((name, 0.4 * score));
        }
    }
    None
}

/// The key under which a name counts as taken: [`naming::normal`] with
/// each word's English plural reduced to its singular, so siblings named
/// "Adventure movie" and "Adventure movies" count as sharing a name.
///
/// [`naming::normal`]: super::naming::normal
pub(super) fn taken_key(normal: &str) -> String {
    normal
        .split(' ')
        .map(singular)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A lower-cased word's key up to a regular English plural: the plural
/// ending goes ("movies", "boxes", "songs"), then a final "ie" becomes
/// "y" so "movie"/"movies" and "city"/"cities" meet. Words that end in s
/// without being plurals stay whole ("class", "status", "analysis", "bus").
fn singular(w: &str) -> String {
    let n = w.len();
    let stem = if n > 4
        && ["xes", "ches", "shes", "sses", "zes"]
            .iter()
            .any(|e| w.ends_with(e))
    {
        &w[..n - 2]
    } else if n > 3 && w.ends_with('s') && !["ss", "us", "is"].iter().any(|e| w.ends_with(e)) {
        &w[..n - 1]
    } else {
        w
    };
    match stem.strip_suffix("ie") {
        Some(head) if head.len() > 1 => format!("{head}y"),
        _ => stem.to_string(),
    }
}

/// Whether two lower-cased words are one word, counting an English plural
/// ("alarm"/"alarms", "box"/"boxes", "city"/"cities") as its singular.
pub(super) fn same_word(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short == long {
        return true;
    }
    match long.strip_prefix(short) {
        Some("s" | "es") => true,
        _ => long
            .strip_suffix("ies")
            .is_some_and(|stem| short.strip_suffix('y') == Some(stem) && !stem.is_empty()),
    }
}

/// Endings that inflect one English word: after a shared stem of four or
/// more letters, two words whose endings are both here are one word in a
/// name ("verify"/"verifying", "activate"/"activating", "stole"/"stolen",
/// "happening"/"happened", "quiet"/"quieter").
const INFLECTIONS: &[&str] = &[
    "", "e", "s", "es", "d", "ed", "ing", "er", "ers", "est", "en", "n", "y", "ies", "ied", "ying",
];

/// Inflections after a doubled final consonant ("cancelled", "stopping").
const DOUBLED: &[&str] = &["ed", "ing", "er", "ers", "est", "en"];

/// Whether two lower-cased words are forms of one word: [`same_word`], or
/// a shared stem of four or more letters followed by [`INFLECTIONS`] (a
/// hyphen ignored: "one-way"/"oneway"). "port"/"portland" and
/// "transfer"/"transaction" stay two words.
pub(super) fn same_family(a: &str, b: &str) -> bool {
    if same_word(a, b) {
        return true;
    }
    let a: Vec<char> = a.chars().filter(|c| *c != '-').collect();
    let b: Vec<char> = b.chars().filter(|c| *c != '-').collect();
    let stem = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if stem < 4 {
        return false;
    }
    let last = a[stem - 1];
    let inflection = |tail: &[char]| {
        let tail: String = tail.iter().collect();
        INFLECTIONS.contains(&tail.as_str())
            || (tail.starts_with(last)
                && !"aeiou".contains(last)
                && DOUBLED.contains(&&tail[last.len_utf8()..]))
    };
    inflection(&a[stem..]) && inflection(&b[stem..])
}

/// Whether two candidates are one phrase up to inflections ("alarm" and
/// "alarms", "set alarm" and "set alarms").
fn same_phrase(a: &Candidate, b: &Candidate) -> bool {
    !a.norms.is_empty()
        && a.norms.len() == b.norms.len()
        && a.norms.iter().zip(&b.norms).all(|(x, y)| same_family(x, y))
}

fn is_unspaced(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c as u32 >= 0x3040)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_equal_up_to_plurals_share_a_taken_key() {
        let key = |n: &str| taken_key(&super::super::naming::normal(n));
        assert_eq!(key("Adventure movies"), key("Adventure movie"));
        assert_eq!(key("Pop songs"), key("Pop song"));
        assert_eq!(
            key("Apartments in Santa Clara"),
            key("Apartment in Santa Clara")
        );
        assert_eq!(key("Match boxes"), key("Match box"));
        assert_eq!(key("Find cities"), key("Find city"));
        assert_ne!(key("Adventure movies"), key("Adventure films"));
        // Words that end in s without being plurals stay whole.
        assert_eq!(key("Class status analysis"), "class status analysis");
        assert_eq!(key("Bus"), "bus");
    }

    #[test]
    fn a_plural_counts_as_its_singular() {
        assert!(same_word("alarm", "alarms"));
        assert!(same_word("boxes", "box"));
        assert!(same_word("city", "cities"));
        assert!(same_word("train", "train"));
        assert!(!same_word("train", "trains and"));
        assert!(!same_word("add", "address"));
        assert!(!same_word("ies", "y"));
    }

    #[test]
    fn inflections_of_one_word_are_one_word() {
        for (a, b) in [
            ("verify", "verifying"),
            ("activate", "activating"),
            ("stole", "stolen"),
            ("happening", "happened"),
            ("cancelled", "canceled"),
            ("transfer", "transferring"),
            ("quiet", "quieter"),
            ("schedule", "scheduled"),
            ("one-way", "oneway"),
            ("alarm", "alarms"),
        ] {
            assert!(same_family(a, b), "{a} / {b}");
        }
        for (a, b) in [
            ("port", "portland"),
            ("transfer", "transaction"),
            ("time", "timer"),
            ("card", "cart"),
            ("set", "settings"),
        ] {
            assert!(!same_family(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn a_pair_written_together_is_named_as_written() {
        let cands = vec![
            Candidate::one_word_for_test("alarm", 0.9),
            Candidate::one_word_for_test("set", 0.8),
            Candidate::one_word_for_test("verify", 0.7),
            Candidate::one_word_for_test("verifying", 0.6),
        ];
        let bridge = |a: &Candidate, b: &Candidate| {
            (a.shown == "alarm" && b.shown == "set").then(|| "set an alarm".to_string())
        };
        let names: Vec<String> = name_options(&cands, &bridge)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names[0], "Set an alarm");
        assert!(
            !names.iter().any(|n| n == "Verify and verifying"),
            "{names:?}"
        );
        assert!(names.iter().any(|n| n == "Alarm and verify"), "{names:?}");
    }

    #[test]
    fn no_name_joins_a_word_and_its_plural() {
        let cands = vec![
            Candidate::one_word_for_test("alarm", 0.9),
            Candidate::one_word_for_test("alarms", 0.8),
            Candidate::one_word_for_test("snooze", 0.5),
        ];
        let names: Vec<String> = name_options(&cands, &|_, _| None)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert!(!names.iter().any(|n| n == "Alarm and alarms"), "{names:?}");
        assert_eq!(names[0], "Alarm and snooze");
    }

    #[test]
    fn the_fallback_does_not_join_a_word_and_its_plural_either() {
        // Only one-word candidates, and the only pair is a word and its
        // plural: no name here, so the caller's other fallbacks (a run
        // around the word, a central request) are tried instead.
        let cands = vec![
            Candidate::one_word_for_test("alarm", 0.9),
            Candidate::one_word_for_test("alarms", 0.8),
        ];
        let options = name_options(&cands, &|_, _| None);
        assert!(options.is_empty(), "{options:?}");
    }
}
