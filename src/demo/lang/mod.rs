//! Conversation frames per language: greetings, request frames, assistant
//! openers and closers, complaints, apologies and thanks. They are shared by
//! every subtopic; the subtopic's vocabulary fills their slots.

mod de;
mod en;
mod es;
mod fr;
mod ja;
mod pt;

use super::catalogue::Lang;

/// The subtopic-independent phrases of one language.
///
/// Slots: `{ask}` a request from the subtopic, `{t}` a term, `{a}` an anchor.
#[derive(Debug)]
pub struct Frames {
    /// Joins sentences (a space, or nothing in Japanese).
    pub sep: &'static str,
    /// System prompts.
    pub system: &'static [&'static str],
    /// Greetings before the first request.
    pub greetings: &'static [&'static str],
    /// Request frames around `{ask}`.
    pub ask: &'static [&'static str],
    /// Assistant openers.
    pub open: &'static [&'static str],
    /// Assistant closers.
    pub close: &'static [&'static str],
    /// Introduces a snippet (`{c}`) as an example.
    pub example: &'static [&'static str],
    /// The assistant announces a tool call.
    pub tool_intro: &'static [&'static str],
    /// The assistant starts its answer after a tool result.
    pub tool_after: &'static [&'static str],
    /// Generic follow-up questions.
    pub followup: &'static [&'static str],
    /// Mild pushback (frustration 2).
    pub mild: &'static [&'static str],
    /// Complaints about a wrong answer (frustration 3–4).
    pub complain: &'static [&'static str],
    /// Angry complaints (frustration 5).
    pub strong: &'static [&'static str],
    /// The user gives up (frustration 5).
    pub give_up: &'static [&'static str],
    /// The assistant admits a mistake.
    pub apology: &'static [&'static str],
    /// The user thanks the assistant.
    pub thanks: &'static [&'static str],
    /// The assistant answers thanks.
    pub welcome: &'static [&'static str],
}

/// The frames of `lang`.
pub fn frames(lang: Lang) -> &'static Frames {
    match lang {
        Lang::En => &en::FRAMES,
        Lang::Es => &es::FRAMES,
        Lang::Fr => &fr::FRAMES,
        Lang::De => &de::FRAMES,
        Lang::Pt => &pt::FRAMES,
        Lang::Ja => &ja::FRAMES,
    }
}
