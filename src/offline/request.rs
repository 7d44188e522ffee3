//! Recognising the sentence that states the user's request: a question, an
//! imperative, or a sentence with an asking phrase ("can you", "I need",
//! "kannst du", "¿puedes", "教えて"). The request facet is that sentence in
//! the user's own words and language, never rephrased into an English
//! template: offline, nothing is invented.

use super::extract::{collapse_whitespace, strip_greeting, truncate};

/// Longest request, in characters.
pub const MAX_REQUEST: usize = 200;

/// Phrases that mark a sentence as asking for something, matched as whole
/// words in the lower-cased sentence.
const ASKING: &[&str] = &[
    // english
    "can you",
    "could you",
    "would you",
    "will you",
    "can u",
    "help me",
    "i need",
    "i want",
    "i'd like",
    "i would like",
    "trying to",
    "struggling to",
    "how do i",
    "how can i",
    "how should i",
    "how to",
    "what's the best",
    "what is the best",
    "is there a way",
    "please",
    "looking for",
    // spanish
    "puedes",
    "podrías",
    "podrias",
    "necesito",
    "quiero",
    "ayúdame",
    "ayudame",
    "intentando",
    "cómo",
    // french
    "peux-tu",
    "pouvez-vous",
    "pourriez-vous",
    "j'ai besoin",
    "je veux",
    "je voudrais",
    "j'essaie",
    "aide-moi",
    "aidez-moi",
    "comment",
    // german
    "kannst du",
    "können sie",
    "könnten sie",
    "ich brauche",
    "ich möchte",
    "ich versuche",
    "ich will",
    "hilf mir",
    "helfen",
    "wie kann",
    "wie schaffe",
    // portuguese
    "você pode",
    "voce pode",
    "pode me",
    "preciso",
    "quero",
    "me ajude",
    "tentando",
    "como faço",
    // italian
    "puoi",
    "potresti",
    "ho bisogno",
    "voglio",
    "vorrei",
    // dutch
    "kun je",
    "kunt u",
    "ik wil",
    "ik heb hulp",
    // russian
    "помогите",
    "помоги",
    "можете",
    "нужно",
    "как",
];

/// Markers of a request in scripts written without spaces, matched
/// anywhere in the sentence.
const ASKING_UNSPACED: &[&str] = &[
    "ください",
    "教えて",
    "たい",
    "方法",
    "どう",
    "ますか",
    "でしょうか",
    "请",
    "帮我",
    "怎么",
    "如何",
    "吗",
    "주세요",
    "어떻게",
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
    "identify",
    "classify",
    "extract",
    "format",
    "sort",
    "estimate",
    "prepare",
    "organize",
    "organise",
    "book",
    "reserve",
    "cancel",
    "set",
    "send",
    "order",
    "schedule",
    "escribe",
    "explica",
    "traduce",
    "corrige",
    "écris",
    "explique",
    "traduis",
    "schreib",
    "schreibe",
    "erkläre",
    "übersetze",
    "korrigiere",
    "escreva",
    "traduza",
    "scrivi",
    "spiega",
    "traduci",
];

fn words_lower(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(|w| w.replace('’', "'").to_lowercase())
        .collect()
}

/// Whether the lower-cased words contain `phrase` as a run of whole words.
fn has_phrase(words: &[String], phrase: &str) -> bool {
    let want: Vec<&str> = phrase.split(' ').collect();
    words
        .windows(want.len())
        .any(|w| w.iter().zip(&want).all(|(a, b)| a == b))
}

/// True when `sentence` asks for something: a question, an imperative, or
/// an asking phrase in one of the languages the detector knows.
pub fn looks_like_request(sentence: &str) -> bool {
    let s = strip_greeting(sentence).trim();
    if s.ends_with(['?', '？', '؟']) || s.starts_with('¿') {
        return true;
    }
    let words = words_lower(s);
    if words
        .first()
        .is_some_and(|w| IMPERATIVE.contains(&w.as_str()))
    {
        return true;
    }
    ASKING.iter().any(|p| has_phrase(&words, p)) || ASKING_UNSPACED.iter().any(|p| s.contains(p))
}

/// The request as the user wrote it: greeting removed, whitespace
/// collapsed, first letter capitalised, cut to [`MAX_REQUEST`] characters.
pub fn clean(sentence: &str) -> String {
    let text = collapse_whitespace(strip_greeting(sentence));
    let mut chars = text.chars();
    let capitalised: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    truncate(&capitalised, MAX_REQUEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_requests_in_several_languages() {
        for s in [
            "Can you write a poem about my cat?",
            "Fix my code",
            "I've been struggling to shorten my cover letter all day.",
            "Kannst du mir helfen, ein Anschreiben zu schreiben",
            "Je voudrais réserver un vol pour Lyon.",
            "履歴書の書き方を教えてください。",
            "Hi, please translate this",
        ] {
            assert!(looks_like_request(s), "{s}");
        }
        for s in [
            "Thanks, that worked!",
            "I have 5 years of experience in retail management.",
            "Ich schreibe nicht gut und habe den Entwurf schon fünfmal umgeschrieben.",
        ] {
            assert!(!looks_like_request(s), "{s}");
        }
    }

    #[test]
    fn cleans_without_rephrasing() {
        assert_eq!(
            clean("Hi,   can you   write a poem?"),
            "Can you write a poem?"
        );
    }
}
