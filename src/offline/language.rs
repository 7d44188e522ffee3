//! Heuristic language detection: writing scripts first, then stop-word
//! profiles for Latin-script languages, plus programming languages spotted
//! from keywords.

const PROFILES: &[(&str, &[&str])] = &[
    (
        "english",
        &[
            "the", "and", "is", "to", "how", "what", "with", "for", "this", "can", "you", "my",
            "do", "i",
        ],
    ),
    (
        "spanish",
        &[
            "el", "la", "de", "que", "y", "en", "los", "por", "para", "una", "cómo", "mi", "es",
            "con",
        ],
    ),
    (
        "french",
        &[
            "le", "la", "les", "de", "et", "est", "pour", "une", "des", "je", "comment", "mon",
            "pas", "avec",
        ],
    ),
    (
        "german",
        &[
            "der", "die", "das", "und", "ist", "nicht", "ich", "wie", "mit", "ein", "eine", "für",
            "mein", "zu",
        ],
    ),
    (
        "portuguese",
        &[
            "o", "a", "de", "que", "e", "do", "da", "em", "um", "para", "como", "meu", "não", "uma",
        ],
    ),
    (
        "italian",
        &[
            "il", "di", "che", "e", "la", "per", "un", "non", "sono", "come", "mio", "una", "con",
            "del",
        ],
    ),
    (
        "dutch",
        &[
            "de", "het", "een", "en", "van", "ik", "is", "niet", "hoe", "met", "mijn", "voor",
            "dat", "te",
        ],
    ),
];

const CODE: &[(&str, &[&str])] = &[
    (
        "python",
        &[
            "python", "def ", "import ", "pip ", "pandas", ".py", "django", "numpy",
        ],
    ),
    (
        "rust",
        &["rust", "cargo", "fn ", "impl ", "borrow checker", "let mut"],
    ),
    (
        "javascript",
        &["javascript", "const ", "npm ", "node.js", "react", "=>"],
    ),
    ("typescript", &["typescript", "interface ", ".ts"]),
    ("sql", &["sql", "select ", "join ", "postgres", "mysql"]),
    ("java", &["java ", "public class", "spring boot"]),
    ("go", &["golang", "go mod", "func main"]),
    ("c++", &["c++", "std::", "#include"]),
    ("bash", &["bash", "shell script", "#!/bin"]),
];

fn script_language(c: char) -> Option<&'static str> {
    match c as u32 {
        0x3040..=0x30FF => Some("japanese"),
        0xAC00..=0xD7AF => Some("korean"),
        0x4E00..=0x9FFF => Some("chinese"),
        0x0400..=0x04FF => Some("russian"),
        0x0600..=0x06FF => Some("arabic"),
        0x0590..=0x05FF => Some("hebrew"),
        0x0E00..=0x0E7F => Some("thai"),
        0x0900..=0x097F => Some("hindi"),
        0x0370..=0x03FF => Some("greek"),
        _ => None,
    }
}

/// Human and programming languages of `text`, lowercase English names,
/// the main human language first.
pub fn detect_languages(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut letters = 0usize;
    for c in text.chars() {
        if c.is_alphabetic() {
            letters += 1;
            if let Some(l) = script_language(c) {
                *counts.entry(l).or_default() += 1;
            }
        }
    }
    // Kana anywhere means Japanese even when kanji dominate.
    if counts.contains_key("japanese") {
        let kanji = counts.remove("chinese").unwrap_or(0);
        *counts.entry("japanese").or_default() += kanji;
    }
    let mut scripts: Vec<(&str, usize)> = counts
        .into_iter()
        .filter(|(_, n)| *n * 5 >= letters.max(1))
        .collect();
    scripts.sort_by_key(|s| std::cmp::Reverse(s.1));
    out.extend(scripts.iter().map(|(l, _)| l.to_string()));
    if scripts.iter().map(|(_, n)| n).sum::<usize>() * 2 < letters {
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        let best = PROFILES
            .iter()
            .map(|(name, stop)| (name, words.iter().filter(|w| stop.contains(w)).count()))
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)));
        if let Some((name, hits)) = best
            && hits > 0
        {
            out.insert(0, name.to_string());
        }
    }
    let lower = text.to_lowercase();
    for (name, keys) in CODE {
        if keys.iter().any(|k| lower.contains(k)) {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_languages() {
        assert_eq!(
            detect_languages("How do I cancel my subscription?")[0],
            "english"
        );
        assert_eq!(
            detect_languages("¿Cómo puedo cancelar mi suscripción para el mes?")[0],
            "spanish"
        );
        assert_eq!(
            detect_languages("Comment je peux annuler mon abonnement pour le mois?")[0],
            "french"
        );
        assert_eq!(
            detect_languages("Wie kann ich mein Abo kündigen, das ist nicht gut")[0],
            "german"
        );
        assert_eq!(
            detect_languages("サブスクリプションを解約したいです")[0],
            "japanese"
        );
        assert_eq!(detect_languages("Как отменить подписку?")[0], "russian");
    }
}
