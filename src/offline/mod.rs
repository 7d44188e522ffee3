//! The offline provider's summariser: extractive, built from the user's
//! turns only, with no model at all.
//!
//! The summary is the user's informative sentences, first user turn first:
//! a sentence whose words many conversations share (greetings, thanks,
//! pleasantries, the boilerplate of a product's templates) has no salience
//! against the corpus ([`salience`]) and is skipped. The request facet is
//! the first informative sentence that asks for something, in the user's
//! own words and language ([`request`]); languages come from heuristic
//! detection (natural languages of the user's text, programming languages
//! from code fences, telltale syntax and names). Facets that need judgement
//! or an English rewrite — task, concerning score, frustration, assistant
//! errors, custom facets — stay unknown: this module never invents values
//! and never wraps the user's words in a template. Deterministic.

mod bridge;
mod calendar;
mod central;
mod choose;
pub mod code;
pub mod coverage;
mod describe;
pub mod extract;
pub mod hierarchy;
pub mod language;
mod language_group;
pub mod naming;
mod options;
pub mod phrases;
pub mod request;
pub mod salience;
mod script;
pub mod siblings;
mod summariser;
mod taken;
pub mod term_profile;
mod word_name;

pub use salience::CorpusStats;
pub use summariser::{OFFLINE_SUMMARISER, OfflineSummariser};

use crate::config::FacetSpec;
use crate::model::{Conversation, Metadata, Role, Summary};

/// Longest summary, in characters.
pub const MAX_SUMMARY: usize = 300;
/// The extract keeps adding informative sentences until it is this long.
const MIN_SUMMARY: usize = 120;
/// Only this much of each message feeds language detection.
const DETECT_CHARS: usize = 4000;
/// A sentence needs at least this salience to be worth keeping.
const MIN_SALIENCE: f32 = 0.75;

pub const EMPTY_SUMMARY: &str = "(empty conversation)";
pub const NO_USER_SUMMARY: &str = "(no user messages)";

/// Words of the templates earlier offline summaries wrapped around the
/// user's text. Nothing offline may produce them any more: names and
/// facets built from user text must not contain them either.
pub const TEMPLATE_WORDS: &[&str] = &[
    "user's",
    "overall",
    "request",
    "assistant",
    "task",
    "question",
];

/// What a viewer shows for a facet the offline summariser cannot extract.
pub const NOT_EXTRACTED: &str = "(offline: not extracted)";

/// Whether `s` looks like an offline extractive summary: no task and none
/// of the judged facets (an LLM summary always has its task).
pub fn is_extractive(s: &Summary) -> bool {
    s.task.is_none() && s.concerning_score.is_none() && s.user_frustration.is_none()
}

/// The request and task lines a viewer shows for `s`: the facet when it is
/// known; for an offline summary, [`NOT_EXTRACTED`] in place of a missing
/// one (never a made-up value).
pub fn facet_lines(s: &Summary) -> Vec<String> {
    let offline = is_extractive(s);
    let mut out = Vec::new();
    for (label, value) in [("Request", &s.request), ("Task", &s.task)] {
        match value.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => out.push(format!("{label}: {v}")),
            None if offline => out.push(format!("{label}: {NOT_EXTRACTED}")),
            None => {}
        }
    }
    if offline {
        out.push(format!(
            "Frustration, concern, assistant errors: {NOT_EXTRACTED}"
        ));
    }
    out
}

/// One user message, split into prose sentences and code.
struct UserTurn {
    prose: String,
    sentences: Vec<String>,
}

/// A sentence that may go into the summary.
struct Candidate<'a> {
    turn: usize,
    index: usize,
    text: &'a str,
}

/// Summarises `conv` without a model and without corpus statistics (every
/// content word counts the same). `custom_facets` are accepted for a
/// uniform signature; offline they are always left out (unknown).
pub fn summarise(conv: &Conversation, custom_facets: &[FacetSpec]) -> Summary {
    summarise_with(conv, custom_facets, &CorpusStats::empty())
}

/// Summarises `conv`, ranking its sentences by salience against `stats`.
pub fn summarise_with(
    conv: &Conversation,
    custom_facets: &[FacetSpec],
    stats: &CorpusStats,
) -> Summary {
    let _ = custom_facets;
    let mut summary = Summary {
        conversation_id: conv.id.clone(),
        summary: String::new(),
        request: None,
        task: None,
        languages: Vec::new(),
        concerning_score: None,
        user_frustration: None,
        assistant_errors: Vec::new(),
        custom: Metadata::new(),
    };
    let mut programming: Vec<&'static str> = Vec::new();
    let mut turns = Vec::new();
    for m in &conv.messages {
        if m.content.trim().is_empty() {
            continue;
        }
        let split = code::split_fences(&m.content);
        add_all(&mut programming, &split.languages);
        if m.role != Role::User {
            continue;
        }
        let head = prefix_chars(&split.prose, DETECT_CHARS);
        if let Some(lang) = code::sniff(head) {
            add_all(&mut programming, &[lang]);
        }
        add_all(&mut programming, &code::mentioned(head));
        let sentences = extract::sentences(&split.prose)
            .iter()
            .map(|s| extract::strip_greeting(s).to_string())
            .filter(|s| !s.is_empty() && !extract::is_filler(s))
            .collect();
        turns.push(UserTurn {
            prose: split.prose,
            sentences,
        });
    }

    let candidates = rank(&turns, stats);
    summary.summary = if conv.messages.iter().all(|m| m.content.trim().is_empty()) {
        EMPTY_SUMMARY.to_string()
    } else if turns.is_empty() {
        NO_USER_SUMMARY.to_string()
    } else {
        extract_summary(&turns, &candidates)
    };
    summary.request = candidates
        .iter()
        .find(|c| !is_placeholder(c.text) && request::looks_like_request(c.text))
        .map(|c| request::clean(c.text));
    summary.languages = natural_languages(&turns);
    for lang in programming {
        if !summary.languages.iter().any(|l| l == lang) {
            summary.languages.push(lang.to_string());
        }
    }
    summary
}

/// The informative sentences of every user turn in their original order
/// (boilerplate dropped); a sentence repeated later is counted once.
fn rank<'a>(turns: &'a [UserTurn], stats: &CorpusStats) -> Vec<Candidate<'a>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (t, turn) in turns.iter().enumerate() {
        for (index, text) in turn.sentences.iter().enumerate() {
            if !seen.insert(text.to_lowercase()) {
                continue;
            }
            if stats.salience(text) < MIN_SALIENCE {
                continue;
            }
            out.push(Candidate {
                turn: t,
                index,
                text,
            });
        }
    }
    out
}

fn add_all(into: &mut Vec<&'static str>, items: &[&'static str]) {
    for item in items {
        if !into.contains(item) {
            into.push(item);
        }
    }
}

fn is_placeholder(sentence: &str) -> bool {
    sentence.starts_with('[') && sentence.ends_with(']') && !sentence[1..].contains('[')
}

fn prefix_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The informative sentences in order, turn by turn until the extract is
/// long enough; with none informative, the first user text as written.
fn extract_summary(turns: &[UserTurn], ranked: &[Candidate<'_>]) -> String {
    let mut chosen: Vec<&Candidate<'_>> = Vec::new();
    let mut length = 0;
    for c in ranked {
        // Whole turns: stop at the first turn that starts past the minimum.
        if length >= MIN_SUMMARY && chosen.last().is_some_and(|l| l.turn != c.turn) {
            break;
        }
        let len = c.text.chars().count() + 1;
        if !chosen.is_empty() && length + len > MAX_SUMMARY {
            continue;
        }
        chosen.push(c);
        length += len;
    }
    chosen.sort_by_key(|c| (c.turn, c.index));
    let mut out = chosen.iter().map(|c| c.text).collect::<Vec<_>>().join(" ");
    if out.is_empty() {
        out = turns
            .iter()
            .flat_map(|t| &t.sentences)
            .next()
            .cloned()
            .or_else(|| {
                turns
                    .iter()
                    .map(|t| extract::collapse_whitespace(&t.prose))
                    .find(|s| !s.is_empty())
            })
            .unwrap_or_default();
    }
    extract::truncate(&out, MAX_SUMMARY)
}

/// Natural languages of the user's prose (code placeholders removed),
/// most text first; the whole text together when no message alone is clear.
fn natural_languages(turns: &[UserTurn]) -> Vec<String> {
    let mut weights: Vec<(&'static str, usize, usize)> = Vec::new();
    let mut all = String::new();
    for (order, t) in turns.iter().enumerate() {
        let prose: String = t
            .sentences
            .iter()
            .filter(|s| !is_placeholder(s))
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let head = prefix_chars(&prose, DETECT_CHARS);
        if all.len() < DETECT_CHARS {
            all.push_str(head);
            all.push(' ');
        }
        if let Some(lang) = language::detect(head) {
            match weights.iter_mut().find(|(l, _, _)| *l == lang) {
                Some(w) => w.1 += head.len(),
                None => weights.push((lang, head.len(), order)),
            }
        }
    }
    if weights.is_empty() {
        return language::detect(&all)
            .map(|l| vec![l.to_string()])
            .unwrap_or_default();
    }
    weights.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    weights.into_iter().map(|(l, _, _)| l.to_string()).collect()
}
