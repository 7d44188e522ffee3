//! Candidate phrases for naming clusters: runs of one to six words inside
//! a clause (never across punctuation) that start and end on a content
//! word, counted once per conversation.
//!
//! Words are letters and digits with inner apostrophes and hyphens
//! ("peux-tu", "don't"). In scripts written without spaces each character
//! is a word, shown without spaces, and a phrase must start and end on a
//! kanji, katakana or hangul character (hiragana are mostly grammar). In
//! Japanese, where the script changes at most word edges, a phrase also
//! starts and ends where a run of one script does ("ログイン画面", never
//! "グイン画面" or "スト" from "テスト"); Chinese has no such edges, so any
//! stretch may be a phrase there.

use std::borrow::Cow;
use std::sync::LazyLock;

use rustc_hash::FxHashSet;

use super::script::{hiragana, katakana, unspaced};
use crate::cluster::is_stopword;

/// Longest phrase, in words.
pub const MAX_WORDS: usize = 6;
/// Longest phrase in an unspaced script, in characters.
const MAX_UNSPACED: usize = 8;
/// Only this much of each text is read.
const MAX_CHARS: usize = 600;

/// Short words, pronouns and contractions that never start or end a
/// phrase (on top of the stop-word list and words under three letters).
const EDGE_STOP: &[&str] = &[
    "i've",
    "i'm",
    "i'd",
    "i'll",
    "you're",
    "you've",
    "it's",
    "that's",
    "what's",
    "don't",
    "doesn't",
    "can't",
    "isn't",
    "aren't",
    "didn't",
    "won't",
    "there's",
    "let's",
    "he's",
    "she's",
    "we're",
    "they're",
    "myself",
    "yours",
    "hello",
    "thanks",
    "thank",
    "sure",
    "okay",
    "hey",
    "hiya",
    "again",
    "still",
    "something",
    "anything",
    "everything",
    "someone",
    "really",
    "actually",
    "maybe",
    "mine",
    "moi",
    "toi",
    "mich",
    "mir",
    "dir",
    "dich",
];

/// [`EDGE_STOP`] as a set: it is asked once per word of every text named.
static EDGE_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| EDGE_STOP.iter().copied().collect());

/// One word of a text, borrowed from it where it can be.
#[derive(Debug, Clone, PartialEq)]
pub struct Word<'a> {
    /// As written.
    pub shown: Cow<'a, str>,
    /// Lower-case, for matching.
    pub norm: Cow<'a, str>,
    /// Written without a space before it (unspaced scripts).
    pub glued: bool,
    /// May start or end a phrase.
    pub content: bool,
    /// Begins a run of one script (always, outside unspaced scripts).
    pub opens: bool,
    /// Ends a run of one script (always, outside unspaced scripts).
    pub closes: bool,
}

/// Ways of asking in scripts written without spaces (Japanese, Chinese):
/// "method", "teach", "struggling", "help", "question", "explain", "want
/// to know", "need", "best", "I", "how", "please". Their characters never
/// start or end a phrase, as the stop words do for spaced languages.
const UNSPACED_REQUEST: &[&str] = &[
    "方法",
    "やり方",
    "教え",
    "苦戦",
    "手伝",
    "助け",
    "困って",
    "質問",
    "説明",
    "知りた",
    "必要",
    "一番",
    "私",
    "怎么",
    "如何",
    "帮我",
    "帮助",
    "请问",
    "问题",
    "解释",
    "需要",
    "我",
];

/// Marks the characters of [`UNSPACED_REQUEST`] runs in `clause` as not
/// content.
fn mark_request_runs(clause: &mut [Word<'_>]) {
    let mut start = 0;
    while start < clause.len() {
        if !clause[start].glued {
            start += 1;
            continue;
        }
        let end = clause[start..]
            .iter()
            .position(|w| !w.glued)
            .map_or(clause.len(), |p| start + p);
        // Each glued word is one character, so a match's character offset
        // in the run is its word's offset in the clause.
        let run: String = clause[start..end].iter().map(|w| w.norm.as_ref()).collect();
        for pattern in UNSPACED_REQUEST {
            let len = pattern.chars().count();
            for (byte, _) in run.match_indices(pattern) {
                let first = start + run[..byte].chars().count();
                for w in &mut clause[first..first + len] {
                    w.content = false;
                }
            }
        }
        start = end;
    }
}

/// The script of an unspaced character, for finding where runs of one
/// script begin and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Hiragana,
    Katakana,
    Han,
}

fn script(w: &Word<'_>) -> Option<Script> {
    if !w.glued {
        return None;
    }
    let c = w.norm.chars().next()?;
    Some(if hiragana(c) {
        Script::Hiragana
    } else if katakana(c) {
        Script::Katakana
    } else {
        Script::Han
    })
}

/// In a clause holding kana (Japanese), marks which characters begin and
/// end a run of one script; only there may a phrase start or end. Kanji
/// compounds and katakana words are such runs, so phrases are whole words
/// rather than stretches cut at arbitrary characters.
fn mark_script_runs(clause: &mut [Word<'_>]) {
    let scripts: Vec<Option<Script>> = clause.iter().map(script).collect();
    let japanese = scripts
        .iter()
        .any(|s| matches!(s, Some(Script::Hiragana | Script::Katakana)));
    if !japanese {
        return;
    }
    for (i, w) in clause.iter_mut().enumerate() {
        let Some(own) = scripts[i] else {
            continue;
        };
        w.opens = i == 0 || scripts[i - 1] != Some(own);
        w.closes = scripts.get(i + 1).copied().flatten() != Some(own);
        // A long-vowel mark ends katakana words ("エラー", "サーバー").
        if own == Script::Katakana && !w.opens && w.norm == "ー" {
            w.content = true;
        }
    }
}

fn is_break(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '"'
            | '“'
            | '”'
            | '«'
            | '»'
            | '¿'
            | '¡'
            | '…'
            | '\n'
            | '。'
            | '、'
            | '！'
            | '？'
            | '「'
            | '」'
            | '・'
            | '—'
            | '/'
            | '`'
    )
}

/// Whether `norm` is one of the short words, pronouns and contractions
/// that never start or end a phrase (beyond the stop words).
pub(super) fn edge_stop(norm: &str) -> bool {
    EDGE_SET.contains(norm)
}

/// Whether a spaced word may start or end a phrase.
pub fn content_word(norm: &str) -> bool {
    norm.chars().count() >= 3
        && !norm.chars().all(|c| c.is_numeric())
        && !is_stopword(norm)
        && !EDGE_SET.contains(norm)
        && !super::extract::is_filler_word(norm)
}

/// Splits `text` into clauses of words.
pub fn clauses<'a>(text: &'a str) -> Vec<Vec<Word<'a>>> {
    let mut out: Vec<Vec<Word<'a>>> = Vec::new();
    let mut clause: Vec<Word<'a>> = Vec::new();
    // The word being read: where it starts, and whether it holds a ’
    // (shown as ').
    let mut word: Option<usize> = None;
    let mut curly = false;
    let flush =
        |word: &mut Option<usize>, end: usize, curly: &mut bool, clause: &mut Vec<Word<'a>>| {
            let Some(start) = word.take() else {
                return;
            };
            let edge = |c: char| c == '\'' || c == '-';
            let shown: Cow<'a, str> = if std::mem::take(curly) {
                Cow::Owned(
                    text[start..end]
                        .replace('’', "'")
                        .trim_matches(edge)
                        .to_string(),
                )
            } else {
                Cow::Borrowed(text[start..end].trim_matches(edge))
            };
            if shown.is_empty() {
                return;
            }
            let norm = if shown
                .bytes()
                .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
            {
                shown.clone()
            } else {
                Cow::Owned(shown.to_lowercase())
            };
            clause.push(Word {
                content: content_word(&norm),
                shown,
                norm,
                glued: false,
                opens: true,
                closes: true,
            });
        };
    let mut end = 0;
    for (i, c) in text.char_indices().take(MAX_CHARS) {
        end = i + c.len_utf8();
        if unspaced(c) {
            flush(&mut word, i, &mut curly, &mut clause);
            let s = Cow::Borrowed(&text[i..end]);
            clause.push(Word {
                shown: s.clone(),
                norm: s,
                glued: true,
                content: !hiragana(c) && !matches!(c, 'ー' | '々' | '〜'),
                opens: true,
                closes: true,
            });
        } else if c.is_alphanumeric() || (matches!(c, '\'' | '’' | '-') && word.is_some()) {
            word.get_or_insert(i);
            curly |= c == '’';
        } else {
            flush(&mut word, i, &mut curly, &mut clause);
            if is_break(c) && !clause.is_empty() {
                out.push(finish(std::mem::take(&mut clause)));
            }
        }
    }
    flush(&mut word, end, &mut curly, &mut clause);
    if !clause.is_empty() {
        out.push(finish(clause));
    }
    out
}

/// A complete clause: its ways of asking and, in Japanese, the characters
/// inside a run of one script may not start or end a phrase.
fn finish(mut clause: Vec<Word<'_>>) -> Vec<Word<'_>> {
    mark_request_runs(&mut clause);
    mark_script_runs(&mut clause);
    clause
}

/// The phrase made of `words`, as shown.
pub fn show(words: &[Word]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 && !(w.glued && words[i - 1].glued) {
            out.push(' ');
        }
        out.push_str(&w.shown);
    }
    out
}

/// A hash of the normalised phrase.
pub fn key(words: &[Word]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.norm.bytes().chain([0x1f]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h ^ (h >> 29)
}

/// Calls `f` with every candidate phrase of `clause` (as a word range).
/// No phrase holds one of the summariser's old template words
/// ([`super::TEMPLATE_WORDS`]), which no name may hold.
pub fn for_each_phrase(clause: &[Word], mut f: impl FnMut(&[Word])) {
    let template = |w: &Word| super::TEMPLATE_WORDS.contains(&&*w.norm);
    for start in 0..clause.len() {
        if !(clause[start].content && clause[start].opens) || template(&clause[start]) {
            continue;
        }
        let limit = if clause[start].glued {
            MAX_UNSPACED
        } else {
            MAX_WORDS
        };
        for end in start + 1..=(start + limit).min(clause.len()) {
            let last = &clause[end - 1];
            if last.glued != clause[start].glued || template(last) {
                break;
            }
            if last.content && last.closes {
                f(&clause[start..end]);
            }
        }
    }
}

/// Number of words a phrase counts as in a name (an unspaced run counts
/// as one word per two characters).
pub fn word_count(words: &[Word]) -> usize {
    let glued = words.iter().filter(|w| w.glued).count();
    words.len() - glued + glued.div_ceil(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for c in clauses(text) {
            for_each_phrase(&c, |p| out.push(show(p)));
        }
        out
    }

    #[test]
    fn ways_of_asking_in_japanese_do_not_start_or_end_phrases() {
        let p = phrases("確定申告の方法を教えてください");
        assert!(p.contains(&"確定申告".to_string()), "{p:?}");
        assert!(
            !p.iter().any(|x| x.contains("方法") || x.contains('教')),
            "{p:?}"
        );
        let p = phrases("メールの設定に苦戦しています");
        assert!(p.contains(&"メール".to_string()), "{p:?}");
        assert!(!p.iter().any(|x| x.contains("苦戦")), "{p:?}");
    }

    #[test]
    fn no_phrase_holds_a_template_word() {
        let found = phrases("development mode the request fires twice");
        assert!(found.contains(&"development mode".to_string()), "{found:?}");
        assert!(found.contains(&"fires twice".to_string()), "{found:?}");
        assert!(found.iter().all(|p| !p.contains("request")), "{found:?}");
    }

    #[test]
    fn phrases_start_and_end_on_content_words() {
        let p = phrases("I've been trying to write a cover letter, all day.");
        assert!(p.contains(&"write a cover letter".to_string()), "{p:?}");
        assert!(p.contains(&"cover letter".to_string()), "{p:?}");
        assert!(
            !p.iter().any(|x| x.starts_with("to ") || x.contains("day")),
            "{p:?}"
        );
        assert!(!p.iter().any(|x| x.contains(',')), "{p:?}");
    }

    #[test]
    fn unspaced_scripts_glue_characters() {
        let p = phrases("履歴書の書き方を教えて");
        assert!(p.contains(&"履歴書".to_string()), "{p:?}");
        assert!(!p.iter().any(|x| x.starts_with('の')), "{p:?}");
        assert_eq!(word_count(&clauses("履歴書")[0]), 2);
    }

    #[test]
    fn korean_is_split_at_its_spaces_not_into_syllables() {
        let p = phrases("로그인 화면이 계속 멈춰요");
        assert!(p.contains(&"로그인 화면이".to_string()), "{p:?}");
        assert!(!p.iter().any(|x| x == "로" || x == "로그"), "{p:?}");
    }

    #[test]
    fn japanese_phrases_are_whole_runs_of_one_script() {
        let p = phrases("ログイン画面でテストのエラーが表示されます");
        for whole in [
            "ログイン",
            "ログイン画面",
            "画面",
            "テスト",
            "エラー",
            "表示",
        ] {
            assert!(p.contains(&whole.to_string()), "{whole}: {p:?}");
        }
        for cut in ["グイン画面", "グイン", "スト", "テス", "画", "表", "示"] {
            assert!(!p.contains(&cut.to_string()), "{cut}: {p:?}");
        }
    }

    #[test]
    fn chinese_phrases_may_start_anywhere() {
        // No kana: no script edges to follow, so stretches inside a run
        // stay candidates.
        let p = phrases("数据库连接超时");
        assert!(p.contains(&"连接超时".to_string()), "{p:?}");
        assert!(p.contains(&"数据库".to_string()), "{p:?}");
    }
}
