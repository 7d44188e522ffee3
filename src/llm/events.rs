//! What the clients report while they work, and the cancellation token that
//! stops them. The pipeline folds events into per-stage progress.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};

use super::lenient::ParseFixes;
use super::types::Usage;

/// Why a request is being retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryCause {
    /// No answer in time.
    Timeout,
    /// HTTP 429.
    RateLimited,
    /// HTTP 503 or 529.
    Overloaded,
    /// Another 5xx (or 408, 409, 425).
    ServerError,
    /// The connection failed or broke.
    Network,
    /// A 2xx whose body was not JSON (cut off or garbled).
    BadBody,
}

impl RetryCause {
    pub fn as_str(self) -> &'static str {
        match self {
            RetryCause::Timeout => "timeout",
            RetryCause::RateLimited => "rate limited",
            RetryCause::Overloaded => "overloaded",
            RetryCause::ServerError => "server error",
            RetryCause::Network => "network",
            RetryCause::BadBody => "bad body",
        }
    }
}

/// One thing that happened to a request.
///
/// A request that misses the cache reports `RequestStarted`, any number of
/// `Retry`, then `RequestFinished` or `Failed`. A chat answer served from
/// the cache reports only `RequestFinished { cached: true }`. (Embedding
/// cache hits are reported through the embedder's progress callback.)
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    RequestStarted {
        tag: String,
    },
    RequestFinished {
        tag: String,
        usage: Usage,
        cached: bool,
    },
    Retry {
        tag: String,
        /// 1 for the first retry.
        attempt: u32,
        /// Why (status or error), with keys redacted.
        reason: String,
        /// How long the client waits before trying again.
        wait: Duration,
        cause: RetryCause,
    },
    /// The client's concurrency limit and its requests in flight, after a
    /// request took or gave back a slot. `tag` is that request's.
    Concurrency {
        tag: String,
        limit: usize,
        in_flight: usize,
    },
    /// The server turned down a way of asking for structured output
    /// (`from`, e.g. `json_schema`); the client now uses `to` for every
    /// request of the run. `status` is the HTTP status of the refusal.
    Negotiated {
        tag: String,
        from: String,
        to: String,
        status: u16,
    },
    /// A structured answer was usable only after lenient parsing; `fixes`
    /// counts what was fixed in it.
    Lenient {
        tag: String,
        fixes: ParseFixes,
    },
    Failed {
        tag: String,
        /// The error, with keys redacted.
        error: String,
    },
}

impl ClientEvent {
    pub fn tag(&self) -> &str {
        match self {
            ClientEvent::RequestStarted { tag }
            | ClientEvent::RequestFinished { tag, .. }
            | ClientEvent::Retry { tag, .. }
            | ClientEvent::Concurrency { tag, .. }
            | ClientEvent::Negotiated { tag, .. }
            | ClientEvent::Lenient { tag, .. }
            | ClientEvent::Failed { tag, .. } => tag,
        }
    }
}

/// Where events go: nowhere, a closure or a channel. Cheap to clone.
#[derive(Clone, Default)]
pub struct Events(Option<Arc<dyn Fn(ClientEvent) + Send + Sync>>);

impl Events {
    pub fn none() -> Self {
        Events(None)
    }

    pub fn from_fn(f: impl Fn(ClientEvent) + Send + Sync + 'static) -> Self {
        Events(Some(Arc::new(f)))
    }

    /// Events delivered on an unbounded channel.
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<ClientEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let events = Events::from_fn(move |e| {
            // A dropped receiver just means nobody is listening any more.
            let _ = tx.send(e);
        });
        (events, rx)
    }

    pub fn emit(&self, event: ClientEvent) {
        if let Some(f) = &self.0 {
            f(event);
        }
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Events(on)"
        } else {
            "Events(off)"
        })
    }
}

#[derive(Default)]
struct CancelInner {
    flag: AtomicBool,
    notify: Notify,
}

/// Stops a run: once cancelled, no new request starts and requests in
/// flight are dropped. Answers already received stay cached. Clones share
/// the same state.
#[derive(Clone, Default)]
pub struct CancelToken(Arc<CancelInner>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.flag.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.flag.load(Ordering::SeqCst)
    }

    /// Completes once [`cancel`](Self::cancel) has been called.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CancelToken(cancelled: {})", self.is_cancelled())
    }
}

/// Events and cancellation, handed to every client a run creates.
#[derive(Clone, Debug, Default)]
pub struct ClientHooks {
    pub events: Events,
    pub cancel: CancelToken,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cancel_wakes_waiters_and_sticks() {
        let token = CancelToken::new();
        let waiter = tokio::spawn({
            let t = token.clone();
            async move { t.cancelled().await }
        });
        token.cancel();
        waiter.await.unwrap();
        assert!(token.is_cancelled());
        // Already cancelled: returns at once.
        token.cancelled().await;
    }

    #[tokio::test]
    async fn channel_events_arrive_in_order() {
        let (events, mut rx) = Events::channel();
        events.emit(ClientEvent::RequestStarted { tag: "a".into() });
        events.emit(ClientEvent::Failed {
            tag: "a".into(),
            error: "x".into(),
        });
        assert_eq!(rx.recv().await.unwrap().tag(), "a");
        assert!(matches!(rx.recv().await, Some(ClientEvent::Failed { .. })));
    }
}
