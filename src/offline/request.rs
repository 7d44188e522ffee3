//! Turns the user's first substantive sentence into the verb phrase that
//! completes "The user's overall request for the assistant is to …".
//! English phrasings are rewritten ("Can you write my essay?" → "write
//! their essay"); anything else is quoted as the user wrote it.

use super::extract::{collapse_whitespace, strip_greeting, truncate};

/// Longest phrase, in characters.
const MAX_PHRASE: usize = 200;

/// Politeness that only wraps the actual request.
const POLITE: &[&str] = &[
    "would you please",
    "could you please",
    "can you please",
    "please",
    "pls",
    "kindly",
    "can you",
    "could you",
    "would you",
    "will you",
    "can u",
    "could u",
    "i want you to",
    "i need you to",
    "i would like you to",
    "i'd like you to",
    "i wish you could",
];

/// Openings rewritten to a fixed phrase, followed by the rest.
const MAPPED: &[(&str, &str)] = &[
    ("help me to", "help them"),
    ("help me with", "help them with"),
    ("help me", "help them"),
    ("assist me with", "help them with"),
    ("assist me in", "help them with"),
    ("i need help with", "help with"),
    ("i need help", "help"),
    ("i want help with", "help with"),
    ("i want to", "help them"),
    ("i need to", "help them"),
    ("i would like to", "help them"),
    ("i'd like to", "help them"),
    ("i'm trying to", "help them"),
    ("i am trying to", "help them"),
    ("im trying to", "help them"),
    ("i have to", "help them"),
    ("how do i", "explain how to"),
    ("how can i", "explain how to"),
    ("how should i", "explain how to"),
    ("how would i", "explain how to"),
    ("how do you", "explain how to"),
    ("how does one", "explain how to"),
    ("how to", "explain how to"),
];

/// Verbs that open an imperative request.
const IMPERATIVE: &[&str] = &[
    "write",
    "explain",
    "translate",
    "fix",
    "create",
    "make",
    "give",
    "tell",
    "list",
    "summarize",
    "summarise",
    "generate",
    "help",
    "find",
    "show",
    "describe",
    "convert",
    "calculate",
    "draft",
    "compose",
    "rewrite",
    "improve",
    "suggest",
    "recommend",
    "plan",
    "design",
    "build",
    "implement",
    "debug",
    "review",
    "edit",
    "check",
    "compare",
    "analyze",
    "analyse",
    "solve",
    "answer",
    "provide",
    "define",
    "teach",
    "correct",
    "optimize",
    "optimise",
    "refactor",
    "add",
    "remove",
    "change",
    "update",
    "proofread",
    "paraphrase",
    "outline",
    "brainstorm",
    "act",
    "pretend",
    "imagine",
    "continue",
    "complete",
    "play",
    "simulate",
    "respond",
    "reply",
    "identify",
    "classify",
    "extract",
    "format",
    "sort",
    "count",
    "estimate",
    "predict",
    "evaluate",
    "prepare",
    "organize",
    "organise",
    "draw",
    "code",
    "program",
    "port",
    "test",
    "set",
    "install",
    "configure",
    "deploy",
    "read",
];

const QUESTION_WORDS: &[&str] = &[
    "what", "what's", "why", "when", "where", "who", "which", "whose", "whom", "how", "is", "are",
    "was", "were", "does", "do", "did", "can", "could", "should", "would", "will", "has", "have",
    "am",
];

/// Strips `prefix` (a run of whole words) from the start of `s`, ignoring case.
fn strip_words<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = &s[prefix.len()..];
    match rest.chars().next() {
        None => Some(rest),
        Some(c) if c.is_alphanumeric() || c == '\'' => None,
        Some(_) => Some(rest.trim_start_matches([' ', ',', ':'])),
    }
}

/// Swaps first-person words for third-person ones ("my" → "their").
fn third_person(s: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut after_i = false;
    for word in s.split(' ') {
        let core = word.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        let tail = &word[core.len()..];
        let lower = core.to_lowercase();
        if matches!(lower.as_str(), "please" | "pls" | "kindly") {
            // Drop the word, keep its punctuation ("for me please:" → "for them:").
            match out.last_mut() {
                Some(prev) => prev.push_str(tail),
                None if !tail.is_empty() => out.push(tail.to_string()),
                None => {}
            }
            continue;
        }
        let swapped = match lower.as_str() {
            "my" | "our" => "their",
            "me" | "us" => "them",
            "mine" | "ours" => "theirs",
            "myself" | "ourselves" => "themselves",
            "i" | "we" => "they",
            "i'm" | "we're" => "they're",
            "i've" | "we've" => "they've",
            "i'll" | "we'll" => "they'll",
            "am" | "was" if after_i => {
                if lower == "am" {
                    "are"
                } else {
                    "were"
                }
            }
            _ => core,
        };
        after_i = lower == "i" && tail.is_empty();
        out.push(format!("{swapped}{tail}"));
    }
    out.join(" ")
}

/// Lower-cases the first letter unless the first word looks like an
/// acronym or a name with inner capitals.
fn lower_first(s: &str) -> String {
    let first_word = s.split(' ').next().unwrap_or("");
    let inner_upper = first_word.chars().skip(1).any(char::is_uppercase);
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if !inner_upper => c.to_lowercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

fn first_word_lower(s: &str) -> String {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .next()
        .unwrap_or("")
        .to_lowercase()
}

/// The phrase completing "… is to ___" for `sentence`.
pub fn phrase(sentence: &str) -> String {
    let cleaned = collapse_whitespace(strip_greeting(sentence));
    let question = cleaned.ends_with(['?', '？', '؟']);
    let core = cleaned
        .trim_end_matches(['.', '?', '!', '。', '？', '！', '؟', ' '])
        .to_string();

    let mut rest = core.as_str();
    let mut polite = false;
    'strip: loop {
        for p in POLITE {
            if let Some(r) = strip_words(rest, p) {
                rest = r;
                polite = true;
                continue 'strip;
            }
        }
        break;
    }
    let rest = rest
        .trim_end_matches(", please")
        .trim_end_matches(" please")
        .trim_end_matches(" for me");

    for (prefix, replacement) in MAPPED {
        if let Some(r) = strip_words(rest, prefix) {
            let tail = third_person(r);
            let joined = if tail.is_empty() {
                (*replacement).to_string()
            } else {
                format!("{replacement} {tail}")
            };
            return truncate(&joined, MAX_PHRASE);
        }
    }
    let first = first_word_lower(rest);
    if !rest.is_empty() && (polite || IMPERATIVE.contains(&first.as_str())) {
        return truncate(&lower_first(&third_person(rest)), MAX_PHRASE);
    }
    let quoted = truncate(&cleaned, MAX_PHRASE - 20);
    if question || QUESTION_WORDS.contains(&first_word_lower(&core).as_str()) {
        format!("answer the question \"{quoted}\"")
    } else {
        format!("help with \"{quoted}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::phrase;

    #[test]
    fn rewrites_common_english_openings() {
        assert_eq!(
            phrase("Can you write a poem about my cat?"),
            "write a poem about their cat"
        );
        assert_eq!(phrase("Hi, please fix my code."), "fix their code");
        assert_eq!(
            phrase("How do I reset my PIN?"),
            "explain how to reset their PIN"
        );
        assert_eq!(phrase("I want to learn Spanish"), "help them learn Spanish");
        assert_eq!(
            phrase("Help me with my essay"),
            "help them with their essay"
        );
        assert_eq!(
            phrase("Translate this to French"),
            "translate this to French"
        );
    }

    #[test]
    fn quotes_what_it_cannot_rewrite() {
        assert_eq!(
            phrase("What is the capital of France?"),
            "answer the question \"What is the capital of France?\""
        );
        assert_eq!(phrase("I forgot my PIN."), "help with \"I forgot my PIN.\"");
        assert_eq!(
            phrase("¿Dónde está la estación?"),
            "answer the question \"¿Dónde está la estación?\""
        );
    }

    #[test]
    fn keeps_acronyms() {
        assert_eq!(phrase("Please SQL-ify this"), "SQL-ify this");
    }
}
