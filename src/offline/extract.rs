//! Sentence-level text handling for extractive summaries: cleaning,
//! splitting, recognising greetings and boilerplate, truncating.

/// [`FILLER`] as a set: it is asked once per word of every text named.
static FILLER_SET: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
    std::sync::LazyLock::new(|| FILLER.iter().copied().collect());

/// Words that make up greetings, thanks and "can you help me" filler, in
/// the languages the detector knows. A sentence made only of these carries
/// no request.
const FILLER: &[&str] = &[
    // english
    "hi",
    "hello",
    "hey",
    "heya",
    "hiya",
    "yo",
    "there",
    "good",
    "morning",
    "afternoon",
    "evening",
    "day",
    "dear",
    "greetings",
    "thanks",
    "thank",
    "you",
    "so",
    "much",
    "please",
    "pls",
    "help",
    "me",
    "can",
    "could",
    "would",
    "will",
    "u",
    "i",
    "have",
    "a",
    "quick",
    "question",
    "need",
    "some",
    "in",
    "advance",
    "chatgpt",
    "gpt",
    "assistant",
    "bot",
    "ai",
    "claude",
    "sir",
    "madam",
    "ok",
    "okay",
    "great",
    "thx",
    "ty",
    "cheers",
    "again",
    "how",
    "are",
    "doing",
    "today",
    "what's",
    "up",
    "all",
    "everyone",
    "well",
    "fine",
    "and",
    "to",
    "with",
    "something",
    "hope",
    "is",
    "it",
    "possible",
    "for",
    "assist",
    // other languages
    "hola",
    "buenos",
    "buenas",
    "días",
    "dias",
    "tardes",
    "noches",
    "gracias",
    "bonjour",
    "bonsoir",
    "salut",
    "merci",
    "hallo",
    "guten",
    "tag",
    "morgen",
    "abend",
    "danke",
    "ciao",
    "buongiorno",
    "buonasera",
    "grazie",
    "olá",
    "ola",
    "oi",
    "bom",
    "dia",
    "obrigado",
    "obrigada",
    "goedemorgen",
    "goedendag",
    "dank",
    "bedankt",
    "hoi",
    "привет",
    "здравствуйте",
    "спасибо",
    "こんにちは",
    "ありがとう",
    "你好",
    "您好",
    "谢谢",
    "안녕하세요",
    "감사합니다",
    "مرحبا",
    "شكرا",
    "السلام",
    "عليكم",
];

/// Collapses runs of whitespace to single spaces and trims.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes markdown decoration at the start of a line (`#`, `>`, `-`, `*`).
fn strip_line_markup(line: &str) -> &str {
    line.trim_start()
        .trim_start_matches(['#', '>', '*', '-', '•'])
        .trim_start()
}

/// Splits prose into sentences: at line breaks and after `.`, `!`, `?`
/// (and their full-width forms) that end a word.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = strip_line_markup(line);
        let mut cur = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            cur.push(c);
            let ends = matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '؟');
            let at_break =
                chars.peek().is_none_or(|n| n.is_whitespace()) || matches!(c, '。' | '！' | '？');
            if ends && at_break {
                push_sentence(&mut out, &cur);
                cur.clear();
            }
        }
        push_sentence(&mut out, &cur);
    }
    out
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let s = collapse_whitespace(s);
    if s.chars().any(char::is_alphanumeric) || s.starts_with('[') {
        out.push(s);
    }
}

fn words_lower(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `word` (lower-case) is a greeting, thanks or filler word.
pub(crate) fn is_filler_word(word: &str) -> bool {
    FILLER_SET.contains(word)
}

/// True for a sentence that is only a greeting, thanks or a request for
/// help without content ("Hi there!", "Can you help me?").
pub fn is_filler(sentence: &str) -> bool {
    let words = words_lower(sentence);
    !words.is_empty() && words.iter().all(|w| FILLER_SET.contains(w.as_str()))
}

/// Drops a leading greeting from a sentence: "Hi, can you ..." → "can you ...".
pub fn strip_greeting(sentence: &str) -> &str {
    let mut rest = sentence;
    loop {
        let Some((head, tail)) = rest.split_once([',', '!', ':', '—']) else {
            return rest;
        };
        if head.trim().is_empty() || !is_filler(head) || tail.trim().is_empty() {
            return rest;
        }
        rest = tail.trim_start();
    }
}

/// Cuts `text` to at most `max` characters at a word boundary, adding `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let trimmed = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", trimmed.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_and_lines() {
        assert_eq!(
            sentences("Hi there! I need a poem.\n# Title\nAbout cats? v1.2 is out"),
            [
                "Hi there!",
                "I need a poem.",
                "Title",
                "About cats?",
                "v1.2 is out"
            ]
        );
        assert_eq!(
            sentences("你好。请帮我写一首诗。"),
            ["你好。", "请帮我写一首诗。"]
        );
    }

    #[test]
    fn greetings_and_filler() {
        assert!(is_filler("Hello there!"));
        assert!(is_filler("Can you help me?"));
        assert!(is_filler("Hola, buenos días"));
        assert!(!is_filler("Write a poem"));
        assert_eq!(
            strip_greeting("Hi, can you write a poem?"),
            "can you write a poem?"
        );
        assert_eq!(strip_greeting("Hey! Hi, fix my code"), "fix my code");
        assert_eq!(
            strip_greeting("Write a poem, please"),
            "Write a poem, please"
        );
    }

    #[test]
    fn truncates_at_words() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("one two three four five", 12), "one two…");
    }
}
