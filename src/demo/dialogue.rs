//! Writes the messages of one conversation: the arc of request, answers,
//! follow-ups, complaints and thanks, in one language and one subtopic.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::catalogue::{Lang, Subtopic, Topic, Vocab};
use super::lang::{Frames, frames};
use super::meta::weighted;
use super::template::{Slots, pick, render, render_new};
use super::tool;
use crate::model::Role;

/// The most messages a conversation may have.
pub(crate) const MAX_MESSAGES: usize = 10;

/// What one user message does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    Opener,
    Followup,
    Mild,
    Complain,
    Strong,
    GiveUp,
    Thanks,
}

impl Turn {
    /// Whether the user is reacting to an assistant error.
    fn is_error_report(self) -> bool {
        matches!(self, Turn::Mild | Turn::Complain | Turn::Strong)
    }
}

/// Who, what and how a conversation is about.
pub(crate) struct Scene {
    pub topic: &'static Topic,
    pub subtopic: &'static Subtopic,
    pub lang: Lang,
    /// 1 (calm) to 5 (angry).
    pub frustration: u8,
    pub plan: &'static str,
}

/// The written conversation: roles and texts, and how many assistant errors
/// the user pointed out.
pub(crate) struct Draft {
    pub messages: Vec<(Role, String)>,
    pub errors: u8,
}

/// Writes a conversation for `scene`.
pub(crate) fn write<R: Rng + ?Sized>(rng: &mut R, scene: &Scene) -> Draft {
    let turns = plan_turns(rng, scene.frustration);
    let vocab = scene.subtopic.vocab(scene.lang);
    let mut w = Writer {
        rng,
        frames: frames(scene.lang),
        slots: Slots {
            vocab,
            anchors: scene.subtopic.anchors,
            snippets: scene.subtopic.snippets,
            ask: "",
            snippet_override: None,
        },
        english: scene.lang == Lang::En,
    };
    w.slots.ask = pick(w.rng, vocab.asks);

    let mut messages = Vec::with_capacity(MAX_MESSAGES);
    if w.rng.random_bool(0.2) {
        messages.push((Role::System, pick(w.rng, w.frames.system).to_string()));
    }
    // Room left for a tool call (an announcing message plus the result).
    let planned = messages.len() + 2 * turns.len();
    let use_tool =
        scene.topic.tool.is_some() && planned + 2 <= MAX_MESSAGES && w.rng.random_bool(0.35);

    let last = turns.len().saturating_sub(1);
    for (i, &turn) in turns.iter().enumerate() {
        messages.push((Role::User, w.user(turn)));
        let reply = match turn {
            Turn::Opener if use_tool => {
                if let Some(kind) = scene.topic.tool {
                    messages.push((Role::Assistant, w.line(w.frames.tool_intro)));
                    messages.push((Role::Tool, tool::result(kind, scene, w.rng)));
                }
                let lead = w.line(w.frames.tool_after);
                let n = 1 + weighted(w.rng, &[20, 40, 30, 10]);
                Some(w.answer(n, Some(lead)))
            }
            Turn::Opener => {
                let n = 1 + weighted(w.rng, &[20, 35, 30, 15]);
                Some(w.answer(n, None))
            }
            Turn::Followup => {
                let n = 1 + weighted(w.rng, &[55, 35, 10]);
                Some(w.answer(n, None))
            }
            Turn::Mild | Turn::Complain | Turn::Strong => {
                let sorry = w.line(w.frames.apology);
                let n = 1 + weighted(w.rng, &[50, 40, 10]);
                Some(w.answer(n, Some(sorry)))
            }
            Turn::GiveUp => None,
            Turn::Thanks if i == last && w.rng.random_bool(0.3) => None,
            Turn::Thanks => Some(w.line(w.frames.welcome)),
        };
        if let Some(text) = reply {
            messages.push((Role::Assistant, text));
        }
    }
    let errors = turns.iter().filter(|t| t.is_error_report()).count() as u8;
    Draft { messages, errors }
}

/// The user turns of a conversation with the given frustration.
fn plan_turns<R: Rng + ?Sized>(rng: &mut R, frustration: u8) -> Vec<Turn> {
    let min_rounds = match frustration {
        0 | 1 => 1,
        2 | 3 => 2,
        _ => 3,
    };
    let rounds = (1 + weighted(rng, &[30, 32, 22, 16])).max(min_rounds);
    let mut turns = vec![Turn::Opener];
    match frustration {
        0 | 1 => {
            turns.extend(std::iter::repeat_n(Turn::Followup, rounds - 1));
        }
        2 | 3 => {
            turns.push(if frustration == 2 {
                Turn::Mild
            } else {
                Turn::Complain
            });
            turns.extend(std::iter::repeat_n(Turn::Followup, rounds - 2));
        }
        4 => {
            turns.extend(std::iter::repeat_n(Turn::Followup, rounds - 3));
            turns.extend([Turn::Complain, Turn::Complain]);
        }
        _ => {
            turns.extend(std::iter::repeat_n(Turn::Complain, rounds - 2));
            turns.push(if rng.random_bool(0.4) {
                Turn::GiveUp
            } else {
                Turn::Strong
            });
        }
    }
    // Calm conversations often end with thanks.
    if frustration <= 3 && turns.len() >= 2 && rng.random_bool(0.5) {
        if let Some(last) = turns.last_mut().filter(|t| **t == Turn::Followup) {
            *last = Turn::Thanks;
        }
    }
    turns
}

struct Writer<'r, R: Rng + ?Sized> {
    rng: &'r mut R,
    frames: &'static Frames,
    slots: Slots<'static>,
    english: bool,
}

impl<R: Rng + ?Sized> Writer<'_, R> {
    fn vocab(&self) -> &'static Vocab {
        self.slots.vocab
    }

    /// One rendered line picked from `options`.
    fn line(&mut self, options: &[&'static str]) -> String {
        let template = pick(self.rng, options);
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

    /// Appends up to `n` distinct details of the subtopic.
    fn push_details(&mut self, out: &mut String, n: usize) {
        let details: Vec<&'static str> = self
            .vocab()
            .details
            .choose_multiple(self.rng, n)
            .copied()
            .collect();
        for detail in details {
            let text = render_new(detail, &self.slots, self.rng);
            self.push(out, &text);
        }
    }

    fn user(&mut self, turn: Turn) -> String {
        let mut out = String::with_capacity(256);
        match turn {
            Turn::Opener => {
                if self.rng.random_bool(0.35) {
                    out.push_str(pick(self.rng, self.frames.greetings));
                }
                let ask = self.line(self.frames.ask);
                self.push(&mut out, &ask);
                // Writers in other languages lean on quoted names and errors.
                let n = weighted(self.rng, &[35, 40, 25]).max(usize::from(!self.english));
                self.push_details(&mut out, n);
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
    fn answer(&mut self, n: usize, lead: Option<String>) -> String {
        let mut out = String::with_capacity(512);
        match lead {
            Some(lead) => out.push_str(&lead),
            None if self.rng.random_bool(0.6) => out = self.line(self.frames.open),
            None => {}
        }
        let advice: Vec<&'static str> = self
            .vocab()
            .advice
            .choose_multiple(self.rng, n)
            .copied()
            .collect();
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
        let snippet = pick(self.rng, self.slots.snippets);
        let frame = pick(self.rng, self.frames.example);
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
