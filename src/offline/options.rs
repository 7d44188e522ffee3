//! The possible names of one offline cluster, best first
//! ([`super::naming`]): its phrases of two to seven words and pairs of
//! phrases, written as the members wrote them together (`bridge.rs`) or
//! else joined by "and"; failing those, a run around its best word
//! (`word_name.rs`), its most central requests, or the wording half of it
//! shares (`central.rs`).

use std::cell::OnceCell;
use std::collections::HashSet;

use super::bridge::Clauses;
use super::calendar::only_when;
use super::choose::Banned;
use super::language_group::LanguageGroup;
use super::naming::{Candidate, MAX_NAME_WORDS, Member, capitalise, choose, normal};
use super::script::starts_unspaced;
use super::taken::Taken;

/// Names a pair of candidates as the members wrote them together, or `None`.
pub(super) type Bridge<'b> = &'b dyn Fn(&Candidate, &Candidate) -> Option<String>;

/// The name of cluster `g` ([`naming::choose`]): the first of its
/// [`name_options`] that is free, else the first free fallback (a run of
/// words around its best one-word phrase, `word_name.rs`; its most central
/// requests, then the phrasing at least half of it shares, both
/// `central.rs`), so that a name is numbered ("… (2)") only when nothing
/// else is left. The fallbacks are only worked out when needed. A
/// cluster grouped by language (`group`) is named for that first
/// (`language_group.rs`); its phrases come only if that name is taken.
///
/// [`naming::choose`]: super::naming::choose
pub(super) fn pick(
    members: &[Member<'_>],
    g: usize,
    cands: &[Candidate],
    prefix: &str,
    group: Option<&LanguageGroup>,
    taken: &Taken,
    banned: &Banned,
) -> String {
    let clauses = OnceCell::new();
    let bridge =
        |a: &Candidate, b: &Candidate| clauses.get_or_init(|| Clauses::of(members, g)).bridge(a, b);
    if let Some(group) = group {
        let own: Vec<(String, f64)> = group
            .names(cands, !prefix.is_empty())
            .into_iter()
            .map(|n| (n, 1.0))
            .collect();
        let more = || {
            let mut all = name_options(cands, &bridge);
            all.extend(fallback_options(members, g, cands));
            all
        };
        return choose(&own, &more, prefix, taken, banned);
    }
    let mut first = name_options(cands, &bridge);
    if banned.again() {
        // Named again because its best name repeats a cluster above it
        // (`pipeline/hierarchy_repeats.rs`): a member's own request reads
        // better than two phrases joined by "and", which come last.
        let joined: Vec<(String, f64)> = first.iter().filter(|o| joins(&o.0)).cloned().collect();
        first.retain(|o| !joins(&o.0));
        let more = || {
            let mut all = fallback_options(members, g, cands);
            all.extend(joined.iter().cloned());
            all
        };
        return choose(&first, &more, prefix, taken, banned);
    }
    let fallbacks = || fallback_options(members, g, cands);
    if first.is_empty() {
        choose(&fallbacks(), &Vec::new, prefix, taken, banned)
    } else {
        choose(&first, &fallbacks, prefix, taken, banned)
    }
}

/// Whether an option joins two phrases ("Twice and restaurant", "地域別・月別").
fn joins(name: &str) -> bool {
    name.contains(" and ") || name.contains('・')
}

/// The fallback names of cluster `g`, best first (see [`pick`]).
fn fallback_options(members: &[Member<'_>], g: usize, cands: &[Candidate]) -> Vec<(String, f64)> {
    let mut options: Vec<(String, f64)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut push = |name: String| {
        if seen.insert(normal(&name)) {
            options.push((name, 0.0));
        }
    };
    if let Some(word) = cands.iter().find(|c| c.norms.len() == 1)
        && let Some(name) = super::word_name::around_word(members, g, &word.norms[0])
    {
        push(capitalise(&name));
    }
    for name in super::central::central_requests(members, g, cands) {
        push(capitalise(&name));
    }
    for run in super::central::shared_runs(members, g) {
        push(capitalise(&run.name()));
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
        if starts_unspaced(&c.shown) {
            c.shown.chars().count() >= 3
        } else {
            c.words >= 2
        }
    };
    for c in cands {
        if long_enough(c) && c.words <= MAX_NAME_WORDS && !only_when(&c.norms) {
            out.push((capitalise(&c.shown), c.score));
        }
    }
    let top: Vec<&Candidate> = cands
        .iter()
        .filter(|c| !starts_unspaced(&c.shown) || c.shown.chars().count() >= 2)
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
                || only_when(&a.norms)
                || only_when(&b.norms)
                || a.norms
                    .iter()
                    .any(|w| b.norms.iter().any(|v| same_family(w, v)))
                || fragments(a, b)
            {
                continue;
            }
            let joined = if starts_unspaced(&a.shown) {
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
    let unspaced = starts_unspaced(&first.shown);
    let mut parts: Vec<&str> = Vec::new();
    let mut taken: Vec<&Candidate> = Vec::new();
    let mut score = 0.0;
    for c in cands.iter().take(6) {
        if starts_unspaced(&c.shown) != unspaced
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

/// The key under which a name counts as taken: the name's words (of
/// [`naming::normal`]) other than glue and words under three letters
/// (numbers always count: "2 bedroom" is not "3 bedroom"), each
/// reduced to its singular and uninflected form, in sorted order. Siblings
/// named "Adventure movie" and "Adventure movies", "Set an alarm" and
/// "Alarms set", or "Play it on my kitchen device" and "Play it on the
/// kitchen device" count as sharing a name. A name of glue alone keys on
/// its singular words as written.
///
/// [`naming::normal`]: super::naming::normal
pub(super) fn taken_key(normal: &str) -> String {
    let mut words: Vec<String> = normal
        .split(' ')
        .filter(|w| {
            w.chars().any(|c| c.is_numeric())
                || (w.chars().count() >= 3 && !super::word_name::GLUE.contains(w))
        })
        .map(uninflected)
        .collect();
    if words.is_empty() {
        return normal
            .split(' ')
            .map(singular)
            .collect::<Vec<_>>()
            .join(" ");
    }
    words.sort_unstable();
    words.dedup();
    words.join(" ")
}

/// A lower-cased word's key up to inflection: [`singular`], then a final
/// "ing" or "ed" after four or more letters goes (with a doubled final
/// consonant undoubled), then a final "e" after four or more letters:
/// "verifying"/"verify", "activating"/"activate", "cancelled"/"canceled"
/// meet.
fn uninflected(w: &str) -> String {
    let mut s = singular(w);
    for ending in ["ing", "ed"] {
        if s.len() >= ending.len() + 4 && s.ends_with(ending) {
            s.truncate(s.len() - ending.len());
            let b = s.as_bytes();
            let n = b.len();
            if b[n - 1] == b[n - 2] && !b"aeiou".contains(&b[n - 1]) {
                s.pop();
            }
            break;
        }
    }
    if s.len() >= 5 && s.ends_with('e') {
        s.pop();
    }
    s
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

/// Endings that inflect one English word, or make a noun of it ("-al"):
/// after a shared stem of four or more letters, two words whose endings
/// are both here are one word in a name ("verify"/"verifying",
/// "activate"/"activating", "stole"/"stolen", "happening"/"happened",
/// "quiet"/"quieter", "withdraw"/"withdrawal").
const INFLECTIONS: &[&str] = &[
    "", "e", "s", "es", "d", "ed", "ing", "er", "ers", "est", "en", "n", "y", "ies", "ied", "ying",
    "al", "als",
];

/// Inflections after a doubled final consonant ("cancelled", "stopping").
const DOUBLED: &[&str] = &["ed", "ing", "er", "ers", "est", "en"];

/// Whether two lower-cased words are forms of one word: [`same_word`], a
/// part of a hyphenated compound and the compound ("top"/"top-up"), or
/// a shared stem of four or more letters followed by [`INFLECTIONS`] (a
/// hyphen ignored: "one-way"/"oneway"). "port"/"portland" and
/// "transfer"/"transaction" stay two words.
pub(super) fn same_family(a: &str, b: &str) -> bool {
    if same_word(a, b) || part_of_compound(a, b) || part_of_compound(b, a) {
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

/// Whether `word` is one of the parts (three letters or more) of the
/// hyphenated `compound`: "top" of "top-up", "check" of "check-in".
fn part_of_compound(word: &str, compound: &str) -> bool {
    compound.contains('-')
        && compound
            .split('-')
            .any(|part| part.chars().count() >= 3 && same_word(part, word))
}

/// Whether two candidates are one phrase up to inflections ("alarm" and
/// "alarms", "set alarm" and "set alarms").
fn same_phrase(a: &Candidate, b: &Candidate) -> bool {
    !a.norms.is_empty()
        && a.norms.len() == b.norms.len()
        && a.norms.iter().zip(&b.norms).all(|(x, y)| same_family(x, y))
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
        // Word order, glue and inflections do not make a name differ.
        assert_eq!(key("Set an alarm"), key("Alarms set"));
        assert_eq!(
            key("Play it on my kitchen device"),
            key("Play it on the kitchen device")
        );
        assert_eq!(key("Verify my identity"), key("Verifying identity"));
        assert_eq!(key("Card payment cancelled"), key("Card payment canceled"));
        // Numbers and content words still do.
        assert_ne!(key("Two bedroom apartment"), key("Three bedroom apartment"));
        assert_ne!(key("2 bedroom apartment"), key("3 bedroom apartment"));
        assert_ne!(key("Set an alarm"), key("Set an alarm (2)"));
        assert_ne!(
            key("Find a round trip flight"),
            key("Search round trip flights")
        );
        // Words that end in s without being plurals stay whole.
        assert_eq!(key("Class status analysis"), "analysis class status");
        assert_eq!(key("Bus"), "bus");
        // A name of glue alone still has a key.
        assert_eq!(key("What is"), "what is");
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
            ("withdraw", "withdrawal"),
            ("arrive", "arrival"),
            ("top", "top-up"),
            ("check-in", "checks"),
        ] {
            assert!(same_family(a, b), "{a} / {b}");
        }
        for (a, b) in [
            ("port", "portland"),
            ("transfer", "transaction"),
            ("time", "timer"),
            ("card", "cart"),
            ("set", "settings"),
            ("up", "top-up"),
            ("top", "stop-over"),
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
