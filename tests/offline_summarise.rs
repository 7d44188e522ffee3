//! The offline extractive summariser.

use kura_tui::config::{FacetSpec, FacetType};
use kura_tui::model::{Conversation, Message, Role};
use kura_tui::offline::{EMPTY_SUMMARY, MAX_SUMMARY, NO_USER_SUMMARY, summarise};

fn conv(messages: &[(Role, &str)]) -> Conversation {
    Conversation::new(
        "c1",
        messages
            .iter()
            .map(|(role, text)| Message::new(*role, *text))
            .collect(),
    )
}

fn assert_nothing_invented(s: &kura_tui::model::Summary) {
    assert_eq!(s.concerning_score, None);
    assert_eq!(s.user_frustration, None);
    assert!(s.assistant_errors.is_empty());
    assert!(s.custom.is_empty());
}

#[test]
fn greetings_are_skipped() {
    let c = conv(&[
        (Role::System, "You are a helpful assistant."),
        (
            Role::User,
            "Hi there!   Good morning.\n\nCan you write a   short poem about my cat?",
        ),
        (Role::Assistant, "Sure! Here is a poem..."),
        (Role::User, "Thanks! Make it rhyme."),
    ]);
    let s = summarise(&c, &[]);
    assert_eq!(s.conversation_id, "c1");
    assert_eq!(
        s.summary,
        "Can you write a short poem about my cat? Make it rhyme."
    );
    // The request is the user's own sentence; nothing is rephrased into an
    // English template, and the task is left unknown offline.
    assert_eq!(
        s.request.as_deref(),
        Some("Can you write a short poem about my cat?")
    );
    assert_eq!(s.task, None);
    assert_eq!(s.languages, ["english"]);
    assert_nothing_invented(&s);
}

#[test]
fn code_is_replaced_and_its_language_reported() {
    let c = conv(&[
        (
            Role::User,
            "Hello! How do I fix this error in my script?\n```python\ndef f(x):\n    return x[0]\n```\nIt says IndexError.",
        ),
        (
            Role::Assistant,
            "Check the list first:\n```python\nif x:\n    return x[0]\n```\nOr in SQL terms:\n```sql\nSELECT 1\n```",
        ),
    ]);
    let s = summarise(&c, &[]);
    assert_eq!(
        s.summary,
        "How do I fix this error in my script? [python code] It says IndexError."
    );
    assert_eq!(
        s.request.as_deref(),
        Some("How do I fix this error in my script?")
    );
    assert_eq!(s.languages, ["english", "python", "sql"]);
}

#[test]
fn several_languages_are_listed() {
    let c = conv(&[
        (
            Role::User,
            "Translate this sentence into Spanish for me please: where is the library?",
        ),
        (Role::Assistant, "¿Dónde está la biblioteca?"),
        (
            Role::User,
            "Gracias. ¿Y cómo se dice 'the station is closed' en español? Necesito saberlo para mi viaje.",
        ),
    ]);
    let s = summarise(&c, &[]);
    assert_eq!(s.languages, ["spanish", "english"]);
    assert_eq!(
        s.request.as_deref(),
        Some("Translate this sentence into Spanish for me please: where is the library?")
    );
}

#[test]
fn conversations_without_user_text() {
    let empty = summarise(&conv(&[]), &[]);
    assert_eq!(empty.summary, EMPTY_SUMMARY);
    assert_eq!(empty.request, None);
    assert_eq!(empty.task, None);
    assert!(empty.languages.is_empty());
    assert_nothing_invented(&empty);

    let blank = summarise(&conv(&[(Role::User, "   \n ")]), &[]);
    assert_eq!(blank.summary, EMPTY_SUMMARY);

    let assistant_only = summarise(
        &conv(&[(Role::Assistant, "How can I help you today?")]),
        &[],
    );
    assert_eq!(assistant_only.summary, NO_USER_SUMMARY);
    assert_eq!(assistant_only.request, None);
    assert!(assistant_only.languages.is_empty());
}

#[test]
fn a_greeting_only_conversation_keeps_its_greeting_and_no_request() {
    let s = summarise(
        &conv(&[(Role::User, "Hello!"), (Role::Assistant, "Hi!")]),
        &[],
    );
    assert_eq!(s.summary, "Hello!");
    assert_eq!(s.request, None);
    assert_eq!(s.task, None);
}

#[test]
fn long_messages_are_truncated() {
    // One sentence longer than the limit is cut at a word, with an ellipsis.
    let long = (0..40)
        .map(|i| format!("sales in region {i} rose"))
        .collect::<Vec<_>>()
        .join(", ");
    let s = summarise(&conv(&[(Role::User, &long)]), &[]);
    assert!(
        s.summary.chars().count() <= MAX_SUMMARY,
        "{}",
        s.summary.len()
    );
    assert!(s.summary.ends_with('…'));
    assert!(!s.summary.contains("  "));
    // Many sentences: whole sentences up to the limit.
    let many = (0..40)
        .map(|i| format!("Sales in region {i} rose by {i} percent."))
        .collect::<Vec<_>>()
        .join(" ");
    let s = summarise(&conv(&[(Role::User, &many)]), &[]);
    assert!(s.summary.chars().count() <= MAX_SUMMARY);
    assert!(s.summary.starts_with("Sales in region 0 rose") && s.summary.ends_with('.'));
}

#[test]
fn custom_facets_stay_unknown_and_output_is_deterministic() {
    let facets = [FacetSpec {
        name: "sentiment".into(),
        kind: FacetType::String,
        instruction: "How does the user feel?".into(),
    }];
    let c = conv(&[(Role::User, "I am furious, my order never arrived!")]);
    let a = summarise(&c, &facets);
    let b = summarise(&c, &facets);
    assert_eq!(a, b);
    assert_nothing_invented(&a);
    // A complaint is not a request: offline, that facet stays unknown.
    assert_eq!(a.request, None);
}

#[test]
fn non_english_requests_are_quoted() {
    let s = summarise(
        &conv(&[(
            Role::User,
            "Bonjour ! Pouvez-vous m'aider à écrire une lettre de motivation ?",
        )]),
        &[],
    );
    assert_eq!(s.languages, ["french"]);
    assert_eq!(
        s.request.as_deref(),
        Some("Pouvez-vous m'aider à écrire une lettre de motivation ?")
    );
}
