//! Reading the model's category names: cleaning proposal lists, matching
//! an assignment answer to a parent, and the word-overlap fallback.

use std::collections::HashSet;

use crate::model::Cluster;

fn norm(s: &str) -> String {
    s.trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '`')
        .trim_end_matches('.')
        .trim()
        .to_lowercase()
}

fn words(s: &str) -> HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
        .collect()
}

/// Cleans a list of names: trimmed, non-empty, unique (case-insensitive).
pub fn clean_names(names: Vec<String>, max: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    names
        .into_iter()
        .map(|n| {
            n.trim()
                .trim_matches('"')
                .trim_end_matches('.')
                .trim()
                .to_string()
        })
        .filter(|n| !n.is_empty() && n.chars().count() <= 200)
        .filter(|n| seen.insert(n.to_lowercase()))
        .take(max.max(1))
        .collect()
}

/// The parent an answer names, if it names one.
pub fn match_parent(answer: &str, parents: &[String]) -> Option<usize> {
    let a = norm(answer);
    parents.iter().position(|p| norm(p) == a)
}

/// Deterministic fallback: the parent sharing most words with the child
/// (ties to the first).
pub fn closest_parent(child: &str, parents: &[String]) -> usize {
    let cw = words(child);
    let mut best = (0usize, 0usize);
    for (i, p) in parents.iter().enumerate() {
        let score = words(p).intersection(&cw).count();
        if score > best.1 {
            best = (i, score);
        }
    }
    best.0
}

/// A cluster as the prompts show it: "name: description".
pub(super) fn describe(c: &Cluster) -> String {
    if c.description.is_empty() {
        c.name.clone()
    } else {
        format!("{}: {}", c.name, c.description)
    }
}
