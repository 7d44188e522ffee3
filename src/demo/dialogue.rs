//! The arc of one conversation: which user turns it has (request,
//! follow-ups, complaints, thanks), which replies they get, and where a tool
//! call goes.

use rand::Rng;

use super::catalogue::{Lang, Subtopic, Topic};
use super::lang::frames;
use super::meta::weighted;
use super::template::Slots;
use super::tool;
use super::writer::Writer;
use crate::model::Role;

/// The most messages a conversation may have.
pub(crate) const MAX_MESSAGES: usize = 10;

/// What one user message does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Turn {
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
    // One quoted name or error per conversation keeps its details consistent.
    let anchors = scene.subtopic.anchors;
    let at = rng.random_range(0..anchors.len().max(1));
    let anchor = anchors.get(at..=at).unwrap_or(anchors);
    let slots = Slots {
        vocab,
        anchors: anchor,
        snippets: scene.subtopic.snippets,
        ask: "",
        snippet_override: None,
    };
    let context = scene.topic.context.get(scene.lang);
    let mut w = Writer::new(
        rng,
        frames(scene.lang),
        slots,
        context,
        scene.lang == Lang::En,
    );
    w.choose_ask();

    let mut messages = Vec::with_capacity(MAX_MESSAGES);
    if w.rng.random_bool(0.2) {
        let system = w.fresh(w.frames.system);
        messages.push((Role::System, system.to_string()));
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
    if frustration <= 3
        && turns.len() >= 2
        && rng.random_bool(0.5)
        && let Some(last) = turns.last_mut().filter(|t| **t == Turn::Followup)
    {
        *last = Turn::Thanks;
    }
    turns
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn turns_match_the_frustration() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        for _ in 0..300 {
            for f in 1..=5 {
                let turns = plan_turns(&mut rng, f);
                assert_eq!(turns[0], Turn::Opener);
                assert!(turns.len() <= 4, "{turns:?}");
                let errors = turns.iter().filter(|t| t.is_error_report()).count();
                match f {
                    1 => assert_eq!(errors, 0),
                    2 | 3 => assert_eq!(errors, 1),
                    4 => assert_eq!(errors, 2),
                    _ => {
                        assert!(errors >= 1);
                        assert!(matches!(turns.last(), Some(Turn::Strong | Turn::GiveUp)));
                    }
                }
            }
        }
    }
}
