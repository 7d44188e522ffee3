//! The whole pipeline against the loopback OpenAI-compatible mock: every
//! stage's LLM and embedding calls go over real sockets with real JSON.

mod support;

use std::collections::HashSet;

use kura_tui::model::{Cluster, Hierarchy};
use kura_tui::pipeline;
use serde_json::json;
use support::TEST_KEY;
use support::mock_openai::{MockReply, MockRequest, MockServer};
use support::pipeline::{MockProject, honest};

fn setup(n: usize, mock: &MockServer, max_top: usize) -> MockProject {
    let mut s = MockProject::new(&mock.base_url(), kura_tui::demo::generate(n, 3));
    s.project.config.hierarchy.max_top_level = max_top;
    s
}

async fn run(project: &MockProject) -> kura_tui::Result<pipeline::RunOutput> {
    project.run().await
}

/// Every base cluster has exactly one path to a root; counts add up.
fn assert_valid_tree(clusters: &[Cluster], n: usize, max_top: usize) {
    let h = Hierarchy::new(clusters.to_vec());
    let roots: Vec<_> = h.roots().collect();
    assert!(!roots.is_empty());
    assert!(roots.len() <= max_top.max(1) + 1, "{} roots", roots.len());
    assert_eq!(h.total(), n, "root counts add up to every conversation");
    let mut members = HashSet::new();
    for c in clusters {
        if let Some(p) = &c.parent {
            let parent = h.get(p).expect("parent exists");
            assert!(parent.children.contains(&c.id));
            assert!(parent.level > c.level);
        }
        if !c.children.is_empty() {
            let sum: usize = h.children(&c.id).iter().map(|ch| ch.count).sum();
            assert_eq!(sum, c.count, "{} count", c.id);
        }
        for m in &c.members {
            assert!(members.insert(m.clone()), "{m} in two base clusters");
        }
    }
    assert_eq!(members.len(), n);
    let slugs: HashSet<_> = clusters.iter().map(|c| c.slug.clone()).collect();
    assert_eq!(slugs.len(), clusters.len(), "slugs are unique");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_run_then_cached_rerun_makes_no_requests() {
    let mock = MockServer::start(honest);
    let s = setup(60, &mock, 3);
    let out = run(&s).await.unwrap();
    assert_eq!(out.summaries.len(), 60);
    let ids: HashSet<_> = out
        .summaries
        .iter()
        .map(|x| x.conversation_id.clone())
        .collect();
    assert_eq!(ids.len(), 60);
    assert!(
        out.summaries
            .iter()
            .all(|x| x.summary.starts_with("The user asked:"))
    );
    assert!(out.summaries.iter().all(|x| x.user_frustration == Some(2)));
    assert_valid_tree(&out.clusters, 60, 3);
    assert!(
        out.clusters
            .iter()
            .any(|c| c.level == 0 && c.name.starts_with("Help with"))
    );
    assert!(
        out.clusters.iter().any(|c| c.level > 0),
        "a hierarchy above the base"
    );
    assert_eq!(out.points.len(), 60);
    let chat_calls = mock.requests().iter().filter(|r| r.is_chat()).count();
    assert!(chat_calls >= 60, "{chat_calls}");
    // Keys never reach the cache or checkpoints.
    for entry in walk(s.project.layout.root()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(TEST_KEY),
            "key leaked into {}",
            entry.display()
        );
    }
    let before = mock.request_count();
    let again = run(&s).await.unwrap();
    assert_eq!(
        mock.request_count(),
        before,
        "a cached rerun makes zero requests"
    );
    assert_eq!(again.clusters, out.clusters);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adversarial_hierarchy_answers_still_end_in_a_valid_tree() {
    for mode in ["invalid", "empty", "one", "duplicates"] {
        let mock = MockServer::start(move |req: &MockRequest| {
            let text = req.user_text();
            if !req.is_embeddings()
                && (text.contains("<proposed_names>") || text.contains("broader categories"))
            {
                let names = match mode {
                    "empty" => json!([]),
                    "one" => json!(["Everything"]),
                    "duplicates" => {
                        json!(["Do things", "do things.", "\"Do things\"", "Do things"])
                    }
                    _ => json!(["Alpha", "Beta", "Gamma", "Delta"]),
                };
                return MockReply::json(&json!({ "names": names }));
            }
            if text.contains("<categories>") {
                return MockReply::json(&json!({"category": "Not one of the options"}));
            }
            honest(req)
        });
        let s = setup(80, &mock, 2);
        let out = run(&s).await.unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert_valid_tree(&out.clusters, 80, 2);
        let roots = Hierarchy::new(out.clusters.clone()).roots().count();
        assert!(roots <= 2, "{mode}: {roots} roots");
    }
}
