//! The offline pipeline on the demo as a new user runs it (800
//! conversations, seed 7, lexical embedder, no API key): the top level
//! must recover the demo's topics, no catch-all may dominate it, and the
//! names must read as phrases. The top two levels are snapshotted as
//! `kura-tui tree --depth 2` prints them, so that naming changes are
//! reviewed as diffs.

use std::collections::HashMap;

use kura_tui::config::{Config, EmbedderKind};
use kura_tui::model::{Cluster, Hierarchy};
use kura_tui::offline::TEMPLATE_WORDS;
use kura_tui::offline::naming::{normal, overlaps};
use kura_tui::pipeline::{self, Cancel, RunOptions, RunOutput};
use kura_tui::project::Project;
use kura_tui::project::store::StoreWriter;
use kura_tui::{demo, eval};

/// The goal for the lexical embedder (issue 11): top-level NMI against the
/// true topic of at least 0.60 (measured: 0.752 with `lexical-v5`, 0.697 with
/// `lexical-v4`; 0.36 before issue 11).
const TOPIC_NMI_GOAL: f64 = 0.60;
/// No top-level cluster may hold more than this share.
const MAX_TOP_SHARE: f64 = 0.35;

struct Run {
    out: RunOutput,
    topic: HashMap<String, String>,
}

fn run_demo() -> Run {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    let (layout, _lock) = Project::create(&root, false).unwrap();
    let mut writer =
        StoreWriter::create(&layout.conversations(), &layout.conversations_index()).unwrap();
    let mut topic = HashMap::new();
    for conv in demo::generate(demo::DEFAULT_CONVERSATIONS, 7) {
        let t = conv.metadata["topic"].as_str().unwrap().to_string();
        topic.insert(conv.id.clone(), t);
        writer.push(&conv).unwrap();
    }
    writer.finish().unwrap();
    let mut config = Config::default();
    config.embedding.embedder = EmbedderKind::Lexical;
    let (tx, mut rx) = pipeline::events::channel();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env: HashMap<String, String> = HashMap::new();
    let out = rt
        .block_on(async {
            let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
            let out = pipeline::run_project(
                &layout,
                &config,
                true,
                &RunOptions::default(),
                tx,
                Cancel::new(),
                &env,
            )
            .await;
            let _ = drain.await;
            out
        })
        .unwrap();
    Run { out, topic }
}

fn is_comma_list(name: &str) -> bool {
    let parts: Vec<&str> = name.split(", ").collect();
    parts.len() > 1 && parts.iter().all(|p| !p.trim().contains(' '))
}

#[test]
fn the_demo_offline_tree_is_balanced_readable_and_by_topic() {
    let Run { out, topic } = run_demo();
    let h = Hierarchy::new(out.clusters.clone());
    let total = h.total() as f64;
    let roots: Vec<&Cluster> = h.roots().collect();

    // Top level against the true topic.
    let mut truth = Vec::new();
    let mut pred = Vec::new();
    for (r, root) in roots.iter().enumerate() {
        for m in h.members(&root.id) {
            truth.push(topic[m].as_str());
            pred.push(r);
        }
    }
    let nmi = eval::normalized_mutual_info(&eval::encode(&truth), &pred).unwrap();
    eprintln!(
        "top level: {} clusters, NMI against topic {nmi:.3}",
        roots.len()
    );
    assert!(
        nmi >= TOPIC_NMI_GOAL,
        "top-level NMI against topic is {nmi:.3}, below {TOPIC_NMI_GOAL}"
    );
    for root in &roots {
        let share = root.count as f64 / total;
        assert!(
            share <= MAX_TOP_SHARE,
            "{} holds {:.0}% of the conversations",
            root.name,
            share * 100.0
        );
    }

    // Names: phrases of 2-7 words, never comma lists or template words;
    // unique among siblings; never the parent's name again word for word,
    // and never the name of any cluster above; no parent with one child.
    for c in h.clusters() {
        assert!(!is_comma_list(&c.name), "comma list: {}", c.name);
        let phrase = without_language(&c.name);
        let words = phrase.split_whitespace().count();
        if unspaced(phrase) {
            assert!(phrase.chars().count() >= 3, "too short: {}", c.name);
        } else {
            assert!((2..=7).contains(&words), "{words} words: {}", c.name);
        }
        let lower = c.name.to_lowercase();
        for w in TEMPLATE_WORDS {
            assert!(
                !lower
                    .split(|ch: char| !ch.is_alphanumeric() && ch != '\'')
                    .any(|x| x == *w),
                "template word `{w}` in {}",
                c.name
            );
        }
        assert!(!c.description.is_empty(), "{} has no description", c.name);
        assert_ne!(
            c.children.len(),
            1,
            "{} has one child, the same conversations under two names",
            c.name
        );
        if let Some(p) = c.parent.as_deref().and_then(|p| h.get(p)) {
            assert!(
                !overlaps(&normal(&p.name), &normal(&c.name)),
                "{} repeats its parent {}",
                c.name,
                p.name
            );
        }
        let mut above = c.parent.as_deref().and_then(|p| h.get(p));
        while let Some(a) = above {
            assert_ne!(
                normal(&a.name),
                normal(&c.name),
                "{} ({}) has the name of {} above it",
                c.name,
                c.id,
                a.id
            );
            above = a.parent.as_deref().and_then(|p| h.get(p));
        }
        let siblings = match c.parent.as_deref() {
            Some(p) => h.children(p),
            None => roots.clone(),
        };
        let same = siblings
            .iter()
            .filter(|s| s.name.to_lowercase() == lower)
            .count();
        assert_eq!(same, 1, "siblings share the name {}", c.name);
    }

    // The top two levels as `kura-tui tree --depth 2` prints them, for review.
    let tree = kura_tui::tree::render(&kura_tui::tree::build(&h, Some(2)));
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("offline_demo_tree", tree);
    });
}

/// The name without a "German: " prefix.
fn without_language(name: &str) -> &str {
    match name.split_once(": ") {
        Some((lang, rest)) if !lang.contains(' ') => rest,
        _ => name,
    }
}

fn unspaced(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c as u32 >= 0x3040)
}
