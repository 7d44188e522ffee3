//! Keeps API keys out of errors and logs. Every message built from a server
//! answer or a transport error passes through [`Redactor::redact`].

use crate::config::Secret;

const MASK: &str = "***";

/// Replaces known keys, `Bearer` tokens and `sk-`-style keys with `***`.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(|s| s.expose().trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        // Longest first, so a key containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        let out = mask_after(&out, "Bearer ", 1);
        let out = mask_after(&out, "bearer ", 1);
        mask_after(&out, "sk-", 8)
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// Masks the token following each `prefix` when it is at least `min` long.
fn mask_after(text: &str, prefix: &str, min: usize) -> String {
    if !text.contains(prefix) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(prefix) {
        let (head, tail) = rest.split_at(pos);
        out.push_str(head);
        out.push_str(prefix);
        let after = &tail[prefix.len()..];
        let len: usize = after
            .chars()
            .take_while(|&c| is_token_char(c))
            .map(char::len_utf8)
            .sum();
        let token = &after[..len];
        // `sk-` must start a word: `task-management` is not a key.
        let starts_word = !head.chars().next_back().is_some_and(is_token_char);
        if token.len() >= min && token != MASK && (starts_word || prefix.ends_with(' ')) {
            out.push_str(MASK);
        } else {
            out.push_str(token);
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_known_keys_and_patterns() {
        let key = Secret::new("zz-custom-key-1234");
        let r = Redactor::new([&key]);
        let text = "bad key zz-custom-key-1234; Authorization: Bearer abc.def; \
                    Incorrect API key provided: sk-proj-abcdefghij1234";
        let out = r.redact(text);
        assert!(!out.contains("zz-custom-key-1234"), "{out}");
        assert!(!out.contains("abc.def"), "{out}");
        assert!(!out.contains("abcdefghij1234"), "{out}");
        assert!(out.contains("Bearer ***"), "{out}");
        assert!(out.contains("sk-***"), "{out}");
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        let r = Redactor::new([]);
        let text = "task-management-system, ask-me and sk-short are fine; unicode ✓";
        assert_eq!(r.redact(text), text);
    }
}
