//! Scripts written without spaces between words: Japanese (kana and
//! kanji) and Chinese. The summariser's salience, the phrase finder and
//! the namer all split such text into characters rather than words, so
//! they ask this one module which characters those are. Korean is written
//! with spaces between words, so Hangul is not among them.

/// Whether `c` belongs to a script written without spaces between words.
pub(crate) fn unspaced(c: char) -> bool {
    hiragana(c) || katakana(c) || han(c)
}

/// Whether `s` begins with such a character (a phrase of that script).
pub(crate) fn starts_unspaced(s: &str) -> bool {
    s.chars().next().is_some_and(unspaced)
}

pub(crate) fn hiragana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x309F)
}

/// Katakana and its phonetic extensions; the long-vowel mark "ー" is
/// among them. Half-width forms are left out: the summariser's salience
/// never split them, and its checkpoints are keyed as if it still does not.
pub(crate) fn katakana(c: char) -> bool {
    matches!(c as u32, 0x30A0..=0x30FF | 0x31F0..=0x31FF)
}

/// Han characters (kanji, hanzi): the unified block, extension A and the
/// compatibility block.
pub(crate) fn han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_and_chinese_are_unspaced_korean_and_latin_are_not() {
        for c in ['の', 'ロ', 'ー', '画', '你', '㐀'] {
            assert!(unspaced(c), "{c}");
        }
        for c in ['한', 'a', 'é', 'я', '。', '、', '1', '😀'] {
            assert!(!unspaced(c), "{c}");
        }
        assert!(hiragana('の') && !hiragana('ロ'));
        assert!(katakana('ロ') && katakana('ー') && !katakana('画'));
        assert!(starts_unspaced("ログイン画面"));
        assert!(!starts_unspaced("로그인 화면"));
        assert!(!starts_unspaced(""));
    }
}
