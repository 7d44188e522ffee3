//! API keys never reach logs (at trace level, HTTP stack included), error
//! messages, events or cache files, even when a server echoes them back.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use kura_tui::embed::Embedder;
use kura_tui::llm::{
    AnthropicChat, ApiEmbedder, CancelToken, ChatModel, ChatRequest, ClientEvent, ClientHooks,
    Events, OpenAiChat,
};
use support::mock_openai::{MockReply, MockServer, embeddings_reply};
use support::{TEST_KEY, settings};

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn echo_key_body() -> String {
    format!(
        r#"{{"error":{{"message":"Incorrect API key provided: {TEST_KEY}. You sent Authorization: Bearer {TEST_KEY}"}}}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_stay_out_of_logs_errors_events_and_cache() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let writer = Capture(log.clone());
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .unwrap();

    let server = MockServer::start(|req| {
        if req.is_embeddings() {
            return if req.inputs().iter().any(|t| t == "bad") {
                MockReply::status(400, echo_key_body())
            } else {
                embeddings_reply(req, 4)
            };
        }
        match req.user_text().as_str() {
            "unauthorized" => MockReply::status(401, echo_key_body()),
            "flaky" => MockReply::status(500, echo_key_body()),
            other => MockReply::text(format!("fine: {other}")),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (events, mut rx) = Events::channel();
    let hooks = ClientHooks {
        events,
        cancel: CancelToken::new(),
    };
    let mut s = settings(&server.base_url(), "m").with_cache(dir.path());
    s.max_retries = 1;
    assert!(!format!("{s:?}").contains(TEST_KEY));

    let mut errors = Vec::new();
    let openai = OpenAiChat::new(&s, hooks.clone()).unwrap();
    for p in ["ok", "unauthorized", "flaky"] {
        if let Err(e) = openai.chat(ChatRequest::new("s").user(p)).await {
            errors.push(e.to_string());
        }
    }
    let mut a = s.clone();
    a.base_url = server.root_url();
    let anthropic = AnthropicChat::new(&a, hooks.clone()).unwrap();
    for p in ["ok", "unauthorized"] {
        if let Err(e) = anthropic.chat(ChatRequest::new("s").user(p)).await {
            errors.push(e.to_string());
        }
    }
    let emb = ApiEmbedder::new(&s, 4, hooks.clone()).unwrap();
    emb.embed(&["good".to_string()], &|_| {}).await.unwrap();
    if let Err(e) = emb.embed(&["bad".to_string()], &|_| {}).await {
        errors.push(e.to_string());
    }
    drop((openai, anthropic, emb, hooks));

    // Every failure was reported, and the server's words were kept.
    assert_eq!(errors.len(), 4, "{errors:?}");
    for e in &errors {
        assert!(!e.contains(TEST_KEY), "key in error: {e}");
        assert!(e.contains("Incorrect API key provided: ***"), "{e}");
    }
    let mut event_texts = Vec::new();
    while let Some(e) = rx.recv().await {
        match e {
            ClientEvent::Retry { reason, .. } => event_texts.push(reason),
            ClientEvent::Failed { error, .. } => event_texts.push(error),
            _ => {}
        }
    }
    assert_eq!(event_texts.len(), 5, "{event_texts:?}");
    assert!(event_texts.iter().all(|t| !t.contains(TEST_KEY)));

    let logged = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        logged.contains("POST") && logged.contains("retrying"),
        "log was not captured:\n{logged}"
    );
    assert!(!logged.contains(TEST_KEY), "key in log:\n{logged}");
    assert!(!logged.contains("SECRETKEY"), "part of the key in log");

    // Every file under the cache folder (answers and capabilities.json).
    let mut files = 0;
    let mut todo = vec![dir.path().to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains(TEST_KEY) && !text.contains("SECRETKEY"));
            files += 1;
        }
    }
    assert!(files >= 2, "no answers were cached");
    let stats = kura_tui::llm::Cache::new(dir.path()).stats().unwrap();
    assert_eq!(
        stats.entries, 3,
        "two chat answers and one embedding cached"
    );
}
