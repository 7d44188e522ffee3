//! The API embedder against the mock: batching, order, normalisation,
//! caching, limits and errors.

mod support;

use std::sync::Mutex;
use std::time::Duration;

use kura_tui::config::{Config, Secret};
use kura_tui::embed::Embedder;
use kura_tui::llm::{ApiEmbedder, ClientHooks, api_embedder_from_config};
use support::mock_openai::{MockReply, MockServer, embeddings_reply, hashed_embedding};
use support::{TEST_KEY, settings};

const DIMS: usize = 12;

fn texts(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("text number {i} about topic {}", i % 3))
        .collect()
}

fn normalised(text: &str) -> Vec<f32> {
    let v = hashed_embedding(text, DIMS);
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / norm).collect()
}

fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
}

#[tokio::test]
async fn batches_come_back_in_order_and_normalised() {
    let server = MockServer::start(|req| embeddings_reply(req, DIMS));
    let emb = ApiEmbedder::new(
        &settings(&server.base_url(), "emb"),
        3,
        ClientHooks::default(),
    )
    .unwrap();
    assert_eq!(emb.identity(), "api:emb");
    let input = texts(10);
    let seen = Mutex::new(Vec::new());
    let progress = |n: usize| seen.lock().unwrap().push(n);
    let m = emb.embed(&input, &progress).await.unwrap();
    assert_eq!(m.dim(), (10, DIMS));
    for (i, t) in input.iter().enumerate() {
        assert!(
            close(m.row(i).as_slice().unwrap(), &normalised(t)),
            "row {i}"
        );
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    let mut sent: Vec<String> = reqs.iter().flat_map(|r| r.inputs()).collect();
    assert!(
        reqs.iter()
            .all(|r| r.inputs().len() <= 3 && r.path == "/v1/embeddings")
    );
    assert_eq!(reqs[0].body["model"], "emb");
    assert_eq!(
        reqs[0].header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    sent.sort();
    let mut want = input.clone();
    want.sort();
    assert_eq!(sent, want, "each text sent exactly once");
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first(), Some(&0));
    assert_eq!(seen.last(), Some(&10));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
}

#[tokio::test]
async fn reruns_are_served_from_the_cache_text_by_text() {
    let server = MockServer::start(|req| embeddings_reply(req, DIMS));
    let dir = tempfile::tempdir().unwrap();
    let s = settings(&server.base_url(), "emb").with_cache(dir.path());
    let input = texts(7);
    let first = ApiEmbedder::new(&s, 4, ClientHooks::default())
        .unwrap()
        .embed(&input, &|_| {})
        .await
        .unwrap();
    assert_eq!(server.request_count(), 2);

    let again = ApiEmbedder::new(&s, 4, ClientHooks::default())
        .unwrap()
        .embed(&input, &|_| {})
        .await
        .unwrap();
    assert_eq!(server.request_count(), 2, "rerun hit the server");
    assert_eq!(first, again);

    // Two new texts among the old ones: one request, with just those two.
    let mut more = input.clone();
    more.insert(3, "a brand new text".into());
    more.push("another new one".into());
    let m = ApiEmbedder::new(&s, 4, ClientHooks::default())
        .unwrap()
        .embed(&more, &|_| {})
        .await
        .unwrap();
    assert_eq!(server.request_count(), 3);
    assert_eq!(
        server.requests()[2].inputs(),
        ["a brand new text", "another new one"]
    );
    assert!(close(
        m.row(3).as_slice().unwrap(),
        &normalised("a brand new text")
    ));
    assert!(close(
        m.row(4).as_slice().unwrap(),
        first.row(3).as_slice().unwrap()
    ));
}

#[tokio::test]
async fn empty_texts_get_zero_rows_and_are_not_sent() {
    let server = MockServer::start(|req| embeddings_reply(req, DIMS));
    let emb = ApiEmbedder::new(
        &settings(&server.base_url(), "emb"),
        8,
        ClientHooks::default(),
    )
    .unwrap();
    let input = vec!["hello there".to_string(), "   ".to_string(), String::new()];
    let m = emb.embed(&input, &|_| {}).await.unwrap();
    assert_eq!(m.dim(), (3, DIMS));
    assert!(m.row(1).iter().all(|x| *x == 0.0) && m.row(2).iter().all(|x| *x == 0.0));
    assert_eq!(server.requests()[0].inputs(), ["hello there"]);
    let none = emb.embed(&[], &|_| {}).await.unwrap();
    assert_eq!(none.nrows(), 0);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_run_concurrently_within_the_limit_and_retry() {
    let server = MockServer::start(|req| {
        if req.seen == 0 && req.index % 5 == 0 {
            MockReply::server_error()
        } else {
            embeddings_reply(req, DIMS).after(Duration::from_millis(10))
        }
    });
    let mut s = settings(&server.base_url(), "emb");
    s.max_concurrency = 3;
    let emb = ApiEmbedder::new(&s, 2, ClientHooks::default()).unwrap();
    let input = texts(40);
    let m = emb.embed(&input, &|_| {}).await.unwrap();
    for (i, t) in input.iter().enumerate() {
        assert!(
            close(m.row(i).as_slice().unwrap(), &normalised(t)),
            "row {i}"
        );
    }
    assert!(server.max_in_flight() <= 3, "{}", server.max_in_flight());
    let failed = server
        .requests()
        .iter()
        .filter(|r| r.seen == 0 && r.index % 5 == 0)
        .count();
    assert_eq!(server.request_count(), 20 + failed);
}

#[tokio::test]
async fn a_wrong_answer_is_a_clear_error() {
    let server = MockServer::start(|_| MockReply::Embeddings(vec![vec![1.0, 0.0]]));
    let emb = ApiEmbedder::new(
        &settings(&server.base_url(), "emb"),
        8,
        ClientHooks::default(),
    )
    .unwrap();
    let err = emb.embed(&texts(3), &|_| {}).await.unwrap_err().to_string();
    assert!(
        err.contains("1 vectors for 3 texts") && err.contains("emb"),
        "{err}"
    );
}

#[tokio::test]
async fn the_factory_uses_the_chat_endpoint_when_embedding_has_none() {
    let server = MockServer::start(|req| embeddings_reply(req, DIMS));
    let mut config = Config::default();
    config.llm.base_url = Some(server.base_url());
    config.llm.api_key = Some(Secret::new(TEST_KEY));
    config.embedding.batch_size = 5;
    let dir = tempfile::tempdir().unwrap();
    let emb = api_embedder_from_config(&config, dir.path(), &ClientHooks::default()).unwrap();
    assert_eq!(emb.identity(), "api:text-embedding-3-small");
    emb.embed(&texts(6), &|_| {}).await.unwrap();
    assert_eq!(server.request_count(), 2);

    let offline = Config::default();
    let err = api_embedder_from_config(&offline, dir.path(), &ClientHooks::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("embedding"), "{err}");
}
