//! The adaptive concurrency limit against the loopback mock: it shrinks
//! under a single-slot server without timeouts or duplicate work, grows
//! back to the maximum on a fast one, and never counts the wait for a slot
//! towards a request's timeout.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::future::join_all;
use kura_tui::llm::{
    ChatModel, ChatRequest, ClientEvent, ClientHooks, Events, OpenAiChat, RetryCause,
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
    let mut s = settings(base, "m");
    s.max_concurrency = max;
    s.timeout = timeout;
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
        let (chat, mut rx) = client(&server.base_url(), 8, Duration::from_secs(20));
        send_all(&chat, 80).await;
        let events = drain(&mut rx);
        assert_eq!(timeouts(&events), 0);
        assert_eq!(server.duplicates(), 0, "no work done twice");
        assert_eq!(server.request_count(), 80);
        let loads = loads(&events);
        let (final_limit, _) = *loads.last().unwrap();
        // One being served and two or three waiting, down from eight. The
        // exact figure depends on scheduling noise in the measured round trips
        // (the virtual-time simulation in src/llm/gradient.rs checks it
        // exactly); here it must at least have fallen well below the maximum.
        assert!(final_limit <= 5, "limit ended at {final_limit}");
        let late = loads[loads.len() * 3 / 4..]
            .iter()
            .map(|l| l.1)
            .max()
            .unwrap();
        assert!(late <= 5, "{late} in flight late in the run: {loads:?}");
        assert!(server.max_in_flight() <= 8);
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
