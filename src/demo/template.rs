//! Fills the slots of a phrase template.
//!
//! Slots are `{t}` (a term of the subtopic), `{a}` (an anchor), `{c}` (a
//! snippet of code), `{ask}` (the
//! conversation's request, itself a template), and the numbers `{n}` (2–12),
//! `{nn}` (10–99) and `{big}` (100–9999). Anything else in braces is copied
//! as written, so code in anchors and templates survives untouched.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::catalogue::Vocab;

/// What the slots of a template are filled from.
#[derive(Clone, Copy)]
pub(crate) struct Slots<'a> {
    pub vocab: &'a Vocab,
    pub anchors: &'a [&'static str],
    pub snippets: &'a [&'static str],
    /// The request of the conversation, for `{ask}`.
    pub ask: &'a str,
    /// When set, `{c}` is filled with this text instead of a random snippet.
    pub snippet_override: Option<&'a str>,
}

/// Picks one item, or `""` from an empty list.
pub(crate) fn pick<R: Rng + ?Sized>(rng: &mut R, items: &[&'static str]) -> &'static str {
    items.choose(rng).copied().unwrap_or("")
}

/// Appends `template` with its slots filled to `out`.
pub(crate) fn render<R: Rng + ?Sized>(
    out: &mut String,
    template: &str,
    slots: &Slots<'_>,
    rng: &mut R,
) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, from_brace) = rest.split_at(open);
        out.push_str(before);
        let key_end = from_brace.find('}');
        let key = key_end.map(|end| &from_brace[1..end]);
        let filled = match key {
            Some("t") => {
                out.push_str(pick(rng, slots.vocab.terms));
                true
            }
            Some("a") => {
                out.push_str(pick(rng, slots.anchors));
                true
            }
            Some("c") => {
                match slots.snippet_override {
                    Some(text) => out.push_str(text),
                    None => out.push_str(pick(rng, slots.snippets)),
                }
                true
            }
            Some("ask") => {
                render(out, slots.ask, slots, rng);
                true
            }
            Some("n") => push_number(out, rng.random_range(2..=12)),
            Some("nn") => push_number(out, rng.random_range(10..=99)),
            Some("big") => push_number(out, rng.random_range(100..=9999)),
            _ => false,
        };
        match (filled, key_end) {
            (true, Some(end)) => rest = &from_brace[end + 1..],
            _ => {
                out.push('{');
                rest = &from_brace[1..];
            }
        }
    }
    out.push_str(rest);
}

/// Renders `template` into a new string.
pub(crate) fn render_new<R: Rng + ?Sized>(
    template: &str,
    slots: &Slots<'_>,
    rng: &mut R,
) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    render(&mut out, template, slots, rng);
    out
}

fn push_number(out: &mut String, n: u32) -> bool {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = write!(out, "{n}");
    true
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    static VOCAB: Vocab = Vocab {
        terms: &["TERM"],
        asks: &[],
        details: &[],
        advice: &[],
        followups: &[],
    };

    fn slots() -> Slots<'static> {
        Slots {
            vocab: &VOCAB,
            anchors: &["ANCHOR{x}"],
            snippets: &["f(x) {}"],
            ask: "fix {t}",
            snippet_override: None,
        }
    }

    #[test]
    fn fills_known_slots_and_keeps_other_braces() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let out = render_new(
            "How do I {ask}? See {a}, {t}, {c}; keep {items} and {",
            &slots(),
            &mut rng,
        );
        assert_eq!(
            out,
            "How do I fix TERM? See ANCHOR{x}, TERM, f(x) {}; keep {items} and {"
        );
    }

    #[test]
    fn numbers_stay_in_their_ranges() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..200 {
            let out = render_new("{n}|{nn}|{big}", &slots(), &mut rng);
            let parts: Vec<u32> = out.split('|').map(|p| p.parse().unwrap()).collect();
            assert!((2..=12).contains(&parts[0]), "{out}");
            assert!((10..=99).contains(&parts[1]), "{out}");
            assert!((100..=9999).contains(&parts[2]), "{out}");
        }
    }

    #[test]
    fn override_replaces_the_snippet() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut s = slots();
        s.snippet_override = Some("`code`");
        assert_eq!(render_new("e.g. {c}", &s, &mut rng), "e.g. `code`");
    }
}
