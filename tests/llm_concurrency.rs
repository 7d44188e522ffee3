//! The adaptive concurrency limit against the loopback mock: it starts
//! small and reaches the maximum within a few round trips on a fast server,
//! settles near one or two in flight under a single-slot server without
//! timeouts or duplicate work, grows back after overload, remembers where
//! it settled for the next run, and never counts the wait for a slot
//! towards a request's timeout.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::future::join_all;
use kura_tui::llm::{
    ChatModel, ChatRequest, ClientEvent, ClientHooks, Events, OpenAiChat, RetryCause,
    learned_limits,
};
use support::mock_openai::{MockReply, MockRequest, MockServer};
use support::settings;
use tokio::sync::mpsc::UnboundedReceiver;

/// These tests measure how the limit follows round trips on real sockets;
/// run side by side on two cores they would disturb each other's timing.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs one test on its own two-thread runtime, one test at a time.
fn serially(test: impl std::future::Future<Output = ()>) {
    let _serial = serial();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(test);
}

fn echo(req: &MockRequest) -> MockReply {
    MockReply::text(format!("answer to {}", req.user_text()))
}

fn client(
    base: &str,
    max: usize,
    timeout: Duration,
) -> (OpenAiChat, UnboundedReceiver<ClientEvent>) {
    client_in(base, max, timeout, None)
}

/// A client that keeps what it learns in `cache` (when given).
fn client_in(
    base: &str,
    max: usize,
    timeout: Duration,
    cache: Option<&std::path::Path>,
) -> (OpenAiChat, UnboundedReceiver<ClientEvent>) {
    let mut s = settings(base, "m");
    s.max_concurrency = max;
    s.timeout = timeout;
    if let Some(dir) = cache {
        s = s.with_cache(dir);
    }
    let (events, rx) = Events::channel();
    let hooks = ClientHooks {
        events,
        ..Default::default()
    };
    (OpenAiChat::new(&s, hooks).unwrap(), rx)
}

async fn send_all(chat: &OpenAiChat, n: usize) {
    let answers =
        join_all((0..n).map(|i| chat.chat(ChatRequest::new("summaries").user(format!("p{i}")))))
            .await;
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a.as_ref().unwrap().content, format!("answer to p{i}"));
    }
}

fn drain(rx: &mut UnboundedReceiver<ClientEvent>) -> Vec<ClientEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

/// (limit, in flight) of every concurrency report, in order.
fn loads(events: &[ClientEvent]) -> Vec<(usize, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Concurrency {
                limit, in_flight, ..
            } => Some((*limit, *in_flight)),
            _ => None,
        })
        .collect()
}

fn timeouts(events: &[ClientEvent]) -> usize {
    events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ClientEvent::Retry {
                    cause: RetryCause::Timeout,
                    ..
                }
            )
        })
        .count()
}

#[test]
fn single_slot_server_brings_the_limit_near_one() {
    serially(async {
        let server = MockServer::single_slot(Duration::from_millis(30), echo);
        let (chat, mut rx) = client(&server.base_url(), 32, Duration::from_secs(20));
        send_all(&chat, 120).await;
        let events = drain(&mut rx);
        assert_eq!(timeouts(&events), 0);
        assert_eq!(server.duplicates(), 0, "no work done twice");
        assert_eq!(server.request_count(), 120);
        let loads = loads(&events);
        // Slow start from four: the queue shows before many are out (six
        // in virtual time; a loose bound here, as scheduling noise on a
        // loaded machine can hide the first queued round trips).
        assert!(
            server.max_in_flight() <= 12,
            "{} at the server at once",
            server.max_in_flight()
        );
        // Virtual time (src/llm/gradient_sim.rs) settles at exactly two;
        // measured round trips are noisier, so allow one more.
        let (final_limit, _) = *loads.last().unwrap();
        assert!(final_limit <= 3, "limit ended at {final_limit}");
        let late = loads[loads.len() * 3 / 4..]
            .iter()
            .map(|l| l.1)
            .max()
            .unwrap();
        assert!(late <= 4, "{late} in flight late in the run: {loads:?}");
    });
}

#[test]
fn a_fast_server_reaches_the_maximum_within_a_few_round_trips() {
    serially(async {
        // 100 ms, many slots: only the client's limit holds requests back.
        let server =
            MockServer::start(|req: &MockRequest| echo(req).after(Duration::from_millis(100)));
        let (chat, mut rx) = client(&server.base_url(), 50, Duration::from_secs(20));
        send_all(&chat, 300).await;
        let loads = loads(&drain(&mut rx));
        assert_eq!(
            loads[0].0, 4,
            "a server it knows nothing about: start small"
        );
        let at = loads
            .iter()
            .position(|l| l.0 == 50)
            .unwrap_or_else(|| panic!("never reached 50: {loads:?}"));
        // Two reports per request (sent, answered). Doubling from four,
        // 4 + 8 + 16 + 32 = 60 answers bring the limit to 50; allow for
        // a slow start cut short by a noisy round trip.
        assert!(
            at / 2 <= 120,
            "50 only after {} requests: {loads:?}",
            at / 2
        );
        let used = loads[at..].iter().map(|l| l.1).max().unwrap();
        assert_eq!(used, 50, "and used it");
    });
}

#[test]
fn the_settled_limit_is_remembered_and_the_next_run_starts_there() {
    serially(async {
        let cache = tempfile::tempdir().unwrap();
        let server = MockServer::single_slot(Duration::from_millis(30), echo);
        let timeout = Duration::from_secs(20);
        {
            let (chat, _rx) = client_in(&server.base_url(), 32, timeout, Some(cache.path()));
            send_all(&chat, 80).await;
        }
        let learned = learned_limits(cache.path());
        assert_eq!(learned.len(), 1, "{learned:?}");
        let first = &learned[0];
        assert!(first.limit <= 4, "{first:?}");
        assert_eq!(first.max_concurrency, 32);
        assert_eq!(first.model, "m");
        assert!(first.baseline_ms >= 25, "{first:?}");
        let file = std::fs::read_to_string(cache.path().join("capabilities.json")).unwrap();
        assert!(!file.contains(support::TEST_KEY), "no key on disk");

        // The next run starts from the learned limit, not from four.
        let (chat, mut rx) = client_in(&server.base_url(), 32, timeout, Some(cache.path()));
        let answer = chat
            .chat(ChatRequest::new("summaries").user("again"))
            .await
            .unwrap();
        assert_eq!(answer.content, "answer to again");
        let loads = loads(&drain(&mut rx));
        assert_eq!(loads[0].0, first.limit, "{loads:?}");
    });
}

#[test]
fn fast_server_grows_back_to_the_maximum() {
    serially(async {
        // The first answers say "overloaded", then the server is fast.
        let server = MockServer::start(|req: &MockRequest| {
            if req.index < 3 {
                MockReply::status(503, r#"{"error":{"message":"busy"}}"#)
            } else {
                echo(req).after(Duration::from_millis(20))
            }
        });
        let (chat, mut rx) = client(&server.base_url(), 16, Duration::from_secs(20));
        send_all(&chat, 400).await;
        let loads = loads(&drain(&mut rx));
        let lowest = loads.iter().map(|l| l.0).min().unwrap();
        assert!(lowest <= 8, "503s cut the limit (lowest {lowest})");
        let at = loads.iter().position(|l| l.0 == lowest).unwrap();
        let regrown = loads[at..].iter().map(|l| l.0).max().unwrap();
        assert_eq!(regrown, 16, "grew back: {loads:?}");
        let used = loads[at..].iter().map(|l| l.1).max().unwrap();
        assert_eq!(used, 16, "and used it");
    });
}

#[test]
fn waiting_for_a_slot_does_not_count_towards_the_timeout() {
    serially(async {
        // One slot, 150 ms per answer, 300 ms timeout: five requests take
        // 750 ms in all, but none waits 300 ms once sent.
        let server =
            MockServer::start(|req: &MockRequest| echo(req).after(Duration::from_millis(150)));
        let (chat, mut rx) = client(&server.base_url(), 1, Duration::from_millis(300));
        send_all(&chat, 5).await;
        assert_eq!(timeouts(&drain(&mut rx)), 0);
        assert_eq!(server.request_count(), 5);
        assert_eq!(server.max_in_flight(), 1);
    });
}

#[test]
fn a_timeout_is_counted_drops_the_limit_and_is_retried() {
    serially(async {
        let hung = Arc::new(AtomicUsize::new(0));
        let h = hung.clone();
        let server = MockServer::start(move |req: &MockRequest| {
            if req.user_text() == "p0" && h.fetch_add(1, Ordering::SeqCst) == 0 {
                MockReply::Hang
            } else {
                echo(req)
            }
        });
        let (chat, mut rx) = client(&server.base_url(), 8, Duration::from_millis(300));
        let first = chat
            .chat(ChatRequest::new("summaries").user("p0"))
            .await
            .unwrap();
        assert_eq!(first.content, "answer to p0");
        let events = drain(&mut rx);
        assert_eq!(timeouts(&events), 1);
        assert_eq!(server.request_count(), 2, "sent again after the backoff");
        let loads = loads(&events);
        assert!(loads.iter().any(|l| l.0 == 4), "limit halved: {loads:?}");
    });
}
