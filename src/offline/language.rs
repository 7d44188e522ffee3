//! Heuristic natural-language detection: the writing system first (kana,
//! hangul, han, cyrillic, arabic, ...), then, for Latin script, profiles of
//! frequent short words and telltale letters for English, Spanish, French,
//! German, Portuguese, Italian and Dutch. It answers `None` rather than
//! guess when the evidence is thin.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Latin-script languages with a word profile, in bit order.
const LATIN: [&str; 7] = [
    "english",
    "spanish",
    "french",
    "german",
    "portuguese",
    "italian",
    "dutch",
];

const PROFILES: [&str; 7] = [
    // english
    "the and is are was were to of in that it you i my for on with this what how can do does \
     have has be not an me your please would could should there from about will which where when \
     why who if or but at by we they he she want need help know like just get make",
    // spanish
    "el la los las de que y en un una es por para con no se lo mi mis tu cómo como qué quiero \
     puedes necesito está están hay pero más del al muy también dónde porque sobre este esta \
     hola gracias ayuda o me",
    // french
    "le la les de des du et est un une que qui pour pas je tu vous nous il elle dans sur avec \
     ce cette mon ma mes comment où bonjour merci peux voudrais suis c'est au aux ne ou me en",
    // german
    "der die das und ist nicht ich du sie wir ein eine einen mit für auf wie was kann können \
     bitte mein meine zu von den dem im es wo hallo danke ich habe auch oder aber warum",
    // portuguese
    "o a os as de que e do da dos das em um uma é não para com por se eu você meu minha como \
     onde fica obrigado obrigada olá posso preciso está são mais mas ao no na",
    // italian
    "il lo la i gli le di che e è un una per non sono con mi ti come dove dov perché della \
     dei delle del al nel questo questa posso vorrei grazie ciao anche ma più",
    // dutch
    "de het een en is van ik je niet dat die op te voor met zijn hoe waar wat kan kun mijn \
     ook maar er bij naar hallo dank bedankt graag wil",
];

/// word → bit set of the languages whose profile holds it.
static WORDS: LazyLock<HashMap<&'static str, u8>> = LazyLock::new(|| {
    let mut map: HashMap<&'static str, u8> = HashMap::new();
    for (bit, profile) in PROFILES.iter().enumerate() {
        for w in profile.split_whitespace() {
            *map.entry(w).or_default() |= 1 << bit;
        }
    }
    map
});

/// Letters that point at one or a few languages, with their weight.
fn letter_hints(c: char) -> &'static [(usize, f32)] {
    match c {
        'ñ' | '¿' | '¡' => &[(1, 2.0)],
        'ã' | 'õ' => &[(4, 2.0)],
        'ç' => &[(2, 0.7), (4, 0.7)],
        'ß' => &[(3, 2.0)],
        'ä' | 'ö' | 'ü' => &[(3, 0.7)],
        'ê' | 'â' | 'î' | 'ô' | 'û' | 'œ' | 'ë' | 'ï' => &[(2, 0.5)],
        'ì' | 'ò' => &[(5, 0.7)],
        _ => &[],
    }
}

#[derive(Default)]
struct Scripts {
    latin: usize,
    kana: usize,
    hangul: usize,
    han: usize,
    cyrillic: usize,
    ukrainian: usize,
    arabic: usize,
    greek: usize,
    hebrew: usize,
    devanagari: usize,
    thai: usize,
}

fn count_scripts(text: &str) -> (Scripts, usize) {
    let mut s = Scripts::default();
    let mut letters = 0;
    for c in text.chars() {
        if !c.is_alphabetic() {
            continue;
        }
        letters += 1;
        match c as u32 {
            0x41..=0x24F | 0x1E00..=0x1EFF => s.latin += 1,
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => s.kana += 1,
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => s.hangul += 1,
            0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF => s.han += 1,
            0x400..=0x4FF => {
                s.cyrillic += 1;
                if matches!(c, 'і' | 'ї' | 'є' | 'ґ' | 'І' | 'Ї' | 'Є' | 'Ґ') {
                    s.ukrainian += 1;
                }
            }
            0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => s.arabic += 1,
            0x370..=0x3FF => s.greek += 1,
            0x590..=0x5FF => s.hebrew += 1,
            0x900..=0x97F => s.devanagari += 1,
            0xE00..=0xE7F => s.thai += 1,
            _ => {}
        }
    }
    (s, letters)
}

/// The main natural language of `text` (lower-case English name, e.g.
/// `"english"`, `"japanese"`), or `None` when unsure.
pub fn detect(text: &str) -> Option<&'static str> {
    let (s, letters) = count_scripts(text);
    if letters == 0 {
        return None;
    }
    // CJK scripts carry many sounds per letter, so they count more.
    let candidates = [
        (
            s.kana * 3 + if s.kana > 0 { s.han * 3 } else { 0 },
            "japanese",
        ),
        (s.hangul * 3, "korean"),
        (if s.kana == 0 { s.han * 3 } else { 0 }, "chinese"),
        (
            s.cyrillic,
            if s.ukrainian > 0 {
                "ukrainian"
            } else {
                "russian"
            },
        ),
        (s.arabic, "arabic"),
        (s.greek, "greek"),
        (s.hebrew, "hebrew"),
        (s.devanagari, "hindi"),
        (s.thai, "thai"),
    ];
    let (best, name) = candidates
        .iter()
        .copied()
        .max_by_key(|&(n, _)| n)
        .unwrap_or((0, ""));
    if best > 0 && best >= s.latin {
        // Too few letters of that script to be sure is still a fine signal
        // for scripts used by one language; require at least two.
        return (best >= 2).then_some(name);
    }
    detect_latin(text)
}

fn detect_latin(text: &str) -> Option<&'static str> {
    let mut scores = [0f32; LATIN.len()];
    let mut word = String::new();
    let flush = |word: &mut String, scores: &mut [f32; 7]| {
        if let Some(&bits) = WORDS.get(word.as_str()) {
            let share = 1.0 / bits.count_ones() as f32;
            for (i, s) in scores.iter_mut().enumerate() {
                if bits & (1 << i) != 0 {
                    *s += share;
                }
            }
        }
        word.clear();
    };
    for c in text.chars() {
        for &(lang, w) in letter_hints(c.to_lowercase().next().unwrap_or(c)) {
            scores[lang] += w;
        }
        if c.is_alphabetic() {
            word.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '’') && !word.is_empty() {
            word.push('\'');
        } else {
            flush(&mut word, &mut scores);
        }
    }
    flush(&mut word, &mut scores);
    let mut ranked: Vec<(usize, f32)> = scores.iter().copied().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let (best, top) = ranked[0];
    let second = ranked[1].1;
    (top >= 1.5 && top > second * 1.3).then_some(LATIN[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_go_on() {
        assert_eq!(detect(""), None);
        assert_eq!(detect("1234 !!"), None);
        assert_eq!(detect("PIN"), None);
    }

    #[test]
    fn apostrophes_stay_inside_words() {
        assert_eq!(detect("c'est la vie, je pense"), Some("french"));
    }
}
