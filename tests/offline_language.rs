//! Heuristic language detection on short samples.

use kura_tui::offline::code;
use kura_tui::offline::language::detect;

#[test]
fn short_samples_of_each_language() {
    let samples = [
        (
            "english",
            "Where is the train station? I need to get there by noon.",
        ),
        (
            "spanish",
            "¿Dónde está la estación de tren? Necesito llegar antes del mediodía.",
        ),
        ("french", "Où est la gare ? Je dois y être avant midi."),
        (
            "german",
            "Wo ist der Bahnhof? Ich muss bis Mittag dort sein.",
        ),
        (
            "portuguese",
            "Onde fica a estação de trem? Preciso chegar lá até o meio-dia.",
        ),
        (
            "italian",
            "Dov'è la stazione dei treni? Devo arrivare prima di mezzogiorno.",
        ),
        (
            "dutch",
            "Waar is het treinstation? Ik moet er voor de middag zijn.",
        ),
        (
            "japanese",
            "駅はどこですか？正午までに行かなければなりません。",
        ),
        ("chinese", "火车站在哪里？我需要在中午之前到达。"),
        ("korean", "기차역이 어디에 있나요? 정오까지 가야 해요."),
        (
            "russian",
            "Где находится вокзал? Мне нужно быть там до полудня.",
        ),
        ("arabic", "أين محطة القطار؟ يجب أن أصل قبل الظهر."),
    ];
    for (want, text) in samples {
        assert_eq!(detect(text), Some(want), "{text}");
    }
}

#[test]
fn very_short_requests() {
    assert_eq!(detect("I forgot my PIN"), Some("english"));
    assert_eq!(detect("Hola, ¿cómo estás?"), Some("spanish"));
    assert_eq!(detect("Danke, das ist gut"), Some("german"));
    assert_eq!(detect("Merci pour votre aide"), Some("french"));
}

#[test]
fn unclear_text_is_not_guessed() {
    assert_eq!(detect(""), None);
    assert_eq!(detect("OK"), None);
    assert_eq!(detect("x = 42; y = x * 2"), None);
}

#[test]
fn programming_languages_from_fences_syntax_and_names() {
    let split = code::split_fences("```rust\nfn main() {}\n```\n```\nimport pandas as pd\n```");
    assert_eq!(split.languages, ["rust", "python"]);
    assert_eq!(
        code::sniff("SELECT id FROM orders WHERE total > 10"),
        Some("sql")
    );
    assert_eq!(
        code::sniff("#include <stdio.h>\nint main() { printf(\"hi\"); }"),
        Some("c")
    );
    assert_eq!(
        code::mentioned("Why does my TypeScript build fail?"),
        ["typescript"]
    );
}
