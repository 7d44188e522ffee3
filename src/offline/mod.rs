//! The offline provider's summariser: extractive, built from the user's
//! turns only, with no model at all.
//!
//! The summary is a cleaned extract of the first user message(s), greetings
//! and boilerplate skipped; the request and task are phrased from the first
//! substantive user sentence; languages come from heuristic detection
//! (natural languages of the user's text, programming languages from code
//! fences, telltale syntax and names). Facets that need judgement —
//! concerning score, frustration, assistant errors, custom facets — stay
//! unknown: this module never invents values. Deterministic.

pub mod code;
pub mod extract;
pub mod language;
pub mod request;

use crate::config::FacetSpec;
use crate::model::{Conversation, Metadata, Role, Summary};

/// Longest summary, in characters.
pub const MAX_SUMMARY: usize = 300;
/// The extract keeps adding user sentences until it is this long.
const MIN_SUMMARY: usize = 120;
/// Only this much of each message feeds language detection.
const DETECT_CHARS: usize = 4000;

pub const EMPTY_SUMMARY: &str = "(empty conversation)";
pub const NO_USER_SUMMARY: &str = "(no user messages)";

/// One user message, split into prose sentences and code.
struct UserTurn {
    prose: String,
    sentences: Vec<String>,
}

/// Summarises `conv` without a model. `custom_facets` are accepted for a
/// uniform signature; offline they are always left out (unknown).
pub fn summarise(conv: &Conversation, custom_facets: &[FacetSpec]) -> Summary {
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

    summary.summary = if conv.messages.iter().all(|m| m.content.trim().is_empty()) {
        EMPTY_SUMMARY.to_string()
    } else if turns.is_empty() {
        NO_USER_SUMMARY.to_string()
    } else {
        extract_summary(&turns)
    };
    if let Some(first) = turns
        .iter()
        .flat_map(|t| &t.sentences)
        .find(|s| !is_placeholder(s))
    {
        let p = request::phrase(first);
        summary.request = Some(format!(
            "The user's overall request for the assistant is to {p}."
        ));
        summary.task = Some(format!("The task is to {p}."));
    }
    summary.languages = natural_languages(&turns);
    for lang in programming {
        if !summary.languages.iter().any(|l| l == lang) {
            summary.languages.push(lang.to_string());
        }
    }
    summary
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

/// The user's substantive sentences, first message first, until the
/// extract is long enough; a greeting-only conversation keeps its greeting.
fn extract_summary(turns: &[UserTurn]) -> String {
    let mut out = String::new();
    for turn in turns {
        for s in &turn.sentences {
            if out.chars().count() >= MAX_SUMMARY {
                break;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(s);
        }
        if out.chars().count() >= MIN_SUMMARY {
            break;
        }
    }
    if out.is_empty() {
        out = turns
            .iter()
            .map(|t| extract::collapse_whitespace(&t.prose))
            .find(|s| !s.is_empty())
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
