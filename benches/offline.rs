//! Offline summariser throughput: `cargo bench --bench offline` summarises
//! 100,000 generated conversations (greetings, several languages, code)
//! on all cores and prints conversations per second.

use std::time::Instant;

use kura_tui::model::{Conversation, Message, Role};
use kura_tui::offline::summarise;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const OPENERS: &[&str] = &["Hi!", "Hello there.", "Hey, good morning!", "", "", ""];
const ASKS: &[&str] = &[
    "Can you help me write a cover letter for a data analyst job?",
    "How do I reset my card PIN? I forgot it yesterday.",
    "My Python script crashes with a KeyError when I read the CSV file.",
    "¿Puedes explicarme cómo funciona la fotosíntesis en las plantas?",
    "Peux-tu m'aider à planifier un voyage de trois jours à Lyon ?",
    "Wie kann ich meine Steuererklärung online einreichen?",
    "请帮我把这段文字翻译成英文。",
    "Please fix this function:\n```rust\nfn add(a: i32, b: i32) -> i32 { a - b }\n```",
    "What is the difference between a list and a tuple?",
    "I need a workout plan for three days a week, I am a beginner.",
];

fn generate(n: usize) -> Vec<Conversation> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    (0..n)
        .map(|i| {
            let opener = OPENERS[rng.random_range(0..OPENERS.len())];
            let ask = ASKS[rng.random_range(0..ASKS.len())];
            let follow = ASKS[rng.random_range(0..ASKS.len())];
            Conversation::new(
                format!("c{i}"),
                vec![
                    Message::new(Role::User, format!("{opener} {ask}")),
                    Message::new(
                        Role::Assistant,
                        "Sure, here is how you can do that. ".repeat(8),
                    ),
                    Message::new(Role::User, follow),
                ],
            )
        })
        .collect()
}

fn main() {
    let convs = generate(100_000);
    let start = Instant::now();
    let summaries: Vec<_> = convs.par_iter().map(|c| summarise(c, &[])).collect();
    let secs = start.elapsed().as_secs_f64();
    let with_request = summaries.iter().filter(|s| s.request.is_some()).count();
    println!(
        "offline summarise: {} conversations in {secs:.2}s = {:.0}/s on {} threads ({} with a request)",
        summaries.len(),
        summaries.len() as f64 / secs,
        rayon::current_num_threads(),
        with_request
    );
}
