//! The description of an offline cluster name ([`super::naming`]): one
//! sentence with the cluster's phrases and their shares and a typical
//! request, all quoted from the conversations, never a template about them.

use std::collections::HashSet;

use super::naming::{Candidate, Member, capitalise};

/// Longest typical request quoted in a description, in characters.
const MAX_EXAMPLE: usize = 140;

/// One sentence: the cluster's phrases with their shares, and a typical
/// request quoted from its most representative conversation.
pub(super) fn describe(
    members: &[Member<'_>],
    doc_phrases: &[Vec<(u64, u8, u8)>],
    g: usize,
    cands: &[Candidate],
    prefix: &str,
) -> String {
    let mut shown: Vec<&Candidate> = Vec::new();
    for c in cands {
        if shown.len() == 3 {
            break;
        }
        let clash = shown
            .iter()
            .any(|s| s.norms.iter().any(|w| c.norms.contains(w)));
        if !clash {
            shown.push(c);
        }
    }
    let top: HashSet<u64> = cands.iter().take(8).map(|c| c.key).collect();
    let example = members
        .iter()
        .zip(doc_phrases)
        .filter(|(m, _)| m.group == g)
        .map(|(m, keys)| {
            let hits = keys.iter().filter(|k| top.contains(&k.0)).count();
            // Among equals, the shortest text that is still a sentence (a
            // cluster sharing nothing would otherwise show "up").
            let sentence = m.text.split_whitespace().nth(2).is_some();
            (hits, sentence, std::cmp::Reverse(m.text.len()), m.text)
        })
        .max()
        .map(|(_, _, _, t)| first_sentence(t));
    let mut out = String::new();
    if !prefix.is_empty() {
        out.push_str(&format!("In {}, ", prefix.trim_end_matches([':', ' '])));
    }
    let shared = if shown.is_empty() {
        super::central::shared_runs(members, g)
            .into_iter()
            .next()
            .filter(|r| r.count >= 2)
    } else {
        None
    };
    if let Some(run) = shared {
        out.push_str(&format!(
            "conversations that share the wording “{}” ({:.0}%) but no subject",
            run.shown,
            100.0 * run.share
        ));
    } else if shown.is_empty() {
        out.push_str("conversations without a phrase in common");
    } else {
        let parts: Vec<String> = shown
            .iter()
            .map(|c| format!("“{}” ({:.0}%)", c.shown, 100.0 * c.share))
            .collect();
        out.push_str(&format!("conversations that mention {}", join_and(&parts)));
    }
    if let Some(e) = example.filter(|e| !e.is_empty()) {
        out.push_str(&format!("; for example: “{e}”"));
    }
    out.push('.');
    capitalise(&out)
}

/// "a", "a and b", "a, b and c".
pub(super) fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn first_sentence(text: &str) -> String {
    let s = super::extract::sentences(text)
        .into_iter()
        .next()
        .unwrap_or_default();
    super::extract::truncate(&s, MAX_EXAMPLE)
}
