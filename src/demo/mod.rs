//! A deterministic generator of synthetic, multi-turn, multilingual
//! conversations for demos and tests. (Stub: being written.)

use crate::model::{Conversation, Message, Role};

/// Generates `n` conversations from `seed`. The same seed gives the same
/// conversations. Each keeps its true `topic` and `subtopic` in metadata.
pub fn generate(n: usize, seed: u64) -> impl Iterator<Item = Conversation> {
    (0..n).map(move |i| {
        let mut c = Conversation::new(
            format!("demo-{i:05}"),
            vec![
                Message::new(Role::User, format!("placeholder question {i} {seed}")),
                Message::new(Role::Assistant, "placeholder answer"),
            ],
        );
        c.metadata.insert("topic".into(), "placeholder".into());
        c
    })
}
