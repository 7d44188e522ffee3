//! The OpenAI-compatible chat client against the loopback mock: ordering,
//! limits, caching, retries, faults and cancellation.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use kura_tui::Error;
use kura_tui::llm::{
    CancelToken, ChatModel, ChatRequest, ClientEvent, ClientHooks, Events, OpenAiChat,
};
use support::mock_openai::{MockReply, MockRequest, MockServer};
use support::{TEST_KEY, settings};
use tokio::sync::mpsc::UnboundedReceiver;

fn echo(req: &MockRequest) -> MockReply {
    MockReply::text(format!("answer to {}", req.user_text()))
}

fn drain(rx: &mut UnboundedReceiver<ClientEvent>) -> Vec<ClientEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

fn retries(events: &[ClientEvent]) -> Vec<(u32, String, Duration)> {
    events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Retry {
                attempt,
                reason,
                wait,
                ..
            } => Some((*attempt, reason.clone(), *wait)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_prompts_come_back_in_order_within_the_limit() {
    // The mock holds every answer until four requests are in flight at
    // once, so the test knows the client used its whole limit.
    let (open, gate) = tokio::sync::watch::channel(false);
    let server = MockServer::start(move |req| echo(req).gated(&gate));
    let mut s = settings(&server.base_url(), "mock-model");
    s.max_concurrency = 4;
    let chat = OpenAiChat::new(&s, ClientHooks::default()).unwrap();
    let prompts: Vec<String> = (0..40).map(|i| format!("prompt-{i}")).collect();
    let all = join_all(
        prompts
            .iter()
            .map(|p| chat.chat(ChatRequest::new("summaries").user(p.clone()))),
    );
    let opener = async {
        // The timeout only bounds a client that never reaches its limit.
        let four = tokio::time::timeout(Duration::from_secs(60), server.wait_for_requests(4));
        assert!(four.await.is_ok(), "never four requests in flight");
        assert_eq!(server.request_count(), 4, "more than the limit in flight");
        open.send_replace(true);
    };
    let (answers, ()) = tokio::join!(all, opener);
    for (p, a) in prompts.iter().zip(&answers) {
        let a = a.as_ref().unwrap();
        assert_eq!(a.content, format!("answer to {p}"));
        assert!(!a.cached);
        assert!(a.usage.input_tokens > 0 && a.usage.output_tokens > 0);
    }
    // Nothing lost, nothing sent twice.
    let mut sent: Vec<String> = server.requests().iter().map(|r| r.user_text()).collect();
    sent.sort();
    let mut want = prompts.clone();
    want.sort();
    assert_eq!(sent, want);
    assert_eq!(server.max_in_flight(), 4);

    let first = &server.requests()[0];
    assert_eq!(first.path, "/v1/chat/completions");
    assert_eq!(
        first.header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    assert_eq!(first.body["model"], "mock-model");
    assert_eq!(first.body["max_tokens"], 1024);
    assert!(first.body.get("response_format").is_none());
    assert_eq!(chat.identity(), "openai:mock-model");
}

#[tokio::test]
async fn a_cached_rerun_makes_zero_requests() {
    let server = MockServer::start(echo);
    let dir = tempfile::tempdir().unwrap();
    let s = settings(&server.base_url(), "m").with_cache(dir.path());
    let prompts: Vec<String> = (0..12).map(|i| format!("conversation {i}")).collect();
    let run = |hooks: ClientHooks| {
        let chat = OpenAiChat::new(&s, hooks).unwrap();
        let prompts = prompts.clone();
        async move {
            let mut out = Vec::new();
            for p in prompts {
                out.push(
                    chat.chat(ChatRequest::new("summaries").user(p))
                        .await
                        .unwrap(),
                );
            }
            out
        }
    };
    let first = run(ClientHooks::default()).await;
    assert_eq!(server.request_count(), 12);

    let (events, mut rx) = Events::channel();
    let hooks = ClientHooks {
        events,
        cancel: CancelToken::new(),
    };
    let second = run(hooks).await;
    assert_eq!(server.request_count(), 12, "rerun hit the server");
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.content, b.content);
        assert_eq!(a.usage, b.usage);
        assert!(b.cached);
    }
    let events = drain(&mut rx);
    assert_eq!(events.len(), 12);
    assert!(
        events
            .iter()
            .all(|e| matches!(e, ClientEvent::RequestFinished { cached: true, .. }))
    );

    // A different temperature is a different request.
    let chat = OpenAiChat::new(&s, ClientHooks::default()).unwrap();
    let req = ChatRequest::new("summaries")
        .user(prompts[0].clone())
        .temperature(0.7);
    assert!(!chat.chat(req).await.unwrap().cached);
    assert_eq!(server.request_count(), 13);
}

/// Really waits: 30 ms, then 1 s, the shortest `Retry-After` in seconds can
/// say. The client's own clock is what is under test (that it waits as long
/// as the server asked, reported in the retry events), so the waits are real.
#[tokio::test]
async fn rate_limits_are_retried_honouring_retry_after() {
    let server = MockServer::start(|req| match req.seen {
        0 => MockReply::rate_limited_ms(30),
        1 => MockReply::rate_limited("1"),
        _ => echo(req),
    });
    let (events, mut rx) = Events::channel();
    let hooks = ClientHooks {
        events,
        cancel: CancelToken::new(),
    };
    let chat = OpenAiChat::new(&settings(&server.base_url(), "m"), hooks).unwrap();
    let got = chat
        .chat(ChatRequest::new("names").user("x"))
        .await
        .unwrap();
    assert_eq!(got.content, "answer to x");
    assert_eq!(server.request_count(), 3);
    let events = drain(&mut rx);
    assert_eq!(
        retries(&events),
        vec![
            (1, "HTTP 429".to_string(), Duration::from_millis(30)),
            (2, "HTTP 429".to_string(), Duration::from_secs(1)),
        ]
    );
    assert!(matches!(events.first(), Some(ClientEvent::RequestStarted { tag }) if tag == "names"));
    assert!(matches!(
        events.last(),
        Some(ClientEvent::RequestFinished { cached: false, .. })
    ));
}

#[tokio::test]
async fn server_errors_truncation_and_resets_are_retried() {
    let server = MockServer::start(|req| {
        let prompt = req.user_text();
        if req.seen > 0 {
            return echo(req);
        }
        match prompt.as_str() {
            "p500" => MockReply::server_error(),
            "p502" => MockReply::status(502, "<html>bad gateway</html>"),
            "truncated" => MockReply::Truncated("answer to truncated".into()),
            "reset" => MockReply::ResetMidBody("answer to reset".into()),
            _ => echo(req),
        }
    });
    let (events, mut rx) = Events::channel();
    let hooks = ClientHooks {
        events,
        cancel: CancelToken::new(),
    };
    let chat = OpenAiChat::new(&settings(&server.base_url(), "m"), hooks).unwrap();
    for p in ["p500", "p502", "truncated", "reset", "fine"] {
        let got = chat.chat(ChatRequest::new("s").user(p)).await.unwrap();
        assert_eq!(got.content, format!("answer to {p}"));
    }
    assert_eq!(server.request_count(), 9);
    let reasons: Vec<String> = retries(&drain(&mut rx))
        .into_iter()
        .map(|(attempt, reason, _)| {
            assert_eq!(attempt, 1);
            reason
        })
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert_eq!(reasons[0], "HTTP 500");
    assert_eq!(reasons[1], "HTTP 502");
    assert!(
        reasons[2].contains("truncated or invalid JSON"),
        "{}",
        reasons[2]
    );
    assert!(reasons[3].contains("body"), "{}", reasons[3]);
}

/// Really waits one timeout (1 s) for the hung first attempt: the timeout
/// firing is the point. The retry is answered at once, well within it.
#[tokio::test]
async fn a_hung_request_times_out_and_is_retried() {
    let server = MockServer::start(|req| {
        if req.seen == 0 {
            MockReply::Hang
        } else {
            echo(req)
        }
    });
    let (events, mut rx) = Events::channel();
    let hooks = ClientHooks {
        events,
        cancel: CancelToken::new(),
    };
    let mut s = settings(&server.base_url(), "m");
    s.timeout = Duration::from_secs(1);
    let chat = OpenAiChat::new(&s, hooks).unwrap();
    let got = chat.chat(ChatRequest::new("s").user("slow")).await.unwrap();
    assert_eq!(got.content, "answer to slow");
    assert_eq!(server.request_count(), 2);
    let r = retries(&drain(&mut rx));
    assert_eq!(r.len(), 1);
    assert!(r[0].1.contains("timeout"), "{}", r[0].1);
}

#[tokio::test]
async fn retries_stop_at_the_limit_and_client_errors_are_not_retried() {
    let server = MockServer::start(|req| match req.user_text().as_str() {
        "busy" => MockReply::status(503, r#"{"error":{"message":"overloaded"}}"#),
        _ => MockReply::status(404, r#"{"error":{"message":"model `m` not found"}}"#),
    });
    let (events, mut rx) = Events::channel();
    let hooks = ClientHooks {
        events,
        cancel: CancelToken::new(),
    };
    let mut s = settings(&server.base_url(), "m");
    s.max_retries = 2;
    let chat = OpenAiChat::new(&s, hooks).unwrap();
    let err = chat
        .chat(ChatRequest::new("summaries").user("busy"))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(server.request_count(), 3);
    assert!(
        err.contains("gave up after 2 retries: HTTP 503: overloaded"),
        "{err}"
    );
    assert!(
        err.contains("summaries") && err.contains("/v1/chat/completions"),
        "{err}"
    );

    let err = chat
        .chat(ChatRequest::new("names").user("other"))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(server.request_count(), 4);
    assert!(
        err.contains("HTTP 404") && err.contains("not found"),
        "{err}"
    );
    let events = drain(&mut rx);
    let failed: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Failed { tag, .. } => Some(tag.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(failed, ["summaries", "names"]);
    assert_eq!(retries(&events).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_new_requests_and_keeps_finished_ones() {
    let server = MockServer::start(|req| {
        if req.user_text() == "fast" {
            echo(req)
        } else {
            MockReply::Hang
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let s = settings(&server.base_url(), "m").with_cache(dir.path());
    let cancel = CancelToken::new();
    let hooks = ClientHooks {
        events: Events::none(),
        cancel: cancel.clone(),
    };
    let chat = Arc::new(OpenAiChat::new(&s, hooks).unwrap());
    chat.chat(ChatRequest::new("s").user("fast")).await.unwrap();

    let slow: Vec<_> = (0..3)
        .map(|i| {
            let chat = chat.clone();
            tokio::spawn(async move {
                chat.chat(ChatRequest::new("s").user(format!("slow {i}")))
                    .await
            })
        })
        .collect();
    server.wait_for_requests(4).await;
    cancel.cancel();
    for handle in slow {
        assert!(matches!(handle.await.unwrap(), Err(Error::Cancelled)));
    }
    let after = chat.chat(ChatRequest::new("s").user("another")).await;
    assert!(matches!(after, Err(Error::Cancelled)));
    assert_eq!(server.request_count(), 4);

    // The finished answer survived: a fresh client serves it from the cache.
    let fresh = OpenAiChat::new(&s, ClientHooks::default()).unwrap();
    let again = fresh
        .chat(ChatRequest::new("s").user("fast"))
        .await
        .unwrap();
    assert!(again.cached);
    assert_eq!(again.content, "answer to fast");
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn base_url_without_v1_and_with_slash_both_work() {
    let server = MockServer::start(echo);
    for base in [server.root_url(), format!("{}/", server.base_url())] {
        let chat = OpenAiChat::new(&settings(&base, "m"), ClientHooks::default()).unwrap();
        let got = chat.chat(ChatRequest::new("s").user("hi")).await.unwrap();
        assert_eq!(got.content, "answer to hi");
    }
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.path == "/v1/chat/completions")
    );
}
