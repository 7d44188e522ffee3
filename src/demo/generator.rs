//! Builds one conversation from its index and the seed: draws the scene,
//! writes the dialogue, stamps times and records the metadata.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::catalogue::{Lang, TOPICS};
use super::dialogue::{self, Scene};
use super::meta;
use crate::model::{Conversation, Message, Role};

/// Share of conversations written in English; the rest are spread evenly
/// over the other languages.
const ENGLISH_SHARE: f64 = 0.8;

/// Weights of frustration levels 1–5.
const FRUSTRATION: [u32; 5] = [58, 16, 12, 8, 6];

/// Conversation number `index` of the stream for `seed`.
///
/// Each conversation has its own RNG, seeded from `(seed, index)`, so any
/// conversation can be made on its own and a longer stream starts with the
/// same conversations as a shorter one.
pub fn conversation(index: usize, seed: u64) -> Conversation {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, index as u64));

    let topic_weights = TOPICS.map(|t| t.weight);
    let topic = TOPICS
        .get(meta::weighted(&mut rng, &topic_weights))
        .copied()
        .unwrap_or(TOPICS[0]);
    let subtopic = topic
        .subtopics
        .choose(&mut rng)
        .unwrap_or(&topic.subtopics[0]);
    let lang = if rng.random_bool(ENGLISH_SHARE) {
        Lang::En
    } else {
        Lang::ALL[1..].choose(&mut rng).copied().unwrap_or(Lang::En)
    };
    let frustration = 1 + meta::weighted(&mut rng, &FRUSTRATION) as u8;
    let plan = meta::plan(&mut rng, &topic.plans);
    let scene = Scene {
        topic,
        subtopic,
        lang,
        frustration,
        plan,
    };

    let draft = dialogue::write(&mut rng, &scene);
    let (start, day) = meta::start_time(&mut rng);
    let mut at = start;
    let messages = draft
        .messages
        .into_iter()
        .enumerate()
        .map(|(i, (role, content))| {
            if i > 0 {
                at += match role {
                    Role::User => rng.random_range(20..=300),
                    Role::Assistant => rng.random_range(3..=40),
                    Role::Tool => rng.random_range(1..=5),
                    Role::System => 0,
                };
            }
            let mut message = Message::new(role, content);
            message.created_at = Some(meta::rfc3339(at));
            message
        })
        .collect();

    let mut conv = Conversation::new(format!("demo-{index:05}"), messages);
    conv.created_at = Some(meta::rfc3339(start));
    let satisfaction = meta::satisfaction(&mut rng, frustration);
    let country = meta::country(&mut rng, lang);
    let platform = meta::platform(&mut rng);
    let version = meta::app_version(&mut rng, day);
    let fields: [(&str, Value); 10] = [
        ("topic", topic.id.into()),
        ("subtopic", subtopic.id.into()),
        ("language", lang.code().into()),
        ("satisfaction", satisfaction.into()),
        ("true_frustration", frustration.into()),
        ("true_assistant_errors", draft.errors.into()),
        ("plan", plan.into()),
        ("country", country.into()),
        ("platform", platform.into()),
        ("app_version", version.into()),
    ];
    for (key, value) in fields {
        conv.metadata.insert(key.to_string(), value);
    }
    conv
}

/// Mixes the seed and the index into one well-spread RNG seed (SplitMix64).
fn mix(seed: u64, index: u64) -> u64 {
    splitmix(seed ^ splitmix(index.wrapping_add(0x5151_7e5e_d0c0_ffee)))
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
