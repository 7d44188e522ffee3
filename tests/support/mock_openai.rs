//! A loopback LLM server for tests and benches: OpenAI-compatible
//! `/v1/chat/completions` and `/v1/embeddings`, and Anthropic `/v1/messages`,
//! answering real JSON from a programmable responder, with fault injection.
//!
//! ```ignore
//! let server = MockServer::start(|req: &MockRequest| {
//!     if req.is_embeddings() {
//!         embeddings_reply(req, 16)
//!     } else {
//!         MockReply::text(format!("{{\"echo\": {:?}}}", req.user_text()))
//!     }
//! });
//! let base = server.base_url(); // http://127.0.0.1:PORT/v1
//! ```
//!
//! The server runs on its own thread and runtime, so it works from sync and
//! async tests alike, and stops when dropped. It records every request
//! (path, lower-cased headers, JSON body), how many repeated an earlier
//! body (duplicate work), and the most requests it ever had in flight.
//!
//! [`MockServer::single_slot`] serves like a local server with one slot:
//! one request at a time, each for a fixed service time, the rest queued
//! in arrival order. [`reject_json_schema`] wraps a responder so that
//! `response_format: json_schema` gets HTTP 500 naming `response_format`,
//! as llama-cpp-python's server does.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct MockRequest {
    pub path: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    /// `Value::Null` when the body was not JSON.
    pub body: Value,
    /// How many identical (path, body) requests came before this one:
    /// 0 on the first try, 1 on the first retry, and so on.
    pub seen: usize,
    /// Arrival number over the server's life, from 0.
    pub index: usize,
}

impl MockRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_chat(&self) -> bool {
        self.path.ends_with("/chat/completions")
    }

    pub fn is_embeddings(&self) -> bool {
        self.path.ends_with("/embeddings")
    }

    pub fn is_anthropic(&self) -> bool {
        self.path.ends_with("/messages")
    }

    /// The content of the last user message.
    pub fn user_text(&self) -> String {
        self.messages()
            .iter()
            .rev()
            .find(|m| m["role"] == "user")
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_string()
    }

    /// The content of the first user message.
    pub fn first_user_text(&self) -> String {
        self.messages()
            .iter()
            .find(|m| m["role"] == "user")
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_string()
    }

    /// System text: OpenAI system messages or Anthropic's `system` field.
    pub fn system_text(&self) -> String {
        if let Some(s) = self.body["system"].as_str() {
            return s.to_string();
        }
        self.messages()
            .iter()
            .filter(|m| m["role"] == "system")
            .filter_map(|m| m["content"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn messages(&self) -> Vec<Value> {
        self.body["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `response_format.type` of a chat request.
    pub fn response_format(&self) -> Option<&str> {
        self.body.pointer("/response_format/type")?.as_str()
    }

    /// The inputs of an embeddings request.
    pub fn inputs(&self) -> Vec<String> {
        match &self.body["input"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum MockReply {
    /// A successful answer in the endpoint's shape. For Anthropic requests
    /// that force a tool, the text is parsed as JSON and sent as the tool
    /// input.
    Text(String),
    /// A successful embeddings answer, one vector per input.
    Embeddings(Vec<Vec<f32>>),
    /// Any status with any body and extra headers.
    Status {
        code: u16,
        body: String,
        headers: Vec<(String, String)>,
    },
    /// Never answers (the client must time out).
    Hang,
    /// 200 with the answer for this text cut in half (valid HTTP, bad JSON).
    Truncated(String),
    /// 200 headers promising the whole answer, half of it, then the
    /// connection is dropped.
    ResetMidBody(String),
    /// Waits, then replies.
    Delayed(Duration, Box<MockReply>),
}

impl MockReply {
    pub fn text(s: impl Into<String>) -> Self {
        MockReply::Text(s.into())
    }

    pub fn json(v: &Value) -> Self {
        MockReply::Text(v.to_string())
    }

    pub fn status(code: u16, body: impl Into<String>) -> Self {
        MockReply::Status {
            code,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// 429 with `Retry-After: <value>`.
    pub fn rate_limited(retry_after: &str) -> Self {
        MockReply::Status {
            code: 429,
            body: r#"{"error":{"message":"Rate limit reached","type":"rate_limit"}}"#.into(),
            headers: vec![("retry-after".into(), retry_after.into())],
        }
    }

    /// 429 with OpenAI's `retry-after-ms`.
    pub fn rate_limited_ms(ms: u64) -> Self {
        MockReply::Status {
            code: 429,
            body: r#"{"error":{"message":"Rate limit reached","type":"rate_limit"}}"#.into(),
            headers: vec![("retry-after-ms".into(), ms.to_string())],
        }
    }

    pub fn server_error() -> Self {
        MockReply::status(500, r#"{"error":{"message":"internal error"}}"#)
    }

    /// 400 saying `json_schema` is not supported.
    pub fn schema_unsupported() -> Self {
        MockReply::status(
            400,
            r#"{"error":{"message":"Invalid parameter: response_format of type 'json_schema' is not supported with this model","param":"response_format"}}"#,
        )
    }

    pub fn after(self, delay: Duration) -> Self {
        MockReply::Delayed(delay, Box::new(self))
    }

    /// 500 with llama-cpp-python's validation error for `json_schema`,
    /// naming `response_format` and `json_object`.
    pub fn schema_rejected_500() -> Self {
        MockReply::status(
            500,
            r#"{"error":{"message":"1 validation error for CreateChatCompletionRequest\nresponse_format.type\n  Input should be 'text' or 'json_object' [type=literal_error, input_value='json_schema', input_type=str]","type":"internal_server_error"}}"#,
        )
    }
}

/// Wraps `inner` so that chat requests asking for `json_schema` get
/// [`MockReply::schema_rejected_500`]; everything else goes to `inner`.
pub fn reject_json_schema(
    inner: impl Fn(&MockRequest) -> MockReply + Send + Sync + 'static,
) -> impl Fn(&MockRequest) -> MockReply + Send + Sync + 'static {
    move |req| {
        if req.is_chat() && req.response_format() == Some("json_schema") {
            MockReply::schema_rejected_500()
        } else {
            inner(req)
        }
    }
}

type Responder = dyn Fn(&MockRequest) -> MockReply + Send + Sync;

struct Shared {
    responder: Box<Responder>,
    /// Single-slot mode: the slot, and how long each request holds it.
    slot: Option<(tokio::sync::Mutex<()>, Duration)>,
    requests: Mutex<Vec<MockRequest>>,
    seen: Mutex<HashMap<String, usize>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    count: watch::Sender<usize>,
}

struct InFlight(Arc<Shared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running mock server. Stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MockServer {
    pub fn start(responder: impl Fn(&MockRequest) -> MockReply + Send + Sync + 'static) -> Self {
        Self::launch(responder, None)
    }

    /// A server with one slot: requests are served one at a time in
    /// arrival order, each taking `service` (plus any delay the reply
    /// asks for); the others wait in the queue.
    pub fn single_slot(
        service: Duration,
        responder: impl Fn(&MockRequest) -> MockReply + Send + Sync + 'static,
    ) -> Self {
        Self::launch(responder, Some(service))
    }

    fn launch(
        responder: impl Fn(&MockRequest) -> MockReply + Send + Sync + 'static,
        slot: Option<Duration>,
    ) -> Self {
        let shared = Arc::new(Shared {
            responder: Box::new(responder),
            slot: slot.map(|d| (tokio::sync::Mutex::new(()), d)),
            requests: Mutex::new(Vec::new()),
            seen: Mutex::new(HashMap::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            count: watch::channel(0).0,
        });
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("mock runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1:0");
                addr_tx.send(listener.local_addr().expect("addr")).ok();
                let app = Router::new().fallback(handle).with_state(state);
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stop_rx => {}
                }
            });
            rt.shutdown_background();
        });
        let addr = addr_rx.recv().expect("mock server did not start");
        MockServer {
            addr,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/v1`: the OpenAI-style base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// `http://127.0.0.1:PORT`: the Anthropic-style root.
    pub fn root_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<MockRequest> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.shared.requests.lock().unwrap().len()
    }

    /// Requests whose (path, body) repeated an earlier one: retries after
    /// timeouts or errors, i.e. work the server may have done twice.
    pub fn duplicates(&self) -> usize {
        self.shared
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.seen > 0)
            .count()
    }

    /// Chat requests that asked for `response_format` of this type.
    pub fn count_format(&self, kind: &str) -> usize {
        self.shared
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.is_chat() && r.response_format() == Some(kind))
            .count()
    }

    /// The most requests the server ever had in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Completes once the server has received at least `n` requests.
    pub async fn wait_for_requests(&self, n: usize) {
        let mut rx = self.shared.count.subscribe();
        rx.wait_for(|&c| c >= n).await.expect("mock server stopped");
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let _guard = InFlight(shared.clone());

    let path = uri.path().to_string();
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let seen = {
        let mut seen = shared.seen.lock().unwrap();
        let n = seen.entry(format!("{path} {json}")).or_insert(0);
        *n += 1;
        *n - 1
    };
    let request = {
        let mut all = shared.requests.lock().unwrap();
        let r = MockRequest {
            path,
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body: json,
            seen,
            index: all.len(),
        };
        all.push(r.clone());
        r
    };
    shared.count.send_modify(|c| *c += 1);
    let reply = (shared.responder)(&request);
    match &shared.slot {
        Some((slot, service)) => {
            // The queue: tokio's mutex is fair, so first come first served.
            let _held = slot.lock().await;
            tokio::time::sleep(*service).await;
            respond(&request, reply).await
        }
        None => respond(&request, reply).await,
    }
}

async fn respond(req: &MockRequest, mut reply: MockReply) -> Response {
    while let MockReply::Delayed(d, inner) = reply {
        tokio::time::sleep(d).await;
        reply = *inner;
    }
    match reply {
        MockReply::Text(text) => {
            json_response(200, render_answer(req, &text).to_string().into_bytes())
        }
        MockReply::Embeddings(vectors) => json_response(
            200,
            render_embeddings(req, &vectors).to_string().into_bytes(),
        ),
        MockReply::Status {
            code,
            body,
            headers,
        } => {
            let mut r = json_response(code, body.into_bytes());
            for (k, v) in headers {
                r.headers_mut().insert(
                    axum::http::HeaderName::try_from(k).unwrap(),
                    v.parse().unwrap(),
                );
            }
            r
        }
        MockReply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            json_response(500, b"{}".to_vec())
        }
        MockReply::Truncated(text) => {
            let full = render_answer(req, &text).to_string().into_bytes();
            json_response(200, full[..full.len() / 2].to_vec())
        }
        MockReply::ResetMidBody(text) => {
            let full = render_answer(req, &text).to_string().into_bytes();
            let half = Bytes::copy_from_slice(&full[..full.len() / 2]);
            // Let the headers and the first half go out before the failure.
            let stream = futures_util::stream::once(async move { Ok(half) }).chain(
                futures_util::stream::once(async {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Err(std::io::Error::other("connection reset by mock"))
                }),
            );
            let mut r = Response::new(Body::from_stream(stream));
            r.headers_mut()
                .insert("content-type", "application/json".parse().unwrap());
            r.headers_mut()
                .insert("content-length", full.len().to_string().parse().unwrap());
            r
        }
        MockReply::Delayed(..) => unreachable!("unwrapped above"),
    }
}

fn json_response(code: u16, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(code).unwrap();
    r.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    r
}

fn tokens(chars: usize) -> usize {
    chars.div_ceil(4)
}

/// A success body for `text` in the shape the request's endpoint uses.
fn render_answer(req: &MockRequest, text: &str) -> Value {
    let prompt_chars: usize = req
        .messages()
        .iter()
        .filter_map(|m| m["content"].as_str())
        .map(str::len)
        .sum::<usize>()
        + req.system_text().len();
    let model = req.body["model"].clone();
    if req.is_anthropic() {
        let tool = req
            .body
            .pointer("/tool_choice/name")
            .and_then(Value::as_str);
        let block = match tool {
            Some(name) => json!({
                "type": "tool_use",
                "id": "toolu_mock",
                "name": name,
                "input": serde_json::from_str::<Value>(text).unwrap_or(json!({})),
            }),
            None => json!({ "type": "text", "text": text }),
        };
        return json!({
            "id": "msg_mock",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [block],
            "stop_reason": if tool.is_some() { "tool_use" } else { "end_turn" },
            "usage": { "input_tokens": tokens(prompt_chars), "output_tokens": tokens(text.len()) },
        });
    }
    json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": text },
            "finish_reason": "stop",
        }],
        "usage": {
            "prompt_tokens": tokens(prompt_chars),
            "completion_tokens": tokens(text.len()),
            "total_tokens": tokens(prompt_chars) + tokens(text.len()),
        },
    })
}

fn render_embeddings(req: &MockRequest, vectors: &[Vec<f32>]) -> Value {
    let chars: usize = req.inputs().iter().map(String::len).sum();
    let data: Vec<Value> = vectors
        .iter()
        .enumerate()
        .map(|(i, v)| json!({ "object": "embedding", "index": i, "embedding": v }))
        .collect();
    json!({
        "object": "list",
        "data": data,
        "model": req.body["model"],
        "usage": { "prompt_tokens": tokens(chars), "total_tokens": tokens(chars) },
    })
}

/// A deterministic embedding: hashed bag of lower-cased words, so texts that
/// share words get similar vectors. Not normalised.
pub fn hashed_embedding(text: &str, dims: usize) -> Vec<f32> {
    let mut v = vec![0.0f32; dims.max(1)];
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in word.to_lowercase().bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let slot = (h % v.len() as u64) as usize;
        v[slot] += if (h >> 63) == 0 { 1.0 } else { -1.0 };
    }
    if v.iter().all(|x| *x == 0.0) {
        v[0] = 1.0;
    }
    v
}

/// An embeddings answer with [`hashed_embedding`] vectors for every input.
pub fn embeddings_reply(req: &MockRequest, dims: usize) -> MockReply {
    MockReply::Embeddings(
        req.inputs()
            .iter()
            .map(|t| hashed_embedding(t, dims))
            .collect(),
    )
}
