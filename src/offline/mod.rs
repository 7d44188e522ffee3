//! The offline extractive summariser: facets built from the user's own
//! turns, with no LLM. Facets it cannot know (concern, frustration, errors,
//! custom facets) stay empty; it never invents values.

mod language;

pub use language::detect_languages;

use crate::config::FacetSpec;
use crate::model::{Conversation, Role, Summary};

const MAX_SUMMARY: usize = 300;
const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "hola",
    "bonjour",
    "hallo",
    "olá",
    "ola",
    "ciao",
    "thanks",
    "thank you",
    "good morning",
    "good evening",
];

fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    if let Some(sp) = out.rfind(' ')
        && sp > max / 2
    {
        out.truncate(sp);
    }
    out.push('…');
    out
}

fn is_greeting(text: &str) -> bool {
    let t = text
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || c == '!')
        .to_lowercase();
    t.is_empty() || GREETINGS.contains(&t.as_str())
}

/// The first substantive sentence of `text`.
fn first_sentence(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(i, c)| matches!(c, '.' | '?' | '!' | '。' | '？' | '！') && *i > 10)
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(text.len());
    text[..end].trim()
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Summarises one conversation extractively.
pub fn summarise(conv: &Conversation, _custom_facets: &[FacetSpec]) -> Summary {
    let user: Vec<String> = conv
        .messages
        .iter()
        .filter(|m| m.role == Role::User)
        .map(|m| clean(&m.content))
        .filter(|t| !is_greeting(t))
        .collect();
    let mut summary = Summary {
        conversation_id: conv.id.clone(),
        ..Summary::default()
    };
    if user.is_empty() {
        summary.summary = if conv.messages.is_empty() {
            "(empty conversation)".into()
        } else {
            "(no user request)".into()
        };
        return summary;
    }
    let joined = user.join(" ");
    summary.summary = cut(&joined, MAX_SUMMARY);
    let first = first_sentence(&user[0]);
    let first = cut(first.trim_end_matches(['.', '?', '!']), 160);
    summary.request = Some(format!(
        "The user's overall request for the assistant is to help with: {}",
        lower_first(&first)
    ));
    summary.task = Some(format!(
        "The task is to respond to: {}",
        lower_first(&first)
    ));
    let all_user: String = conv
        .messages
        .iter()
        .filter(|m| m.role == Role::User)
        .map(|m| m.content.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    summary.languages = detect_languages(&all_user);
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Message;

    #[test]
    fn extracts_from_user_turns_and_skips_greetings() {
        let c = Conversation::new(
            "c1",
            vec![
                Message::new(Role::User, "Hello!"),
                Message::new(Role::Assistant, "Hi, how can I help?"),
                Message::new(
                    Role::User,
                    "How do I   reverse a list in Python? I tried list.sort().",
                ),
            ],
        );
        let s = summarise(&c, &[]);
        assert_eq!(s.conversation_id, "c1");
        assert!(
            s.summary.starts_with("How do I reverse a list in Python?"),
            "{}",
            s.summary
        );
        assert!(
            s.request
                .as_deref()
                .unwrap()
                .contains("how do I reverse a list in Python")
        );
        assert!(
            s.languages.contains(&"english".to_string()),
            "{:?}",
            s.languages
        );
        assert!(
            s.languages.contains(&"python".to_string()),
            "{:?}",
            s.languages
        );
        assert_eq!(s.concerning_score, None);
        assert_eq!(s.user_frustration, None);
        assert!(s.assistant_errors.is_empty());
    }

    #[test]
    fn empty_and_assistant_only_conversations() {
        let s = summarise(&Conversation::new("e", vec![]), &[]);
        assert_eq!(s.summary, "(empty conversation)");
        let s = summarise(
            &Conversation::new("a", vec![Message::new(Role::Assistant, "hi")]),
            &[],
        );
        assert_eq!(s.summary, "(no user request)");
        assert!(s.request.is_none());
    }
}
