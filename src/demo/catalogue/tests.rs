//! Sanity checks on the catalogue data.

use std::collections::BTreeSet;

use super::{Lang, TOPICS, ToolKind, Vocab};

/// The slot names used in `text`, e.g. `["t", "a"]` for "use {t} with {a}".
fn slots(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(close) = rest.find('}') {
            let key = &rest[..close];
            if !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase()) {
                found.push(key);
            }
        }
    }
    found
}

fn all_strings(v: &Vocab) -> impl Iterator<Item = &'static str> {
    [v.terms, v.asks, v.details, v.advice, v.followups]
        .into_iter()
        .flatten()
        .copied()
}

#[test]
fn eight_topics_of_four_subtopics_with_unique_ids() {
    assert_eq!(TOPICS.len(), 8);
    let mut ids = BTreeSet::new();
    for topic in TOPICS {
        assert!(ids.insert(topic.id), "duplicate topic {}", topic.id);
        for lang in Lang::ALL {
            let context = topic.context.get(lang);
            assert!(
                context.len() >= 3,
                "{} [{}]: context",
                topic.id,
                lang.code()
            );
            assert!(
                context.iter().all(|c| !c.contains('{')),
                "{}: slot in context",
                topic.id
            );
        }
        for sub in topic.subtopics {
            assert!(
                sub.id.starts_with(&format!("{}/", topic.id)),
                "{} not under {}",
                sub.id,
                topic.id
            );
            assert!(ids.insert(sub.id), "duplicate subtopic {}", sub.id);
            assert!(!sub.name.is_empty());
        }
    }
    assert_eq!(ids.len(), 8 + 32);
}

#[test]
fn every_language_has_enough_vocabulary() {
    for topic in TOPICS {
        for sub in topic.subtopics {
            assert!(sub.anchors.len() >= 4, "{}: anchors", sub.id);
            // Anchors are quoted mid-sentence, so they carry no final period.
            assert!(
                sub.anchors.iter().all(|a| !a.ends_with('.')),
                "{}: anchor ends with '.'",
                sub.id
            );
            if matches!(topic.tool, Some(ToolKind::WebSearch | ToolKind::Python)) {
                assert!(sub.snippets.len() >= 4, "{}: snippets", sub.id);
            }
            for lang in Lang::ALL {
                let v = sub.vocab(lang);
                let (terms, asks, details, advice, followups) = if lang == Lang::En {
                    (10, 6, 6, 8, 4)
                } else {
                    (5, 3, 2, 4, 2)
                };
                let ctx = format!("{} [{}]", sub.id, lang.code());
                assert!(v.terms.len() >= terms, "{ctx}: terms");
                assert!(v.asks.len() >= asks, "{ctx}: asks");
                assert!(v.details.len() >= details, "{ctx}: details");
                assert!(v.advice.len() >= advice, "{ctx}: advice");
                assert!(v.followups.len() >= followups, "{ctx}: followups");
                assert!(
                    all_strings(v).all(|s| !s.trim().is_empty()),
                    "{ctx}: empty string"
                );
            }
        }
    }
}

#[test]
fn templates_use_only_known_slots() {
    for topic in TOPICS {
        for sub in topic.subtopics {
            for lang in Lang::ALL {
                for text in all_strings(sub.vocab(lang)) {
                    for slot in slots(text) {
                        assert!(
                            ["t", "a", "c", "n", "nn", "big"].contains(&slot),
                            "{}: `{slot}` in {text:?}",
                            sub.id
                        );
                        if slot == "c" {
                            assert!(
                                !sub.snippets.is_empty(),
                                "{}: {{c}} without snippets",
                                sub.id
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn english_terms_belong_to_one_subtopic() {
    let mut seen = BTreeSet::new();
    for topic in TOPICS {
        for sub in topic.subtopics {
            for term in sub.en.terms {
                assert!(
                    seen.insert(term.to_lowercase()),
                    "{}: term {term:?} also used elsewhere",
                    sub.id
                );
            }
        }
    }
}
