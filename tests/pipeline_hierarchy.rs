//! The LLM hierarchy against the loopback mock: levels keep their shape
//! when the model merges everything into one name, the tree does not
//! depend on the order answers arrive in, and the run's estimate matches
//! the requests the mock receives.

mod support;

use std::time::Duration;

use kura_tui::config::HierarchyGrouping;
use kura_tui::model::{Cluster, Hierarchy};
use kura_tui::pipeline;
use serde_json::json;
use support::mock_openai::{MockReply, MockRequest, MockServer};
use support::pipeline::{MockProject, honest};

fn project(mock: &MockServer, n: usize, k: usize, max_top: usize) -> MockProject {
    let mut p = MockProject::new(&mock.base_url(), kura_tui::demo::generate(n, 5));
    p.project.config.cluster.k = k;
    p.project.config.hierarchy.max_top_level = max_top;
    p
}

/// Clusters per level, base first: those standing for each level, so a
/// cluster whose one-child parent was folded into it counts at the
/// parent's level too.
fn level_sizes(clusters: &[Cluster]) -> Vec<usize> {
    let h = Hierarchy::new(clusters.to_vec());
    let top = clusters.iter().map(|c| c.level).max().unwrap_or(0);
    (0..=top)
        .map(|l| h.at_level(l).iter().filter(|c| !c.noise).count())
        .collect()
}

fn is_proposal(text: &str) -> bool {
    text.contains("<proposed_names>") || text.contains("broader categories")
}

/// `honest`, except that every proposal and merge answers one name.
fn one_name(req: &MockRequest) -> MockReply {
    if req.is_chat() && is_proposal(&req.user_text()) {
        return MockReply::json(&json!({ "names": ["Everything"] }));
    }
    honest(req)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_level_the_model_collapses_is_split_back_to_its_target() {
    // 100 base clusters and max_top_level 10 give targets 100 → 32 → 10;
    // the model answers one name for every level.
    let mock = MockServer::start(one_name);
    let p = project(&mock, 300, 100, 10);
    let out = p.run().await.unwrap();
    let sizes = level_sizes(&out.clusters);
    assert_eq!(sizes[0], 100, "{sizes:?}");
    assert!(sizes.len() >= 3, "two levels above the base: {sizes:?}");
    assert!(sizes[1] * 3 >= 32, "level 1 kept its shape: {sizes:?}");
    let roots = Hierarchy::new(out.clusters.clone()).roots().count();
    assert!((4..=10).contains(&roots), "{roots} roots: {sizes:?}");
    // Split parents are named from their children, like the others.
    let top: Vec<&Cluster> = out.clusters.iter().filter(|c| c.level == 1).collect();
    assert!(top.iter().all(|c| c.name == "Broad theme"), "renamed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_top_level_lies_between_a_third_of_max_top_level_and_all_of_it() {
    // `honest` proposes three names; with 40 base clusters and
    // max_top_level 10 that is below a third of the target.
    let mock = MockServer::start(honest);
    let p = project(&mock, 160, 40, 10);
    let out = p.run().await.unwrap();
    let roots = Hierarchy::new(out.clusters.clone()).roots().count();
    let sizes = level_sizes(&out.clusters);
    assert!((4..=10).contains(&roots), "{roots} roots: {sizes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tree_does_not_depend_on_the_order_answers_arrive_in() {
    // Hierarchy answers come back after a delay that differs per request
    // and per server, so calls finish in a different order each time.
    let jittered = |salt: u64| {
        move |req: &MockRequest| {
            let reply = honest(req);
            if !req.is_chat() || req.user_text().contains("<conversation>") {
                return reply;
            }
            let h = req
                .user_text()
                .bytes()
                .fold(salt, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b)));
            reply.after(Duration::from_millis(h % 13))
        }
    };
    let mut trees = Vec::new();
    for salt in [1, 7] {
        let mock = MockServer::start(jittered(salt));
        let p = project(&mock, 150, 30, 3);
        let out = p.run().await.unwrap();
        let tree: Vec<(String, String, Option<String>, Vec<String>)> = out
            .clusters
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    c.name.clone(),
                    c.parent.clone(),
                    c.children.clone(),
                )
            })
            .collect();
        trees.push(tree);
    }
    assert!(trees[0].iter().any(|c| c.0.starts_with("L1-")));
    assert_eq!(trees[0], trees[1]);
}

/// `honest`, except that names and renames are unique to their prompt, so
/// no two calls are the same and the client's cache saves none of them.
fn distinct(req: &MockRequest) -> MockReply {
    let text = req.user_text();
    let tag = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |a, b| {
        (a ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let named = |kind: &str| {
        MockReply::json(&json!({
            "name": format!("{kind} {tag:x}"),
            "description": format!("Conversations of kind {tag:x}. They differ."),
            "slug": format!("{kind}-{tag:x}")
        }))
    };
    if !req.is_chat() || text.contains("<conversation>") || is_proposal(&text) {
        honest(req)
    } else if text.contains("<group_summaries>") {
        named("Topic")
    } else if text.contains("<categories>") {
        honest(req)
    } else {
        named("Theme")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grouped_from_the_embeddings_a_failed_rename_keeps_the_offline_name() {
    // Every third rename is refused (HTTP 400, not retried); the others
    // answer as `distinct` does.
    let refusing = |req: &MockRequest| {
        let text = req.user_text();
        let renaming = req.is_chat()
            && !text.contains("<conversation>")
            && !text.contains("<group_summaries>");
        let h = text
            .bytes()
            .fold(7u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b)));
        if renaming && h % 3 == 0 {
            return MockReply::status(400, r#"{"error":{"message":"refused"}}"#);
        }
        distinct(req)
    };
    let mock = MockServer::start(refusing);
    let mut p = project(&mock, 300, 100, 10);
    p.project.config.hierarchy.grouping = HierarchyGrouping::Embeddings;
    let out = p.run().await.unwrap();
    let said = out.incomplete.join("; ");
    assert!(
        said.contains("parent renames failed and kept their fallback name"),
        "{said}"
    );
    // Every level is at its target; the refused parents carry offline
    // names, the others the model's.
    let clusters = out.clusters;
    assert_eq!(level_sizes(&clusters), [100, 32, 10]);
    let parents: Vec<&Cluster> = clusters.iter().filter(|c| c.level > 0).collect();
    let renamed = parents
        .iter()
        .filter(|c| c.name.starts_with("Theme "))
        .count();
    assert!(
        renamed > 0 && renamed < parents.len(),
        "{renamed} of {}",
        parents.len()
    );
    assert!(
        parents
            .iter()
            .all(|c| !c.name.trim().is_empty() && !c.description.is_empty()),
        "every parent is named"
    );
}

/// What a request to the mock was for.
fn kind(r: &MockRequest) -> &'static str {
    if r.is_embeddings() {
        "embeddings"
    } else if r.user_text().contains("<conversation>") {
        "summaries"
    } else if r.user_text().contains("<group_summaries>") {
        "names"
    } else {
        "hierarchy"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_estimate_is_within_a_quarter_of_the_requests_sent() {
    for grouping in [HierarchyGrouping::Llm, HierarchyGrouping::Embeddings] {
        let mock = MockServer::start(distinct);
        let mut p = project(&mock, 200, 40, 4);
        p.project.config.hierarchy.grouping = grouping;
        let store = p.project.store().unwrap();
        let est = pipeline::estimate::run_estimate(&p.project.config, &store, store.len()).unwrap();
        p.run().await.unwrap();
        let requests = mock.requests();
        let sent = |tag: &str| requests.iter().filter(|r| kind(r) == tag).count() as f64;
        let within = |estimated: f64, actual: f64| (estimated - actual).abs() <= 0.25 * actual;
        for tag in ["summaries", "embeddings", "names", "hierarchy"] {
            let estimated = est.by_tag.get(tag).map_or(0, |t| t.calls) as f64;
            assert!(
                within(estimated, sent(tag)),
                "{grouping:?} {tag}: estimated {estimated}, sent {}",
                sent(tag)
            );
        }
        assert!(
            within(est.calls as f64, requests.len() as f64),
            "{grouping:?}: estimated {} calls, sent {}",
            est.calls,
            requests.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grouped_from_the_embeddings_the_model_only_names_the_parents() {
    // 100 base clusters and max_top_level 10: targets 100 → 32 → 10.
    let mock = MockServer::start(distinct);
    let mut p = project(&mock, 300, 100, 10);
    p.project.config.hierarchy.grouping = HierarchyGrouping::Embeddings;
    let out = p.run().await.unwrap();
    let sizes = level_sizes(&out.clusters);
    assert_eq!(sizes, [100, 32, 10], "levels follow their targets exactly");
    // No proposals, merges or assignments: one rename per parent.
    let hierarchy: Vec<String> = mock
        .requests()
        .iter()
        .filter(|r| kind(r) == "hierarchy")
        .map(|r| r.user_text())
        .collect();
    assert!(
        hierarchy
            .iter()
            .all(|t| !is_proposal(t) && !t.contains("<categories>"))
    );
    assert_eq!(hierarchy.len(), 32 + 10);
    // Every parent carries the model's name, built from its own children.
    let parents: Vec<&Cluster> = out.clusters.iter().filter(|c| c.level > 0).collect();
    assert!(
        parents.iter().all(|c| c.name.starts_with("Theme ")),
        "renamed"
    );
    let top = parents.iter().find(|c| c.level == 2).unwrap();
    let child = out
        .clusters
        .iter()
        .find(|c| c.id == top.children[0])
        .unwrap();
    assert!(
        hierarchy.iter().any(|t| t.contains(&child.name)),
        "the rename of {} saw its child {}",
        top.name,
        child.name
    );
    // A second run is answered from the checkpoints.
    let before = mock.requests().len();
    p.run().await.unwrap();
    assert_eq!(mock.requests().len(), before);
}
