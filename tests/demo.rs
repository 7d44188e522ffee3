//! The synthetic demo generator: determinism, shape, metadata, balance,
//! languages and frustration arcs. Separability is in `demo_separability.rs`.

use std::collections::BTreeMap;

use kura_tui::demo::{self, METADATA_KEYS, TOPICS};
use kura_tui::model::{Conversation, Role};

fn corpus(n: usize, seed: u64) -> Vec<Conversation> {
    demo::generate(n, seed).collect()
}

fn meta_str<'a>(c: &'a Conversation, key: &str) -> &'a str {
    c.metadata
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("{}: missing string {key}", c.id))
}

fn meta_int(c: &Conversation, key: &str) -> i64 {
    c.metadata
        .get(key)
        .and_then(|v| v.as_i64())
        .unwrap_or_else(|| panic!("{}: missing integer {key}", c.id))
}

#[test]
fn same_seed_same_output_and_different_seed_differs() {
    let a = serde_json::to_string(&corpus(300, 7)).unwrap();
    let b = serde_json::to_string(&corpus(300, 7)).unwrap();
    assert_eq!(a, b);

    let other = corpus(300, 8);
    let same = corpus(300, 7);
    let differing = same
        .iter()
        .zip(&other)
        .filter(|(x, y)| x.messages != y.messages)
        .count();
    assert!(
        differing > 290,
        "only {differing} of 300 conversations differ between seeds"
    );
}

#[test]
fn a_longer_stream_starts_with_the_shorter_one() {
    let short = corpus(40, 3);
    let long = corpus(400, 3);
    assert_eq!(short[..], long[..40]);
    assert_eq!(demo::conversation(123, 3), long[123]);
}

#[test]
fn ids_count_and_defaults() {
    const { assert!(demo::DEFAULT_CONVERSATIONS >= 600) };
    let convs = corpus(demo::DEFAULT_CONVERSATIONS, 42);
    assert_eq!(convs.len(), demo::DEFAULT_CONVERSATIONS);
    assert_eq!(convs[0].id, "demo-00000");
    assert_eq!(convs[799].id, "demo-00799");
    assert_eq!(demo::generate(0, 1).count(), 0);
}

#[test]
fn roles_alternate_and_messages_are_well_formed() {
    for c in corpus(800, 42) {
        let n = c.messages.len();
        assert!((2..=10).contains(&n), "{}: {n} messages", c.id);
        for (i, m) in c.messages.iter().enumerate() {
            assert!(!m.content.trim().is_empty(), "{}: empty message {i}", c.id);
            match m.role {
                Role::System => assert_eq!(i, 0, "{}: system message not first", c.id),
                Role::Tool => {
                    assert_eq!(
                        c.messages[i - 1].role,
                        Role::Assistant,
                        "{}: tool not after assistant",
                        c.id
                    );
                    assert_eq!(
                        c.messages.get(i + 1).map(|m| m.role),
                        Some(Role::Assistant),
                        "{}: tool result not answered",
                        c.id
                    );
                    let json: serde_json::Value = serde_json::from_str(&m.content).unwrap();
                    assert!(
                        json.get("tool").and_then(|t| t.as_str()).is_some(),
                        "{}: {json}",
                        c.id
                    );
                }
                Role::User | Role::Assistant => {}
            }
        }
        // Without system and tool messages, user and assistant alternate, user first.
        let speakers: Vec<Role> = c
            .messages
            .iter()
            .map(|m| m.role)
            .filter(|r| matches!(r, Role::User | Role::Assistant))
            .collect();
        assert_eq!(speakers[0], Role::User, "{}", c.id);
        for (i, pair) in speakers.windows(2).enumerate() {
            let tool_between = pair[0] == Role::Assistant && pair[1] == Role::Assistant;
            if tool_between {
                continue;
            }
            assert_ne!(pair[0], pair[1], "{}: roles repeat at {i}", c.id);
        }
        let assistant_runs = c
            .messages
            .windows(2)
            .filter(|w| w[0].role == Role::Assistant && w[1].role == Role::Assistant);
        assert_eq!(
            assistant_runs.count(),
            0,
            "{}: two assistant messages in a row",
            c.id
        );
    }
}

#[test]
fn timestamps_are_rfc3339_ordered_and_within_four_weeks() {
    let start = chrono::DateTime::parse_from_rfc3339("2025-03-03T00:00:00Z").unwrap();
    let end = chrono::DateTime::parse_from_rfc3339("2025-04-01T00:00:00Z").unwrap();
    let mut days = std::collections::BTreeSet::new();
    for c in corpus(800, 42) {
        let created = c.created_at.as_deref().expect("conversation created_at");
        let created = chrono::DateTime::parse_from_rfc3339(created).unwrap();
        assert!(created >= start && created < end, "{}: {created}", c.id);
        days.insert(created.date_naive());
        let mut prev = created;
        for m in &c.messages {
            let at = chrono::DateTime::parse_from_rfc3339(
                m.created_at.as_deref().expect("message created_at"),
            )
            .unwrap();
            assert!(at >= prev, "{}: messages out of order", c.id);
            prev = at;
        }
        assert_eq!(c.messages[0].created_at, c.created_at);
    }
    assert!(days.len() >= 25, "only {} distinct days", days.len());
}

#[test]
fn metadata_keys_and_values() {
    let subtopics: Vec<&str> = TOPICS
        .iter()
        .flat_map(|t| t.subtopics.iter().map(|s| s.id))
        .collect();
    for c in corpus(800, 42) {
        let keys: Vec<&str> = c.metadata.keys().map(String::as_str).collect();
        assert_eq!(keys, METADATA_KEYS, "{}", c.id);
        let topic = meta_str(&c, "topic");
        let subtopic = meta_str(&c, "subtopic");
        assert!(
            subtopic.starts_with(&format!("{topic}/")),
            "{}: {subtopic} not in {topic}",
            c.id
        );
        assert!(
            subtopics.contains(&subtopic),
            "{}: unknown {subtopic}",
            c.id
        );
        assert!(["en", "es", "fr", "de", "pt", "ja"].contains(&meta_str(&c, "language")));
        assert!(["free", "pro", "team", "enterprise"].contains(&meta_str(&c, "plan")));
        assert!(["web", "ios", "android", "desktop"].contains(&meta_str(&c, "platform")));
        assert_eq!(meta_str(&c, "country").len(), 2);
        assert!(meta_str(&c, "app_version").starts_with("2."));
        assert!((1..=5).contains(&meta_int(&c, "satisfaction")));
        assert!((1..=5).contains(&meta_int(&c, "true_frustration")));
        assert!((0..=4).contains(&meta_int(&c, "true_assistant_errors")));
    }
}

#[test]
fn topics_and_subtopics_are_roughly_balanced() {
    let convs = corpus(800, 42);
    let mut per_sub: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_topic: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &convs {
        *per_sub.entry(meta_str(c, "subtopic")).or_default() += 1;
        *per_topic.entry(meta_str(c, "topic")).or_default() += 1;
    }
    assert_eq!(per_topic.len(), 8);
    assert_eq!(per_sub.len(), 32);
    let mean = 800.0 / 32.0;
    for (sub, &n) in &per_sub {
        assert!(
            n as f64 >= 0.4 * mean && n as f64 <= 2.5 * mean,
            "{sub}: {n} conversations"
        );
    }
    for (topic, &n) in &per_topic {
        assert!((50..=160).contains(&n), "{topic}: {n} conversations");
    }
}

#[test]
fn several_languages_mostly_english() {
    let convs = corpus(800, 42);
    let mut per_lang: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &convs {
        *per_lang.entry(meta_str(c, "language")).or_default() += 1;
    }
    let en = per_lang["en"] as f64 / 800.0;
    assert!((0.72..=0.88).contains(&en), "English share {en}");
    for lang in ["es", "fr", "de", "pt", "ja"] {
        assert!(
            per_lang.get(lang).copied().unwrap_or(0) >= 15,
            "{lang}: {per_lang:?}"
        );
    }
    // The text really is in the recorded language.
    let is_japanese = |ch: char| {
        ('\u{3040}'..='\u{30ff}').contains(&ch) || ('\u{4e00}'..='\u{9fff}').contains(&ch)
    };
    for c in &convs {
        let first_user = c.user_messages().next().unwrap();
        let has_japanese = first_user.content.chars().any(is_japanese);
        match meta_str(c, "language") {
            "ja" => assert!(has_japanese, "{}: {}", c.id, first_user.content),
            "en" if meta_str(c, "topic") != "languages" => {
                assert!(!has_japanese, "{}: {}", c.id, first_user.content)
            }
            _ => {}
        }
    }
    let spanish: Vec<&Conversation> = convs
        .iter()
        .filter(|c| meta_str(c, "language") == "es")
        .collect();
    let with_marks = spanish
        .iter()
        .filter(|c| {
            c.messages
                .iter()
                .any(|m| m.content.contains(['¿', '¡', 'ñ', 'á', 'é', 'í', 'ó', 'ú']))
        })
        .count();
    assert!(
        with_marks * 10 >= spanish.len() * 8,
        "{with_marks} of {} Spanish conversations look Spanish",
        spanish.len()
    );
}

#[test]
fn frustration_shows_in_the_text_and_in_satisfaction() {
    let convs = corpus(1600, 11);
    let complaint_words = [
        "wrong",
        "doesn't work",
        "incorrect",
        "didn't help",
        "same problem",
        "useless",
        "reading my messages",
        "Forget it",
        "Never mind",
        "give up",
        "not quite",
        "not sure that's right",
        "misunderstood",
        "Are you sure",
    ];
    let mut by_level: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for c in &convs {
        let f = meta_int(c, "true_frustration");
        by_level
            .entry(f)
            .or_default()
            .push(meta_int(c, "satisfaction"));
        let errors = meta_int(c, "true_assistant_errors");
        if f == 1 {
            assert_eq!(errors, 0, "{}", c.id);
        } else {
            assert!(errors >= 1, "{}: frustration {f} without errors", c.id);
        }
        if f >= 3 {
            assert!(
                c.messages.len() >= 4,
                "{}: frustrated but only {} messages",
                c.id,
                c.messages.len()
            );
        }
        if meta_str(c, "language") == "en" {
            let complains = c
                .user_messages()
                .skip(1)
                .any(|m| complaint_words.iter().any(|w| m.content.contains(w)));
            if f >= 2 {
                assert!(complains, "{}: frustration {f} but no complaint", c.id);
            }
        }
    }
    assert_eq!(by_level.len(), 5, "every frustration level occurs");
    let mean = |v: &Vec<i64>| v.iter().sum::<i64>() as f64 / v.len() as f64;
    let means: Vec<f64> = by_level.values().map(mean).collect();
    assert!(
        means.windows(2).all(|w| w[0] > w[1]),
        "satisfaction should fall with frustration: {means:?}"
    );
    assert!(means[0] - means[4] > 2.5, "{means:?}");
}

#[test]
fn lengths_vary_and_tools_appear_where_expected() {
    let convs = corpus(800, 42);
    let mut counts = std::collections::BTreeSet::new();
    let mut tool_topics = std::collections::BTreeSet::new();
    let mut systems = 0;
    for c in &convs {
        counts.insert(c.messages.len());
        if c.messages[0].role == Role::System {
            systems += 1;
        }
        if c.messages.iter().any(|m| m.role == Role::Tool) {
            tool_topics.insert(meta_str(c, "topic").to_string());
        }
    }
    assert!(
        counts.contains(&2) && counts.iter().any(|&n| n >= 8),
        "message counts {counts:?}"
    );
    assert_eq!(
        tool_topics.into_iter().collect::<Vec<_>>(),
        ["coding", "data", "support"]
    );
    assert!((80..=250).contains(&systems), "{systems} system prompts");
    let lens: Vec<usize> = convs.iter().map(Conversation::content_len).collect();
    assert!(
        lens.iter().min().unwrap() < &300 && lens.iter().max().unwrap() > &2000,
        "lengths {:?}",
        (lens.iter().min(), lens.iter().max())
    );
}

#[test]
fn every_slot_is_filled() {
    for c in corpus(1600, 5) {
        for m in &c.messages {
            for slot in ["{t}", "{a}", "{c}", "{ask}", "{n}", "{nn}", "{big}"] {
                assert!(
                    !m.content.contains(slot),
                    "{}: unfilled {slot} in {:?}",
                    c.id,
                    m.content
                );
            }
            assert_eq!(m.content, m.content.trim(), "{}: untrimmed message", c.id);
            let prose = m.content.lines().filter(|l| !l.starts_with(' '));
            assert!(
                prose.clone().all(|l| !l.contains("  ")),
                "{}: double space in {:?}",
                c.id,
                m.content
            );
        }
    }
}

/// Prints how fast the generator is; run with
/// `cargo test --release --test demo -- --ignored --nocapture generation_speed`.
#[test]
#[ignore = "measurement, not a check"]
fn generation_speed() {
    let n = 100_000;
    let started = std::time::Instant::now();
    let (mut messages, mut bytes) = (0, 0);
    for c in demo::generate(n, 1) {
        messages += c.messages.len();
        bytes += c.content_len();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "generated {n} conversations ({messages} messages, {:.1} MB of text) in {secs:.3} s: {:.0} conversations/s",
        bytes as f64 / 1e6,
        n as f64 / secs
    );
}
