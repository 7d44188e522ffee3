//! Sending one JSON request with limits, retries, timeouts and cancellation.
//! Every provider client posts through a [`Transport`]; all transports share
//! one `reqwest::Client` (and so one connection pool) for the process.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::events::{ClientEvent, ClientHooks, RetryCause};
use super::learned::{LimitKeeper, Memory};
use super::limiter::{Limiter, Load, Outcome};
use super::redact::Redactor;
use super::retry::{Backoff, is_retryable_status, retry_after};
use super::settings::ClientSettings;
use crate::error::{Error, Result};

/// The process-wide HTTP client (rustls). Dropping clients with open
/// connections stalls some servers, so there is exactly one, kept forever.
pub fn shared_client() -> Result<reqwest::Client> {
    static CLIENT: OnceLock<std::result::Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .user_agent(concat!("kura-tui/", env!("CARGO_PKG_VERSION")))
                .pool_idle_timeout(Duration::from_secs(60))
                .tcp_nodelay(true)
                .build()
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| Error::Llm(format!("cannot build the HTTP client: {e}")))
}

/// Why a request did not produce a JSON answer.
#[derive(Debug)]
pub(crate) enum Failure {
    Cancelled,
    /// An HTTP error status; `body` is redacted and shortened. `retries`
    /// is how many retries came before it.
    Status {
        code: u16,
        body: String,
        retries: u32,
    },
    /// A transport or body problem (redacted).
    Other(String),
}

impl Failure {
    /// The library error, prefixed with what was being done.
    pub(crate) fn into_error(self, what: &str) -> Error {
        match self {
            Failure::Cancelled => Error::Cancelled,
            Failure::Status {
                code,
                body,
                retries: 0,
            } => Error::Llm(format!("{what}: HTTP {code}: {}", error_message(&body))),
            Failure::Status {
                code,
                body,
                retries,
            } => Error::Llm(format!(
                "{what}: gave up after {retries} retries: HTTP {code}: {}",
                error_message(&body)
            )),
            Failure::Other(msg) => Error::Llm(format!("{what}: {msg}")),
        }
    }
}

/// The `error.message` of a JSON error body, else the body itself.
pub(crate) fn error_message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let msg = parsed.as_ref().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("error"))
            .or_else(|| v.get("message"))
            .and_then(Value::as_str)
    });
    match msg {
        Some(m) => m.to_string(),
        None if body.trim().is_empty() => "(empty body)".into(),
        None => body.trim().to_string(),
    }
}

enum Attempt {
    Done(Value),
    Fatal(Failure),
    Retry {
        reason: String,
        cause: RetryCause,
        after: Option<Duration>,
        last: Failure,
    },
}

impl Attempt {
    /// What the attempt teaches the concurrency limit.
    fn outcome(&self) -> Outcome {
        match self {
            Attempt::Done(_) => Outcome::Answered,
            Attempt::Retry {
                cause: RetryCause::Timeout | RetryCause::RateLimited | RetryCause::Overloaded,
                ..
            } => Outcome::Overloaded,
            _ => Outcome::Ignored,
        }
    }
}

/// How many recent round trips a request may take before it counts as
/// timed out, when that is longer than the configured timeout: a request
/// queued behind others at a slow server is working, not lost.
const PATIENCE_RTTS: u32 = 3;

/// Tells a capability answer (the server cannot do what the request asked
/// for, e.g. `response_format`) from a fault, given the lower-cased error
/// body. Such an answer is returned at once, whatever its status.
pub(crate) type Capability<'a> = Option<&'a (dyn Fn(&str) -> bool + Sync)>;

/// Posts JSON to one server with one set of limits.
#[derive(Debug)]
pub(crate) struct Transport {
    client: reqwest::Client,
    headers: HeaderMap,
    limiter: Limiter,
    /// Writes down what the limiter learned, when there is a cache folder.
    keeper: Option<LimitKeeper>,
    backoff: Backoff,
    pub(crate) redactor: Redactor,
    timeout: Duration,
    max_retries: u32,
    pub(crate) hooks: ClientHooks,
}

impl Drop for Transport {
    fn drop(&mut self) {
        if let Some(k) = &self.keeper {
            k.note(self.limiter.settled(), true);
        }
    }
}

impl Transport {
    /// `auth` holds header name/value pairs; values are marked sensitive so
    /// no debug output of the HTTP stack prints them.
    pub(crate) fn new(
        settings: &ClientSettings,
        auth: &[(&'static str, String)],
        hooks: ClientHooks,
    ) -> Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in auth {
            let mut v = HeaderValue::from_str(value).map_err(|_| {
                Error::param(
                    "api_key",
                    "contains characters that cannot go in an HTTP header",
                )
            })?;
            v.set_sensitive(true);
            headers.insert(HeaderName::from_static(name), v);
        }
        Ok(Transport {
            client: shared_client()?,
            headers,
            limiter: Limiter::new(
                settings.max_concurrency,
                settings.requests_per_minute,
                settings.tokens_per_minute,
            ),
            keeper: None,
            backoff: Backoff::new(settings.backoff_base, settings.backoff_max, settings.seed),
            redactor: Redactor::new(settings.api_key.as_ref()),
            timeout: settings.timeout,
            max_retries: settings.max_retries,
            hooks,
        })
    }

    /// Starts from the concurrency an earlier run settled at against this
    /// server and model, and keeps what this run learns for the next.
    pub(crate) fn remembering_limits(mut self, memory: Memory) -> Self {
        let keeper = LimitKeeper::new(memory, self.limiter.load_max());
        if let Some(learned) = keeper.learned() {
            tracing::debug!(
                limit = learned.limit,
                "starting from the learned concurrency"
            );
            self.limiter.resume(learned.limit);
        }
        self.keeper = Some(keeper);
        self
    }

    /// Adds a plain (non-secret) header to every request.
    pub(crate) fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
        self
    }

    /// Posts `body` and returns the JSON answer, retrying what is worth
    /// retrying. `est_tokens` feeds the tokens-per-minute limit; call
    /// [`settle`](Self::settle) with the real usage afterwards. An error
    /// that `capability` recognises is returned at once, without retries.
    pub(crate) async fn post_json(
        &self,
        tag: &str,
        url: &Url,
        body: &Value,
        est_tokens: u64,
        capability: Capability<'_>,
    ) -> std::result::Result<Value, Failure> {
        let bytes = serde_json::to_vec(body).map_err(|e| Failure::Other(e.to_string()))?;
        let cancel = &self.hooks.cancel;
        let mut retries = 0u32;
        loop {
            if cancel.is_cancelled() {
                return Err(Failure::Cancelled);
            }
            let permit = self
                .limiter
                .acquire(est_tokens, cancel)
                .await
                .map_err(|_| Failure::Cancelled)?;
            self.report_load(tag, self.limiter.load());
            tracing::debug!(tag, %url, attempt = retries + 1, "POST");
            let sent = permit.sent();
            let outcome = tokio::select! {
                o = self.attempt_within(url, bytes.clone(), sent, capability) => o,
                _ = cancel.cancelled() => return Err(Failure::Cancelled),
            };
            let load = self.limiter.release(permit, outcome.outcome());
            self.report_load(tag, load);
            if let Some(k) = &self.keeper {
                k.note(self.limiter.settled(), false);
            }
            let (reason, cause, after, last) = match outcome {
                Attempt::Done(v) => return Ok(v),
                Attempt::Fatal(f) => {
                    self.limiter.settle(est_tokens, 0);
                    return Err(f);
                }
                Attempt::Retry {
                    reason,
                    cause,
                    after,
                    last,
                } => (reason, cause, after, last),
            };
            self.limiter.settle(est_tokens, 0);
            retries += 1;
            if retries > self.max_retries {
                let last = match last {
                    Failure::Other(m) => {
                        Failure::Other(format!("gave up after {} retries: {m}", self.max_retries))
                    }
                    Failure::Status { code, body, .. } => Failure::Status {
                        code,
                        body,
                        retries: self.max_retries,
                    },
                    other => other,
                };
                return Err(last);
            }
            let wait = after.unwrap_or_else(|| self.backoff.delay(retries));
            tracing::debug!(tag, attempt = retries, ?wait, reason = %reason, "retrying");
            self.hooks.events.emit(ClientEvent::Retry {
                tag: tag.to_string(),
                attempt: retries,
                reason,
                wait,
                cause,
            });
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = cancel.cancelled() => return Err(Failure::Cancelled),
            }
        }
    }

    /// Corrects the tokens-per-minute budget with a call's real usage.
    pub(crate) fn settle(&self, estimated: u64, actual: u64) {
        self.limiter.settle(estimated, actual);
    }

    fn report_load(&self, tag: &str, load: Load) {
        self.hooks.events.emit(ClientEvent::Concurrency {
            tag: tag.to_string(),
            limit: load.limit,
            in_flight: load.in_flight,
        });
    }

    /// How long a request sent now may take: the configured timeout, or
    /// a few recent round trips when those are longer.
    fn patience(&self) -> Duration {
        let recent = self.limiter.recent_rtt().unwrap_or_default();
        self.timeout.max(recent.saturating_mul(PATIENCE_RTTS))
    }

    /// One attempt, abandoned once it has taken longer than the patience
    /// (measured from `sent`, after any wait for a slot; re-read while
    /// waiting, as the server's recent round trips change it).
    async fn attempt_within(
        &self,
        url: &Url,
        bytes: Vec<u8>,
        sent: std::time::Instant,
        capability: Capability<'_>,
    ) -> Attempt {
        let attempt = self.attempt(url, bytes, capability);
        tokio::pin!(attempt);
        loop {
            let patience = self.patience();
            let deadline = tokio::time::Instant::from_std(sent + patience);
            tokio::select! {
                done = &mut attempt => return done,
                _ = tokio::time::sleep_until(deadline) => {
                    if self.patience() <= patience {
                        let msg = format!(
                            "no answer within {:.1}s (timeout)",
                            patience.as_secs_f64()
                        );
                        return Attempt::Retry {
                            reason: msg.clone(),
                            cause: RetryCause::Timeout,
                            after: None,
                            last: Failure::Other(msg),
                        };
                    }
                }
            }
        }
    }

    async fn attempt(&self, url: &Url, bytes: Vec<u8>, capability: Capability<'_>) -> Attempt {
        let sent = self
            .client
            .post(url.clone())
            .headers(self.headers.clone())
            .body(bytes)
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => return self.transport_retry(&e),
        };
        let status = resp.status().as_u16();
        let after = retry_after(resp.headers());
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return self.transport_retry(&e),
        };
        if (200..300).contains(&status) {
            return match serde_json::from_slice::<Value>(&body) {
                Ok(v) => Attempt::Done(v),
                Err(e) => {
                    let msg = format!("truncated or invalid JSON in the response ({e})");
                    Attempt::Retry {
                        reason: msg.clone(),
                        cause: RetryCause::BadBody,
                        after: None,
                        last: Failure::Other(msg),
                    }
                }
            };
        }
        let text = String::from_utf8_lossy(&body[..body.len().min(4000)]);
        let failure = Failure::Status {
            code: status,
            body: self.redactor.redact(&text),
            retries: 0,
        };
        let is_capability = capability.is_some_and(|f| f(&text.to_ascii_lowercase()));
        if is_retryable_status(status) && !is_capability {
            let cause = match status {
                429 => RetryCause::RateLimited,
                503 | 529 => RetryCause::Overloaded,
                408 => RetryCause::Timeout,
                _ => RetryCause::ServerError,
            };
            Attempt::Retry {
                reason: format!("HTTP {status}"),
                cause,
                after,
                last: failure,
            }
        } else {
            Attempt::Fatal(failure)
        }
    }

    fn transport_retry(&self, e: &reqwest::Error) -> Attempt {
        let (msg, cause) = if e.is_timeout() {
            (
                format!(
                    "no answer within {:.1}s (timeout)",
                    self.timeout.as_secs_f64()
                ),
                RetryCause::Timeout,
            )
        } else {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            (msg, RetryCause::Network)
        };
        let msg = self.redactor.redact(&msg);
        Attempt::Retry {
            reason: msg.clone(),
            cause,
            after: None,
            last: Failure::Other(msg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_prefers_json_message() {
        assert_eq!(
            error_message(r#"{"error":{"message":"bad schema","type":"x"}}"#),
            "bad schema"
        );
        assert_eq!(error_message("plain words"), "plain words");
        assert_eq!(error_message(""), "(empty body)");
    }
}
