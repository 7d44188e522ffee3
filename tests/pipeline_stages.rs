//! Stage by stage against the loopback mock: custom facets reach the
//! schema, the prompt and the saved summaries; a long conversation is cut
//! for the LLM but stored whole; changing a naming setting reruns only the
//! names and what follows; naming contrasts come from the nearest clusters.

mod support;

use kura_tui::config::{FacetSpec, FacetType};
use kura_tui::model::{Conversation, Message, Role, Summary};
use kura_tui::pipeline::{Event, Stage, naming};
use kura_tui::project::checkpoint::{self, FileCheckpoints};
use ndarray::Array2;
use serde_json::json;
use support::mock_openai::{MockReply, MockRequest, MockServer};
use support::pipeline::{MockProject, honest};

fn is_summary(r: &MockRequest) -> bool {
    r.is_chat() && r.user_text().contains("<conversation>")
}

fn is_naming(r: &MockRequest) -> bool {
    r.is_chat() && r.user_text().contains("<group_summaries>")
}

/// `honest`, plus the custom facet in every summary.
fn with_product_area(req: &MockRequest) -> MockReply {
    if !is_summary(req) {
        return honest(req);
    }
    let text = req.user_text();
    let area = if text.contains("flight") || text.contains("trip") {
        "travel"
    } else {
        "other"
    };
    MockReply::json(&json!({
        "summary": "The user asked for help with a plan.",
        "request": "The user's overall request for the assistant is to help plan.",
        "task": "The task is to help plan.",
        "languages": ["english"],
        "concerning_score": 1,
        "user_frustration": 3,
        "assistant_errors": ["none"],
        "product_area": area
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_facets_reach_schema_prompt_and_summaries() {
    let mock = MockServer::start(with_product_area);
    let mut p = MockProject::new(&mock.base_url(), kura_tui::demo::generate(12, 4));
    p.project.config.summarise.facets = vec![FacetSpec {
        name: "product_area".into(),
        kind: FacetType::String,
        instruction: "Name the part of the product the user asks about.".into(),
    }];
    let out = p.run().await.unwrap();

    let summaries: Vec<MockRequest> = mock.requests().into_iter().filter(is_summary).collect();
    assert_eq!(summaries.len(), 12);
    for r in &summaries {
        let prompt = format!("{}\n{}", r.system_text(), r.user_text());
        assert!(
            prompt.contains("product_area"),
            "the prompt names the facet"
        );
        assert!(prompt.contains("Name the part of the product the user asks about."));
        let schema = r
            .body
            .pointer("/response_format/json_schema/schema")
            .unwrap();
        assert_eq!(schema["properties"]["product_area"]["type"], "string");
        assert!(
            schema["required"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "product_area")
        );
    }
    assert_eq!(out.summaries.len(), 12);
    for s in &out.summaries {
        let area = s.custom.get("product_area").and_then(|v| v.as_str());
        assert!(matches!(area, Some("travel" | "other")), "{:?}", s.custom);
        assert_eq!(s.user_frustration, Some(3));
        assert_eq!(s.assistant_errors, ["none"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_conversations_are_cut_for_the_llm_and_kept_whole() {
    let mock = MockServer::start(honest);
    let mut messages = vec![Message::new(
        Role::User,
        "FIRST-QUESTION how do I parse this log file?",
    )];
    for i in 0..40 {
        messages.push(Message::new(
            Role::Assistant,
            format!("Calling the tool, step {i}."),
        ));
        messages.push(Message::new(
            Role::Tool,
            format!("TOOL-{i} {}", "x".repeat(5_000)),
        ));
    }
    messages.push(Message::new(
        Role::User,
        "LAST-QUESTION thanks, and the errors?",
    ));
    let long = Conversation::new("long-1", messages);
    let stored_chars: usize = long.messages.iter().map(|m| m.content.len()).sum();
    let mut conversations: Vec<Conversation> = kura_tui::demo::generate(11, 4).collect();
    conversations.push(long);
    let mut p = MockProject::new(&mock.base_url(), conversations);
    p.project.config.summarise.max_chars = 6_000;
    p.run().await.unwrap();

    let request = mock
        .requests()
        .into_iter()
        .filter(is_summary)
        .find(|r| r.user_text().contains("FIRST-QUESTION"))
        .expect("the long conversation was summarised");
    let text = request.user_text();
    let shown = text
        .split("<conversation>")
        .nth(1)
        .and_then(|t| t.split("</conversation>").next())
        .unwrap();
    assert!(shown.contains("LAST-QUESTION"), "the end is kept");
    assert!(
        shown.contains("TOOL-0 xxx"),
        "tool output is cut, not dropped"
    );
    assert!(!shown.contains(&"x".repeat(400)), "tool output goes first");
    assert!(
        shown.chars().count() <= 6_000 + 40,
        "cut to about max_chars: {}",
        shown.chars().count()
    );
    assert!(stored_chars > 200_000);
    // The store still holds every character.
    let store = p.project.store().unwrap();
    let pos = (0..store.len())
        .find(|&i| store.get(i).unwrap().id == "long-1")
        .unwrap();
    let again = store.get(pos).unwrap();
    assert_eq!(
        again
            .messages
            .iter()
            .map(|m| m.content.len())
            .sum::<usize>(),
        stored_chars
    );
}

/// Which stages ran, and whether each came from its checkpoint.
fn finished(events: &[Event]) -> Vec<(Stage, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Finished { stage, cached } => Some((*stage, *cached)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_naming_setting_reruns_names_and_later_stages_only() {
    let mock = MockServer::start(honest);
    let mut p = MockProject::new(&mock.base_url(), kura_tui::demo::generate(60, 6));
    p.project.config.hierarchy.max_top_level = 2;
    let (first, events) = p.run_with_events().await;
    first.unwrap();
    assert!(finished(&events).iter().all(|(_, cached)| !cached));
    let before = mock.request_count();
    let names_digest = || {
        let cps = FileCheckpoints::new(p.project.layout.checkpoints());
        checkpoint::verify(&cps, "names").unwrap().unwrap().digest
    };
    let names_before = names_digest();

    p.project.config.naming.max_examples = 4;
    let (second, events) = p.run_with_events().await;
    second.unwrap();
    // The hierarchy reads the names' content: it is redone only if the
    // new names differ.
    let names_changed = names_digest() != names_before;
    let stages = finished(&events);
    for stage in Stage::ALL {
        let cached = stages.iter().find(|(s, _)| *s == stage).map(|(_, c)| *c);
        let expected = match stage {
            Stage::Names => false,
            Stage::Hierarchy => !names_changed,
            _ => true,
        };
        assert_eq!(cached, Some(expected), "{stage:?}");
    }
    let new: Vec<MockRequest> = mock.requests().into_iter().skip(before).collect();
    assert!(!new.iter().any(is_summary), "no summary was asked again");
    assert!(!new.iter().any(|r| r.is_embeddings()), "nor any embedding");
    assert!(new.iter().any(is_naming), "the names were asked again");
}

#[test]
fn naming_contrast_comes_from_the_nearest_clusters() {
    // Four clusters of three points on a line: 0 at x=0, 1 at x=1, 2 at
    // x=3, 3 at x=10 (all with y=1, so directions differ by angle).
    let xs = [0.0f32, 1.0, 3.0, 10.0];
    let mut embeddings = Array2::<f32>::zeros((12, 2));
    let mut summaries = Vec::new();
    let mut rows = vec![Vec::new(); 4];
    for (c, &x) in xs.iter().enumerate() {
        for j in 0..3 {
            let i = c * 3 + j;
            let v = [x + j as f32 * 0.01, 1.0];
            let n = (v[0] * v[0] + v[1] * v[1]).sqrt();
            embeddings[[i, 0]] = v[0] / n;
            embeddings[[i, 1]] = v[1] / n;
            summaries.push(Summary {
                conversation_id: format!("c{i}"),
                summary: format!("cluster {c} item {j}"),
                ..Summary::default()
            });
            rows[c].push(i);
        }
    }
    let centroids = kura_tui::pipeline::clusters::centroids(embeddings.view(), &rows);
    let inputs = naming::inputs(&rows, &centroids, embeddings.view(), &summaries, 2, 2);
    assert_eq!(inputs.len(), 4);
    assert_eq!(inputs[0].examples.len(), 2);
    assert!(
        inputs[0]
            .examples
            .iter()
            .all(|t| t.starts_with("cluster 0 "))
    );
    // With two contrastive examples, each cluster shows its nearest
    // neighbour first: 0 → 1, 3 → 2.
    assert!(
        inputs[0].contrastive[0].starts_with("cluster 1 "),
        "{:?}",
        inputs[0].contrastive
    );
    assert!(
        inputs[3].contrastive[0].starts_with("cluster 2 "),
        "{:?}",
        inputs[3].contrastive
    );
    // Cluster 0 comes first but is the farthest from cluster 3: never shown.
    assert!(
        inputs[3]
            .contrastive
            .iter()
            .all(|t| !t.starts_with("cluster 0 ")),
        "{:?}",
        inputs[3].contrastive
    );
    for (c, input) in inputs.iter().enumerate() {
        assert!(
            input
                .contrastive
                .iter()
                .all(|t| !t.starts_with(&format!("cluster {c} "))),
            "no contrast from the cluster itself"
        );
    }
}
