//! Writes the text of single messages: a user's request, follow-up,
//! complaint or thanks, and the assistant's answers, from the language's
//! frames and the subtopic's vocabulary.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::catalogue::Vocab;
use super::dialogue::Turn;
use super::lang::Frames;
use super::meta::weighted;
use super::template::{Slots, pick, render, render_new};

/// The writer of one conversation.
pub(crate) struct Writer<'r, R: Rng + ?Sized> {
    pub rng: &'r mut R,
    pub frames: &'static Frames,
    slots: Slots<'static>,
    context: &'static [&'static str],
    english: bool,
    /// Phrases already used in this conversation, avoided when possible.
    used: Vec<&'static str>,
}

impl<'r, R: Rng + ?Sized> Writer<'r, R> {
    /// A writer in the language of `frames`; `context` holds the topic's
    /// context sentences in that language.
    pub fn new(
        rng: &'r mut R,
        frames: &'static Frames,
        slots: Slots<'static>,
        context: &'static [&'static str],
        english: bool,
    ) -> Self {
        Writer {
            rng,
            frames,
            slots,
            context,
            english,
            used: Vec::with_capacity(24),
        }
    }

    fn vocab(&self) -> &'static Vocab {
        self.slots.vocab
    }

    /// Picks the conversation's request.
    pub fn choose_ask(&mut self) {
        self.slots.ask = self.fresh(self.vocab().asks);
    }

    /// Whether this very phrase (same catalogue entry) was used already.
    fn is_used(&self, phrase: &str) -> bool {
        self.used.iter().any(|u| std::ptr::eq(*u, phrase))
    }

    /// Picks a phrase not used yet in this conversation, if there is one.
    pub fn fresh(&mut self, options: &[&'static str]) -> &'static str {
        let unused = options.iter().filter(|o| !self.is_used(o)).count();
        let choice = if unused == 0 {
            pick(self.rng, options)
        } else {
            let k = self.rng.random_range(0..unused);
            let mut candidates = options.iter().filter(|o| !self.is_used(o));
            candidates.nth(k).copied().unwrap_or("")
        };
        self.used.push(choice);
        choice
    }

    /// Picks up to `n` distinct phrases, unused ones first.
    fn fresh_many(&mut self, options: &[&'static str], n: usize) -> Vec<&'static str> {
        let unused: Vec<&'static str> = options
            .iter()
            .copied()
            .filter(|o| !self.is_used(o))
            .collect();
        let mut chosen: Vec<&'static str> = unused.choose_multiple(self.rng, n).copied().collect();
        if chosen.len() < n {
            let rest: Vec<&'static str> = options
                .iter()
                .copied()
                .filter(|o| !chosen.contains(o))
                .collect();
            chosen.extend(rest.choose_multiple(self.rng, n - chosen.len()).copied());
        }
        self.used.extend(chosen.iter().copied());
        chosen
    }

    /// One rendered line picked from `options`.
    pub fn line(&mut self, options: &[&'static str]) -> String {
        let template = self.fresh(options);
        render_new(template, &self.slots, self.rng)
    }

    /// Appends a sentence, separated as the language separates sentences.
    fn push(&self, out: &mut String, sentence: &str) {
        if sentence.is_empty() {
            return;
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(self.frames.sep);
        }
        out.push_str(sentence);
    }

    /// Appends up to `n` details of the subtopic not given before.
    fn push_details(&mut self, out: &mut String, n: usize) {
        let unused: Vec<&'static str> = self
            .vocab()
            .details
            .iter()
            .copied()
            .filter(|d| !self.is_used(d))
            .collect();
        let details: Vec<&'static str> = unused.choose_multiple(self.rng, n).copied().collect();
        self.used.extend(details.iter().copied());
        for detail in details {
            let text = render_new(detail, &self.slots, self.rng);
            self.push(out, &text);
        }
    }

    /// The user's message for `turn`.
    pub fn user(&mut self, turn: Turn) -> String {
        let mut out = String::with_capacity(256);
        match turn {
            Turn::Opener => {
                if self.rng.random_bool(0.25) {
                    out.push_str(self.fresh(self.frames.greetings));
                }
                let context = self.rng.random_bool(0.5);
                let context_first = context && self.rng.random_bool(0.5);
                if context_first {
                    let text = self.line(self.context);
                    self.push(&mut out, &text);
                }
                let ask = self.line(self.frames.ask);
                self.push(&mut out, &ask);
                // Writers in other languages lean on quoted names and errors.
                let n = weighted(self.rng, &[10, 50, 40]).max(usize::from(!self.english));
                self.push_details(&mut out, n);
                if context && !context_first {
                    let text = self.line(self.context);
                    self.push(&mut out, &text);
                }
            }
            Turn::Followup => {
                let own = self.vocab().followups;
                let text = if !own.is_empty() && self.rng.random_bool(0.55) {
                    self.line(own)
                } else {
                    self.line(self.frames.followup)
                };
                self.push(&mut out, &text);
                if self.rng.random_bool(0.3) {
                    self.push_details(&mut out, 1);
                }
            }
            Turn::Mild | Turn::Complain | Turn::Strong => {
                let options = match turn {
                    Turn::Mild => self.frames.mild,
                    Turn::Complain => self.frames.complain,
                    _ => self.frames.strong,
                };
                let text = self.line(options);
                self.push(&mut out, &text);
                if self.rng.random_bool(0.4) {
                    self.push_details(&mut out, 1);
                }
            }
            Turn::GiveUp => out = self.line(self.frames.give_up),
            Turn::Thanks => out = self.line(self.frames.thanks),
        }
        out
    }

    /// An answer of `n` pieces of advice, led by `lead` or a random opener.
    pub fn answer(&mut self, n: usize, lead: Option<String>) -> String {
        let mut out = String::with_capacity(512);
        match lead {
            Some(lead) => out.push_str(&lead),
            None if self.rng.random_bool(0.6) => out = self.line(self.frames.open),
            None => {}
        }
        let advice = self.fresh_many(self.vocab().advice, n);
        let as_list = advice.len() >= 3 && self.rng.random_bool(0.4);
        for (i, item) in advice.iter().enumerate() {
            let text = render_new(item, &self.slots, self.rng);
            if as_list {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("{}. {text}", i + 1));
            } else {
                self.push(&mut out, &text);
            }
        }
        if as_list {
            out.push('\n');
        }
        if !self.slots.snippets.is_empty() && self.rng.random_bool(0.4) {
            self.push_example(&mut out);
        }
        if self.rng.random_bool(0.35) {
            let close = self.line(self.frames.close);
            self.push(&mut out, &close);
        }
        out.trim_end().to_string()
    }

    /// Appends a snippet as an example, in a code block or inline.
    fn push_example(&mut self, out: &mut String) {
        let snippet = self.fresh(self.slots.snippets);
        let frame = self.fresh(self.frames.example);
        if snippet.contains('\n') || self.rng.random_bool(0.4) {
            let slots = Slots {
                snippet_override: Some(""),
                ..self.slots
            };
            let lead = render_new(frame, &slots, self.rng);
            self.push(out, lead.trim_end());
            out.push_str("\n```\n");
            out.push_str(snippet);
            out.push_str("\n```\n");
        } else {
            let shown = format!("`{snippet}`");
            let slots = Slots {
                snippet_override: Some(&shown),
                ..self.slots
            };
            let mut text = String::new();
            render(&mut text, frame, &slots, self.rng);
            self.push(out, &text);
        }
    }
}
